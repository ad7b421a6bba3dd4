"""The start's work cut or moved out of the way of the first screen (issue 18), and what must
still happen: the garbage collector comes back on after the start; the theme chosen at start is
applied in full without a second parse of every stylesheet; the chat is the screen the app
starts with; its footer composes its keys once, and again only when they change; the probe for
a local Ollama still runs (after the first frame)."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest
from textual.color import Color
from textual.css.stylesheet import Stylesheet
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

import chat_tui.app
from chat_tui.app import ChatApp
from chat_tui.providers import registry
from chat_tui.theming import builtin_themes_dir, load_themes
from tests.app.conftest import make_app, wait_until
from tests.app.scripted import ScriptedProvider
from tests.fakeserver import FakeProviderServer


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


async def test_the_chat_is_the_screen_the_app_starts_with() -> None:
    # Pushed over Textual's default screen, its first frame came from inside the app's
    # start-up batch and was dropped: the status bar and the prompt came frames later.
    app = make_app(ScriptedProvider([]))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen_stack == [app.chat]
        assert app.chat.prompt.has_focus


async def test_the_chat_footer_composes_its_keys_once_and_again_when_they_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compositions: list[Widget] = []
    original_recompose = Footer.recompose

    async def counted_recompose(footer: Footer) -> None:
        compositions.append(footer)
        await original_recompose(footer)

    monkeypatch.setattr(Footer, "recompose", counted_recompose)
    app = make_app(ScriptedProvider([]))

    def shown() -> list[str]:
        return [f"{key.key_display} {key.description}" for key in app.chat.query(FooterKey)]

    async with app.run_test(size=(160, 30)) as pilot:
        await wait_until(pilot, lambda: "^n New chat" in shown())
        await pilot.pause(0.1)
        assert len(compositions) == 1  # Textual's footer: three times (focus, resume, focus)
        app.chat.refresh_bindings()  # nothing changed
        await pilot.pause(0.1)
        assert len(compositions) == 1
        app.set_keymap({"chat.new": "f10"})
        await wait_until(pilot, lambda: "f10 New chat" in shown())
        assert len(compositions) == 2


async def test_a_start_on_the_simulated_model_still_offers_a_local_ollama(
    fake_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = registry.detect_ollama

    async def probe_the_fake_server(timeout: float) -> list[str] | None:
        return await probe(timeout=5.0, base_url=fake_server.url)

    monkeypatch.setattr(registry, "detect_ollama", probe_the_fake_server)
    plain = make_app(ScriptedProvider([]))  # on the "simulated" target
    app = ChatApp(plain.session, settings=plain.settings, detect_local_ollama=True)
    async with app.run_test() as pilot:
        await wait_until(
            pilot,
            lambda: any(n.title == "Local models found" for n in app._notifications),
            limit=1000,
        )
