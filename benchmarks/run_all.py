"""Run every benchmark, each in its own process (CPU, memory and start-up are per process),
and print all figures with their targets.

    python -m benchmarks.run_all [--quick | --tiny] [--json] [--only NAME ...]
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.harness import Figure, print_figures, size_of, standard_parser

BENCHMARKS = (
    "keep_up",
    "cpu",
    "flatness",
    "responsiveness",
    "startup",
    "memory",
    "big_conversation",
    "metric_truth",
    "terminal_startup",
    "terminal_keep_up",
)
TIME_LIMIT_S = {"tiny": 120, "quick": 600, "full": 1800}


def run_one(name: str, size: str) -> list[Figure]:
    flags = {"tiny": ["--tiny"], "quick": ["--quick"], "full": []}[size]
    try:
        done = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{name}", "--json", *flags],
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT_S[size],
        )
    except subprocess.TimeoutExpired:
        return [Figure(name, "did not finish in time", float("nan"), "", note="timeout")]
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [Figure(name, "failed", float("nan"), "", note=last)]
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    return [Figure(**{k: v for k, v in row.items() if k != "verdict"}) for row in rows]


def main(argv: list[str] | None = None) -> int:
    parser = standard_parser(__doc__ or "run_all")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run just these")
    args = parser.parse_args(argv)
    size = size_of(args)
    figures: list[Figure] = []
    for name in args.only or BENCHMARKS:
        results = run_one(name, size)
        if not args.json:
            print_figures(results, as_json=False)
        figures += results
    if args.json:
        print_figures(figures, as_json=True)
    else:
        missed = [f for f in figures if f.verdict == "MISSED" or f.unit == ""]
        print(f"\n{len(figures)} figures, {len(missed)} missed targets or failed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
