"""`chat-tui stats`: latency, error rates and cost per provider and model, from the request log.

Costs are summed over the replies that have a known price; the others (an unknown model, a
local server, counts the provider did not report: see chat_tui.pricing) are counted, never
guessed. Title requests (the small requests that name conversations) are not replies, so they
stay out of the latency rows, but what they cost is part of the total, shown on a line of its
own."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chat_tui.event_log import read_records
from chat_tui.metrics import format_cost, format_duration, format_rate, percentile
from chat_tui.paths import AppPaths
from chat_tui.text_safety import visible_text

FAILED_STATUSES = frozenset({"interrupted", "error"})


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="read the log under DIR/logs (default: the platform's user log dir)",
    )


@dataclass(slots=True)
class ModelStats:
    provider: str
    model: str
    # "stream" or "complete": a non-streaming request's first token is its whole reply, so
    # its TTFT would drag the streaming percentiles: each mode is reported on its own row.
    mode: str
    requests: int = 0
    ttft: list[float] = field(default_factory=list)
    itl_p50: list[float] = field(default_factory=list)
    itl_p95: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    retries: int = 0
    retried: int = 0  # requests retried at least once
    waited: list[float] = field(default_factory=list)  # each retried request's time lost
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    costs: list[float] = field(default_factory=list)  # the replies with a known price

    def add(self, record: dict[str, Any]) -> None:
        self.requests += 1
        status = str(record.get("status"))
        self.statuses[status] += 1
        if status in FAILED_STATUSES or record.get("error_kind"):
            self.errors[str(record.get("error_kind") or status)] += 1
        retries = _int(record.get("retries"))
        if retries > 0:
            self.retries += retries
            self.retried += 1
            waited = record.get("waited_s")  # absent from lines logged before it was kept
            if isinstance(waited, int | float) and not isinstance(waited, bool) and waited >= 0:
                self.waited.append(float(waited))
        for values, key in (
            (self.ttft, "ttft_s"),
            (self.itl_p50, "itl_p50_s"),
            (self.itl_p95, "itl_p95_s"),
            (self.rates, "tokens_per_s"),
        ):
            value = record.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                values.append(float(value))
        cost = record.get("cost_usd")
        if isinstance(cost, int | float) and not isinstance(cost, bool) and cost >= 0:
            self.costs.append(float(cost))

    def summary(self) -> dict[str, Any]:
        """Percentiles over requests: TTFT p50/p95, the median of each request's ITL p50/p95."""
        failed = sum(self.errors.values())
        return {
            "provider": self.provider,
            "model": self.model,
            "mode": self.mode,
            "requests": self.requests,
            "ttft_p50_s": _pct(self.ttft, 50),
            "ttft_p95_s": _pct(self.ttft, 95),
            "itl_p50_s": _pct(self.itl_p50, 50),
            "itl_p95_s": _pct(self.itl_p95, 50),
            "tokens_per_s": _pct(self.rates, 50),
            "retries": self.retries,
            "retried_requests": self.retried,
            # The time the retries took (their requests and the waits between), summed over
            # the requests that logged it: TTFT and the rest leave it out.
            "waited_s": math.fsum(self.waited) if self.waited else None,
            "waited_known": len(self.waited),  # fewer than retried_requests: older log lines
            "error_rate": failed / self.requests if self.requests else 0.0,
            "errors": dict(sorted(self.errors.items())),
            "statuses": dict(sorted(self.statuses.items())),
            # None when no reply has a known price: "no price" is not "free".
            "cost_usd": math.fsum(self.costs) if self.costs else None,
            "unpriced": self.requests - len(self.costs),
        }


