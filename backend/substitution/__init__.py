"""第十九条: private substitution (私自代课) detected, confirmed or dismissed by HR."""
