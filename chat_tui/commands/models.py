"""`chat-tui models`: every provider, whether it can be used, where its key comes from, and its
models.

Built-ins, the OpenAI-compatible presets (ollama, ...), the config's profiles and the simulated
model, as the catalog lists them. The servers of usable providers are asked for their models
all at once, within one short deadline (`--timeout`); a provider that has not answered by then
(or failed) shows the models the app knows for it, marked as such. Never the key itself: only
the name of the variable or the command it comes from. Exit 0 even when some are unusable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chat_tui.text_safety import terminal_safe_json, visible_text

if TYPE_CHECKING:
    from chat_tui.config import Settings

DEFAULT_TIMEOUT_S = 2.0
LISTED = "listed"  # the server's own list, just now
KNOWN = "known"  # the models the app knows for it (configured, built in)
NO_KEY = "no key needed"  # as the registry says it


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON array, for scripts")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="SECONDS",
        help=f"how long to wait for the servers' model lists, all together "
        f"(default {DEFAULT_TIMEOUT_S:g}); then the known models are shown",
    )


@dataclass(frozen=True, slots=True)
class ProviderModels:
    name: str
    label: str
    kind: str
    usable: bool
    key_source: str  # "OPENAI_API_KEY", "command: pass show x", "no key needed"
    base_url: str | None
    default_model: str | None
    models: list[str]
    models_source: str  # LISTED or KNOWN
    note: str | None  # why the known models are shown, when the server was asked

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "usable": self.usable,
            "key_source": self.key_source,
            "base_url": self.base_url,
            "default_model": self.default_model,
            "models": self.models,
            "models_source": self.models_source,
            "note": self.note,
        }


def run(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> int:
    from chat_tui.config import load_settings
    from chat_tui.paths import AppPaths

    paths = AppPaths.default(data_dir=getattr(args, "data_dir", None))
    loaded = load_settings(paths.config_file)
    for problem in loaded.problems:
        print(f"chat-tui models: {problem.describe(full_path=True)}", file=sys.stderr)
    if not args.timeout > 0:
        print("chat-tui models: --timeout must be more than 0", file=sys.stderr)
        return 2
    listing = asyncio.run(gather(loaded.settings, environ, args.timeout))
    if args.json:
        print(terminal_safe_json([entry.as_json() for entry in listing], indent=2))
    else:
        print(visible_text("\n".join(describe(entry) for entry in listing)), end="")
    return 0


async def gather(
    settings: Settings, environ: Mapping[str, str], timeout: float
) -> list[ProviderModels]:
    """Every provider with its models, asking the usable ones' servers concurrently."""
    from chat_tui.providers.catalog import ProviderCatalog

    catalog = ProviderCatalog(settings, environ)
    entries = catalog.entries()
    asking = {
        entry.name: asyncio.create_task(catalog.list_models(entry))
        for entry in entries
        if entry.key_available and entry.kind != "simulated"
    }
    if asking:
        await asyncio.wait(asking.values(), timeout=timeout)
    for task in asking.values():
        task.cancel()
    for task in asking.values():
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    listing = []
    for entry in entries:
        task = asking.get(entry.name)
        # Known models, plus none listed: a failed or unanswered ask recorded an empty list.
        models, source, note = catalog.models(entry), KNOWN, None
        if task is not None and not task.cancelled() and task.exception() is None:
            error = catalog.list_errors.get(entry.name)
            listed = task.result()
            if error is None and listed:
                models, source = listed, LISTED
            else:
                note = error.message if error else "the server listed no models"
        elif task is not None:
            note = f"no answer within {timeout:g} s"
        elif entry.kind == "simulated":
            note = "the offline model's own"
        else:
            note = "not asked: no key"
        listing.append(
            ProviderModels(
                name=entry.name,
                label=entry.label,
                kind=entry.kind,
                usable=entry.key_available,
                key_source=entry.key_description,
                base_url=entry.base_url,
                default_model=entry.default_model,
                models=models,
                models_source=source,
                note=note,
            )
        )
    return listing


def describe(entry: ProviderModels) -> str:
    """A provider's block: a heading line, then one model per line."""
    if entry.usable:
        status = "ready"
        key = entry.key_source if entry.key_source == NO_KEY else f"key from {entry.key_source}"
    else:
        status = "not usable"
        key = f"set {entry.key_source}"
    heading = f"{entry.name} · {entry.label} · {status} · {key}"
    source = "listed by the server" if entry.models_source == LISTED else "known defaults"
    if entry.note:
        source += f" ({entry.note})"
    lines = [heading, f"  models: {source}"]
    for model in entry.models:
        mark = " (default)" if model == entry.default_model else ""
        lines.append(f"    {model}{mark}")
    if not entry.models:
        lines.append("    (none known: name one with --model)")
    return "\n".join(lines) + "\n"
