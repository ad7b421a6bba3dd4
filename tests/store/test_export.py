"""Markdown and JSON exports."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from chat_tui.conversation import Conversation, ConversationSettings, MessageStatus
from chat_tui.metrics import ReplyMetrics
from chat_tui.store import TranscriptStore
from chat_tui.store.export import (
    JSON_SCHEMA_VERSION,
    conversation_to_json,
    conversation_to_markdown,
    default_export_name,
    local_time,
    unused_path,
    write_private_file,
)

from .builders import add_exchange

METRICS = ReplyMetrics(
    ttft_s=0.85,
    itl_mean_s=0.02,
    itl_p50_s=0.012,
    itl_p95_s=0.04,
    tokens_per_s=88.25,
    total_s=4.5,
    input_tokens=31,
    output_tokens=320,
    reasoning_tokens=64,
    tokens_estimated=True,
)


@pytest.fixture
def conversation(store: TranscriptStore) -> Conversation:
    settings = ConversationSettings(system_prompt="Answer like a pirate.", temperature=0.7)
    conversation_id = store.create_conversation(settings, title="Pirate physics").id
    assert conversation_id is not None
    add_exchange(
        store,
        conversation_id,
        "Why is the sea salty?",
        "Arr, rivers carry salt.\n\n```python\nprint('salt')\n```",
        provider="openai",
        model="gpt-test",
        reasoning="Consider erosion.",
        metrics=METRICS,
        finish_reason="stop",
    )
    add_exchange(
        store,
        conversation_id,
        "And waves?",
        "Wind, matey",
        model="claude-test",
        provider="anthropic",
        status=MessageStatus.CANCELLED,
        error_message="stopped by you",
    )
    return store.load_conversation(conversation_id)


def test_markdown_is_readable_with_metrics(conversation: Conversation) -> None:
    text = conversation_to_markdown(conversation)
    assert text.startswith("# Pirate physics\n")
    assert "- Models: gpt-test, claude-test" in text
    assert f"- Started: {local_time(conversation.created_at)}" in text
    assert "> Answer like a pirate." in text
    assert "temperature 0.7" in text
    assert "## You · " in text and "Why is the sea salty?" in text
    assert "## Assistant (openai gpt-test) · " in text
    assert "> Consider erosion." in text
    assert "```python\nprint('salt')\n```" in text
    assert (
        "*streaming · complete · TTFT 850 ms · ITL p50 12.0 ms · p95 40.0 ms · 88.2 tok/s · "
        "in 31 · out ~320 tokens (reasoning 64) · total 4.50 s*"
    ) in text
    assert "*streaming · cancelled: stopped by you*" in text


def test_json_is_complete_and_versioned(conversation: Conversation) -> None:
    document = json.loads(conversation_to_json(conversation))
    assert document["schema_version"] == JSON_SCHEMA_VERSION
    assert document["format"] == "chat-tui-transcript"
    assert document["title"] == "Pirate physics"
    assert document["models"] == ["gpt-test", "claude-test"]
    assert document["settings"]["system_prompt"] == "Answer like a pirate."
    assert document["created_at"].endswith("+00:00")
    user, reply, _, cancelled = document["messages"]
    assert user["role"] == "user" and user["metrics"] is None
    assert reply["reasoning"] == "Consider erosion."
    assert (reply["provider"], reply["model"], reply["mode"]) == ("openai", "gpt-test", "streaming")
    assert reply["finish_reason"] == "stop"
    assert reply["metrics"] == {
        "ttft_s": 0.85,
        "itl_mean_s": 0.02,
        "itl_p50_s": 0.012,
        "itl_p95_s": 0.04,
        "tokens_per_s": 88.25,
        "total_s": 4.5,
        "input_tokens": 31,
        "output_tokens": 320,
        "reasoning_tokens": 64,
        "tokens_estimated": True,
        "cache_read_tokens": None,
        "cache_write_tokens": None,
        "cost_usd": None,
        "retries": 0,
        "waited_s": None,
    }
    assert cancelled["status"] == "cancelled"
    assert cancelled["error"] == {"kind": None, "message": "stopped by you"}
    assert set(reply) == set(user)
    assert "api_key" not in json.dumps(document).lower()


def test_json_doc_lists_every_field(conversation: Conversation) -> None:
    """docs/transcript-json.md documents each field the export writes."""
    doc = (Path(__file__).parents[2] / "docs" / "transcript-json.md").read_text()
    document = json.loads(conversation_to_json(conversation))
    fields = set(document) | set(document["messages"][1]) | set(document["settings"])
    fields |= set(document["messages"][1]["metrics"])
    missing = [name for name in sorted(fields) if f"`{name}`" not in doc]
    assert missing == []


def test_exports_are_private_files(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old")
    target.chmod(0o644)
    write_private_file(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_default_names_come_from_the_title_and_never_overwrite(tmp_path: Path) -> None:
    titled = Conversation(id=7, title="Why is the sky / blue?")
    assert default_export_name(titled, "md") == "why-is-the-sky-blue.md"
    assert default_export_name(Conversation(id=7), "json") == "conversation-7.json"
    assert default_export_name(Conversation(id=8, title="???"), "md") == "conversation-8.md"
    (tmp_path / "a.md").write_text("x")
    (tmp_path / "a-2.md").write_text("x")
    assert unused_path(tmp_path / "a.md") == tmp_path / "a-3.md"
