"""The live status bar: target, mode, TTFT, ITL, tokens/s, time, tokens and an ITL sparkline."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Sparkline, Static

from chat_tui.metrics import (
    ReplyMetrics,
    format_duration,
    format_interval,
    format_rate,
    format_tokens,
)


@dataclass(frozen=True, slots=True)
class StatusView:
    """Everything the bar shows, prepared by the screen from the engine's state."""

    target: str  # "OpenAI · gpt-4o-mini" or "Simulated (offline) · simulated-hosted"
    streaming: bool
    metrics: ReplyMetrics | None = None
    elapsed_s: float | None = None  # while running
    running: bool = False
    state: str = ""  # a short word on what is happening: "waiting", "retry in 3 s", "cancelled"
    itl_recent_ms: tuple[float, ...] = ()


def describe_metrics(view: StatusView) -> list[str]:
    """The figures as separate cells (pure, so it is easy to test)."""
    m = view.metrics
    if m is None:
        return ["TTFT —", "ITL —", "—", "—", "out —"]
    if not m.streaming:
        ttft = f"TTFT = total {format_duration(m.ttft_s)}" if m.ttft_s is not None else "TTFT —"
        itl = "ITL n/a (non-streaming)"
    else:
        ttft = f"TTFT {format_duration(m.ttft_s)}"
        if m.itl_mean_s is None:
            itl = "ITL —"
        else:
            itl = f"ITL {format_interval(m.itl_mean_s)} avg · p95 {format_interval(m.itl_p95_s)}"
    if view.running:
        time_cell = f"elapsed {format_duration(view.elapsed_s)}"
    else:
        time_cell = f"total {format_duration(m.total_s)}"
    tokens = f"out {format_tokens(m.output_tokens, m.tokens_estimated)}"
    if m.input_tokens is not None:
        tokens = f"in {m.input_tokens} · " + tokens
    return [ttft, itl, format_rate(m.tokens_per_s), time_cell, tokens]


class StatusBar(Vertical):
    DEFAULT_CSS = """
    StatusBar {
        height: 2;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    StatusBar > Horizontal { height: 1; }
    StatusBar #status-target { width: 1fr; height: 1; }
    StatusBar #status-sparkline { width: 24; height: 1; margin-left: 1; }
    StatusBar #status-figures { height: 1; width: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__(id="status-bar")
        self._last: StatusView | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static(id="status-target", markup=False)
            yield Sparkline([], id="status-sparkline")
        yield Static(id="status-figures", markup=False)

    def show(self, view: StatusView) -> None:
        if view == self._last:
            return
        self._last = view
        mode = "streaming" if view.streaming else "non-streaming"
        first = Content.assemble(
            (view.target, "bold"),
            " │ ",
            (mode, "$accent" if view.streaming else "$warning"),
        )
        if view.state:
            first = Content.assemble(first, " │ ", (view.state, "italic"))
        # Fixed-size cells: a repaint is enough, never a re-layout of the screen.
        self.query_one("#status-target", Static).update(first, layout=False)
        figures = Content("  │  ".join(describe_metrics(view)))
        self.query_one("#status-figures", Static).update(figures, layout=False)
        self.query_one("#status-sparkline", Sparkline).data = list(view.itl_recent_ms)

    @property
    def text(self) -> str:
        """What the bar says, as plain text (for tests and screenshots)."""
        target = self.query_one("#status-target", Static).content
        figures = self.query_one("#status-figures", Static).content
        return f"{target}\n{figures}"
