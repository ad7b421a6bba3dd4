"""Conversations as Markdown (to read) and JSON (complete, versioned; see
docs/transcript-json.md), and writing either to a private file."""

from __future__ import annotations

import os
import re
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chat_tui.conversation import Conversation, Turn
from chat_tui.reply_record import mode_name, reply_record_line
from chat_tui.store.titles import UNTITLED
from chat_tui.text_safety import terminal_safe_json, visible_text

# 2: `messages` holds every branch of the conversation tree (`parent_id`, `current_branch`).
JSON_SCHEMA_VERSION = 2
JSON_FORMAT_NAME = "chat-tui-transcript"
EXPORT_FILE_MODE = 0o600
FORMAT_EXTENSIONS = {"md": ".md", "json": ".json"}


# ---- JSON ---------------------------------------------------------------------------------


def conversation_to_json(conversation: Conversation) -> str:
    """Every text exactly as stored; control characters as JSON escapes (`\\u001b`)."""
    return terminal_safe_json(conversation_document(conversation), indent=2) + "\n"


def conversation_document(conversation: Conversation) -> dict[str, Any]:
    """The whole tree: every message of every branch, and which branch is current."""
    return {
        "format": JSON_FORMAT_NAME,
        "schema_version": JSON_SCHEMA_VERSION,
        "exported_at": iso_time(datetime.now(UTC).timestamp()),
        "id": conversation.id,
        "title": conversation.title,
        "created_at": iso_time(conversation.created_at),
        "updated_at": iso_time(conversation.updated_at),
        "models": list(models_used(conversation, every_branch=True)),
        "settings": asdict(conversation.settings),
        "current_branch": [turn.id for turn in conversation.turns],
        "messages": [_message_document(turn) for turn in conversation.messages],
    }


def _message_document(turn: Turn) -> dict[str, Any]:
    metrics = None
    if turn.metrics is not None:
        metrics = asdict(turn.metrics)
        del metrics["streaming"]  # the message's own `mode` says it
    return {
        "id": turn.id,
        "parent_id": turn.parent_id,
        "role": turn.role,
        "text": turn.text,
        "reasoning": turn.reasoning,
        "provider": turn.provider,
        "model": turn.model,
        "created_at": iso_time(turn.created_at),
        "finished_at": iso_time(turn.finished_at),
        "mode": mode_name(turn.streaming),
        "status": str(turn.status),
        "error": (
            {"kind": turn.error_kind, "message": turn.error_message}
            if turn.error_kind or turn.error_message
            else None
        ),
        "finish_reason": turn.finish_reason,
        "metrics": metrics,
        # Every file whole, so the export stands alone (see docs/transcript-json.md).
        "attachments": [
            {
                "name": a.name,
                "media_type": a.media_type,
                "size": a.size,
                "data_base64": a.base64,
            }
            for a in turn.attachments
        ],
    }


def iso_time(timestamp: float | None) -> str | None:
    """UTC, ISO 8601 with microseconds: exact enough to round-trip, readable by anything."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="microseconds")


# ---- Markdown -----------------------------------------------------------------------------


def conversation_to_markdown(conversation: Conversation) -> str:
    """A document to read, in a terminal (`cat`, `less`) as much as in an editor, so control
    characters anywhere in it (a reply's, a title's, an error's) are made visible, as the app
    shows them: an escape sequence from a model must not act on the reader's terminal."""
    lines = [f"# {conversation.title or UNTITLED}", ""]
    models = models_used(conversation)
    if models:
        lines.append(f"- Models: {', '.join(models)}")
    lines.append(f"- Started: {local_time(conversation.created_at)}")
    lines.append(f"- Last active: {local_time(conversation.updated_at)}")
    settings = conversation.settings
    knobs = [
        f"{name.replace('_', ' ')} {value}"
        for name, value in asdict(settings).items()
        if value is not None and name != "system_prompt"
    ]
    if knobs:
        lines.append(f"- Settings: {', '.join(knobs)}")
    if settings.system_prompt:
        lines += ["", "**System prompt**", "", *_quoted(settings.system_prompt)]
    positions = conversation.alternative_positions()
    for turn, (position, count) in zip(conversation.turns, positions, strict=True):
        lines += ["", *_turn_markdown(turn, position, count)]
    return visible_text("\n".join(lines).rstrip()) + "\n"


def _turn_markdown(turn: Turn, position: int = 1, count: int = 1) -> list[str]:
    """One message of the current branch; "alternative 2 of 3" when it has siblings (the
    other alternatives are in the JSON export)."""
    if turn.role == "user":
        heading = "## You"
    else:
        source = " ".join(part for part in (turn.provider, turn.model) if part)
        heading = f"## Assistant ({source})" if source else "## Assistant"
    heading += f" · {local_time(turn.created_at)}"
    if count > 1:
        heading += f" · alternative {position} of {count}"
    lines = [heading, ""]
    if turn.reasoning:
        lines += ["> **Reasoning**", ">", *_quoted(turn.reasoning), ""]
    if turn.text or not turn.attachments:
        lines.append(turn.text if turn.text else "*(no text)*")
    if turn.attachments:
        lines += ["", *(f"📎 {a.label}" for a in turn.attachments)]
    if turn.role == "assistant":
        lines += ["", f"*{reply_record_line(turn)}*"]
    return lines


def _quoted(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in text.splitlines()]


def local_time(timestamp: float | None) -> str:
    if timestamp is None:
        return "—"
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


# ---- shared -------------------------------------------------------------------------------


def models_used(conversation: Conversation, *, every_branch: bool = False) -> tuple[str, ...]:
    """Distinct models that replied on the current branch (or on any), in order of first use."""
    seen: dict[str, None] = {}
    for turn in conversation.messages if every_branch else conversation.turns:
        if turn.role == "assistant" and turn.model:
            seen.setdefault(turn.model, None)
    return tuple(seen)


def render(conversation: Conversation, export_format: str) -> str:
    if export_format == "md":
        return conversation_to_markdown(conversation)
    if export_format == "json":
        return conversation_to_json(conversation)
    raise ValueError(f"unknown export format {export_format!r} (md or json)")


def default_export_name(conversation: Conversation, export_format: str) -> str:
    """A file name from the title: 'my-question.md', or 'conversation-12.md' without one."""
    slug = re.sub(r"[^\w]+", "-", (conversation.title or "").lower()).strip("-")[:60].strip("-")
    return (slug or f"conversation-{conversation.id}") + FORMAT_EXTENSIONS[export_format]


def unused_path(path: Path) -> Path:
    """`path`, or `name-2.ext`, `name-3.ext`... so a default name never overwrites a file."""
    candidate, number = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate


def write_private_file(path: Path, content: str) -> Path:
    """Write `content` to `path` readable by its owner only (0600), replacing what was there."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, EXPORT_FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), EXPORT_FILE_MODE)  # an existing file keeps its mode otherwise
        file.write(content)
    return path
