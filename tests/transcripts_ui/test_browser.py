"""The transcript browser driven by keys, on a real SQLite store in tmp_path."""

from __future__ import annotations

from pathlib import Path

from chat_tui.providers.simulated import SimulatedProvider
from chat_tui.screens.chat import ChatScreen
from tests.app.scripted import ScriptedProvider

from .conftest import (
    make_store_app,
    open_highlighted,
    open_history,
    screen_text,
    type_and_send,
    wait_until,
)


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
