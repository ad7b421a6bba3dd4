"""Flatness: the mean cost of a flush with 200 earlier messages in the log against none, and
with 200 earlier messages of a branched conversation (alternatives, `‹ 2/2 ›`; files attached
to some messages; a text selection left in an earlier reply) against none.

A flush's cost is the CPU of `ChatScreen._flush` plus the CPU of the screen updates (layout
and paint) it causes, over a whole reply, divided by the number of flushes that drew text.

    python -m benchmarks.flatness [--quick | --tiny] [--json]
"""

from __future__ import annotations

import asyncio
import sys

from benchmarks.harness import (
    SCREEN_SIZE,
    Figure,
    llm_like_markdown,
    make_app,
    print_figures,
    scripted_provider,
    select_text,
    send_and_wait,
    size_of,
    standard_parser,
)

NAME = "flatness"
TARGET_RATIO = 1.5
CASE = {
    "full": (2_000, 500.0, 200, 3),
    "quick": (2_000, 500.0, 200, 2),
    "tiny": (150, 1_500.0, 20, 1),
}


async def cost_per_flush_ms(
    earlier: int, tokens: int, rate: float, replies: int, *, branched: bool = False
) -> float:
    app = make_app(
        scripted_provider(llm_like_markdown(tokens), tokens_per_s=rate),
        earlier_messages=earlier,
        branched=branched,
        attachments=branched,
    )
    cpu = 0.0
    flushes = 0
    async with app.run_test(size=SCREEN_SIZE):
        await send_and_wait(app, "warm up", timeout_s=30 + tokens / rate * 4)
        for index in range(replies):
            probe = app.probe  # type: ignore[attr-defined]
            probe.reset()
            await send_and_wait(
                app,
                f"reply {index}",
                timeout_s=30 + tokens / rate * 4,
                once_sent=select_text if branched else None,
            )
            cpu += sum(probe.flush_cpu_s) + sum(probe.update_cpu_s)
            flushes += app.chat.flush_count
        if branched and not app.screen.selections:
            raise RuntimeError("the text selection did not last through the replies")
    return cpu / max(flushes, 1) * 1000


async def measure(size: str) -> list[Figure]:
    tokens, rate, earlier, replies = CASE[size]
    with_history = await cost_per_flush_ms(earlier, tokens, rate, replies)
    branched = await cost_per_flush_ms(earlier, tokens, rate, replies, branched=True)
    without = await cost_per_flush_ms(0, tokens, rate, replies)
    case = f"{tokens} tok @ {rate:g} tok/s"
    return [
        Figure(NAME, f"CPU per flush, {earlier} earlier messages ({case})", with_history, "ms"),
        Figure(
            NAME,
            f"CPU per flush, {earlier} earlier, branched, files, selection ({case})",
            branched,
            "ms",
        ),
        Figure(NAME, f"CPU per flush, empty log ({case})", without, "ms"),
        Figure(NAME, f"ratio {earlier} earlier / empty", with_history / without, "x", TARGET_RATIO),
        Figure(
            NAME,
            f"ratio {earlier} earlier branched, files, selection / empty",
            branched / without,
            "x",
            TARGET_RATIO,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    args = standard_parser(__doc__ or NAME).parse_args(argv)
    print_figures(asyncio.run(measure(size_of(args))), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
