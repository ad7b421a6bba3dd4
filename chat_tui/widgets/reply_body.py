"""A reply's Markdown as one line-based widget: finished blocks are rendered once per width
and only the small live tail is re-rendered on a flush, so the cost of a flush depends on the
tail, not on the reply or the history. It implements Textual's selection API over its lines.
"""

from __future__ import annotations

import importlib
import threading
import weakref
from bisect import bisect_right
from collections import OrderedDict

from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.selection import Selection
from textual.strip import Strip
from textual.theme import Theme as TextualTheme
from textual.widget import Widget

from chat_tui.markdown_split import split_segments
from chat_tui.theming import code_theme_for
from chat_tui.widgets.following_scroll import FollowingScroll
from chat_tui.widgets.line_selection import (
    SelectionLook,
    highlighted,
    selected_text,
)

# Finished blocks are cut from the live tail once it holds this much text past a block
# boundary: the tail (re-rendered on every flush) stays about one block long.
SEGMENT_CHARS = 160
# A live reply's height grows a screen at a time, and at least this many lines: blank room below
# its text, which the log keeps out of sight (see ReplyBody._repaint_from, FollowingScroll).
MIN_LIVE_HEIGHT_STEP = 4
# The rendered lines kept, over every finished reply of the app (about 30 screens at 120x40).
# Each line painted also keeps the lines Textual derives from it (styled, cropped, the widget's
# painted copy: about 12 KB a line in all), so a 100,000-token conversation paged through once
# held about 120 MB. Replies painted least recently give theirs up first and render them again
# when they are shown (about 4 ms per 1,000 characters).
KEPT_LINES = 1_200


class _RenderedReplies:
    """The finished replies holding rendered lines, least recently shown first."""

    def __init__(self) -> None:
        self._lines: OrderedDict[int, tuple[weakref.ref[ReplyBody], int]] = OrderedDict()
        self._total = 0

    def shown(self, body: ReplyBody, lines: int) -> None:
        """`body` holds `lines` rendered lines and was just rendered or painted."""
        key = id(body)
        old = self._lines.pop(key, None)
        if old is not None:
            self._total -= old[1]
        self._lines[key] = (weakref.ref(body, lambda _: self.forget(key)), lines)
        self._total += lines
        while self._total > KEPT_LINES and len(self._lines) > 1:
            first = next(iter(self._lines))
            reference, _ = self._lines[first]
            self.forget(first)
            oldest = reference()
            if oldest is not None:
                oldest.drop_lines()

    def forget(self, key: int) -> None:
        entry = self._lines.pop(key, None)
        if entry is not None:
            self._total -= entry[1]

    @property
    def total(self) -> int:
        return self._total


RENDERED = _RenderedReplies()


def preload_markdown() -> None:
    """Import the Markdown renderer in a background thread, so the first reply does not wait
    for it on the event loop (40-70 ms here). A render that comes first imports it itself."""
    threading.Thread(
        target=importlib.import_module,
        args=("chat_tui.widgets.markdown_render",),
        name="chat-tui-preload-markdown",
        daemon=True,
    ).start()


def markdown_lines(
    source: str,
    console: Console,
    options: ConsoleOptions,
    code_theme: str,
    *,
    live: bool = False,
) -> list[Strip]:
    """`source` rendered as Markdown at `options.max_width`, a Strip per line."""
    if not source.strip():
        return []
    from chat_tui.widgets.markdown_render import reply_markdown  # not at start-up (see there)

    segments = console.render(reply_markdown(source, code_theme, live=live), options)
    width = options.max_width
    lines = Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)
    return _single_spaced([Strip(line) for line in lines])


def _is_blank(line: Strip) -> bool:
    """Nothing visible: spaces without a background (a code block's empty line has one)."""
    return all(
        not segment.text.strip() and (segment.style is None or segment.style.bgcolor is None)
        for segment in line
    )


def _single_spaced(lines: list[Strip]) -> list[Strip]:
    """One blank line between blocks at most, none before or after them: Rich adds its own
    blank rows around tables and between elements, two or three in a row."""
    spaced: list[Strip] = []
    for line in lines:
        if _is_blank(line) and (not spaced or _is_blank(spaced[-1])):
            continue
        spaced.append(line)
    while spaced and _is_blank(spaced[-1]):
        spaced.pop()
    return spaced


class _Block:
    """A finished piece of a reply (cut at a block boundary), rendered once per width."""

    __slots__ = ("lines", "source", "width")

    def __init__(self, source: str) -> None:
        self.source = source
        self.width = 0
        self.lines: list[Strip] = []


