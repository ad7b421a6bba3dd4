"""The transcript browser driven by keys, on a real SQLite store in tmp_path."""

from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path
from typing import TypeVar

import pytest
from textual.screen import Screen
from textual.widgets import RadioButton

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.metrics import ReplyMetrics
from chat_tui.providers.simulated import SimulatedProvider
from chat_tui.screens.chat.screen import ChatScreen
from chat_tui.screens.dialogs import ConfirmDialog, TextPromptDialog
from chat_tui.screens.history.browser import PAGE_SIZE, HistoryScreen
from chat_tui.screens.history.conversation_view import (
    EARLIER_PAGE,
    TAIL_TURNS,
    HistoryConversationScreen,
)
from chat_tui.screens.history.export import ExportDialog
from chat_tui.store import TranscriptStore
from chat_tui.widgets import reply_body
from chat_tui.widgets.reply_body import ReplyBody
from tests.app.conftest import screen_lines
from tests.app.scripted import ScriptedProvider

from .conftest import (
    make_store_app,
    open_highlighted,
    open_history,
    screen_text,
    type_and_send,
    wait_until,
)

S = TypeVar("S", bound=Screen)


def fast() -> SimulatedProvider:
    return SimulatedProvider(ttft_s=0, tokens_per_s=2000)


async def chat_once(pilot, text: str) -> None:
    await type_and_send(pilot, text)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_conversation_survives_a_restart_with_its_metrics(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    provider = ScriptedProvider(["The answer is ", "forty-two."])
    first = make_store_app(provider, db)
    async with first.run_test(size=(110, 36)) as pilot:
        await chat_once(pilot, "what is the answer")
    first.session.store.close()

    second = make_store_app(ScriptedProvider([]), db)
    async with second.run_test(size=(110, 36)) as pilot:
        screen = await open_history(pilot)
        assert len(screen.summaries) == 1
        view = await open_highlighted(pilot)
        text = screen_text(second)
        assert "what is the answer" in text
        assert "The answer is forty-two." in text
        assert "TTFT" in text
        assert view.loaded_turns[-1].metrics is not None
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: isinstance(second.screen, ChatScreen))


async def test_search_lists_a_reply_word_with_its_snippet(tmp_path: Path) -> None:
    provider = ScriptedProvider(["Bananas are ", "rich in potassium."])
    app = make_store_app(provider, tmp_path / "t.sqlite3")
    async with app.run_test(size=(110, 36)) as pilot:
        await chat_once(pilot, "tell me about fruit")
        screen = await open_history(pilot)
        await pilot.press(*"potass")
        await wait_until(pilot, lambda: len(screen.hits) == 1)
        await pilot.pause()
        assert "rich in potassium" in screen_text(app)
        assert [span.text for span in screen.hits[0].snippet if span.is_match] == ["potassium"]
        view = await open_highlighted(pilot)
        assert view.hit_message_id == screen.hits[0].message_id
        assert view.query(".-hit")


async def test_search_shows_markup_and_control_characters_literally(tmp_path: Path) -> None:
    provider = ScriptedProvider(["[bold]zebra[/bold] \x1b]0;pwned\x07 stripes"])
    app = make_store_app(provider, tmp_path / "t.sqlite3")
    async with app.run_test(size=(110, 36)) as pilot:
        await chat_once(pilot, "stripes?")
        screen = await open_history(pilot)
        await pilot.press(*"zebra")
        await wait_until(pilot, lambda: len(screen.hits) == 1)
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]zebra[/bold]" in text
        assert "\x1b" not in text and "␛" in text


