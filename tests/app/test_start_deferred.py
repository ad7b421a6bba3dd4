"""Work moved out of the way of the first screen (issue 18) still happens: the garbage
collector comes back on after the start; the theme chosen at start is applied in full without
a second parse of every stylesheet."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest
from textual.color import Color
from textual.css.stylesheet import Stylesheet

import chat_tui.app
from chat_tui.theming import builtin_themes_dir, load_themes
from tests.app.conftest import make_app, wait_until
from tests.app.scripted import ScriptedProvider


@pytest.fixture
def collector_off_as_the_command_line_starts() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_the_command_line_starts_the_app_with_the_collector_off_and_turns_it_on_after():
    code = (
        "import gc\n"
        "import chat_tui.app\n"
        "from chat_tui.cli import main\n"
        "chat_tui.app.run_app = lambda args: print(gc.isenabled()) or 0\n"
        "main(['--no-stream'])\n"
        "print(gc.isenabled())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


@pytest.mark.usefixtures("collector_off_as_the_command_line_starts")
async def test_the_app_turns_the_collector_back_on_after_its_first_screen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(chat_tui.app, "COLLECT_GARBAGE_AFTER_S", 0.05)
    app = make_app(ScriptedProvider([]))
    async with app.run_test() as pilot:
        await wait_until(pilot, gc.isenabled)


async def test_the_theme_chosen_at_start_is_applied_with_one_parse_of_the_stylesheets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reparses: list[Stylesheet] = []
    original_reparse = Stylesheet.reparse

    def counted_reparse(stylesheet: Stylesheet) -> None:
        reparses.append(stylesheet)
        original_reparse(stylesheet)

    monkeypatch.setattr(Stylesheet, "reparse", counted_reparse)
    themes, _ = load_themes(builtin_themes_dir(), builtin_themes_dir() / "missing")
    paper = next(theme for theme in themes if theme.name == "chat-tui-paper")  # a light one
    app = make_app(ScriptedProvider([]))
    app.use_themes(themes, "chat-tui-paper")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "chat-tui-paper"
        assert app.chat.styles.background == Color.parse(paper.background or "")
        assert app.chat.status_bar.styles.background == Color.parse(paper.panel or "")
        assert {"-theme-chat-tui-paper", "-light-mode"} <= app.classes
        assert "-dark-mode" not in app.classes
        assert reparses == []
        app.theme = "chat-tui-midnight"  # a change later goes the usual way
        await pilot.pause()
        assert "-dark-mode" in app.classes and "-theme-chat-tui-paper" not in app.classes
        assert len(reparses) == 1