class ReplyBody(Widget):
    """A reply's Markdown as lines (Textual's line API): only visible lines are painted, and a
    flush repaints only the lines that changed (see _repaint_from).

    Separate widgets per block made every finished block a layout and a repaint of the log;
    here cutting a block off the tail changes nothing on screen.
    """

    DEFAULT_CSS = """
    ReplyBody { height: auto; width: 1fr; }
    """

    # Never scrolled itself: see AssistantMessage.virtual_size.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    def __init__(self, text: str = "", code_theme: str = "monokai", *, live: bool) -> None:
        """`text` is already visible-safe. A `live` body grows by `append` until `finish`."""
        super().__init__()
        self.code_theme = code_theme
        self.live = live
        self.source = text
        blocks, self._tail = split_segments(text, SEGMENT_CHARS)
        self._blocks = [_Block(block) for block in blocks]
        self._block_lines: list[Strip] = []  # every block's lines, at self._width
        self._tail_lines: list[Strip] = []
        self._width = 0
        self._height = 0
        self._text_rows = 0  # the height without the live room below the text
        self._shown_selection: Selection | None = None  # kept by selection_updated
        self._painting = False  # see render_lines
        # Dropped (see drop_lines): the blocks' lines are rendered again one block at a time,
        # as they are asked for; `_block_starts` holds the line each block starts at.
        self._dropped = False
        self._block_starts: list[int] = []
        self._held = 0  # rendered lines this body holds (RENDERED counts them)

    def on_mount(self) -> None:
        self._use_code_theme(self.app.current_theme)
        self.app.theme_changed_signal.subscribe(self, self._use_code_theme)

    def _use_code_theme(self, theme: TextualTheme) -> None:
        """Code follows the app's theme: a light code theme on a light theme."""
        code_theme = code_theme_for(theme)
        if code_theme != self.code_theme:
            self.code_theme = code_theme
            for block in self._blocks:
                block.width = 0  # rendered again at the next layout
            self._width = 0
            self.refresh(layout=True)

    # ---- changes ---------------------------------------------------------------------------

    def append(self, text: str) -> None:
        """Add newly streamed (visible-safe) text; called once per flush."""
        self.source += text
        blocks, self._tail = split_segments(self._tail + text, SEGMENT_CHARS)
        first_changed = len(self._block_lines)
        new_blocks = [_Block(block) for block in blocks]
        self._blocks += new_blocks
        if not self._width:
            self.refresh(layout=True)  # not laid out yet: get_content_height renders it all
            return
        for block in new_blocks:
            self._block_lines += self._block_at(block, self._width)
        self._repaint_from(first_changed)

    def finish(self) -> None:
        """The reply ended: drop the live room below the text."""
        self.live = False
        if self._width:
            self._repaint_from(len(self._block_lines))
            self._held = self._text_rows
            RENDERED.shown(self, self._held)

    def drop_lines(self) -> None:
        """Give up the rendered lines (and Textual's painted copies of them) while keeping
        the height: the lines come back a block at a time when they are painted, selected
        or copied. Never while the reply is live."""
        if self.live or self._dropped or not self._width:
            return
        starts: list[int] = []
        line = 0
        for block in self._blocks:
            starts.append(line)
            line += len(block.lines)
            block.lines = []
            block.width = 0
        self._block_starts = starts
        self._block_lines = []
        self._dropped = True
        self._held = len(self._tail_lines)
        # Textual's copies: the lines painted (with the widget's padding), and its parent's.
        self._styles_cache.clear()
        if self.parent is not None:
            self.parent._styles_cache.clear()  # type: ignore[attr-defined]

    @property
    def lines_dropped(self) -> bool:
        return self._dropped

    @property
    def held_lines(self) -> int:
        """The rendered lines this body holds now."""
        return self._held

    def _repaint_from(self, first_changed: int) -> None:
        """Re-render the tail (which started at line `first_changed`), repaint the lines that
        changed, and re-lay out the screen only if the height changed.

        A live body's height grows a screen at a time (blank room below the text), so the
        screen is re-laid out once a screen of text (12 ms with a long log) instead of each
        time the reply gains a line. The log that follows the end keeps the room below its
        view and moves the view one line down as the text gains one (a scroll: see
        FollowingScroll).
        """
        old = self._tail_lines
        self._tail_lines = self._render_markdown(self._tail, self._width, live=self.live)
        new = self._block_lines[first_changed:] + self._tail_lines
        # Most of a growing tail renders as before (a paragraph changes in its last line or
        # two): repaint from the first line that differs. The room below the text stays
        # blank, so the lines that change end at the longer of the two texts.
        start = next(
            (i for i, (before, after) in enumerate(zip(old, new, strict=False)) if before != after),
            min(len(old), len(new)),
        )
        end = max(len(old), len(new))
        if len(old) == len(new):
            while end > start and old[end - 1] == new[end - 1]:
                end -= 1
        rows = len(self._block_lines) + len(self._tail_lines)
        moved = rows - self._text_rows
        self._text_rows = rows
        height = self._padded(rows)
        changed = Region(0, first_changed + start, self._width, end - start)
        if height != self._height:
            self._height = height
            self.refresh(changed, layout=True)  # the log places its view in this layout
            return
        if changed.height > 0:
            self.refresh(changed)
        if moved:
            self._show_text_end(moved)

    def _show_text_end(self, moved: int) -> None:
        """The text's end moved `moved` rows inside the room: the scroll that follows it
        moves now, so the new lines and the scroll make one frame (a message arrived a frame
        later: a third more frames, each repainting the whole log)."""
        for ancestor in self.ancestors:
            if isinstance(ancestor, FollowingScroll):
                ancestor.show_text_end(moved)
                return

    @property
    def blank_rows(self) -> int:
        """Rows of the live room below the text (none once finished)."""
        return self._height - self._text_rows

    def _padded(self, rows: int) -> int:
        if not self.live:
            return rows
        step = max(MIN_LIVE_HEIGHT_STEP, self.screen.size.height)
        return rows + -rows % step

    # ---- rendering -------------------------------------------------------------------------

    # Not `_render`: that is Widget's own, and Textual's text selection calls it.
    def _render_markdown(self, source: str, width: int, *, live: bool = False) -> list[Strip]:
        options = self.app.console_options.update(width=width, highlight=False)
        return markdown_lines(source, self.app.console, options, self.code_theme, live=live)

    def _block_at(self, block: _Block, width: int) -> list[Strip]:
        if block.width != width:
            block.lines = self._render_markdown(block.source, width)
            # A block was cut at a blank line, which Rich drops at the end of a document:
            # put it back so blocks keep their spacing.
            if block.lines:
                block.lines.append(Strip.blank(0))
            block.width = width
        return block.lines

    def _render_all(self, width: int) -> None:
        self._width = width
        self._dropped = False
        self._block_lines = [
            line for block in self._blocks for line in self._block_at(block, width)
        ]
        self._tail_lines = self._render_markdown(self._tail, width, live=self.live)
        self._text_rows = len(self._block_lines) + len(self._tail_lines)
        self._height = self._padded(self._text_rows)
        self._held = self._text_rows
        if not self.live:
            RENDERED.shown(self, self._held)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._width:
            self._render_all(width)
        return self._height

    def _line(self, y: int) -> Strip | None:
        if self._dropped:
            return self._line_rendered_again(y)
        blocks = len(self._block_lines)
        if y < blocks:
            return self._block_lines[y]
        if y - blocks < len(self._tail_lines):
            return self._tail_lines[y - blocks]
        return None

    def _line_rendered_again(self, y: int) -> Strip | None:
        """Line `y` of a body whose lines were dropped: its block is rendered again."""
        tail_start = self._text_rows - len(self._tail_lines)
        if y >= tail_start:
            tail = y - tail_start
            return self._tail_lines[tail] if tail < len(self._tail_lines) else None
        index = bisect_right(self._block_starts, y) - 1
        if index < 0:
            return None
        block = self._blocks[index]
        if block.width != self._width:
            self._held += len(self._block_at(block, self._width))
        offset = y - self._block_starts[index]
        return block.lines[offset] if offset < len(block.lines) else None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._width:
            self._render_all(width)
        # The widget's colours are applied here, not stored in the lines, so a theme change
        # needs no new render. (`visual_style` is cached; `rich_style` walks every ancestor.)
        style = self.visual_style.rich_style
        line = self._line(y)
        if line is None:
            return Strip.blank(width, style)
        if self._shown_selection is not None:
            span = self._shown_selection.get_span(y)
            if span is not None:  # split into more segments, then given their offsets
                line = highlighted(line, *span, SelectionLook.of(self.screen, style))
        styled = line.apply_style(style)  # cached on the line: painting it again is cheap
        if not self._painting:
            # Textual asks which character is under the mouse: it reads these offsets.
            styled = styled.apply_offsets(0, y)
        return styled.adjust_cell_length(width, style)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Painting. Textual finds the character under the mouse by calling render_line on its
        # own, never from the painted lines, so these need no selection offsets: adding them
        # made painting a new line 2-3 times as costly (+3-5% of the CPU of a fast reply).
        self._painting = True
        try:
            return super().render_lines(crop)
        finally:
            self._painting = False
            if not self.live:
                RENDERED.shown(self, self._held)  # the most recently shown keep their lines

    # ---- selection (Textual's API: the screen asks for the text and tells what changed) -----

    def selection_updated(self, selection: Selection | None) -> None:
        self._shown_selection = selection
        self.refresh()

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text as shown: a line per line on screen, no padding or margins."""
        lines = self._text_rows
        if not lines:
            return None
        first = 0 if selection.start is None else selection.start.y
        last = lines - 1 if selection.end is None else min(selection.end.y, lines - 1)
        taken: list[str] = []
        for y in range(first, last + 1):
            line, span = self._line(y), selection.get_span(y)
            if line is not None and span is not None:
                taken.append(selected_text(line, *span))
        return "\n".join(taken), "\n"
