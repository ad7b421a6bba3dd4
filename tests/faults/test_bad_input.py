"""Input that is too big, too long or arrives at a bad moment: shown literally, stored intact,
and the app stays responsive."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from chat_tui.conversation import ConversationSettings, MessageStatus, Turn
from chat_tui.store import TranscriptStore
from chat_tui.widgets.messages import AssistantMessage
from tests.fakeserver import FakeProviderServer, Scenario

from .harness import build_app, notices, reply_finished, send, stored_turns, wait_until


async def still_responsive(pilot, app) -> None:
    """A key still does its job promptly: ctrl+t toggles the mode and says so."""
    before = app.session.streaming
    await pilot.press("ctrl+t")
    await wait_until(pilot, lambda: app.session.streaming is not before, timeout_s=3)
    assert any("Next request" in n for n in notices(app))


async def test_a_1_mb_reply_with_long_lines(fake_server: FakeProviderServer, tmp_path: Path):
    long_line = "<b>[bold]literal[/bold]</b> " * 8_000  # ~230 kB on one line, markup included
    tokens = [long_line, "\n\n", *(["word " * 2_000 + "\n\n"] * 80)]
    fake_server.script(Scenario.text(tokens))
    expected = "".join(tokens)
    assert len(expected) > 1_000_000
    app = build_app(fake_server, "openai", tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, app, "big please")
        turn = await reply_finished(pilot, app, 1, timeout_s=20)
        assert turn.status is MessageStatus.COMPLETE and turn.text == expected
        assert list(app.chat.query(AssistantMessage))[-1].text == expected
        assert stored_turns(app)[-1].text == expected
        await still_responsive(pilot, app)


async def test_a_1_mb_paste_is_sent_and_stored_intact(
    fake_server: FakeProviderServer, tmp_path: Path
):
    pasted = ("pasted line with a tab\tand unicode é😀\n" * 30_000)[:1_000_000]
    app = build_app(fake_server, "openai", tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, app, pasted)
        turn = await reply_finished(pilot, app, 1, timeout_s=20)
        assert turn.status is MessageStatus.COMPLETE
        assert stored_turns(app)[0].text == pasted
        assert (
            fake_server.generation_requests[0].body["input"][-1]["content"] == pasted
        )  # Responses
        await still_responsive(pilot, app)


async def test_resizing_to_20x5_and_back_mid_stream(
    fake_server: FakeProviderServer, tmp_path: Path
):
    tokens = [f"token {i} " for i in range(60)]
    # A pause mid-stream (shorter than the idle timeout) so the resize lands while it runs.
    fake_server.script(Scenario.stall(1.0, after=30, tokens=tokens, delay_s=0.005))
    app = build_app(fake_server, "openai", tmp_path, idle_timeout_s=3.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, app, "stream")
        await wait_until(pilot, lambda: bool(app.chat.pending and app.chat.pending.run.arrivals))
        assert app.chat.pending is not None, "the stream ended before the resize"
        await pilot.resize_terminal(20, 5)
        await pilot.pause()
        await pilot.resize_terminal(100, 30)
        turn = await reply_finished(pilot, app, 1)
        assert turn.status is MessageStatus.COMPLETE and turn.text == "".join(tokens)
        assert list(app.chat.query(AssistantMessage))[-1].text == turn.text
        await still_responsive(pilot, app)


def test_two_stores_on_one_file_write_concurrently(tmp_path: Path) -> None:
    database = tmp_path / "transcripts.sqlite3"
    TranscriptStore.open(database).close()  # create the schema once
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            with TranscriptStore.open(database) as store:
                conversation = store.create_conversation(ConversationSettings())
                assert conversation.id is not None
                for i in range(100):
                    turn = Turn(role="user", text=f"{name} {i}", created_at=time.time())
                    store.add_turn(conversation.id, turn)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with TranscriptStore.open(database) as store:
        summaries = store.list_conversations()
        assert len(summaries) == 2
        for summary in summaries:
            assert store.count_turns(summary.id) == 100
