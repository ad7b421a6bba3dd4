"""The live status bar: target, mode, TTFT, ITL, tokens/s, time, tokens, a finished reply's
cost and an ITL sparkline."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
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
    model: str = ""  # the model alone ("gpt-4o-mini"): what a narrow bar keeps of the target
    brief_state: str = ""  # the state in fewer words ("waiting"), for a narrow bar


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
_TTFT, _ITL, _RATE, _TIME, _TOKENS = range(5)  # the cells of `describe_metrics`


def figures_line(view: StatusView, width: int) -> str:
    """The figures joined, made to fit `width` cells a step at a time: the cost goes first
    (it comes last, and only if the whole line fits), then the gaps narrow, then the ITL p95
    goes; then whole figures give way (see `_fewer_figures`), so that none is cut in half."""
    cost = format_cost(view.metrics.cost_usd) if view.metrics is not None else ""
    line = _CELL_GAP.join(describe_metrics(view))
    if cost and cell_len(with_cost := f"{line}{_CELL_GAP}{cost}") <= width:
        return with_cost
    if cell_len(line) <= width:
        return line
    narrow = _NARROW_GAP.join(describe_metrics(view))
    if cell_len(narrow) <= width:
        return narrow
    for cells in _fewer_figures(view, describe_metrics(view, with_p95=False)):
        narrow = _NARROW_GAP.join(cells)
        if cell_len(narrow) <= width:
            return narrow
    return _cut_at_a_space(narrow, width)  # the TTFT alone does not fit: under 12 columns


def _fewer_figures(view: StatusView, cells: list[str]) -> Iterator[list[str]]:
    """`cells`, then with one more figure left out at each step, the least needed first: the
    ITL (tokens/s says the same in the unit replies are compared by), then tokens/s; then the
    input tokens, the retries' detail, the time and the output tokens, leaving the TTFT. A
    non-streaming reply's ITL is "n/a", and once it has finished its total is its TTFT ("TTFT =
    total"), unless retries made it longer: both go first."""
    m = view.metrics
    same_as_ttft = (
        m is not None
        and not m.streaming
        and m.ttft_s is not None
        and not m.retries  # after retries the total holds their wait too
        and not view.running
    )
    dropped = [_ITL, _TIME, _RATE] if same_as_ttft else [_ITL, _RATE]
    shown = dict(enumerate(cells))
    yield cells
    for index in dropped:
        del shown[index]
        yield list(shown.values())
    if m is not None and m.input_tokens is not None:
        shown[_TOKENS] = f"out {format_tokens(m.output_tokens, m.tokens_estimated)}"
        yield list(shown.values())
    if _TIME in shown and " (" in shown[_TIME]:
        # "(3.04 s waiting, 2 retries)" goes: the time before it still holds the wait.
        shown[_TIME] = shown[_TIME].split(" (")[0]
        yield list(shown.values())
    for index in (_TIME, _TOKENS):
        if index in shown:
            del shown[index]
            yield list(shown.values())


def _cut_at_a_space(text: str, width: int) -> str:
    """`text` whole if it fits; else its whole words that fit with " …" after them (a word
    or a figure is cut in half only when not even the first one fits)."""
    if cell_len(text) <= width:
        return text
    head = set_cell_size(text, max(0, width - 2))
    if text[len(head) : len(head) + 1] not in (" ", ""):  # it ends inside a word
        head = head[: head.rindex(" ")] if " " in head else ""
    if head.strip():
        return head.rstrip() + " …"
    return set_cell_size(text, max(0, width - 1)) + "…"


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

    @property
    def view(self) -> StatusView:
        """What the bar shows now."""
        return self._view

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
        forms = _first_line_forms(view, mode_style)
        # The sparkline gives up room (down to a third of itself), then goes, before a word
        # does; then the provider's name goes, then the mode; the model and the state stay.
        room = min(self.SPARKLINE_WIDTH, width - Strip(forms[0]).cell_length - 1)
        bars = sparkline(view.itl_recent_ms, room) if room >= self.SPARKLINE_WIDTH // 3 else ""
        if bars:
            left = max(0, width - cell_len(bars) - 1)
            first = [*_fit(forms[0], left), Segment(" "), Segment(bars, colour["primary"])]
        else:
            words = next((f for f in forms if Strip(f).cell_length <= width), forms[-1])
            first = _fit(words, width)
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
        first = "".join(segment.text for segment in _first_line_forms(self._view, _BOLD)[0])
        text = f"{first}\n{_second_line(self._view, self.content_size.width)}"
        return f"{text}\n{_problem_line(self._problem)}" if self._problem else text


_COLOURS = ("accent", "warning", "primary", "error")
_BOLD = RichStyle(bold=True)
_ITALIC = RichStyle(italic=True)


def _first_line_forms(view: StatusView, mode_style: RichStyle) -> list[list[Segment]]:
    """Target, mode and state (model and server text made visible-safe), longest first: then
    the model alone for the target, then without the mode, then with the brief state. While
    waiting to retry, the countdown comes first: it is what the user acts on (Esc), and the
    bar cuts the end of a line that does not fit."""
    target = Segment(visible_text(view.target), _BOLD)
    mode = Segment(mode_name(view.streaming), mode_style)
    names = [[target, mode]]
    if view.model and view.model != view.target:
        model = Segment(visible_text(view.model), _BOLD)
        names += [[model, mode], [model]]
    if not view.state:
        return _joined(names)
    states = [(name, view.state) for name in names]
    if view.brief_state and view.brief_state != view.state:
        states += [(name, view.brief_state) for name in names[-2:]]  # the shortest names
    forms = []
    for name, words in states:
        state = Segment(visible_text(words), _ITALIC)
        forms.append([state, *name] if view.retry_reason else [*name, state])
    return _joined(forms)


def _joined(forms: list[list[Segment]]) -> list[list[Segment]]:
    """Each form's parts with " │ " between them."""
    gap = Segment(" │ ")
    return [[segment for part in form for segment in (gap, part)][1:] for form in forms]


def _second_line(view: StatusView, width: int) -> str:
    """The figures; while waiting to retry, the provider's words before them."""
    if view.retry_reason:
        reason = " ".join(visible_text(view.retry_reason).split())
        return reason + _CELL_GAP + _CELL_GAP.join(describe_metrics(view))
    return figures_line(view, width)


def _problem_line(problem: str) -> str:
    return "⚠ " + " ".join(visible_text(problem).split())


def _fit(segments: list[Segment], width: int) -> list[Segment]:
    """`segments` padded to `width` cells, or cut after the last whole word that leaves room
    for an ellipsis."""
    strip = Strip(segments)
    if strip.cell_length <= width:
        return list(strip.adjust_cell_length(width))
    kept = cell_len(_cut_at_a_space(strip.text, width)) - 1
    return [*strip.crop(0, kept), Segment("…")]
