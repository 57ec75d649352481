"""The mirror benchmark still runs (at a tenth of its size): each figure is printed.
Speeds are not asserted here; `make bench` prints them."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIGURES = [
    "pill counts",
    "100-row page",
    "FTS search 'printer'",
    "FTS search 'server'",
    "ticket + 1,000 events",
    "apply 1,000-change delta",
]


@pytest.mark.slow
def test_mirror_benchmark_runs_and_prints_every_figure():
    result = subprocess.run(
        [sys.executable, "-m", "bench.mirror", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    for figure in FIGURES:
        line = next((l for l in result.stdout.splitlines() if l.startswith(figure)), None)
        assert line is not None, f"{figure!r} missing from:\n{result.stdout}"
        ours, naive = re.findall(r"([\d.]+) ms", line)[:2]
        assert float(ours) > 0 and float(naive) > 0
    assert re.search(r"mirror file size\s+[\d.]+ MB", result.stdout)
