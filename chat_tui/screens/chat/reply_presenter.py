"""One reply's life on screen, shared by the chat and the race: the live reply widget, the
flush cadence, the request-sent and first-content hooks, the status bar's view, and how run
states and waiting labels are worded.

The engine's `ReplyRun` buffers what arrives; a presenter moves it to its `AssistantMessage`
once per tick (one render per tick, whatever the token rate) and shows the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import pairwise

from textual.message_pump import MessagePump
from textual.timer import Timer

from chat_tui.engine import ReplyRun, RunState
from chat_tui.metrics import ReplyMetrics
from chat_tui.providers.catalog import Target
from chat_tui.session import PendingReply
from chat_tui.widgets.messages import AssistantMessage
from chat_tui.widgets.status_bar import StatusBar, StatusView

SPARKLINE_POINTS = 48


def waiting_label(streaming: bool) -> str:
    if streaming:
        return "waiting for the first token"
    return "waiting for the whole reply (non-streaming)"


def run_state_label(run: ReplyRun) -> str:
    """The run's state in words: while it waits to retry, the countdown and how to stop it
    (the provider's words go in `retry_reason`, after them: a long message cut the countdown
    off a narrow bar)."""
    if run.state is RunState.RETRY_WAIT and run.retry is not None:
        seconds = max(0.0, run.retry.resume_at - run.clock())
        return (
            f"Retrying in {seconds:.0f} s "
            f"(attempt {run.retry.attempt}/{run.retry.max_attempts}) · Esc stops"
        )
    if run.state is RunState.FAILED:
        return f"failed: {run.error.kind.value.replace('_', ' ')}" if run.error else "failed"
    return {
        RunState.WAITING: waiting_label(run.streaming),
        RunState.RECEIVING: "receiving",
        RunState.COMPLETE: "done",
        RunState.CANCELLED: "cancelled",
    }.get(run.state, "")


def brief_state_label(run: ReplyRun) -> str:
    """The state in as few words as keep its meaning, for a narrow bar (a race's pane)."""
    if run.state is RunState.RETRY_WAIT and run.retry is not None:
        return f"retry in {max(0.0, run.retry.resume_at - run.clock()):.0f} s · Esc stops"
    return {RunState.WAITING: "waiting", RunState.FAILED: "failed"}.get(
        run.state, run_state_label(run)
    )


def retry_reason(run: ReplyRun) -> str:
    """Why the run is waiting to retry, in the provider's words ("" when it is not)."""
    if run.state is RunState.RETRY_WAIT and run.retry is not None:
        return run.retry.reason.message
    return ""


def run_status_view(
    run: ReplyRun, target: Target, *, final: ReplyMetrics | None = None
) -> StatusView:
    """What the status bar shows for a reply in flight or just finished (`final`: the finished
    reply's recorded metrics, which carry its cost)."""
    arrivals = run.arrivals[-SPARKLINE_POINTS - 1 :]
    return StatusView(
        target=target.description,
        model=target.model,
        streaming=run.streaming,
        metrics=final if final is not None else run.snapshot(),
        elapsed_s=run.elapsed(),
        running=not run.state.finished,
        state=run_state_label(run),
        brief_state=brief_state_label(run),
        retry_reason=retry_reason(run),
        itl_recent_ms=tuple((b - a) * 1000 for a, b in pairwise(arrivals)),
    )


class ReplyPresenter:
    """Shows one `PendingReply`: its widget (attached once the reply is shown), a flush every
    `flush_interval_s` while it runs, and its figures in a status bar.

    `host` is the screen or widget whose timers and message queue the presenter uses;
    `on_flushed` runs after each tick's render (the chat saves progress there)."""

    def __init__(
        self,
        host: MessagePump,
        pending: PendingReply,
        target: Target,
        status_bar: StatusBar,
        *,
        flush_interval_s: float,
        on_flushed: Callable[[PendingReply], None] | None = None,
    ) -> None:
        self.host = host
        self.pending = pending
        self.target = target
        self.status_bar = status_bar
        self.flush_interval_s = flush_interval_s
        self.on_flushed = on_flushed
        self.widget: AssistantMessage | None = None  # None until the reply is shown
        self.flush_count = 0  # renders of the reply in flight (tests and benchmarks read it)
        self._timer: Timer | None = None
        self._tick: Callable[[], None] = self.flush

    @property
    def run(self) -> ReplyRun:
        return self.pending.run

    def new_widget(self, label: str) -> AssistantMessage:
        """The reply's widget, with its typing indicator worded for the run's mode."""
        return AssistantMessage(label, waiting_label=waiting_label(self.run.streaming))

    def hook(
        self, on_request_sent: Callable[[], None], on_first_content: Callable[[], None]
    ) -> None:
        """Call these (on the host's queue) when the request is out and when the first
        content arrives. Posted, not called: the run calls them from inside its request and
        its reader, which never wait on the UI."""
        self.run.on_request_sent = partial(self.host.call_later, on_request_sent)
        self.run.on_first_content = partial(self.host.call_later, on_first_content)

    def attach(self, widget: AssistantMessage, *, tick: Callable[[], None] | None = None) -> None:
        """Render into `widget` from now on: `tick` (by default `flush`) every interval."""
        self.widget = widget
        self._tick = tick or self.flush
        self._timer = self.host.set_interval(self.flush_interval_s, self._tick)
        self.show_status()

    def flush(self) -> None:
        """Move what arrived since the last flush to the screen (one render per tick)."""
        if self.widget is None:
            return
        self._drain_into(self.widget)
        self.show_status()
        if self.on_flushed is not None:
            self.on_flushed(self.pending)

    def flush_now(self) -> None:
        """The first token replaces the typing indicator as soon as it arrives, not at the
        next tick (up to a whole interval later); the cadence restarts from here."""
        self._tick()
        if self._timer is not None:
            self._timer.reset()

    def stop(self) -> AssistantMessage:
        """The run ended: stop the cadence and render what is left (call `attach` first)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        widget = self.widget
        assert widget is not None, "a reply is shown before it is finished"
        self._drain_into(widget)
        return widget

    def show_status(self) -> None:
        self.status_bar.show(
            run_status_view(self.run, self.target, final=self.pending.turn.metrics)
        )

    def _drain_into(self, widget: AssistantMessage) -> None:
        text, reasoning = self.run.text.drain(), self.run.reasoning.drain()
        if text or reasoning:
            self.flush_count += 1
            widget.append(text, reasoning)
