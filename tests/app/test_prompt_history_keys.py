"""up / down in the prompt recall the messages sent, across conversations and restarts."""

from __future__ import annotations

import stat
from pathlib import Path

from chat_tui.app import ChatApp
from chat_tui.config import Settings
from chat_tui.engine import RetryPolicy
from chat_tui.prompt_history import load_prompt_history
from chat_tui.providers.catalog import Target
from chat_tui.session import ChatSession

from .conftest import type_and_send
from .scripted import ScriptedProvider


def make_app(history_path: Path) -> ChatApp:
    history, problems = load_prompt_history(history_path)
    assert problems == []
    session = ChatSession(
        ScriptedProvider(["ok"] * 10),
        Target("simulated", "Simulated (offline)", "test-model"),
        retry_policy=RetryPolicy(max_retries=0),
    )
    app = ChatApp(session, settings=Settings(flush_interval_ms=50), prompt_history=history)
    app.animation_level = "none"
    return app


async def test_up_recalls_down_goes_forward_and_the_draft_comes_back(tmp_path: Path) -> None:
    app = make_app(tmp_path / "prompt_history.jsonl")
    async with app.run_test(size=(100, 30)) as pilot:
        await type_and_send(pilot, "first")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+n")  # shared across conversations
        await type_and_send(pilot, "second")
        await app.workers.wait_for_complete()
        prompt = app.chat.prompt
        await pilot.press("d", "r", "a", "f", "t")
        await pilot.press("up")
        assert prompt.text == "second"
        await pilot.press("up")
        assert prompt.text == "first"
        await pilot.press("up")
        assert prompt.text == "first"
        await pilot.press("down")
        assert prompt.text == "second"
        await pilot.press("down")
        assert prompt.text == "draft"


async def test_up_off_the_first_line_moves_the_cursor_instead(tmp_path: Path) -> None:
    app = make_app(tmp_path / "prompt_history.jsonl")
    async with app.run_test(size=(100, 30)) as pilot:
        await type_and_send(pilot, "sent")
        await app.workers.wait_for_complete()
        await pilot.press("a", "ctrl+j", "b")
        prompt = app.chat.prompt
        await pilot.press("up")
        assert prompt.text == "a\nb" and prompt.cursor_location[0] == 0
        await pilot.press("up")
        assert prompt.text == "sent"


async def test_the_history_lasts_across_restarts_in_a_0600_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "prompt_history.jsonl"
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_and_send(pilot, "before the restart")
        await app.workers.wait_for_complete()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("up")
        assert app.chat.prompt.text == "before the restart"
