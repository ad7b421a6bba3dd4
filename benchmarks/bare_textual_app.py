"""The reference for start-up: a bare Textual app (a `Static` and a `Footer`), run as a script
the way the console script runs chat-tui.

    python benchmarks/bare_textual_app.py
"""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static

LANDMARK = "A bare Textual app"


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(LANDMARK)
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
