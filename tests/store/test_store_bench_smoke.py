"""The store benchmark still runs (on its small --quick data set) and prints its figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.bench]

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "store_bench.py"


def test_quick_benchmark_prints_its_figures(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARK), str(tmp_path), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for figure in (
        "open the store",
        "list first page (50 conversations)",
        "search rare word",
        "search commonest word",
        "load all 1000 messages",
        "load its last 100 messages",
        "progressive save, 5000 tok/s",
    ):
        assert figure in result.stdout, figure
    assert "% of the reply" in result.stdout
    assert list(tmp_path.glob("store-bench-*.done"))  # cached for the next run
