"""Memory: resident set size with a 100,000-token conversation open, and after streaming a
100,000-token reply into an empty one. Each phase runs in its own process.

    python -m benchmarks.memory [--quick | --tiny] [--json]
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from benchmarks.harness import (
    SCREEN_SIZE,
    Figure,
    history,
    llm_like_markdown,
    make_app,
    print_figures,
    rss_mb,
    scripted_provider,
    send_and_wait,
    size_of,
    standard_parser,
)

NAME = "memory"
TARGET_MB = 200.0
TOKENS = {"full": 100_000, "quick": 100_000, "tiny": 2_000}
HISTORY_MESSAGES = 100  # the open conversation: 50 questions, 50 replies sharing the tokens
STREAM_RATE = 50_000.0


async def phase(name: str, tokens: int) -> float:
    if name == "open":
        app = make_app(scripted_provider("ok", tokens_per_s=1000))
        per_reply = tokens // (HISTORY_MESSAGES // 2)
        app.session.conversation = history(HISTORY_MESSAGES, reply_tokens=per_reply)
        async with app.run_test(size=SCREEN_SIZE) as pilot:
            await pilot.pause()
            await pilot.pause()
            return rss_mb()
    provider = scripted_provider(llm_like_markdown(tokens), tokens_per_s=STREAM_RATE)
    app = make_app(provider)
    async with app.run_test(size=SCREEN_SIZE):
        await send_and_wait(app, "long reply", timeout_s=300)
        return rss_mb()


def run_phase(name: str, tokens: int) -> float:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--phase", name, "--tokens", str(tokens)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["rss_mb"])


def measure(size: str) -> list[Figure]:
    tokens = TOKENS[size]
    opened = run_phase("open", tokens)
    streamed = run_phase("stream", tokens)
    return [
        Figure(NAME, f"RSS with a {tokens}-token conversation open", opened, "MB", TARGET_MB),
        Figure(NAME, f"RSS after streaming a {tokens}-token reply", streamed, "MB", TARGET_MB),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = standard_parser(__doc__ or NAME)
    parser.add_argument("--phase", choices=["open", "stream"], help=argparse_hidden())
    parser.add_argument("--tokens", type=int, default=0, help=argparse_hidden())
    args = parser.parse_args(argv)
    if args.phase:
        print(json.dumps({"rss_mb": asyncio.run(phase(args.phase, args.tokens))}))
        return 0
    print_figures(measure(size_of(args)), as_json=args.json)
    return 0


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    sys.exit(main())
