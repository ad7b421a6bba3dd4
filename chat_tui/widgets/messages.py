"""One widget per message. An assistant reply renders as finished Markdown segments plus one
small live tail, so the cost of a flush depends on the tail, not on the reply or the history.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Collapsible, Static

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.markdown_split import split_segments
from chat_tui.reply_record import reply_footer, reply_label
from chat_tui.text_safety import visible_text

# A finished segment holds at least this much text; the live tail rarely grows past twice it.
SEGMENT_CHARS = 600
# Finished segments of a streaming reply are gathered into one widget this many at a time.
SEGMENTS_PER_BLOCK = 8
# The live tail's height grows this many lines at a time (see MarkdownSegment.set_source).
LIVE_HEIGHT_STEP = 4


class LiteralMarkdown(RichMarkdown):
    """Rich Markdown with raw HTML shown as text (Rich would silently drop `<div>` etc.)."""

    def __init__(self, markup: str, code_theme: str = "monokai") -> None:
        # Not super().__init__: it would parse the text once more with HTML enabled.
        self.markup = markup
        self.parsed = _PARSER.parse(markup)
        self.code_theme = code_theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = False
        self.inline_code_lexer = None
        self.inline_code_theme = code_theme


_PARSER = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")


class RenderedOnce:
    """A renderable that renders its content once per width and replays the segments.

    Textual renders a Static's content twice per layout (once to measure its height, once to
    paint it); for the live tail that doubled the cost of every flush.
    """

    def __init__(
        self, renderable: RichMarkdown, *, gap_after: bool = False, height_step: int = 1
    ) -> None:
        self.renderable = renderable
        # A finished segment was cut at a blank line, which Rich drops at the end of a
        # document: put it back so blocks keep their spacing across segments.
        self.gap_after = gap_after
        # Pad the height up to a multiple of this (see MarkdownSegment.set_source).
        self.height_step = height_step
        self._width: int | None = None
        self._segments: list[Segment] = []

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width != self._width:
            self._segments = list(console.render(self.renderable, options))
            if self.gap_after:
                self._segments.append(Segment.line())
            if self.height_step > 1:
                lines = sum(1 for segment in self._segments if segment.text == "\n")
                self._segments += [Segment.line()] * (-lines % self.height_step)
            self._width = options.max_width
        return self._segments


class MarkdownSegment(Static):
    """A piece of a reply rendered as Markdown. Its text is already made visible-safe."""

    # Never scrolled itself: see AssistantMessage.virtual_size.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    DEFAULT_CSS = """
    MarkdownSegment { height: auto; width: 1fr; }
    """

    def __init__(
        self, text: str = "", code_theme: str = "monokai", *, finished: bool = False
    ) -> None:
        super().__init__()
        self.code_theme = code_theme
        self.finished = finished  # cut at a block boundary (not the live tail)
        self.source = ""
        self._lines: int | None = None  # rendered height at the current width
        self.rendered: RenderedOnce | None = None
        if text:
            self.set_source(text)

    def set_source(self, text: str, *, height_step: int = 1) -> None:
        """Show `text`. A live tail passes `height_step` > 1: its height then grows a few
        lines at a time (blank lines below the text), so the log scrolls and re-lays out on
        one flush in several instead of each time the reply gains a line."""
        self.source = text
        if not text.strip():
            self._lines = 0
            self.rendered = None
            self.update("")
            return
        markdown = LiteralMarkdown(text, self.code_theme)
        rendered = RenderedOnce(markdown, gap_after=self.finished, height_step=height_step)
        self.rendered = rendered
        # Most flushes only lengthen the last line: then the height is unchanged and a
        # repaint of this widget will do, instead of re-laying out (and scrolling) the log.
        lines = self._count_lines(rendered)
        self.update(rendered, layout=lines is None or lines != self._lines)
        self._lines = lines

    def _count_lines(self, rendered: RenderedOnce) -> int | None:
        width = self.size.width
        if not self.is_mounted or width <= 0:
            return None
        console = self.app.console
        segments = console.render(rendered, console.options.update_width(width))
        return sum(1 for _ in Segment.split_lines(segments))


class FinishedMarkdown(Static):
    """Several finished segments of a reply in one widget.

    Each part keeps its own rendering (done once per width), so the block costs little to
    paint, and one widget instead of many keeps the log's layout cheap on every flush.
    """

    DEFAULT_CSS = """
    FinishedMarkdown { height: auto; width: 1fr; }
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, parts: list[RenderedOnce], source: str) -> None:
        super().__init__(Group(*parts))
        self.parts = parts
        self.source = source