async def test_the_list_pages_in_from_the_store(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    with TranscriptStore.open(db) as store:
        for number in range(PAGE_SIZE + 30):
            store.create_conversation(title=f"conversation number {number}")
    app = make_store_app(fast(), db)
    async with app.run_test(size=(110, 36)) as pilot:
        screen = await open_history(pilot)
        assert screen.results.option_count == PAGE_SIZE
        assert screen.summaries[0].title == f"conversation number {PAGE_SIZE + 29}"
        await pilot.press("down")  # typed in the search box, the arrows move the list
        assert screen.results.highlighted == 1
        for _ in range(40):  # page down until the next page came in (bounded)
            if screen.results.option_count > PAGE_SIZE:
                break
            await pilot.press("pagedown")
        await pilot.pause()
        assert screen.results.option_count == PAGE_SIZE + 30
        assert f"{PAGE_SIZE + 30} conversations" in screen_text(app)


async def test_export_markdown_and_json_write_what_was_said(tmp_path: Path) -> None:
    provider = ScriptedProvider(["Paris is the capital."])
    app = make_store_app(provider, tmp_path / "t.sqlite3")
    async with app.run_test(size=(110, 36)) as pilot:
        await chat_once(pilot, "capital of France")
        await open_history(pilot)
        await open_highlighted(pilot)

        await pilot.press("e")
        dialog = await wait_for_screen(pilot, ExportDialog)
        dialog.path_input.value = str(tmp_path / "nowhere" / "x.md")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog), "a bad folder keeps the dialog open"
        assert "does not exist" in screen_text(app)
        dialog.path_input.value = str(tmp_path / "out.md")
        await pilot.press("enter")
        # The file is written and the notice posted by the dialog's dismiss callback.
        await wait_until(
            pilot,
            lambda: any(str(tmp_path / "out.md") in n.message for n in app._notifications),
            limit=1500,  # a loaded machine
        )
        markdown = (tmp_path / "out.md").read_text()
        assert "capital of France" in markdown and "Paris is the capital." in markdown
        assert (tmp_path / "out.md").stat().st_mode & 0o777 == 0o600

        await pilot.press("e")
        dialog = await wait_for_screen(pilot, ExportDialog)
        dialog.query(RadioButton)[1].value = True
        await wait_until(pilot, lambda: dialog.path_input.value.endswith(".json"))
        dialog.path_input.value = str(tmp_path / "out.json")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportDialog))
        document = json.loads((tmp_path / "out.json").read_text())
        assert [m["text"] for m in document["messages"]] == [
            "capital of France",
            "Paris is the capital.",
        ]
        assert document["messages"][1]["metrics"]["ttft_s"] is not None


