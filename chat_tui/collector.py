"""When the garbage collector may look at what the app holds.

Rendered conversations are frozen (`gc.freeze()`: left out of full collections, which took
100-700 ms each with a long one on screen, a stall in the middle of a reply or of scrolling).
But widgets hold reference cycles (parent and children, their message queues), so a closed
view's widgets are garbage that only a full collection frees, and frozen objects are never
collected: a user who browsed many conversations without sending anything kept all of them.
So, once a view is closed or a conversation replaced, one collection runs while the app is
idle, and what survives it is frozen again.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from textual.app import App

# After the close: the removed widgets are released by then, and the key that closed the
# view has been drawn.
COLLECT_AFTER_S = 0.5


def collect_closed_widgets_soon(app: App[Any], replying: Callable[[], bool]) -> None:
    """Free what a closed view or a replaced conversation held, once the app is idle.

    While a reply streams nothing is collected (its end lets the collector see everything
    again: ChatScreen._unfreeze_when_idle)."""

    def collect() -> None:
        if replying():
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    # Started from the app's own handler: a timer started from the closing view's would run
    # with that view as the sender of its messages, which kept the view alive.
    app.call_later(app.set_timer, COLLECT_AFTER_S, collect)
