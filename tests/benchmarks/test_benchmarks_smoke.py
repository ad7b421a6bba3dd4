"""Each benchmark runs at smoke-test sizes and prints valid figures (no timing assertions)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.run_all import BENCHMARKS

pytestmark = [pytest.mark.slow, pytest.mark.bench]

ROOT = Path(__file__).resolve().parents[2]


# The terminal benchmarks have tests of their own (test_terminal_benchmarks.py).
HEADLESS = [name for name in BENCHMARKS if not name.startswith("terminal_")]


@pytest.mark.parametrize("name", HEADLESS)
def test_benchmark_prints_valid_figures(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--tiny", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures, "no figures printed"
    for figure in figures:
        assert figure["benchmark"] == name
        assert figure["name"] and figure["unit"]
        assert math.isfinite(figure["value"]), figure
        assert figure["verdict"] in ("", "ok", "MISSED")


def test_run_all_prints_a_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run_all", "--tiny", "--only", "flatness"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ratio" in done.stdout and "figures" in done.stdout
