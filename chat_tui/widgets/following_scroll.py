"""A vertical scroll that follows the end of its text, as a terminal does, until the user
scrolls away; used by the chat's log and the race's lanes.

A reply being streamed keeps blank room below its text (see ReplyBody), so the screen is
re-laid out once a screen of text instead of whenever the reply gains a line. Textual's anchor
would keep the end of that room in view: the text would sit above blank rows and jump each
time the room grew. This scroll's end is the last line of text instead: the room stays below
the view, and each new line moves the view down by a line, which is a scroll, not a layout.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.layout import DockArrangeResult
from textual.scrollbar import ScrollBar
from textual.widget import Widget


class FollowingScroll(VerticalScroll):
    """Shows its end (the last line of text) until the user scrolls away, and again once they
    scroll back to it or `follow` is called.

    Textual's own anchor is not used: at each arrangement of the children it puts the end of
    the content, room included, at the bottom. Here `arrange` places the view at the text's
    end at that same point, so no frame shows the room first and the text a frame later.
    As with Textual's anchor, content shorter than the view sits at its bottom.
    """

    def __init__(self, *children: Widget, **kwargs: str | None) -> None:
        super().__init__(*children, **kwargs)  # type: ignore[arg-type]
        self._following = True

    @property
    def following(self) -> bool:
        """The view follows the end (the user has not scrolled away)."""
        return self._following

    def follow(self) -> None:
        """Show the end and follow it again (the user sent a message, or pressed ctrl+end)."""
        self._following = True
        self._show_end()
        self.vertical_scrollbar.position = max(0, self.scroll_y)

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

    def arrange(self, size: Size, optimal: bool = False) -> DockArrangeResult:
        arrangement = super().arrange(size, optimal)
        if self._following and not optimal:
            # Where Textual's anchor sets the offset, which the compositor then places the
            # children with (`size` is the view's).
            self._place_view(arrangement, size.height)
        return arrangement

    def _place_view(self, arrangement: DockArrangeResult, view_height: int) -> None:
        """Put the text's last line on the view's bottom row. As Textual's anchor does, the
        offset is not clamped (short content sits at the bottom) and no watcher runs: one
        would ask for another arrangement."""
        bottom = arrangement.spatial_map.total_region.bottom - self.blank_rows_at_end
        end = bottom - view_height
        if end != self.scroll_y:
            self.set_reactive(Widget.scroll_y, end)
            self.set_reactive(Widget.scroll_target_y, end)
            self.vertical_scrollbar.set_reactive(ScrollBar.position, end)

    def _show_end(self) -> None:
        """Place the view at the text's end now, between layouts."""
        view = self.scrollable_content_region
        self._place_view(super().arrange(view.size), view.height)  # cached since the layout
        self._refresh_scroll()  # Textual's: draw at the new offset (its watchers skipped)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._following and new_value >= self.max_scroll_y:
            self._following = True  # the user scrolled back to the end

    def show_text_end(self) -> None:
        """A live reply's text end moved inside its room (no layout): move the view to it.

        The scrollbar's thumb moves at the next layout (within a screen of text), as it did
        when the view itself moved only then: redrawing the whole scrollbar for each line
        made each move cost about twice as much.
        """
        if self._following:
            self._show_end()
