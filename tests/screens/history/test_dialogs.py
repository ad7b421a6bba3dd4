"""The reusable confirm and text-prompt dialogs, in a tiny host app."""

from __future__ import annotations

from textual.app import App

from chat_tui.screens.dialogs import ConfirmDialog, TextPromptDialog


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []

    def ask(self, dialog: ConfirmDialog | TextPromptDialog) -> None:
        self.push_screen(dialog, self.results.append)


async def test_confirm_dialog_cancels_by_default_and_confirms_with_y() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.ask(ConfirmDialog("Delete?", "[b]literal[/b] \x1b]0;x\x07", danger=True))
        await pilot.pause()
        await pilot.press("enter")  # Cancel has the focus
        await pilot.pause()
        app.ask(ConfirmDialog("Delete?", "sure"))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        app.ask(ConfirmDialog("Delete?", "sure"))
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.results == [False, False, True]


async def test_text_prompt_returns_the_text_or_none() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.ask(TextPromptDialog("Rename", value="old"))
        await pilot.pause()
        await pilot.press("ctrl+u", "n", "e", "w", "enter")
        await pilot.pause()
        app.ask(TextPromptDialog("Rename", value="old"))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        app.ask(TextPromptDialog("Rename"))
        await pilot.pause()
        await pilot.press("enter")  # empty is refused: still open
        await pilot.pause()
        assert isinstance(app.screen, TextPromptDialog)
    assert app.results == ["new", None]
