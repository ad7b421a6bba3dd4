"""Keep-up: how long after a token arrives is it on screen, with 200 earlier messages.

For each reply: the lag of the final token (its arrival, i.e. the simulated provider's last
yield, to the end of the first screen update after the flush that drained it), the lag of the
first token (which replaces the typing indicator), the lag of every token (p50/p95), and the
longest flush (its own work plus the screen update after it).

    python -m benchmarks.keep_up [--quick | --tiny] [--json]
"""

from __future__ import annotations

import asyncio
import sys

from benchmarks.harness import (
    SCREEN_SIZE,
    Figure,
    llm_like_markdown,
    make_app,
    on_screen_lags,
    pct,
    print_figures,
    scripted_provider,
    select_text,
    send_and_wait,
    size_of,
    standard_parser,
)

NAME = "keep_up"
TARGET_MS = 100.0
# (tokens, tokens/s, replies, earlier history branched) per size
CASES = {
    "full": [(2_000, 500.0, 5, False), (20_000, 5_000.0, 3, False), (2_000, 500.0, 5, True)],
    "quick": [(2_000, 500.0, 3, False), (20_000, 5_000.0, 1, False), (2_000, 500.0, 3, True)],
    "tiny": [(200, 2_000.0, 2, False), (200, 2_000.0, 1, True)],
}
EARLIER = {"full": 200, "quick": 200, "tiny": 10}


async def measure_case(
    tokens: int, rate: float, replies: int, earlier: int, *, branched: bool = False
) -> list[Figure]:
    text = llm_like_markdown(tokens)
    app = make_app(
        scripted_provider(text, tokens_per_s=rate),
        earlier_messages=earlier,
        branched=branched,
        attachments=branched,
    )
    final_lags: list[float] = []
    first_lags: list[float] = []
    token_lags: list[float] = []
    longest_flush = 0.0
    async with app.run_test(size=SCREEN_SIZE):
        probe = app.probe  # type: ignore[attr-defined]
        for index in range(replies):
            probe.reset()
            timeout = 30 + tokens / rate * 3
            pending = await send_and_wait(
                app,
                f"reply {index}",
                timeout_s=timeout,
                once_sent=select_text if branched else None,
            )
            lags = on_screen_lags(probe, pending.run.arrivals)
            final_lags.append(lags[-1])
            first_lags.append(lags[0])
            token_lags.extend(lags)
            longest_flush = max(longest_flush, longest_flush_s(probe))
        if branched and not app.screen.selections:
            raise RuntimeError("the text selection did not last through the replies")
    features = " branched, files, selection" if branched else ""
    case = f"{tokens} tok @ {rate:g} tok/s, {earlier} earlier{features}"
    return [
        Figure(NAME, f"final token lag p50 ({case})", pct(final_lags, 50) * 1000, "ms", TARGET_MS),
        Figure(NAME, f"final token lag p95 ({case})", pct(final_lags, 95) * 1000, "ms", TARGET_MS),
        Figure(NAME, f"first token lag p50 ({case})", pct(first_lags, 50) * 1000, "ms"),
        Figure(NAME, f"every-token lag p50 ({case})", pct(token_lags, 50) * 1000, "ms"),
        Figure(NAME, f"every-token lag p95 ({case})", pct(token_lags, 95) * 1000, "ms"),
        Figure(NAME, f"longest flush+update ({case})", longest_flush * 1000, "ms"),
    ]


def longest_flush_s(probe) -> float:
    """The longest flush plus the screen update that followed it (wall time)."""
    longest = 0.0
    updates = list(zip(probe.update_ends, probe.update_wall_s, strict=True))
    cursor = 0
    for drained_at, _count in probe.drains:
        while cursor < len(updates) and updates[cursor][0] < drained_at:
            cursor += 1
        if cursor < len(updates):
            _end, wall = updates[cursor]
            longest = max(longest, wall)
    return max(longest, 0.0) + max(probe.flush_wall_s, default=0.0)


async def measure(size: str) -> list[Figure]:
    figures: list[Figure] = []
    for tokens, rate, replies, branched in CASES[size]:
        figures += await measure_case(tokens, rate, replies, EARLIER[size], branched=branched)
    return figures


def main(argv: list[str] | None = None) -> int:
    args = standard_parser(__doc__ or NAME).parse_args(argv)
    print_figures(asyncio.run(measure(size_of(args))), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
