"""Reference data with human labels: districts, occupations, education, trainee categories."""
