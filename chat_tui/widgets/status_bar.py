"""The live status bar: target, mode, TTFT, ITL, tokens/s, time, tokens, a finished reply's
cost and an ITL sparkline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from chat_tui.metrics import (
    ReplyMetrics,
    format_cost,
    format_duration,
    format_interval,
    format_rate,
    format_tokens,
)
from chat_tui.reply_record import mode_name, time_with_wait
from chat_tui.text_safety import visible_text


@dataclass(frozen=True, slots=True)
class StatusView:
    """Everything the bar shows, prepared by the screen from the engine's state."""

    target: str  # "OpenAI · gpt-4o-mini" or "Simulated (offline) · simulated-hosted"
    streaming: bool
    metrics: ReplyMetrics | None = None
    elapsed_s: float | None = None  # while running
    running: bool = False
    state: str = ""  # a short word on what is happening: "waiting", "retry in 3 s", "cancelled"
    retry_reason: str = ""  # while waiting to retry: why, in the provider's words
    itl_recent_ms: tuple[float, ...] = ()


def describe_metrics(view: StatusView, *, with_p95: bool = True) -> list[str]:
    """The figures as separate cells (pure, so it is easy to test); `with_p95` False drops
    the ITL p95 (a narrow bar keeps the tokens rather than the tail latency)."""
    m = view.metrics
    if m is None:
        return ["TTFT —", "ITL —", "—", "—", "out —"]
    if not m.streaming:
        if m.ttft_s is None:
            ttft = "TTFT —"
        elif m.retries:  # the total takes in the retries' wait: TTFT is the answered request's
            ttft = f"TTFT {format_duration(m.ttft_s)} (whole reply)"
        else:
            ttft = f"TTFT = total {format_duration(m.ttft_s)}"
        itl = "ITL n/a (non-streaming)"
    else:
        ttft = f"TTFT {format_duration(m.ttft_s)}"
        # The median, as the reply's footer and `stats` give it: one figure, one name.
        if m.itl_p50_s is None:
            itl = "ITL —"
        else:
            itl = f"ITL p50 {format_interval(m.itl_p50_s)}"
            if with_p95:
                itl += f" · p95 {format_interval(m.itl_p95_s)}"
    if view.running:
        time_cell = time_with_wait("elapsed", view.elapsed_s, m)
    else:
        time_cell = time_with_wait("total", m.total_s, m)
    tokens = f"out {format_tokens(m.output_tokens, m.tokens_estimated)}"
    if m.input_tokens is not None:
        tokens = f"in {m.input_tokens} · " + tokens
    return [ttft, itl, format_rate(m.tokens_per_s), time_cell, tokens]


_CELL_GAP = "  │  "
_NARROW_GAP = " │ "


