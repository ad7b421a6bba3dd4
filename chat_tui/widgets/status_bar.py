"""The live status bar: target, mode, TTFT, ITL, tokens/s, time, tokens and an ITL sparkline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget

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


_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int) -> str:
    """`values` as at most `width` bars (each the largest of its share of the values), scaled
    from the smallest to the largest."""
    if not values or width <= 0:
        return ""
    per_bar = max(1, -(-len(values) // width))  # ceiling division
    peaks = [max(values[i : i + per_bar]) for i in range(0, len(values), per_bar)]
    low, high = min(peaks), max(peaks)
    top = len(_BARS) - 1
    if high == low:
        return _BARS[0] * len(peaks)
    return "".join(_BARS[round((peak - low) / (high - low) * top)] for peak in peaks)


class StatusBar(Widget):
    """Two lines: target, mode, state and an ITL sparkline; then the reply's figures.

    One widget drawn line by line (Textual's line API): it changes on every flush, and each
    widget inside it would add to the cost of every frame.
    """

    DEFAULT_CSS = """
    StatusBar {
        height: 2;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """
    SPARKLINE_WIDTH = 24

    def __init__(self) -> None:
        super().__init__(id="status-bar")
        self._last: StatusView | None = None
        self._first = Content("")
        self._figures = Content("")
        self._sparkline = Content("")
        self._lines: list[Strip] = []
        self._lines_width = 0

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
        self._first = first
        self._figures = Content("  │  ".join(describe_metrics(view)))
        bars = sparkline(view.itl_recent_ms, self.SPARKLINE_WIDTH)
        self._sparkline = Content.styled(bars, "$primary")
        self._lines_width = 0
        self.refresh()  # two fixed lines: a repaint, never a re-layout

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._lines_width:
            left = max(0, width - self.SPARKLINE_WIDTH - 1)
            first = Content.assemble(
                self._first.truncate(left, ellipsis=True, pad=True),
                " ",
                self._sparkline.truncate(width - left - 1),
            )
            figures = self._figures.truncate(width, ellipsis=True)
            self._lines = [self._strip(first, width), self._strip(figures, width)]
            self._lines_width = width
        return self._lines[y] if y < len(self._lines) else Strip.blank(width)

    def _strip(self, content: Content, width: int) -> Strip:
        strips = Visual.to_strips(self, content, width, 1, self.visual_style, pad=True)
        return strips[0] if strips else Strip.blank(width)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines_width = 0  # the theme may have changed

    @property
    def text(self) -> str:
        """What the bar says, as plain text (for tests and screenshots)."""
        return f"{self._first.plain}\n{self._figures.plain}"
