"""Screenshot tests: each screen and dialog as SVG, compared with the committed snapshot in
__snapshots__/ (`pytest tests/snapshots --snapshot-update` records new ones; look at them
before committing: `python -m tests.snapshots.look OUT_DIR` saves PNGs too).

Deterministic: a scripted provider on a clock that only it moves (fixed figures), fixed
timestamps in the store, no key from the environment, no animation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.pilot import Pilot

from chat_tui.app import ChatApp
from chat_tui.providers.base import FailureKind, ProviderError
from chat_tui.screens.model_picker import ModelPicker

from . import screens
from .screens import build_app, finished_reply, provider, reply_on_hold, settle, wait_until

FIXED_TIME = 1_767_225_600.0  # 2026-01-01 00:00 UTC: what the history shows as "last active"
MIDNIGHT, PAPER = "chat-tui-midnight", "chat-tui-paper"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch):
    """Dates as on any machine: the history shows local time."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def fixed_timestamps(app: ChatApp) -> None:
    """The store's times set to one moment: the history shows no clock-dependent text."""
    store = app.session.store
    assert store is not None
    with store._connection:  # test-only: no API moves a conversation in time
        store._connection.execute(
            "UPDATE conversations SET created_at = ?, updated_at = ?", (FIXED_TIME, FIXED_TIME)
        )
        store._connection.execute(
            "UPDATE messages SET created_at = ?, finished_at = ?", (FIXED_TIME, FIXED_TIME)
        )


# ---- the chat in each state -------------------------------------------------------------------


def test_finished_reply_with_reasoning_shown(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await finished_reply(pilot)
        await pilot.press("ctrl+g")  # show the reasoning
        await settle(pilot)

    assert snap_compare(build_app(provider()), run_before=run_before, terminal_size=(100, 40))


def test_waiting_for_the_first_token_shows_the_typing_indicator(snap_compare) -> None:
    app = build_app(provider(hold=True, reasoning=False))
    assert snap_compare(app, run_before=lambda p: reply_on_hold(p, 0), terminal_size=(100, 30))


def test_non_streaming_reply_waiting(snap_compare) -> None:
    app = build_app(provider(hold=True), streaming=False)
    assert snap_compare(app, run_before=lambda p: reply_on_hold(p, 0), terminal_size=(100, 30))


def test_failed_reply(snap_compare) -> None:
    refused = ProviderError(FailureKind.OVERLOADED, "The server is overloaded (529).")
    app = build_app(provider(reasoning=False, error=refused, text=""))

    async def run_before(pilot: Pilot) -> None:
        await finished_reply(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(100, 30))


# ---- the chat at three sizes, dark and light, streaming and finished ----------------------------

SIZES = [(80, 24), (120, 40), (200, 60)]


@pytest.mark.parametrize("theme", [MIDNIGHT, PAPER])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_chat_finished(snap_compare, theme: str, size: tuple[int, int]) -> None:
    assert snap_compare(
        build_app(provider(), theme=theme), run_before=finished_reply, terminal_size=size
    )


@pytest.mark.parametrize("theme", [MIDNIGHT, PAPER])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_chat_streaming(snap_compare, theme: str, size: tuple[int, int]) -> None:
    app = build_app(provider(hold=True, hold_after=60), theme=theme)
    assert snap_compare(app, run_before=lambda p: reply_on_hold(p, 60), terminal_size=size)


# ---- screens and dialogs ----------------------------------------------------------------------


def test_model_picker(snap_compare) -> None:
    app = build_app(provider())

    async def run_before(pilot: Pilot) -> None:
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ModelPicker))
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(100, 30))


def test_history_browser_and_a_conversation(snap_compare, tmp_path: Path) -> None:
    app = build_app(provider(), data_dir=tmp_path)

    async def run_before(pilot: Pilot) -> None:
        await finished_reply(pilot)
        fixed_timestamps(app)
        await pilot.press("ctrl+r")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(100, 30))


def test_conversation_view(snap_compare, tmp_path: Path) -> None:
    app = build_app(provider(), data_dir=tmp_path)

    async def run_before(pilot: Pilot) -> None:
        await finished_reply(pilot)
        fixed_timestamps(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(100, 40))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_conversation_settings(snap_compare, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(build_app(provider()), run_before=run_before, terminal_size=size)


def test_help(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(build_app(provider()), run_before=run_before, terminal_size=(100, 40))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_race(snap_compare, size: tuple[int, int]) -> None:
    """Streaming against non-streaming on the same target, both waiting for their first token
    (held there: two replies on one clock would finish in either order)."""
    app = build_app(provider(hold=True, reasoning=False))

    async def run_before(pilot: Pilot) -> None:
        await screens.chat_composed(pilot)
        pilot.app.chat.prompt.insert(screens.QUESTION)  # type: ignore[attr-defined]
        pilot.app.chat.action_race()  # type: ignore[attr-defined]  # (its key may move)
        await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "RaceScreen")
        await settle(pilot, workers=False)

    assert snap_compare(app, run_before=run_before, terminal_size=size)


def test_race_finished_at_80_columns(snap_compare) -> None:
    """Both sides done, each pane 40 columns wide: whole figures in each status line. (One
    clock moved by one provider in turn: the same figures on every run.)"""
    app = build_app(provider(reasoning=False))

    async def run_before(pilot: Pilot) -> None:
        await screens.chat_composed(pilot)
        pilot.app.chat.prompt.insert(screens.QUESTION)  # type: ignore[attr-defined]
        pilot.app.chat.action_race()  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "RaceScreen")
        await wait_until(pilot, lambda: not pilot.app.screen.running)  # type: ignore[attr-defined]
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
