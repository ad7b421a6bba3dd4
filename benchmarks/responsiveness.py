"""Responsiveness: event-loop lag while a 5,000 tok/s reply renders (200 earlier messages).

A probe coroutine on the app's event loop sleeps 5 ms at a time and records how late it woke:
a stand-in for how long a keypress would wait before the app could echo it.

    python -m benchmarks.responsiveness [--quick | --tiny] [--json]
"""

from __future__ import annotations

import asyncio
import sys
import time

from benchmarks.harness import (
    SCREEN_SIZE,
    Figure,
    llm_like_markdown,
    make_app,
    pct,
    print_figures,
    scripted_provider,
    select_text,
    send_and_wait,
    size_of,
    standard_parser,
)

NAME = "responsiveness"
TARGET_P99_MS = 50.0
PROBE_INTERVAL_S = 0.005
CASE = {"full": (20_000, 5_000.0, 200), "quick": (10_000, 5_000.0, 200), "tiny": (300, 3_000.0, 10)}


async def loop_lags(stop: asyncio.Event, lags: list[float]) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(PROBE_INTERVAL_S)
        lags.append(time.perf_counter() - start - PROBE_INTERVAL_S)


async def measure_case(tokens: int, rate: float, earlier: int, *, features: bool) -> list[Figure]:
    """`features`: the earlier messages are branched, some carry files, and a text selection
    is left in the last reply on screen."""
    app = make_app(
        scripted_provider(llm_like_markdown(tokens), tokens_per_s=rate),
        earlier_messages=earlier,
        branched=features,
        attachments=features,
    )
    lags: list[float] = []
    async with app.run_test(size=SCREEN_SIZE):
        await send_and_wait(app, "warm up", timeout_s=30 + tokens / rate * 4)
        stop = asyncio.Event()
        probe = asyncio.create_task(loop_lags(stop, lags))
        await send_and_wait(
            app,
            "measure",
            timeout_s=30 + tokens / rate * 4,
            once_sent=select_text if features else None,
        )
        stop.set()
        await probe
        if features and not app.screen.selections:
            raise RuntimeError("the text selection did not last through the reply")
    case = f"{tokens} tok @ {rate:g} tok/s, {earlier} earlier"
    if features:
        case += " branched, files, selection"
    return [
        Figure(NAME, f"event-loop lag p50 ({case})", pct(lags, 50) * 1000, "ms"),
        Figure(NAME, f"event-loop lag p99 ({case})", pct(lags, 99) * 1000, "ms", TARGET_P99_MS),
        Figure(NAME, f"event-loop lag max ({case})", max(lags, default=0) * 1000, "ms"),
    ]


async def measure(size: str) -> list[Figure]:
    tokens, rate, earlier = CASE[size]
    plain = await measure_case(tokens, rate, earlier, features=False)
    return plain + await measure_case(tokens, rate, earlier, features=True)


def main(argv: list[str] | None = None) -> int:
    args = standard_parser(__doc__ or NAME).parse_args(argv)
    print_figures(asyncio.run(measure(size_of(args))), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
