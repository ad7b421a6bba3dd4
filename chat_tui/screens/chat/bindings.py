"""The chat screen's keys: each with an id (remappable in [keymap], listed in F1 and the
palette), a description and, where the footer has no room, a tooltip; and what its footer keeps
when narrow."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from chat_tui.widgets.key_footer import FooterPlan

CHAT_BINDINGS: list[BindingType] = [
    Binding(
        "escape",
        "cancel_reply",
        "Stop reply",
        id="chat.cancel",
        priority=True,
        tooltip="Stop the reply; the text so far is kept",
    ),
    # Not in the footer (F1 and the palette list them): at 80 columns it keeps the keys
    # a newcomer needs first.
    Binding(
        "ctrl+t",
        "toggle_streaming",
        "Streaming on/off",
        id="chat.toggle_streaming",
        tooltip="Streaming or non-streaming for the next request",
        show=False,
    ),
    Binding("ctrl+n", "new_conversation", "New chat", id="chat.new"),
    # A function key only: on the focused log a letter went back to the prompt unseen,
    # and `r` there resent a failed request without a word.
    Binding(
        "f5",
        "retry",
        "Retry",
        id="chat.retry",
        tooltip="Send again the message whose reply failed or was cancelled",
    ),
    Binding("ctrl+g", "toggle_reasoning", "Reasoning", id="chat.toggle_reasoning", show=False),
    Binding("ctrl+r", "open_history", "History", id="chat.history"),
    Binding("ctrl+o", "pick_model", "Switch model", id="chat.pick_model"),
    # f6/f7 are the prompt's (TextArea) select line / select all: favourites use f8/f9.
    Binding(
        "f8",
        "previous_favourite",
        "Previous favourite",
        id="chat.previous_favourite",
        show=False,
    ),
    Binding("f9", "next_favourite", "Next favourite", id="chat.next_favourite", show=False),
    Binding("f2", "conversation_settings", "Chat settings", id="chat.settings"),
    Binding(
        "ctrl+l",
        "race",
        "Race",
        id="chat.race",
        show=False,
        tooltip="The prompt to two targets side by side",
    ),
    Binding("f3", "copy_reply", "Copy reply", id="chat.copy_reply"),
    Binding("f4", "copy_code", "Copy code block", id="chat.copy_code", show=False),
    Binding("ctrl+f", "attach_file", "Attach file", id="chat.attach", show=False),
    # The message cursor; its own keys are the log's (MessageLog.BINDINGS).
    Binding("alt+up", "select_message", "Select a message", id="chat.select_message"),
    # Scrolling the log from the prompt, whose own pageup/pagedown/home/end move its
    # cursor. xterm, GNOME Terminal and Konsole keep shift+pageup for their scrollback:
    # alt+pageup is the second key.
    Binding(
        "shift+pageup,alt+pageup",
        "scroll_log('page_up')",
        "Scroll up",
        id="chat.scroll_up",
        show=False,
    ),
    Binding(
        "shift+pagedown,alt+pagedown",
        "scroll_log('page_down')",
        "Scroll down",
        id="chat.scroll_down",
        show=False,
    ),
    Binding(
        "ctrl+home", "scroll_log('top')", "Scroll to the top", id="chat.scroll_top", show=False
    ),
    Binding(
        "ctrl+end",
        "scroll_log('bottom')",
        "Scroll to the newest",
        id="chat.scroll_bottom",
        show=False,
    ),
]

# The footer at 80 columns keeps the keys from Help to Quit (short words from 120 down, every
# description at 200); the message cursor's keys come first while the log has the focus. The
# prompt's placeholder already says that Enter sends.
CHAT_FOOTER = FooterPlan(
    keep=(
        "app.help",
        "chat.cancel",
        "cursor.back",
        "cursor.copy",
        "cursor.edit",
        "cursor.regenerate",
        "cursor.delete",
        "chat.pick_model",
        "chat.history",
        "chat.new",
        "chat.settings",
        "app.quit",
        "chat.retry",
        "chat.copy_reply",
        "cursor.alternative_back",
        "cursor.alternative_next",
        "chat.select_message",
        "cursor.previous",
        "cursor.next",
        "prompt.send",
    ),
    short={
        "chat.cancel": "Stop",
        "chat.pick_model": "Model",
        "chat.settings": "Settings",
        "chat.copy_reply": "Copy",
        "chat.select_message": "Select",
        "cursor.back": "Back",
        "cursor.copy": "Copy",
        "cursor.edit": "Edit",
        "cursor.regenerate": "Regenerate",
        "cursor.delete": "Delete",
    },
)
