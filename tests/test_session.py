"""The chat session on its own (no widgets): turns saved as they happen, a reply started on
another target or mode without changing the session's, outcomes recorded, titles, and the
"saving fails, the chat goes on" policy."""

from __future__ import annotations

import json
from pathlib import Path

from chat_tui import pricing
from chat_tui.conversation import ConversationSettings, MessageStatus
from chat_tui.engine import RetryPolicy
from chat_tui.event_log import EventLog
from chat_tui.metrics import ReplyMetrics
from chat_tui.providers.base import FailureKind, ProviderError, Usage
from chat_tui.providers.catalog import Target
from chat_tui.session import ChatSession
from chat_tui.store import TranscriptStore
from chat_tui.store.titles import MAX_TITLE_CHARS
from tests.app.scripted import ScriptedProvider

TARGET = Target("scripted", "Scripted", "m1")


def session_on(tmp_path: Path, provider: ScriptedProvider, **kw) -> ChatSession:
    store = TranscriptStore.open(tmp_path / "transcripts.sqlite3")
    return ChatSession(provider, TARGET, retry_policy=RetryPolicy(max_retries=0), store=store, **kw)


async def test_a_turn_is_saved_before_its_request_and_its_reply_after(tmp_path: Path) -> None:
    session = session_on(tmp_path, ScriptedProvider(["Hel", "lo"]))
    session.conversation.settings = ConversationSettings(system_prompt="be brief", temperature=0.3)
    session.add_user_turn("hi")
    assert session.conversation.id is not None
    pending = session.start_reply()
    assert (pending.run.request.model, pending.run.request.system) == ("m1", "be brief")
    assert pending.run.request.temperature == 0.3
    await pending.run.run()
    turn = session.finish_reply(pending)
    assert (turn.status, turn.text, turn.provider, turn.model) == (
        MessageStatus.COMPLETE,
        "Hello",
        "scripted",
        "m1",
    )
    assert session.store is not None
    saved = session.store.load_conversation(session.conversation.id)
    assert [(t.role, t.text, t.status) for t in saved.turns] == [
        ("user", "hi", MessageStatus.COMPLETE),
        ("assistant", "Hello", MessageStatus.COMPLETE),
    ]


async def test_a_reply_on_another_target_and_mode_leaves_the_session_as_it_was(
    tmp_path: Path,
) -> None:
    own, other = ScriptedProvider(["a"]), ScriptedProvider(["b"])
    session = session_on(tmp_path, own)
    session.add_user_turn("race this")
    elsewhere = Target("other", "Other", "m2")
    pending = session.start_reply(target=elsewhere, provider=other, streaming=False)
    await pending.run.run()
    turn = session.finish_reply(pending)
    assert (turn.provider, turn.model, turn.streaming, turn.text) == ("other", "m2", False, "b")
    assert other.requests and not own.requests
    assert (session.target, session.provider, session.streaming) == (TARGET, own, True)


async def test_failures_are_recorded_with_what_was_tried(tmp_path: Path) -> None:
    refused = ProviderError(FailureKind.OVERLOADED, "Busy.")
    session = session_on(tmp_path, ScriptedProvider([refused]))
    session.retry_policy = RetryPolicy(max_retries=1, base_delay_s=0.001, max_delay_s=0.001)
    session.add_user_turn("hi")
    pending = session.start_reply()
    await pending.run.run()
    turn = session.finish_reply(pending)
    assert turn.status is MessageStatus.ERROR
    assert (turn.error_kind, turn.error_message) == ("overloaded", "Busy. Gave up after 1 retry.")
    assert session.retryable_reply() is turn
    assert not session.needs_title()


