"""CPU: the app's process CPU for one reply against the CPU of the same stream without a UI.

The bare consumer is the engine alone (`ReplyRun.run()` over the same provider), so the ratio
is what the UI costs. Two sources: the simulated provider, and the real OpenAI SDK reading the
fake server (which runs in a subprocess, so its CPU is not counted). 200 earlier messages.

The bare loop is measured before and after the app and the two are averaged: on the
development machine its CPU varied by up to 1.5x between back-to-back runs of the same loop.

    python -m benchmarks.cpu [--quick | --tiny] [--json]
"""

from __future__ import annotations

import asyncio
import sys
import time

from benchmarks.fake_providers import provider_for
from benchmarks.fake_server_process import FakeServerProcess
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
from chat_tui.engine import ReplyRun, RetryPolicy
from chat_tui.providers.base import ChatMessage, ChatRequest, Provider
from chat_tui.providers.simulated import tokenize

NAME = "cpu"
TARGET_RATIO = 3.0
CASE = {"full": (20_000, 200.0, 200), "quick": (3_000, 200.0, 200), "tiny": (100, 1_000.0, 10)}


async def app_cpu_s(
    provider: Provider, earlier: int, timeout_s: float, *, features: bool = False
) -> float:
    """`features`: the earlier messages are branched, some carry files, and a text selection
    is left in the last reply on screen (what editing, attaching and selecting leave)."""
    app = make_app(provider, earlier_messages=earlier, branched=features, attachments=features)
    async with app.run_test(size=SCREEN_SIZE):
        start = time.process_time()
        await send_and_wait(
            app, "measure", timeout_s=timeout_s, once_sent=select_text if features else None
        )
        used = time.process_time() - start
        if features and not app.screen.selections:
            raise RuntimeError("the text selection did not last through the reply")
        await app.session.provider.aclose()
    return used


async def bare_cpu_s(provider: Provider) -> float:
    request = ChatRequest(model="bench-model", messages=(ChatMessage("user", "measure"),))
    start = time.process_time()
    await ReplyRun(provider, request, retry_policy=RetryPolicy(max_retries=0)).run()
    used = time.process_time() - start
    await provider.aclose()
    return used


def figures_for(
    source: str, app_s: float, bare_runs: tuple[float, float], case: str
) -> list[Figure]:
    bare_s = sum(bare_runs) / len(bare_runs)
    before, after = bare_runs
    return [
        Figure(NAME, f"{source}: app CPU ({case})", app_s, "s"),
        Figure(
            NAME,
            f"{source}: bare engine CPU ({case})",
            bare_s,
            "s",
            note=f"mean of {before:.2f} s before and {after:.2f} s after the app",
        ),
        Figure(NAME, f"{source}: ratio app / bare", app_s / max(bare_s, 1e-9), "x", TARGET_RATIO),
    ]


async def measure(size: str) -> list[Figure]:
    tokens, rate, earlier = CASE[size]
    text = llm_like_markdown(tokens)
    timeout = 60 + tokens / rate * 3
    case = f"{tokens} tok @ {rate:g} tok/s, {earlier} earlier"
    bare_before = await bare_cpu_s(scripted_provider(text, tokens_per_s=rate))
    app = await app_cpu_s(scripted_provider(text, tokens_per_s=rate), earlier, timeout)
    featured = await app_cpu_s(
        scripted_provider(text, tokens_per_s=rate), earlier, timeout, features=True
    )
    bare_after = await bare_cpu_s(scripted_provider(text, tokens_per_s=rate))
    bare_runs = (bare_before, bare_after)
    figures = figures_for("simulated", app, bare_runs, case)
    figures += figures_for("simulated, branched, files, selection", featured, bare_runs, case)
    with FakeServerProcess.running() as server:
        server.set_scenario(tokenize(text), delay_s=1 / rate, ttft_s=0.05)
        await bare_cpu_s(provider_for("openai", server.url))  # imports and first connection
        bare_before = await bare_cpu_s(provider_for("openai", server.url))
        app = await app_cpu_s(provider_for("openai", server.url), earlier, timeout)
        bare_after = await bare_cpu_s(provider_for("openai", server.url))
    return figures + figures_for("openai SDK, fake server", app, (bare_before, bare_after), case)


def main(argv: list[str] | None = None) -> int:
    args = standard_parser(__doc__ or NAME).parse_args(argv)
    print_figures(asyncio.run(measure(size_of(args))), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