def summarise(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per provider, model and mode, over the replies (title requests left out)."""
    groups: dict[tuple[str, str], ModelStats] = {}
    for record in records:
        if record.get("purpose", "reply") != "reply":
            continue  # background title requests are not the replies being measured
        key = (
            str(record.get("provider") or "?"),
            str(record.get("model") or "?"),
            "complete" if record.get("mode") == "complete" else "stream",
        )
        groups.setdefault(key, ModelStats(*key)).add(record)
    return [groups[key].summary() for key in sorted(groups)]


def summarise_titles(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The title requests: how many, and what the priced ones cost."""
    titles = ModelStats("*", "*", "complete")
    for record in records:
        if record.get("purpose") == "title":
            titles.add(record)
    summary = titles.summary()
    return {key: summary[key] for key in ("requests", "cost_usd", "unpriced")}


def run(args: argparse.Namespace) -> int:
    log = AppPaths.default(data_dir=getattr(args, "data_dir", None)).event_log
    records, malformed = read_records(log)
    models = summarise(records)
    titles = summarise_titles(records)
    if args.json:
        document = {
            "log": str(log),
            "malformed_lines": malformed,
            "models": models,
            "titles": titles,
        }
        print(json.dumps(document, indent=2))
        return 0
    if not records:
        print(f"{log}: no requests logged yet.")
    else:
        print(f"{len(records)} requests in {log}")
        print(render_table(models))
        if titles["requests"]:
            print(titles_note(titles))
        print(cost_note([*models, titles]))
    if malformed:
        print(f"Skipped {malformed} malformed line(s).", file=sys.stderr)
    return 0


def render_table(models: Sequence[dict[str, Any]]) -> str:
    header = ("provider", "model", "mode", "requests", "TTFT p50", "TTFT p95", "ITL p50")
    header += ("ITL p95",)
    header += ("rate", "errors", "retries (time lost)", "cost")
    rows = [header]
    for m in models:
        rows.append(
            (
                m["provider"],
                m["model"],
                _MODE_NAMES[m["mode"]],
                str(m["requests"]),
                format_duration(m["ttft_p50_s"]),
                format_duration(m["ttft_p95_s"]),
                format_duration(m["itl_p50_s"]),
                format_duration(m["itl_p95_s"]),
                format_rate(m["tokens_per_s"]),
                _errors_text(m),
                _retries_text(m),
                _cost_text(m),
            )
        )
    rows = [tuple(visible_text(cell) for cell in row) for row in rows]  # names from the log
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def titles_note(titles: dict[str, Any]) -> str:
    cost = "no known cost" if titles["cost_usd"] is None else format_cost(titles["cost_usd"])
    unpriced = f", {titles['unpriced']} unpriced" if titles["unpriced"] else ""
    return f"Titles: {titles['requests']} request(s), {cost}{unpriced} (in the total below)."


def cost_note(models: Sequence[dict[str, Any]]) -> str:
    """The total cost, and how many requests it leaves out for want of a known price."""
    costs = [m["cost_usd"] for m in models if m["cost_usd"] is not None]
    unpriced = sum(m["unpriced"] for m in models)
    total = f"Total cost {format_cost(math.fsum(costs))}" if costs else "No known cost"
    if not unpriced:
        return f"{total}."
    return (
        f"{total}; {unpriced} request(s) have no known price (an unknown model, a local "
        "server, a failure before any usage, or token counts the provider did not report)."
    )


# Non-streaming: TTFT is the whole reply's time, and there is no ITL.
_MODE_NAMES = {"stream": "streaming", "complete": "non-streaming"}


def _cost_text(model: dict[str, Any]) -> str:
    cost = "—" if model["cost_usd"] is None else format_cost(model["cost_usd"])
    return f"{cost} ({model['unpriced']} unpriced)" if model["unpriced"] else cost


def _errors_text(model: dict[str, Any]) -> str:
    if not model["errors"]:
        return "0%"
    kinds = ", ".join(f"{kind} {count}" for kind, count in model["errors"].items())
    return f"{model['error_rate'] * 100:.0f}% ({kinds})"


def _retries_text(model: dict[str, Any]) -> str:
    """'0'; '3 in 2 requests (5.10 s)': the retries, and the time they took ('5.10 s in 1'
    when only some requests logged it)."""
    if not model["retries"]:
        return "0"
    requests = model["retried_requests"]
    text = f"{model['retries']} in {requests} request{'s' if requests != 1 else ''}"
    if model["waited_s"] is None:
        return text
    known = "" if model["waited_known"] == requests else f" in {model['waited_known']}"
    return f"{text} ({format_duration(model['waited_s'])}{known})"


def _pct(values: list[float], q: float) -> float | None:
    return percentile(sorted(values), q) if values else None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