def test_titles_are_one_short_line_and_saved(tmp_path: Path) -> None:
    session = session_on(tmp_path, ScriptedProvider([]))
    session.add_user_turn("How do I  cook rice?")
    session.set_title('  "Cooking   rice."  ')
    assert session.conversation.title == "Cooking rice"
    session.set_title("x" * 200)
    assert session.conversation.title == "x" * (MAX_TITLE_CHARS - 1) + "…"
    session.set_title("  ")
    assert session.conversation.title == session.fallback_title()
    assert session.store is not None and session.conversation.id is not None
    saved = session.store.load_conversation(session.conversation.id)
    assert saved.title == session.fallback_title()


async def test_saving_fails_and_the_chat_goes_on(tmp_path: Path) -> None:
    problems: list[str] = []
    session = session_on(
        tmp_path, ScriptedProvider(["still ", "here"]), on_store_error=problems.append
    )
    assert session.store is not None
    session.store.close()  # every write now fails inside SQLite
    session.add_user_turn("hi")
    pending = session.start_reply()
    await pending.run.run()
    turn = session.finish_reply(pending)
    assert turn.text == "still here" and turn.status is MessageStatus.COMPLETE
    assert session.store is None  # off for the rest of the session, reported once
    assert len(problems) == 1 and problems[0].startswith("Saving is off for this session: ")


def test_a_new_conversation_keeps_the_settings(tmp_path: Path) -> None:
    session = session_on(tmp_path, ScriptedProvider([]))
    session.conversation.settings = ConversationSettings(system_prompt="terse")
    session.add_user_turn("one")
    first = session.conversation
    session.new_conversation()
    assert session.conversation is not first and session.conversation.turns == []
    assert session.conversation.settings == ConversationSettings(system_prompt="terse")
    assert session.conversation.settings is not first.settings


async def test_a_title_is_asked_through_the_engine_logged_and_made_one_line(
    tmp_path: Path,
) -> None:
    log = EventLog(tmp_path / "requests.jsonl", environ={})
    provider = ScriptedProvider(["# Rice, **cooked**.\nA second line"])
    session = session_on(tmp_path, provider, event_log=log)
    session.title_model = "small"
    session.add_user_turn("How do I cook rice?")
    await session.make_title()
    assert session.conversation.title == "Rice, cooked"
    assert provider.requests[-1].model == "small"
    [record] = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert (record["purpose"], record["mode"], record["model"]) == ("title", "complete", "small")


async def test_a_title_request_is_priced_in_the_log(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "requests.jsonl", environ={})
    provider = ScriptedProvider(["Rice"], usage=Usage(input_tokens=1000, output_tokens=10))
    provider.price_source = pricing.price_source("openai", None)  # as the registry sets it
    session = session_on(tmp_path, provider, event_log=log)
    session.target = Target("openai", "OpenAI", "gpt-4o")
    session.title_model = "gpt-4o-mini"
    session.add_user_turn("How do I cook rice?")
    await session.make_title()
    [record] = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert record["purpose"] == "title"
    assert record["cost_usd"] == pricing.reply_cost(
        pricing.price_source("openai", None),
        "gpt-4o-mini",
        ReplyMetrics(input_tokens=1000, output_tokens=10),
    )
    assert record["cost_usd"] > 0


def test_renames_deletes_and_settings_go_through_the_session(tmp_path: Path) -> None:
    problems: list[str] = []
    session = session_on(tmp_path, ScriptedProvider([]), on_store_error=problems.append)
    session.add_user_turn("one")
    current = session.conversation.id
    assert current is not None
    assert session.rename(current, "  **New** name. ") == "New name"
    assert session.conversation.title == "New name"
    assert session.update_settings(ConversationSettings(temperature=0.5))
    assert session.store is not None
    assert session.store.load_conversation(current).settings.temperature == 0.5
    assert session.rename(404, "x") is None and "404" in problems[-1]
    assert session.store is not None  # a failed rename of another conversation: still saving
    assert session.delete_conversation(current)
    assert session.conversation.id is None and session.conversation.turns == []
    assert session.load_conversation(current) is None
