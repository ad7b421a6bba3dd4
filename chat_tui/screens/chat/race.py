"""The race view: one prompt to two targets at once, side by side, then a one-line verdict.

Two models, or one model streaming against non-streaming, each sent the same prompt with the
same attached files. Each side is the engine's
`ReplyRun` shown by the chat's `ReplyPresenter` (the same widgets, wording and cadence).
Both replies are recorded through `ChatSession` (so they are saved in the transcript like any
reply) after one shared user turn. Esc stops both; Esc again closes.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from chat_tui.attachments import Attachment
from chat_tui.engine import ReplyRun, RunState
from chat_tui.metrics import format_duration, format_rate
from chat_tui.providers.base import Provider, ProviderError
from chat_tui.providers.catalog import ProviderCatalog, Target
from chat_tui.screens.chat.reply_presenter import ReplyPresenter, waiting_label
from chat_tui.session import ChatSession, PendingReply
from chat_tui.widgets.following_scroll import FollowingScroll
from chat_tui.widgets.key_footer import FooterPlan, KeyFooter
from chat_tui.widgets.messages import AssistantMessage
from chat_tui.widgets.status_bar import StatusBar


@dataclass(frozen=True, slots=True)
class RaceEntrant:
    """One side of a race: the target, the provider built for it, and the mode."""

    target: Target
    provider: Provider
    streaming: bool = True

    @property
    def name(self) -> str:
        mode = "" if self.streaming else " (non-streaming)"
        return f"{self.target.description}{mode}"


def race_entrants(
    session: ChatSession, catalog: ProviderCatalog
) -> tuple[RaceEntrant, RaceEntrant, str | None]:
    """The current model against the next usable favourite, or, with none (or one that cannot
    be built), streaming against non-streaming on the current model; and why not, if so."""
    left = RaceEntrant(session.target, session.provider, streaming=True)
    same_model = RaceEntrant(session.target, session.provider, streaming=False)
    other, _ = catalog.next_favourite(session.target, 1)
    if other is None:
        return left, same_model, None
    try:
        target = catalog.resolve_spec(other)
        return left, RaceEntrant(target, catalog.connect(target), streaming=True), None
    except ProviderError as error:
        return left, same_model, error.message


class RaceLane(Vertical):
    """One side: the reply and its live figures."""

    DEFAULT_CSS = """
    RaceLane { width: 1fr; height: 1fr; }
    RaceLane > VerticalScroll { height: 1fr; padding: 0 1; }
    /* The replies start under the prompt, not at the bottom under empty space: an anchored
       scroll puts short content at its bottom, so each reply fills its lane at least. */
    RaceLane > VerticalScroll > AssistantMessage { margin: 0; min-height: 100%; }
    """

    def __init__(self, entrant: RaceEntrant) -> None:
        super().__init__()
        self.entrant = entrant
        self.message = AssistantMessage(
            entrant.name, waiting_label=waiting_label(entrant.streaming)
        )
        self.status_bar = StatusBar()
        self.presenter: ReplyPresenter | None = None  # once the race starts
        self.done = False

    def compose(self) -> ComposeResult:
        with FollowingScroll(short_content_at_top=True):
            yield self.message
        yield self.status_bar

    def start(self, pending: PendingReply, flush_interval_s: float) -> ReplyPresenter:
        presenter = ReplyPresenter(
            self, pending, self.entrant.target, self.status_bar, flush_interval_s=flush_interval_s
        )
        # Each lane's first token shows as soon as it arrives, as in the chat.
        presenter.hook(on_request_sent=lambda: None, on_first_content=presenter.flush_now)
        presenter.attach(self.message)
        self.presenter = presenter
        return presenter


RACE_FOOTER = FooterPlan(
    keep=("app.help", "race.stop", "app.quit"), short={"race.stop": "Stop / close"}
)


class RaceScreen(Screen[None]):
    """Open with `app.push_screen(RaceScreen(session, prompt, left, right, attachments=...))`."""

    BINDINGS = [
        Binding("escape", "stop_or_close", "Stop race / close", id="race.stop", priority=True),
    ]

    DEFAULT_CSS = """
    RaceScreen { layout: vertical; }
    RaceScreen #race-prompt { height: auto; max-height: 4; padding: 0 2; color: $text-muted; }
    RaceScreen #race-lanes { height: 1fr; }
    RaceScreen #race-verdict { height: auto; padding: 0 2; text-style: bold; color: $accent; }
    """

    def __init__(
        self,
        session: ChatSession,
        prompt: str,
        left: RaceEntrant,
        right: RaceEntrant,
        *,
        attachments: tuple[Attachment, ...] = (),
        flush_interval_s: float = 0.1,
    ) -> None:
        super().__init__()
        self.session = session
        self.prompt = prompt
        self.attachments = attachments
        self.lanes = (RaceLane(left), RaceLane(right))
        self.flush_interval_s = flush_interval_s
        self.verdict = ""

    def compose(self) -> ComposeResult:
        files = ", ".join(attachment.label for attachment in self.attachments)
        heading = f"Race: {self.prompt}" + (f"\n+ {files}" if files else "")
        yield Static(Content(heading), id="race-prompt", markup=False)
        with Horizontal(id="race-lanes"):
            yield from self.lanes
        yield Static("", id="race-verdict", markup=False)
        yield KeyFooter(RACE_FOOTER)

    def on_mount(self) -> None:
        self.session.add_user_turn(self.prompt, self.attachments)
        for lane in self.lanes:
            entrant = lane.entrant
            pending = self.session.start_reply(
                target=entrant.target, provider=entrant.provider, streaming=entrant.streaming
            )
            lane.start(pending, self.flush_interval_s)
            self._run_lane(lane)

    @work(group="race", exit_on_error=False)
    async def _run_lane(self, lane: RaceLane) -> None:
        assert lane.presenter is not None
        try:
            await lane.presenter.run.run()
        finally:
            self._finish_lane(lane)

    def _finish_lane(self, lane: RaceLane) -> None:
        presenter = lane.presenter
        assert presenter is not None
        widget = presenter.stop()
        turn = self.session.finish_reply(presenter.pending)
        widget.finish(turn)
        lane.done = True
        presenter.show_status()
        if all(other.done for other in self.lanes):
            left, right = (other.presenter.run for other in self.lanes if other.presenter)
            self.verdict = race_verdict(self.lanes[0].entrant, left, self.lanes[1].entrant, right)
            self.query_one("#race-verdict", Static).update(Content(self.verdict))

    @property
    def running(self) -> bool:
        return not all(lane.done for lane in self.lanes)

    def action_stop_or_close(self) -> None:
        if self.running:
            self.workers.cancel_group(self, "race")
        else:
            self.dismiss()


def race_verdict(
    left: RaceEntrant, left_run: ReplyRun, right: RaceEntrant, right_run: ReplyRun
) -> str:
    """One line: first token (and by how much), first to finish, tokens/s of each. A side
    that wins both is named once."""
    names = (left.name, right.name) if left.name != right.name else ("left", "right")
    sides = tuple(zip(names, (left_run, right_run), strict=True))
    first = _lead([(run.arrivals[0], name) for name, run in sides if run.arrivals])
    finished = _lead(
        [
            (run.t_end, name)
            for name, run in sides
            if run.state is RunState.COMPLETE and run.t_end is not None
        ]
    )
    rate = {name: format_rate(run.snapshot().tokens_per_s) for name, run in sides}
    if first and finished and first[0] == finished[0] and first[1] and finished[1]:
        winner = first[0]
        loser = names[1] if winner == names[0] else names[0]
        return (
            f"{winner} wins: first token by {first[1]}, finished by {finished[1]}, "
            f"{rate[winner]} against {rate[loser]}"
        )
    parts: list[str] = []
    if first is None:
        parts.append("no tokens arrived")
    else:
        parts.append(
            f"first token: {first[0]} "
            + (f"by {first[1]}" if first[1] else "(the other sent none)")
        )
    if finished is None:
        parts.append("neither finished")
    else:
        parts.append(
            f"finished first: {finished[0]}" + (f" by {finished[1]}" if finished[1] else "")
        )
    parts.append(", ".join(f"{name} {rate[name]}" for name in names))
    return " · ".join(parts)


def _lead(times: list[tuple[float, str]]) -> tuple[str, str | None] | None:
    """Who is earliest, and by how much (None when only one side got there)."""
    if not times:
        return None
    (early, winner), *rest = sorted(times)
    return winner, format_duration(rest[0][0] - early) if rest else None