def finished_markdown(segments: list[str], code_theme: str) -> FinishedMarkdown:
    """One widget for text cut at block boundaries (the last piece may end anywhere)."""
    last = len(segments) - 1
    parts = [
        RenderedOnce(LiteralMarkdown(segment, code_theme), gap_after=index < last)
        for index, segment in enumerate(segments)
    ]
    return FinishedMarkdown(parts, "".join(segments))


class TypingIndicator(Static):
    """Shown from the moment a message is sent until the first token (or the whole reply)."""

    DEFAULT_CSS = """
    TypingIndicator { height: 1; color: $text-muted; }
    """
    FRAMES = ("●○○", "○●○", "○○●", "○●○")

    def __init__(self, label: str) -> None:
        super().__init__(markup=False)
        self.label = label
        self._frame = 0

    def on_mount(self) -> None:
        self._tick()
        if self.app.animation_level != "none":
            self.set_interval(0.25, self._tick)

    def _tick(self) -> None:
        self.update(f"{self.FRAMES[self._frame % len(self.FRAMES)]} {self.label}")
        self._frame += 1


class UserMessage(Static):
    DEFAULT_CSS = """
    UserMessage {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $secondary;
        background: $boost;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__(Content(visible_text(text)), markup=False)


class AssistantMessage(Vertical):
    """A reply: header, optional reasoning block, typing indicator, body segments, footer."""

    # A reply is never scrolled itself: its virtual size changing as it grows needs no second
    # layout pass (Textual's default would re-lay out the whole screen once more per flush).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    DEFAULT_CSS = """
    AssistantMessage {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $primary;
    }
    AssistantMessage > .header { color: $primary; text-style: bold; height: 1; }
    AssistantMessage > .footer { color: $text-muted; height: auto; }
    AssistantMessage.-cancelled > .footer { color: $warning; }
    AssistantMessage.-failed > .footer { color: $error; }
    AssistantMessage Collapsible.reasoning {
        border: none;
        padding: 0;
        margin: 0;
        color: $text-muted;
        background: transparent;
    }
    AssistantMessage Collapsible.reasoning Static { color: $text-muted; text-style: italic; }
    AssistantMessage Collapsible.reasoning Contents { padding: 0 0 0 2; }
    """

    def __init__(
        self,
        label: str,
        *,
        text: str = "",
        reasoning: str = "",
        footer: str = "",
        waiting_label: str | None = None,
        code_theme: str = "monokai",
    ) -> None:
        super().__init__()
        self.label = label
        self.code_theme = code_theme
        self._initial_text = visible_text(text)
        self._reasoning = visible_text(reasoning)
        self._initial_footer = footer
        self._waiting_label = waiting_label
        self._tail = ""  # the live, still-growing part of the text
        self._tail_segment: MarkdownSegment | None = None
        self._loose: list[MarkdownSegment] = []  # finished segments not yet in a block
        self._reasoning_text: Static | None = None
        self._indicator: TypingIndicator | None = None
        self.text = ""

    def compose(self) -> ComposeResult:
        yield Static(Content(self.label), classes="header", markup=False)
        if self._reasoning:
            yield self._make_reasoning(self._reasoning, collapsed=True)
        if self._waiting_label is not None:
            self._indicator = TypingIndicator(self._waiting_label)
            yield self._indicator
        # Segments sit directly in the message (no body container): every widget in the log
        # costs layout time on each flush, and a long history holds many replies.
        segments, tail = split_segments(self._initial_text, SEGMENT_CHARS)
        if self._waiting_label is None and self._initial_text:
            # A finished reply (from history): one widget for all of it, nothing live.
            yield finished_markdown([*segments, tail], self.code_theme)
        else:
            if segments:
                yield finished_markdown([*segments, ""], self.code_theme)
            self._tail = tail
            self._tail_segment = MarkdownSegment(tail, self.code_theme)
            yield self._tail_segment
        self.text = self._initial_text
        yield Static(Content(self._initial_footer), classes="footer", markup=False)

    def _make_reasoning(self, text: str, *, collapsed: bool) -> Collapsible:
        self._reasoning_text = Static(Content(text), markup=False)
        return Collapsible(
            self._reasoning_text,
            title="Reasoning",
            collapsed=collapsed,
            classes="reasoning",
        )

    @property
    def reasoning(self) -> str:
        return self._reasoning

    def stop_waiting(self) -> None:
        if self._indicator is not None:
            self._indicator.remove()
            self._indicator = None

    def append(self, text: str, reasoning: str = "") -> None:
        """Add newly received text (and reasoning); called once per flush."""
        if reasoning:
            self.stop_waiting()
            self._append_reasoning(visible_text(reasoning))
        if not text:
            return
        self.stop_waiting()
        if self._reasoning and self._reasoning_collapsible.collapsed is False and not self.text:
            self._reasoning_collapsible.collapsed = True  # the answer started
        text = visible_text(text)
        self.text += text
        segments, self._tail = split_segments(self._tail + text, SEGMENT_CHARS)
        if self._tail_segment is None:
            self._tail_segment = MarkdownSegment(code_theme=self.code_theme)
            self.mount(self._tail_segment, before=self.query_one(".footer"))
        if segments:
            loose = [MarkdownSegment(s, self.code_theme, finished=True) for s in segments]
            self.mount_all(loose, before=self._tail_segment)
            self._loose += loose
            if len(self._loose) >= SEGMENTS_PER_BLOCK:
                self._gather_loose_segments()
        self._tail_segment.set_source(self._tail, height_step=LIVE_HEIGHT_STEP)

    def _gather_loose_segments(self) -> None:
        """Replace the finished segments mounted one by one with a single block."""
        loose, self._loose = self._loose, []
        parts = [segment.rendered for segment in loose if segment.rendered is not None]
        block = FinishedMarkdown(parts, "".join(segment.source for segment in loose))
        self.mount(block, before=loose[0])
        for segment in loose:
            segment.remove()

    @property
    def _reasoning_collapsible(self) -> Collapsible:
        return self.query_one("Collapsible.reasoning", Collapsible)

    def _append_reasoning(self, reasoning: str) -> None:
        self._reasoning += reasoning
        if self._reasoning_text is None:
            self.mount(self._make_reasoning(self._reasoning, collapsed=False), after=0)
        else:
            self._reasoning_text.update(Content(self._reasoning))

    def toggle_reasoning(self) -> bool:
        """Expand or collapse the reasoning block; False if there is none."""
        if not self._reasoning:
            return False
        collapsible = self._reasoning_collapsible
        collapsible.collapsed = not collapsible.collapsed
        return True

    def finish(self, turn: Turn) -> None:
        """The reply ended (completed, cancelled or failed): show its record."""
        self.stop_waiting()
        if self._tail_segment is not None and self._tail_segment.source:
            self._tail_segment.set_source(self._tail)  # without the live padding
        if self._reasoning and self.text:
            self._reasoning_collapsible.collapsed = True
        self.set_class(turn.status is MessageStatus.CANCELLED, "-cancelled")
        self.set_class(turn.status in _FAILED, "-failed")
        self.query_one(".footer", Static).update(Content(reply_footer(turn)))


_FAILED = (MessageStatus.INTERRUPTED, MessageStatus.ERROR)


def turn_widget(turn: Turn) -> UserMessage | AssistantMessage:
    """A finished turn as the chat shows it (also used by the transcript view)."""
    if turn.role == "user":
        return UserMessage(turn.text)
    message = AssistantMessage(
        reply_label(turn), text=turn.text, reasoning=turn.reasoning, footer=reply_footer(turn)
    )
    message.set_class(turn.status is MessageStatus.CANCELLED, "-cancelled")
    message.set_class(turn.status in _FAILED, "-failed")
    return message