def figures_line(view: StatusView, width: int) -> str:
    """The figures joined, made to fit `width` cells a step at a time: the cost goes first
    (it comes last, and only if the whole line fits), then the gaps narrow, then the ITL p95
    goes; only then is the line cut (at its end, the token counts)."""
    cost = format_cost(view.metrics.cost_usd) if view.metrics is not None else ""
    line = _CELL_GAP.join(describe_metrics(view))
    if cost and cell_len(with_cost := f"{line}{_CELL_GAP}{cost}") <= width:
        return with_cost
    if cell_len(line) <= width:
        return line
    narrow = _NARROW_GAP.join(describe_metrics(view))
    if cell_len(narrow) <= width:
        return narrow
    return _NARROW_GAP.join(describe_metrics(view, with_p95=False))


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
    """Two lines: target, mode, state and an ITL sparkline; then the reply's figures. A third
    while a problem stands (transcripts not saved), for as long as it holds: a toast goes.

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
        self._view = StatusView(target="", streaming=True)
        self._problem = ""
        self._lines: list[Strip] = []
        self._lines_width = 0

    def show(self, view: StatusView) -> None:
        if view == self._view:
            return
        self._view = view
        self._lines_width = 0
        self.refresh()  # two fixed lines: a repaint, never a re-layout

    def show_problem(self, problem: str) -> None:
        """A standing problem on a line of its own ("" removes the line)."""
        if problem == self._problem:
            return
        self._problem = problem
        self._lines_width = 0
        self.styles.height = 3 if problem else 2
        self.refresh(layout=True)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._lines_width:
            self._lines = self._render_lines(width)
            self._lines_width = width
        return self._lines[y] if y < len(self._lines) else Strip.blank(width)

    def _render_lines(self, width: int) -> list[Strip]:
        # Segments built directly: Textual's Content path (wrapping, then styling) cost about
        # a third of each frame, and the bar changes on every flush.
        view = self._view
        theme = self.app.theme_variables
        colour = {name: RichStyle(color=Color.parse(theme[name]).rich_color) for name in _COLOURS}
        mode_style = colour["accent"] if view.streaming else colour["warning"]
        first_line = _first_line(view, mode_style)
        # The sparkline gives up room (down to a third of itself) before the words are cut.
        wanted = Strip(first_line).cell_length
        room = max(self.SPARKLINE_WIDTH // 3, min(self.SPARKLINE_WIDTH, width - wanted - 1))
        bars = sparkline(view.itl_recent_ms, room)
        if bars:
            left = max(0, width - cell_len(bars) - 1)
            first = [
                *_fit(first_line, left),
                Segment(" "),
                Segment(bars, colour["primary"]),
            ]
        else:  # nothing arrived yet (e.g. waiting to retry): the words get the whole line
            first = _fit(first_line, width)
        figures = _fit([Segment(_second_line(view, width))], width)
        lines = [first, figures]
        if self._problem:
            lines.append(_fit([Segment(_problem_line(self._problem), colour["error"])], width))
        base = self.visual_style.rich_style
        return [Strip(line).apply_style(base).adjust_cell_length(width, base) for line in lines]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines_width = 0  # the theme may have changed

    @property
    def text(self) -> str:
        """What the bar says, as plain text (for tests and screenshots)."""
        first = "".join(segment.text for segment in _first_line(self._view, _BOLD))
        text = f"{first}\n{_second_line(self._view, self.content_size.width)}"
        return f"{text}\n{_problem_line(self._problem)}" if self._problem else text


_COLOURS = ("accent", "warning", "primary", "error")
_BOLD = RichStyle(bold=True)
_ITALIC = RichStyle(italic=True)


def _first_line(view: StatusView, mode_style: RichStyle) -> list[Segment]:
    """Target, mode and state (model and server text made visible-safe). While waiting to
    retry, the countdown comes first: it is what the user acts on (Esc), and the bar cuts
    the end of a line that does not fit."""
    line = [
        Segment(visible_text(view.target), _BOLD),
        Segment(" │ "),
        Segment(mode_name(view.streaming), mode_style),
    ]
    if not view.state:
        return line
    state = Segment(visible_text(view.state), _ITALIC)
    if view.retry_reason:
        return [state, Segment(" │ "), *line]
    return [*line, Segment(" │ "), state]


def _second_line(view: StatusView, width: int) -> str:
    """The figures; while waiting to retry, the provider's words before them."""
    if view.retry_reason:
        reason = " ".join(visible_text(view.retry_reason).split())
        return reason + _CELL_GAP + _CELL_GAP.join(describe_metrics(view))
    return figures_line(view, width)


def _problem_line(problem: str) -> str:
    return "⚠ " + " ".join(visible_text(problem).split())


def _fit(segments: list[Segment], width: int) -> list[Segment]:
    """`segments` padded or cut to `width` cells, with an ellipsis where cut."""
    strip = Strip(segments)
    if strip.cell_length <= width:
        return list(strip.adjust_cell_length(width))
    return [*strip.crop(0, max(0, width - 1)), Segment("…")]