async def test_delete_asks_first_then_deletes(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    app = make_store_app(ScriptedProvider(["Sure."]), db)
    async with app.run_test(size=(110, 36)) as pilot:
        await chat_once(pilot, "remember this")
        await pilot.press("ctrl+n")  # the next message would start a new conversation
        await pilot.pause()
        listing = await open_history(pilot)
        await open_highlighted(pilot)

        await pilot.press("d")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("escape")
        await wait_for_screen(pilot, HistoryConversationScreen)
        assert app.session.store.count_conversations() == 1

        await pilot.press("d")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for_screen(pilot, HistoryScreen)
        await pilot.pause()
        assert listing.results.option_count == 0
        assert app.session.store.count_conversations() == 0
        assert "No saved conversations yet" in screen_text(app)


async def test_rename_changes_the_title_in_the_store(tmp_path: Path) -> None:
    app = make_store_app(ScriptedProvider(["Fine."]), tmp_path / "t.sqlite3")
    async with app.run_test(size=(110, 36)) as pilot:
        await chat_once(pilot, "hello there")
        await open_history(pilot)
        view = await open_highlighted(pilot)
        await pilot.press("r")
        await wait_for_screen(pilot, TextPromptDialog)
        await pilot.press("ctrl+u", *"Greetings", "enter")
        await wait_for_screen(pilot, HistoryConversationScreen)
        conversation_id = view.conversation_id
        assert app.session.store.load_conversation(conversation_id).title == "Greetings"
        assert app.session.conversation.title == "Greetings"  # it is the open one
        await pilot.press("escape")
        await pilot.pause()
        assert "Greetings" in screen_text(app)


async def test_continuing_sends_the_whole_history(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    first = make_store_app(ScriptedProvider(["Reply."]), db)
    async with first.run_test(size=(110, 36)) as pilot:
        await chat_once(pilot, "one")
        await chat_once(pilot, "two")
    first.session.store.close()

    provider = ScriptedProvider(["Third reply."])
    second = make_store_app(provider, db)
    async with second.run_test(size=(110, 36)) as pilot:
        await open_history(pilot)
        await open_highlighted(pilot)
        await pilot.press("c")
        await wait_for_screen(pilot, ChatScreen)
        assert "two" in screen_text(second)
        await chat_once(pilot, "three")
        sent = [(m.role, m.text) for m in provider.requests[-1].messages]
        assert sent == [
            ("user", "one"),
            ("assistant", "Reply."),
            ("user", "two"),
            ("assistant", "Reply."),
            ("user", "three"),
        ]
        store = second.session.store
        assert store.count_conversations() == 1
        assert store.count_turns(second.session.conversation.id) == 6


async def test_new_chat_keeps_the_previous_conversation_saved(tmp_path: Path) -> None:
    app = make_store_app(fast(), tmp_path / "t.sqlite3")
    async with app.run_test(size=(110, 36)) as pilot:
        await chat_once(pilot, "first topic")
        first_id = app.session.conversation.id
        await pilot.press("ctrl+n")
        await chat_once(pilot, "second topic")
        assert app.session.conversation.id != first_id
        store = app.session.store
        assert store.count_conversations() == 2
        kept = store.load_conversation(first_id)
        assert [t.role for t in kept.turns] == ["user", "assistant"]
        assert kept.turns[0].text == "first topic"
        screen = await open_history(pilot)
        assert [s.id for s in screen.summaries][1] == first_id


async def test_without_a_store_the_browser_says_so(tmp_path: Path) -> None:
    app = make_store_app(fast(), None)
    async with app.run_test(size=(110, 36)) as pilot:
        await open_history(pilot)
        assert "not being saved" in screen_text(app)
        await pilot.press("down", "enter", "escape")
        await wait_for_screen(pilot, ChatScreen)


async def test_a_thousand_message_conversation_opens_at_its_end(tmp_path: Path) -> None:
    # How fast it opens is measured by benchmarks/big_conversation.py (target 300 ms).
    db = tmp_path / "t.sqlite3"
    with TranscriptStore.open(db) as store:
        conversation = store.create_conversation(title="long one")
        build_exchanges(store, conversation.id, 500)
    app = make_store_app(fast(), db)
    async with app.run_test(size=(110, 36)) as pilot:
        await open_history(pilot)
        view = await open_highlighted(pilot)
        await wait_until(pilot, lambda: len(view.loaded_turns) == TAIL_TURNS)
        await pilot.pause()
        text = screen_text(app)
        assert "answer number 499" in text
        assert "question number 0 " not in text
        assert view.total_turns == 1000
        assert view.log_view.scroll_y == view.log_view.max_scroll_y, "not showing its end"
        assert view.first_paint_s is not None
        # The newest turns of the branch, in order, and nothing else.
        expected = [f"question number {n} " for n in range(480, 500)]
        assert [t.text for t in view.loaded_turns if t.role == "user"] == expected
        assert view.loaded_turns[-1].text == "answer number 499"

        await pilot.press("home")
        await wait_until(pilot, lambda: len(view.loaded_turns) == TAIL_TURNS + EARLIER_PAGE)
        view.log_view.scroll_home(animate=False, immediate=True)
        await wait_until(pilot, lambda: len(view.loaded_turns) > TAIL_TURNS + EARLIER_PAGE)
        assert [t.id for t in view.loaded_turns] == sorted(t.id for t in view.loaded_turns)


async def test_paging_up_a_conversation_of_long_replies_reaches_its_first_message(
    tmp_path: Path,
) -> None:
    db = tmp_path / "t.sqlite3"
    with TranscriptStore.open(db) as store:
        conversation = store.create_conversation(title="long replies")
        build_exchanges(store, conversation.id, 30, answer_lines=40)
    app = make_store_app(fast(), db)
    async with app.run_test(size=(110, 36)) as pilot:
        await open_history(pilot)
        view = await open_highlighted(pilot)
        await wait_until(pilot, lambda: view.first_paint_s is not None)
        await pilot.pause()
        # Long replies: it opens on fewer turns than TAIL_TURNS (each costs its rendering).
        assert len(view.loaded_turns) < TAIL_TURNS
        log = view.log_view
        for _ in range(400):
            if log.scroll_y == 0 and not view.earlier_count:
                break
            await pilot.press("pageup")
            await pilot.pause()
        assert view.earlier_count == 0, "the keys stopped bringing earlier messages"
        await wait_until(pilot, lambda: log.scroll_y == 0)
        await pilot.pause()
        assert "question number 0 " in screen_text(app)
        assert [t.text for t in view.loaded_turns if t.role == "user"] == [
            f"question number {n} " for n in range(30)
        ]


def build_exchanges(
    store: TranscriptStore, conversation_id: int, count: int, *, answer_lines: int = 1
) -> None:
    metrics = ReplyMetrics(ttft_s=0.2, tokens_per_s=50.0, output_tokens=5, total_s=0.3)
    for number in range(count):
        store.add_turn(conversation_id, Turn("user", f"question number {number} "))
        reply_id = store.add_turn(
            conversation_id, Turn("assistant", "", model="m", status=MessageStatus.STREAMING)
        )
        answer = "\n\n".join(
            [f"answer number {number}"]
            + [
                f"Line {line} of answer {number}, long enough to wrap once or twice." * 3
                for line in range(1, answer_lines)
            ]
        )
        store.finish_reply(reply_id, Turn("assistant", answer, model="m", metrics=metrics))


async def wait_for_screen(pilot, kind: type[S]) -> S:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind))
    await pilot.pause()
    return pilot.app.screen  # type: ignore[return-value]


