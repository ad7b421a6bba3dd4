"""Metric truth: the TTFT and ITL the app shows against the fake server's own send stamps.

For each provider path (OpenAI's Responses and Chat Completions, OpenAI-compatible, Anthropic,
Gemini) the real app streams
replies at 1,000 tok/s from the fake server (in a subprocess) through the real SDK: one to warm
up, then several measured. The server's TTFT is its first delta's send time minus the time it
had read the request; its ITL is the gaps between its send times. Both clocks are
CLOCK_MONOTONIC on Linux. The target applies to the median error over the measured replies (one
reply's error also carries whatever the machine was doing at that moment); the worst is
reported too.

    python -m benchmarks.metric_truth [--quick | --tiny] [--json]
"""

from __future__ import annotations

import asyncio
import sys

from benchmarks.fake_providers import PATHS, provider_for
from benchmarks.fake_server_process import FakeServerProcess
from benchmarks.harness import (
    SCREEN_SIZE,
    Figure,
    make_app,
    pct,
    print_figures,
    send_and_wait,
    size_of,
    standard_parser,
)
from chat_tui.metrics import inter_token_latencies

NAME = "metric_truth"
TOKENS = {"full": 2_000, "quick": 1_000, "tiny": 50}
MEASURED = {"full": 9, "quick": 5, "tiny": 2}  # replies measured per path, after the warm-up
RATE = 1_000.0
TTFT_S = 0.2


async def measure_path(
    path: str, server: FakeServerProcess, tokens: int, measured: int
) -> list[Figure]:
    server.clear()
    app = make_app(provider_for(path, server.url))
    timeout = 30 + tokens / RATE * 4
    async with app.run_test(size=SCREEN_SIZE):
        # The first request of a process also pays for the SDK client and the connection.
        cold = await send_and_wait(app, "warm up", timeout_s=timeout)
        replies = [
            await send_and_wait(app, f"measure me {index}", timeout_s=timeout)
            for index in range(measured)
        ]
        await app.session.provider.aclose()
    cold_record, *records = server.records()[-(measured + 1) :]
    cold_ttft = cold.turn.metrics.ttft_s if cold.turn.metrics else None
    cold_server_ttft = cold_record.sent_at[0] - cold_record.t_received
    shown_ttft, server_ttft, shown_itl, server_itl = [], [], [], []
    for reply, record in zip(replies, records, strict=True):
        shown = reply.turn.metrics
        assert shown is not None and shown.ttft_s is not None and shown.itl_p50_s is not None
        shown_ttft.append(shown.ttft_s)
        server_ttft.append(record.sent_at[0] - record.t_received)
        shown_itl.append(shown.itl_p50_s)
        server_itl.append(pct(inter_token_latencies(record.sent_at), 50))
    ttft_errors = [abs(a - b) * 1000 for a, b in zip(shown_ttft, server_ttft, strict=True)]
    itl_errors = [abs(a - b) * 1000 for a, b in zip(shown_itl, server_itl, strict=True)]
    of = f"median of {measured}"
    return [
        Figure(
            NAME,
            f"{path}: first request TTFT shown - server's",
            ((cold_ttft or 0) - cold_server_ttft) * 1000,
            "ms",
            note="client set-up and connection",
        ),
        Figure(NAME, f"{path}: TTFT shown ({of})", pct(shown_ttft, 50) * 1000, "ms"),
        Figure(NAME, f"{path}: TTFT at the server ({of})", pct(server_ttft, 50) * 1000, "ms"),
        Figure(NAME, f"{path}: TTFT error ({of})", pct(ttft_errors, 50), "ms", 5.0),
        Figure(NAME, f"{path}: TTFT error, worst of {measured}", max(ttft_errors), "ms"),
        Figure(NAME, f"{path}: ITL p50 shown ({of})", pct(shown_itl, 50) * 1000, "ms"),
        Figure(NAME, f"{path}: ITL p50 at the server ({of})", pct(server_itl, 50) * 1000, "ms"),
        Figure(NAME, f"{path}: ITL p50 error ({of})", pct(itl_errors, 50), "ms", 2.0),
    ]


async def measure(size: str) -> list[Figure]:
    tokens, measured = TOKENS[size], MEASURED[size]
    figures: list[Figure] = []
    with FakeServerProcess.running() as server:
        server.set_scenario([f"w{i} " for i in range(tokens)], delay_s=1 / RATE, ttft_s=TTFT_S)
        for path in PATHS:
            figures += await measure_path(path, server, tokens, measured)
    return figures


def main(argv: list[str] | None = None) -> int:
    args = standard_parser(__doc__ or NAME).parse_args(argv)
    print_figures(asyncio.run(measure(size_of(args))), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
