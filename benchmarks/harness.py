"""Shared pieces of the benchmark suite: the text, the history, an instrumented app, figures.

Every benchmark drives the real `ChatApp` headless; the only difference from the shipped app
is `ProbedChatScreen`, a `ChatScreen` subclass that times its flushes and screen updates.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import chat_tui.app
from chat_tui.app import ChatApp
from chat_tui.attachments import Attachment
from chat_tui.config import Settings
from chat_tui.conversation import Conversation, MessageStatus, Turn
from chat_tui.engine import RetryPolicy
from chat_tui.metrics import percentile
from chat_tui.prompt_history import PromptHistory
from chat_tui.providers.base import ChatRequest, Provider
from chat_tui.providers.catalog import ProviderCatalog, Target
from chat_tui.providers.simulated import SimulatedProvider, tokenize
from chat_tui.screens.chat.screen import ChatScreen
from chat_tui.session import ChatSession, PendingReply
from chat_tui.store import TranscriptStore

SCREEN_SIZE = (120, 40)
_WORD_TEXT = (
    "the stream renders each token as it arrives so latency stays low while the reply grows "
    "and the layout of earlier messages must not change when a new block is added to the end "
    "cache buffer flush timer widget markdown segment terminal cursor response provider model"
)
_WORDS = tuple(_WORD_TEXT.split(" "))


# ---- the text ------------------------------------------------------------------------------


def llm_like_markdown(n_tokens: int, seed: int = 7) -> str:
    """Markdown shaped like an LLM reply (paragraphs, headings, lists, code, tables) of exactly
    `n_tokens` simulated-provider tokens."""
    rng = random.Random(seed)
    blocks: list[str] = []
    count = 0
    while count < n_tokens:
        kind = rng.choices(["para", "heading", "list", "code", "table"], [5, 1, 2, 1, 1])[0]
        words = lambda k: " ".join(rng.choice(_WORDS) for _ in range(k))  # noqa: E731
        if kind == "para":
            block = words(rng.randint(30, 80)).capitalize() + "."
        elif kind == "heading":
            block = f"## {words(rng.randint(2, 5)).title()}"
        elif kind == "list":
            block = "\n".join(f"- **{words(2)}**: {words(rng.randint(6, 14))}" for _ in range(5))
        elif kind == "code":
            lines = [
                f"    value_{i} = compute({words(1)!r}, {i})" for i in range(rng.randint(4, 10))
            ]
            block = "```python\ndef step():\n" + "\n".join(lines) + "\n    return value_0\n```"
        else:
            rows = [f"| {words(1)} | {rng.randint(1, 999)} | {words(3)} |" for _ in range(4)]
            block = "| name | value | note |\n|---|---|---|\n" + "\n".join(rows)
        blocks.append(block)
        count += len(tokenize(block)) + 1
    return "".join(tokenize("\n\n".join(blocks))[:n_tokens])


def history(
    n_messages: int, reply_tokens: int = 250, *, branched: bool = False, attachments: bool = False
) -> Conversation:
    """A conversation of `n_messages` earlier turns (user and assistant alternating).

    `branched`: a tree, as editing and regenerating leave it: every 20 messages, a user
    message and a reply each have an older alternative beside them (off the current branch,
    which still has `n_messages` turns), so the chat shows `‹ 2/2 ›` on them.
    `attachments`: every 20 messages, a user message carries an image and a text file."""
    conversation = Conversation(created_at=time.time(), title="benchmark history")
    for index in range(n_messages):
        if branched and index >= 2 and index % 20 in (0, 1):
            older = conversation.append(_history_turn(index, reply_tokens, alternative=True))
            conversation.truncate_branch(older.parent)
        turn = _history_turn(index, reply_tokens)
        if attachments and index % 20 == 10:
            turn.attachments = ATTACHMENTS
        conversation.append(turn)
    return conversation


# What a user attaches: a screenshot (the bytes of a small PNG) and a log file.
ATTACHMENTS = (
    Attachment("screenshot.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40),
    Attachment("server.log", "text/plain", b"19:00:01 worker-1 handled request 17 in 4 ms\n" * 80),
)


def select_text(app: ChatApp) -> None:
    """Select text in the newest finished reply on screen, as a mouse drag does (Textual's
    selection API). Call it once a reply has started: typing in the prompt clears a selection
    (Textual's TextArea does), so a selection lives while a reply streams, not before."""
    from textual.geometry import Offset
    from textual.selection import Selection

    from chat_tui.widgets.messages import AssistantMessage
    from chat_tui.widgets.reply_body import ReplyBody

    screen = app.screen
    bodies = [
        message.query_one(ReplyBody)
        for message in screen.query(AssistantMessage)
        if message.turn is not None and message.display and message.region.height
    ]
    if not bodies:
        raise RuntimeError("no finished reply on screen to select text in")
    screen.selections = {bodies[-1]: Selection(Offset(0, 0), Offset(30, 3))}


def _history_turn(index: int, reply_tokens: int, *, alternative: bool = False) -> Turn:
    if index % 2 == 0:
        edited = " (first wording)" if alternative else ""
        return Turn(role="user", text=f"Question {index // 2}{edited}: how does streaming work?")
    return Turn(
        role="assistant",
        text=llm_like_markdown(reply_tokens, seed=index + 1000 * alternative),
        provider="simulated",
        model="history-alternative" if alternative else "history",
        status=MessageStatus.COMPLETE,
    )


def scripted_provider(text: str, *, tokens_per_s: float, ttft_s: float = 0.05) -> Provider:
    """The simulated provider replying with `text` at `tokens_per_s`."""

    def reply(_request: ChatRequest) -> str:
        return text

    return SimulatedProvider(ttft_s=ttft_s, tokens_per_s=tokens_per_s, reply_text=reply)


# ---- the instrumented app ------------------------------------------------------------------


@dataclass(slots=True)
class RenderProbe:
    """What the probed screen records (perf_counter seconds; CPU in process seconds)."""

    drains: list[tuple[float, int]] = field(default_factory=list)  # (time, arrivals drained)
    flush_wall_s: list[float] = field(default_factory=list)
    flush_cpu_s: list[float] = field(default_factory=list)
    update_ends: list[float] = field(default_factory=list)  # screen updates (layout + paint)
    update_wall_s: list[float] = field(default_factory=list)
    update_cpu_s: list[float] = field(default_factory=list)

    def reset(self) -> None:
        for values in (
            self.drains,
            self.flush_wall_s,
            self.flush_cpu_s,
            self.update_ends,
            self.update_wall_s,
            self.update_cpu_s,
        ):
            values.clear()


class ProbedChatScreen(ChatScreen):
    """The real chat screen, timing each flush and each screen update it causes."""

    def __init__(
        self,
        session: ChatSession,
        catalog: ProviderCatalog,
        *,
        flush_interval_s: float,
        prompt_history: PromptHistory | None = None,
        reading_width: int = 0,
    ) -> None:
        super().__init__(
            session,
            catalog,
            flush_interval_s=flush_interval_s,
            prompt_history=prompt_history,
            reading_width=reading_width,
        )
        self.probe = RenderProbe()
        self.started: list[PendingReply] = []  # every reply this screen started
        # Set once a reply's end has been handled (its final render is queued): a benchmark
        # waits on it rather than polling, which would add wake-ups to the CPU it measures.
        self.reply_finished = asyncio.Event()

    def start_reply(self, user_text: str | None = None) -> None:
        self.reply_finished.clear()
        super().start_reply(user_text)
        assert self.pending is not None
        self.started.append(self.pending)

    def _timed(self, pending: PendingReply | None, call: Callable[[], None]) -> None:
        arrived = len(pending.run.arrivals) if pending is not None else 0
        has_new = pending is not None and pending.run.text.has_pending
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        end = time.perf_counter()
        self.probe.flush_wall_s.append(end - wall)
        self.probe.flush_cpu_s.append(time.process_time() - cpu)
        if has_new:
            self.probe.drains.append((end, arrived))

    def _flush(self) -> None:
        self._timed(self.pending, super()._flush)

    def _finish_reply(self, pending: PendingReply) -> None:
        self._timed(pending, lambda: super(ProbedChatScreen, self)._finish_reply(pending))
        if self.pending is None:
            self.reply_finished.set()

    def _on_timer_update(self) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        super()._on_timer_update()
        end = time.perf_counter()
        self.probe.update_ends.append(end)
        self.probe.update_wall_s.append(end - wall)
        self.probe.update_cpu_s.append(time.process_time() - cpu)


# The app builds its chat screen by this module-level name: in a benchmark process it builds
# the probed one, so everything else about start-up stays exactly as shipped.
chat_tui.app.ChatScreen = ProbedChatScreen  # type: ignore[misc]


class ProbedChatApp(ChatApp):
    @property
    def probe(self) -> RenderProbe:
        screen = self.chat
        assert isinstance(screen, ProbedChatScreen)
        return screen.probe


def make_app(
    provider: Provider,
    *,
    earlier_messages: int = 0,
    streaming: bool = True,
    branched: bool = False,
    attachments: bool = False,
    store: TranscriptStore | None = None,
) -> ChatApp:
    session = ChatSession(
        provider,
        Target("simulated", "Simulated (offline)", "bench-model"),
        streaming=streaming,
        retry_policy=RetryPolicy(max_retries=0),
        conversation=(
            history(earlier_messages, branched=branched, attachments=attachments)
            if earlier_messages
            else None
        ),
        store=store,
    )
    app = ProbedChatApp(session, settings=Settings())
    app.animation_level = "none"
    return app


async def send_and_wait(
    app: ChatApp,
    prompt: str,
    *,
    timeout_s: float,
    once_sent: Callable[[ChatApp], None] | None = None,
) -> PendingReply:
    """Send `prompt` through the prompt widget, wait for the reply to finish and be painted.
    `once_sent` is called as soon as the reply has started (e.g. `select_text`)."""
    from textual.pilot import Pilot

    pilot = Pilot(app)
    screen = app.chat
    assert isinstance(screen, ProbedChatScreen)
    started = len(screen.started)
    screen.prompt.text = prompt
    screen.prompt.focus()
    await pilot.press("enter")
    if len(screen.started) == started:
        raise RuntimeError("the prompt was not sent")
    pending = screen.started[-1]
    if once_sent is not None:
        once_sent(app)
    try:
        await asyncio.wait_for(screen.reply_finished.wait(), timeout_s)
    except TimeoutError:
        screen.action_cancel_reply()
        raise TimeoutError(f"the reply did not finish within {timeout_s:.0f} s") from None
    await pilot.pause()
    return pending


def on_screen_lags(probe: RenderProbe, arrivals: Sequence[float]) -> list[float]:
    """For each token: arrival -> end of the first screen update after it was drained."""
    lags: list[float] = []
    drains = iter(probe.drains)
    updates = probe.update_ends
    drained_at, drained_count = next(drains, (math.inf, 0))
    update_index = 0
    for index, arrived in enumerate(arrivals):
        while index >= drained_count:
            drained_at, drained_count = next(drains, (math.inf, len(arrivals) + 1))
        while update_index < len(updates) and updates[update_index] < drained_at:
            update_index += 1
        if update_index == len(updates):
            lags.append(math.inf)
        else:
            lags.append(updates[update_index] - arrived)
    return lags


# ---- measuring -----------------------------------------------------------------------------


def rss_mb() -> float:
    """Resident set size now (Linux /proc), else the peak from getrusage."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def pct(values: Sequence[float], q: float) -> float:
    return percentile(sorted(values), q) if values else math.nan


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# ---- figures -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured number, with its target when it has one."""

    benchmark: str
    name: str
    value: float
    unit: str
    target: float | None = None  # the value must be <= target
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        if not math.isfinite(self.value):
            return "MISSED"
        return "ok" if self.value <= self.target else "MISSED"


def print_figures(figures: Sequence[Figure], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps([asdict(f) | {"verdict": f.verdict} for f in figures]))
        return
    for f in figures:
        target = f"  (target <= {f.target:g} {f.unit}: {f.verdict})" if f.target is not None else ""
        note = f"  [{f.note}]" if f.note else ""
        print(f"{f.benchmark:<16} {f.name:<48} {f.value:>10.2f} {f.unit:<6}{target}{note}")
    sys.stdout.flush()


def standard_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller sizes (about a minute)")
    size.add_argument("--tiny", action="store_true", help="smoke-test sizes (a few seconds)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def size_of(args: argparse.Namespace) -> str:
    return "tiny" if args.tiny else "quick" if args.quick else "full"
