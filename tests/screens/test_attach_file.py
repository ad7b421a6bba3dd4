"""Attach file in the app: ctrl+f, a path completed from the filesystem, chips above the
prompt (removable by keyboard and mouse) until the message is sent, chips in the log, the
files in the request and in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.app import ChatApp
from chat_tui.config import Settings
from chat_tui.engine import RetryPolicy
from chat_tui.providers.catalog import Target
from chat_tui.screens.attach_file import AttachFileDialog, PathSuggester
from chat_tui.session import ChatSession
from chat_tui.store import TranscriptStore
from chat_tui.widgets.attachment_chips import AttachmentChip
from chat_tui.widgets.messages import UserMessage
from tests.app.conftest import screen_text, type_and_send, wait_until
from tests.app.scripted import ScriptedProvider

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / "pics").mkdir(parents=True)
    (home / "pics" / "cat.png").write_bytes(PNG)
    (home / "pics" / "notes.txt").write_text("remember\n")
    (home / "pics" / "big.txt").write_bytes(b"a" * (1024 * 1024 + 1))
    monkeypatch.setenv("HOME", str(home))
    return home


def app_with_store(provider: ScriptedProvider, store: TranscriptStore | None = None) -> ChatApp:
    session = ChatSession(
        provider,
        Target("simulated", "Simulated (offline)", "test-model"),
        retry_policy=RetryPolicy(max_retries=0),
        store=store,
    )
    app = ChatApp(session, settings=Settings(flush_interval_ms=50, max_attachment_mb=1))
    app.animation_level = "none"
    return app


async def attach(pilot, app: ChatApp, typed: str, *keys: str) -> None:
    await pilot.press("ctrl+f")
    await wait_until(pilot, lambda: isinstance(app.screen, AttachFileDialog))
    await pilot.press(*typed, *keys)
    await pilot.press("enter")


def chips(app: ChatApp) -> list[str]:
    return [chip.attachment.name for chip in app.chat.query(AttachmentChip)]


async def test_attach_complete_remove_and_send(files: Path, tmp_path: Path) -> None:
    provider = ScriptedProvider(["Seen."])
    store = TranscriptStore.open(tmp_path / "t.db")
    app = app_with_store(provider, store)
    async with app.run_test() as pilot:
        # "~/pics/c" + Enter: the shown suggestion (cat.png) is taken.
        await attach(pilot, app, "~/pics/c")
        await wait_until(pilot, lambda: chips(app) == ["cat.png"])
        # Tab completes, as in a shell.
        await attach(pilot, app, "~/pics/n", "tab")
        await wait_until(pilot, lambda: chips(app) == ["cat.png", "notes.txt"])
        assert "📎 cat.png (32 B) ✕" in screen_text(app)

        # Removed by keyboard: focus the chip, press delete.
        app.chat.query(AttachmentChip).first().focus()
        await pilot.press("delete")
        await wait_until(pilot, lambda: chips(app) == ["notes.txt"])
        # Removed by mouse: a click.
        await pilot.click(AttachmentChip)
        await wait_until(pilot, lambda: chips(app) == [])

        await attach(pilot, app, "~/pics/cat.png")
        await wait_until(pilot, lambda: chips(app) == ["cat.png"])
        await type_and_send(pilot, "what is it")
        await app.workers.wait_for_complete()
        await pilot.pause()

        assert chips(app) == []  # sent: the prompt's chips are gone
        (request,) = provider.requests
        (sent,) = request.messages[-1].attachments
        assert (sent.name, sent.media_type, sent.data) == ("cat.png", "image/png", PNG)
        user = app.chat.query(UserMessage).last()
        assert "what is it" in str(user.render()) and "📎 cat.png (32 B)" in str(user.render())
        conversation_id = app.chat.session.conversation.id
    stored = store.load_conversation(conversation_id)
    assert stored.turns[0].attachments == (sent,)
    store.close()


async def test_files_alone_are_sent_and_shown_as_chips(files: Path) -> None:
    provider = ScriptedProvider(["Seen."])
    app = app_with_store(provider)
    async with app.run_test() as pilot:
        await attach(pilot, app, "~/pics/notes.txt")
        await wait_until(pilot, lambda: chips(app) == ["notes.txt"])
        await pilot.press("enter")  # no text, one file: it goes
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert provider.requests[0].messages[-1].attachments[0].name == "notes.txt"
        assert "📎 notes.txt (9 B)" in screen_text(app)


async def test_a_file_over_the_limit_is_explained_in_the_dialog(files: Path) -> None:
    app = app_with_store(ScriptedProvider([]))
    async with app.run_test() as pilot:
        await attach(pilot, app, "~/pics/big.txt")
        await pilot.pause()
        assert isinstance(app.screen, AttachFileDialog)  # stays open
        error = str(app.screen.query_one("#attach-error").render())
        assert "big.txt is 1.0 MB, over the 1.0 MB limit for an attachment" in error
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, AttachFileDialog))
        assert chips(app) == []


async def test_attach_file_is_in_the_palette(files: Path) -> None:
    app = app_with_store(ScriptedProvider([]))
    async with app.run_test():
        titles = [command.title for command in app.get_system_commands(app.screen)]
    assert "Attach file (^f)" in titles


async def test_the_suggester_completes_from_the_filesystem(files: Path) -> None:
    suggester = PathSuggester()
    assert await suggester.get_suggestion("~/pi") == "~/pics/"
    assert await suggester.get_suggestion("~/pics/no") == "~/pics/notes.txt"
    assert await suggester.get_suggestion(f"{files}/pics/ca") == f"{files}/pics/cat.png"
    assert await suggester.get_suggestion("~/pics/zzz") is None


async def test_a_race_sends_the_attached_files_to_both_sides(files: Path, tmp_path: Path) -> None:
    from chat_tui.screens.chat.race import RaceScreen

    provider = ScriptedProvider(["Seen."])
    store = TranscriptStore.open(tmp_path / "t.db")
    app = app_with_store(provider, store)
    async with app.run_test(size=(120, 36)) as pilot:
        await attach(pilot, app, "~/pics/cat.png")
        await wait_until(pilot, lambda: chips(app) == ["cat.png"])
        await pilot.press(*"what is it", "ctrl+l")
        await wait_until(pilot, lambda: isinstance(app.screen, RaceScreen))
        race = app.screen
        assert "+ cat.png (32 B)" in screen_text(app)
        await wait_until(pilot, lambda: bool(race.verdict))
        # Both sides (streaming and non-streaming here) were sent the file with the prompt.
        assert len(provider.requests) == 2
        for request in provider.requests:
            assert request.messages[-1].text == "what is it"
            assert [a.name for a in request.messages[-1].attachments] == ["cat.png"]
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RaceScreen))
        assert chips(app) == []  # sent with the race, as with Enter

        # Racing again with nothing typed races the last message with its own files.
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: isinstance(app.screen, RaceScreen))
        await wait_until(pilot, lambda: bool(app.screen.verdict))
        assert [a.name for a in provider.requests[-1].messages[-1].attachments] == ["cat.png"]
        await pilot.press("escape")
        conversation_id = app.chat.session.conversation.id
        await app.workers.wait_for_complete()
    stored = store.load_conversation(conversation_id)
    assert [a.name for a in stored.turns[0].attachments] == ["cat.png"]
    store.close()