async def test_a_closed_conversation_view_is_freed(tmp_path: Path) -> None:
    # The view freezes what it renders (out of full collections); its widgets hold reference
    # cycles, so once closed only a collection frees them: browsing many conversations
    # without sending anything kept every one.
    db = tmp_path / "t.sqlite3"
    with TranscriptStore.open(db) as store:
        conversation = store.create_conversation(title="long replies")
        build_exchanges(store, conversation.id, 10, answer_lines=10)
    app = make_store_app(fast(), db)
    async with app.run_test(size=(110, 36)) as pilot:
        await open_history(pilot)
        view = weakref.ref(await open_highlighted(pilot))
        await wait_until(pilot, lambda: gc.get_freeze_count() > 0)
        await pilot.press("escape")
        await wait_for_screen(pilot, HistoryScreen)
        await wait_until(pilot, lambda: view() is None)


async def test_paging_the_chat_up_and_down_shows_every_reply_whose_lines_were_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Replies painted least recently drop their rendered lines (memory): paged back to, they
    # must read as before, and the message cursor must reach the first message.
    monkeypatch.setattr(reply_body, "KEPT_LINES", 150)
    db = tmp_path / "t.sqlite3"
    with TranscriptStore.open(db) as store:
        conversation = store.create_conversation(title="long replies")
        build_exchanges(store, conversation.id, 30, answer_lines=12)
    app = make_store_app(fast(), db)
    async with app.run_test(size=(110, 36)) as pilot:
        await open_history(pilot)
        await open_highlighted(pilot)
        await pilot.press("c")
        chat = await wait_for_screen(pilot, ChatScreen)
        log = chat.log_view
        for _ in range(300):  # to the first message, bringing in the earlier ones
            if log.scroll_y == 0 and not log.hidden_count:
                break
            await pilot.press("shift+pageup")
            await pilot.pause()
        assert log.hidden_count == 0
        seen: dict[float, list[str]] = {}
        while log.scroll_y < log.max_scroll_y:  # down, page by page
            await pilot.pause()
            seen[log.scroll_y] = screen_lines(app)
            await pilot.press("shift+pagedown")
            await pilot.pause()
        read = "".join(line for lines in seen.values() for line in lines)
        assert all(f"answer number {n}" in read for n in range(30))
        bodies = log.query(ReplyBody)
        assert any(body.lines_dropped for body in bodies), "nothing dropped: nothing tested"
        assert reply_body.RENDERED.total <= 150 + max(body.held_lines for body in bodies)
        for scroll_y, text in reversed(seen.items()):  # and up again: the same screens
            log.scroll_to(y=scroll_y, animate=False, immediate=True)
            await pilot.pause()
            assert screen_lines(app) == text

        chat.prompt.focus()
        await pilot.press("alt+up")
        for _ in range(len(log.messages)):
            await pilot.press("alt+up")
        await pilot.pause()
        assert log.selected is log.messages[0]
        assert "question number 0 " in screen_text(app)
