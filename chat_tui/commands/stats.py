"""`chat-tui stats`: latency and error rates per provider and model, from the request log."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chat_tui.event_log import read_records
from chat_tui.metrics import format_duration, format_rate, percentile
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
    requests: int = 0
    ttft: list[float] = field(default_factory=list)
    itl_p50: list[float] = field(default_factory=list)
    itl_p95: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    retries: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, record: dict[str, Any]) -> None:
        self.requests += 1
        status = str(record.get("status"))
        self.statuses[status] += 1
        if status in FAILED_STATUSES or record.get("error_kind"):
            self.errors[str(record.get("error_kind") or status)] += 1
        self.retries += _int(record.get("retries"))
        for values, key in (
            (self.ttft, "ttft_s"),
            (self.itl_p50, "itl_p50_s"),
            (self.itl_p95, "itl_p95_s"),
            (self.rates, "tokens_per_s"),
        ):
            value = record.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                values.append(float(value))

    def summary(self) -> dict[str, Any]:
        """Percentiles over requests: TTFT p50/p95, the median of each request's ITL p50/p95."""
        failed = sum(self.errors.values())
        return {
            "provider": self.provider,
            "model": self.model,
            "requests": self.requests,
            "ttft_p50_s": _pct(self.ttft, 50),
            "ttft_p95_s": _pct(self.ttft, 95),
            "itl_p50_s": _pct(self.itl_p50, 50),
            "itl_p95_s": _pct(self.itl_p95, 50),
            "tokens_per_s": _pct(self.rates, 50),
            "retries": self.retries,
            "error_rate": failed / self.requests if self.requests else 0.0,
            "errors": dict(sorted(self.errors.items())),
            "statuses": dict(sorted(self.statuses.items())),
        }


def summarise(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], ModelStats] = {}
    for record in records:
        if record.get("purpose", "reply") != "reply":
            continue  # background title requests are not the replies being measured
        key = (str(record.get("provider") or "?"), str(record.get("model") or "?"))
        groups.setdefault(key, ModelStats(*key)).add(record)
    return [groups[key].summary() for key in sorted(groups)]


def run(args: argparse.Namespace) -> int:
    log = AppPaths.default(data_dir=getattr(args, "data_dir", None)).event_log
    records, malformed = read_records(log)
    models = summarise(records)
    if args.json:
        document = {"log": str(log), "malformed_lines": malformed, "models": models}
        print(json.dumps(document, indent=2))
        return 0
    if not records:
        print(f"{log}: no requests logged yet.")
    else:
        print(f"{len(records)} requests in {log}")
        print(render_table(models))
    if malformed:
        print(f"Skipped {malformed} malformed line(s).", file=sys.stderr)
    return 0


def render_table(models: Sequence[dict[str, Any]]) -> str:
    header = ("provider", "model", "requests", "TTFT p50", "TTFT p95", "ITL p50", "ITL p95")
    header += ("rate", "errors")
    rows = [header]
    for m in models:
        rows.append(
            (
                m["provider"],
                m["model"],
                str(m["requests"]),
                format_duration(m["ttft_p50_s"]),
                format_duration(m["ttft_p95_s"]),
                format_duration(m["itl_p50_s"]),
                format_duration(m["itl_p95_s"]),
                format_rate(m["tokens_per_s"]),
                _errors_text(m),
            )
        )
    rows = [tuple(visible_text(cell) for cell in row) for row in rows]  # names from the log
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _errors_text(model: dict[str, Any]) -> str:
    if not model["errors"]:
        return "0%"
    kinds = ", ".join(f"{kind} {count}" for kind, count in model["errors"].items())
    return f"{model['error_rate'] * 100:.0f}% ({kinds})"


def _pct(values: list[float], q: float) -> float | None:
    return percentile(sorted(values), q) if values else None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
