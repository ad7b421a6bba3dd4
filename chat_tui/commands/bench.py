"""`chat-tui bench`: measure a provider's latency with a fixed prompt, streaming and not.

Each run is one `ReplyRun` (the engine the app uses) and its figures come from
`chat_tui.metrics`, so they mean exactly what the status bar shows. "predicted" is
TTFT + ITL p50 x (deltas - 1): how long the reply would take at a steady pace; the difference
from the measured total shows bursts, stalls and the wait for the finish. "cost/run" is the mean
cost of the runs with a known price (see chat_tui.pricing); runs without one are counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
from dataclasses import asdict, dataclass, field

from chat_tui import pricing
from chat_tui.config import Settings, load_settings
from chat_tui.engine import ReplyRun, RetryPolicy, RunState
from chat_tui.metrics import format_cost, inter_token_latencies, percentile
from chat_tui.paths import AppPaths
from chat_tui.providers.base import (
    ChatMessage,
    ChatRequest,
    Provider,
    ProviderError,
)

PROMPT = (
    "Explain in about 150 words how a CPU cache works, with a short list of the levels "
    "and one example of a cache-friendly loop."
)
MODES = {"streaming": (True,), "non-streaming": (False,), "both": (True, False)}
SIMULATED = "simulated"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=5, metavar="N", help="runs per mode (5)")
    parser.add_argument(
        "--provider",
        dest="bench_provider",
        metavar="NAME",
        help="openai, anthropic, gemini, simulated (the default) or a profile from the config file",
    )
    parser.add_argument("--model", dest="bench_model", metavar="NAME", help="model name")
    parser.add_argument("--mode", choices=list(MODES), default="both", help="default: both")
    parser.add_argument("--prompt", default=PROMPT, help="the prompt sent on every run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


@dataclass(slots=True)
class ModeResult:
    """Every run of one mode, as measured."""

    streaming: bool
    ttft_s: list[float] = field(default_factory=list)
    itl_s: list[float] = field(default_factory=list)  # all gaps of all runs
    tokens_per_s: list[float] = field(default_factory=list)
    total_s: list[float] = field(default_factory=list)
    predicted_s: list[float] = field(default_factory=list)
    output_tokens: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)  # US dollars, runs with a known price

    def add(self, run: ReplyRun) -> None:
        if run.state is not RunState.COMPLETE:
            self.failures.append(run.error.message if run.error else run.state.value)
            return
        m = run.snapshot()
        gaps = inter_token_latencies(run.arrivals)
        self.ttft_s.append(m.ttft_s or 0.0)
        self.itl_s.extend(gaps)
        self.total_s.append(m.total_s or 0.0)
        self.output_tokens.append(m.output_tokens or 0)
        if m.tokens_per_s is not None:
            self.tokens_per_s.append(m.tokens_per_s)
        steady_gap = percentile(sorted(gaps), 50) if gaps else 0.0
        self.predicted_s.append((m.ttft_s or 0.0) + steady_gap * len(gaps))
        cost = pricing.provider_reply_cost(run.provider, run.request.model, m)
        if cost is not None:
            self.costs.append(cost)

    def summary(self) -> dict[str, float | int | str | None]:
        def p(values: list[float], q: float) -> float | None:
            return percentile(sorted(values), q) if values else None

        def mean(values: list[float]) -> float | None:
            return sum(values) / len(values) if values else None

        total, predicted = mean(self.total_s), mean(self.predicted_s)
        return {
            "mode": "streaming" if self.streaming else "non-streaming",
            "runs": len(self.total_s),
            "failed": len(self.failures),
            "ttft_p50_s": p(self.ttft_s, 50),
            "ttft_p95_s": p(self.ttft_s, 95),
            "itl_p50_s": p(self.itl_s, 50),
            "itl_p95_s": p(self.itl_s, 95),
            "tokens_per_s": mean(self.tokens_per_s),
            "output_tokens": round(mean([float(t) for t in self.output_tokens]) or 0),
            "total_mean_s": total,
            "predicted_mean_s": predicted,
            "difference_s": total - predicted if total is not None and predicted else None,
            "cost_mean_usd": mean(self.costs),
            "cost_total_usd": math.fsum(self.costs) if self.costs else None,
            "unpriced_runs": len(self.total_s) - len(self.costs),
        }


@dataclass(slots=True)
class BenchReport:
    provider: str
    model: str
    prompt: str
    results: list[ModeResult]
    interrupted: bool = False


class Progress:
    """A one-line bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.enabled = sys.stderr.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        if self.enabled:
            filled = round(20 * self.done / self.total)
            bar = "#" * filled + "." * (20 - filled)
            sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} {label:<14}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 50 + "\r")
            sys.stderr.flush()


