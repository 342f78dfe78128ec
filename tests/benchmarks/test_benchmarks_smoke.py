"""Every benchmark runs at its smoke size in CI and ends with one JSON line of figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.__main__ import available

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres_only
@pytest.mark.parametrize("name", available())
@pytest.mark.slow
def test_benchmark_smoke_size_runs_and_reports_figures(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks", name, "--smoke"],
        cwd=ROOT,
        env={**os.environ, "JOBREADY_DEV": "1", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["benchmark"] == name
