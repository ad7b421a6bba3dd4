"""A vertical scroll that follows the end of its text, as a terminal does, until the user
scrolls away; used by the chat's log and the race's lanes.

A reply being streamed keeps blank room below its text (see ReplyBody), so the screen is
re-laid out once a screen of text instead of whenever the reply gains a line. Textual's anchor
would keep the end of that room in view: the text would sit above blank rows and jump each
time the room grew. This scroll's end is the last line of text instead: the room stays below
the view, and each new line moves the view down by a line, which is a scroll, not a layout.
"""

from __future__ import annotations

from math import ceil
from typing import Any

from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.layout import DockArrangeResult
from textual.reactive import Reactive
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.widget import Widget


class FollowingScroll(VerticalScroll):
    """Shows its end (the last line of text) until the user scrolls away, and again once they
    scroll back to it or `follow` is called.

    Textual's own anchor is not used: at each arrangement of the children it puts the end of
    the content, room included, at the bottom. Here `arrange` places the view at the text's
    end at that same point, so no frame shows the room first and the text a frame later.
    As with Textual's anchor, content shorter than the view sits at its bottom.
    """

    # Growing content changes the virtual size on every flush; Textual updates the scroll
    # position and scrollbar itself, so a second layout pass of the screen adds nothing.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    def __init__(
        self, *children: Widget, short_content_at_top: bool = False, **kwargs: str | None
    ) -> None:
        """`short_content_at_top`: content shorter than the view starts at its top (the
        race's lanes); otherwise it sits at its bottom, as with Textual's anchor (the chat)."""
        super().__init__(*children, **kwargs)  # type: ignore[arg-type]
        self.short_content_at_top = short_content_at_top
        self._following = True
        self._text_end = 0  # the offset that puts the text's last line on the bottom row
        self._thumb_drawn = (0, 0)  # see _thumb

    def on_mount(self) -> None:
        # Textual's documented hook for drawing a scrollbar differently.
        self.vertical_scrollbar.renderer = self._scrollbar_renderer  # type: ignore[assignment]

    def _scrollbar_renderer(self, **options: Any) -> ScrollBarRender:
        """Textual's scrollbar, measuring the text without the room below it: its thumb
        reaches the bottom when the view shows the text's end."""
        text_height = options["virtual_size"] - self.blank_rows_at_end
        options["virtual_size"] = max(text_height, options["window_size"])
        return ScrollBarRender(**options)

    @property
    def following(self) -> bool:
        """The view follows the end (the user has not scrolled away)."""
        return self._following

    def follow(self) -> None:
        """Show the end and follow it again (the user sent a message, or pressed ctrl+end)."""
        self._following = True
        self.scroll_end(animate=False, immediate=True)  # the next layout puts it exactly

    def release_anchor(self) -> None:
        """Stop following: Textual calls this when the user scrolls (wheel, keys, scrollbar)."""
        super().release_anchor()
        self._following = False

    @property
    def blank_rows_at_end(self) -> int:
        """Rows of a live reply's room below its text at the end of the content."""
        last = self._nodes[-1] if self._nodes else None
        if last is None or not last.display:
            return 0
        # An AssistantMessage's (not imported here: its body imports this module).
        rows: int = getattr(last, "blank_rows_below_text", 0)
        return rows

    @property
    def max_scroll_y(self) -> int:
        """The end is the last line of text: the room below it cannot be scrolled to."""
        return max(0, super().max_scroll_y - self.blank_rows_at_end)

    def validate_show_vertical_scrollbar(self, show: bool) -> bool:
        """No scrollbar for the room alone (Textual decides at each layout, room included)."""
        return show and self.max_scroll_y > 0

    def arrange(self, size: Size, optimal: bool = False) -> DockArrangeResult:
        arrangement = super().arrange(size, optimal)
        if self._following and not optimal:
            # Where Textual's anchor sets the offset, which the compositor then places the
            # children with (`size` is the view's).
            self._place_view(arrangement, size.height)
        return arrangement

    def _place_view(self, arrangement: DockArrangeResult, view_height: int) -> None:
        """Put the text's last line on the view's bottom row."""
        bottom = arrangement.spatial_map.total_region.bottom - self.blank_rows_at_end
        self._text_end = bottom - view_height
        self._scroll_to_text_end()

    def _scroll_to_text_end(self) -> None:
        """As Textual's anchor sets the offset: no watcher runs (one would ask for another
        arrangement), and it is not clamped unless short content starts at the top."""
        y = max(0, self._text_end) if self.short_content_at_top else self._text_end
        if y != self.scroll_y:
            self.set_reactive(Widget.scroll_y, y)
            self.set_reactive(Widget.scroll_target_y, y)
            self.vertical_scrollbar.set_reactive(ScrollBar.position, y)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._following and new_value >= self.max_scroll_y:
            self._following = True  # the user scrolled back to the end

    def show_text_end(self, rows: int) -> None:
        """A live reply's text end moved `rows` down inside its room, with no layout: move the
        view with it. The scrollbar is redrawn only if its thumb moved (redrawing the whole
        scrollbar for each line made each move cost about twice as much)."""
        if not self._following:
            return
        self._text_end += rows
        self._scroll_to_text_end()
        self._refresh_scroll()  # Textual's: draw at the new offset
        thumb = self._thumb()
        if thumb != self._thumb_drawn:
            self._thumb_drawn = thumb
            self.vertical_scrollbar.refresh()

    def _thumb(self) -> tuple[int, int]:
        """The thumb's ends in eighths of a cell, as ScrollBarRender reckons them."""
        bar = self.vertical_scrollbar
        size, window = bar.size.height, bar.window_size
        virtual = bar.window_virtual_size - self.blank_rows_at_end
        if not (size and window and virtual > window):
            return (0, 0)
        steps = len(ScrollBarRender.VERTICAL_BARS)
        thumb = max(1, window / (virtual / size))
        start = int((size - thumb) * bar.position / (virtual - window) * steps)
        return start, start + ceil(thumb * steps)