def build_provider(
    name: str | None, model: str | None, settings: Settings
) -> tuple[Provider, str, str]:
    """(provider, its name, the model) for the options; the simulated model by default.
    Built by the catalog, exactly as the app builds it."""
    from chat_tui.providers.catalog import ProviderCatalog

    catalog = ProviderCatalog(settings, os.environ)
    target = catalog.resolve(name or SIMULATED, model)
    return catalog.connect(target), target.provider, target.model


async def measure(
    report: BenchReport, provider: Provider, runs: int, modes: tuple[bool, ...]
) -> None:
    """Fill `report` run by run, so whatever was measured survives an interruption."""
    request = ChatRequest(model=report.model, messages=(ChatMessage("user", report.prompt),))
    progress = Progress(runs * len(modes))
    try:
        for streaming in modes:
            result = ModeResult(streaming=streaming)
            report.results.append(result)
            for _ in range(runs):
                run = ReplyRun(
                    provider, request, streaming=streaming, retry_policy=RetryPolicy(max_retries=0)
                )
                await run.run()
                result.add(run)
                progress.step("streaming" if streaming else "non-streaming")
    except asyncio.CancelledError:
        report.interrupted = True  # Ctrl+C: the run's stream was closed by the cancellation
    finally:
        progress.close()
        await provider.aclose()


def run(args: argparse.Namespace) -> int:
    # The config file as the app reads it: its profiles, keys' sources and timeouts.
    loaded = load_settings(AppPaths.default().config_file)
    for problem in loaded.problems:
        print(f"chat-tui bench: {problem.describe(full_path=True)}", file=sys.stderr)
    name = args.bench_provider or getattr(args, "provider", None)
    model = args.bench_model or getattr(args, "model", None)
    try:
        provider, name, model = build_provider(name, model, loaded.settings)
    except ProviderError as error:
        print(f"chat-tui bench: {error.message}", file=sys.stderr)
        return 2
    report = BenchReport(provider=name, model=model, prompt=args.prompt, results=[])
    try:
        asyncio.run(measure(report, provider, max(1, args.runs), MODES[args.mode]))
    except KeyboardInterrupt:
        report.interrupted = True
    print(render_json(report) if args.json else render_table(report))
    return 130 if report.interrupted else 0


def render_json(report: BenchReport) -> str:
    data = asdict(report)
    data["results"] = [r.summary() for r in report.results]
    return json.dumps(data, indent=2)


def _ms(seconds: float | int | str | None) -> str:
    return "—" if not isinstance(seconds, float) else f"{seconds * 1000:.1f}"


def _cost(cost: float | int | str | None) -> str:
    return format_cost(cost) if isinstance(cost, float) else "—"


def render_table(report: BenchReport) -> str:
    header = (
        "mode", "runs", "TTFT p50", "TTFT p95", "ITL p50", "ITL p95", "tok/s", "total",
        "predicted", "diff", "cost/run",
    )  # fmt: skip
    rows = [header]
    for result in report.results:
        s = result.summary()
        rate = s["tokens_per_s"]
        rows.append(
            (
                str(s["mode"]),
                f"{s['runs']}" + (f" ({s['failed']} failed)" if s["failed"] else ""),
                _ms(s["ttft_p50_s"]),
                _ms(s["ttft_p95_s"]),
                _ms(s["itl_p50_s"]),
                _ms(s["itl_p95_s"]),
                f"{rate:.1f}" if isinstance(rate, float) else "—",
                _ms(s["total_mean_s"]),
                _ms(s["predicted_mean_s"]),
                _ms(s["difference_s"]),
                _cost(s["cost_mean_usd"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"{report.provider} · {report.model}  (times in ms; total, predicted: means)"]
    lines += ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.append("predicted = TTFT + ITL p50 x (deltas - 1); diff = total - predicted")
    unpriced = sum(int(r.summary()["unpriced_runs"] or 0) for r in report.results)
    if unpriced:
        lines.append(
            f"cost: no known price for {unpriced} run(s) (an unknown model, a local server "
            "or token counts the provider did not report)"
        )
    if report.interrupted:
        lines.append("Interrupted: the figures cover the runs finished so far.")
    return "\n".join(lines)
