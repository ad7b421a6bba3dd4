"""The buffer between the network reader and the renderer.

The reader appends each delta as it arrives; the renderer drains what is new on its own
cadence. Both run on the event loop, so no lock is needed: each call is atomic.
"""

from __future__ import annotations


class DeltaBuffer:
    """Text received so far, split into what was already drained and what is pending."""

    __slots__ = ("_drained", "_pending")

    def __init__(self) -> None:
        self._drained = ""
        self._pending: list[str] = []

    def write(self, delta: str) -> None:
        if delta:
            self._pending.append(delta)

    def drain(self) -> str:
        """Everything written since the last drain (each delta exactly once)."""
        if not self._pending:
            return ""
        new = "".join(self._pending)
        self._pending.clear()
        self._drained += new
        return new

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    @property
    def text(self) -> str:
        """All text written, drained or not."""
        if self._pending:
            return self._drained + "".join(self._pending)
        return self._drained

    def __len__(self) -> int:
        return len(self._drained) + sum(map(len, self._pending))
