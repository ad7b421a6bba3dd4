"""A chat session: the current conversation, the chosen target and mode, and the record of
each turn. It starts `ReplyRun`s and turns their outcome into stored turns; it knows no widgets.

Every side effect of a conversation goes through here (turns, settings, titles, renames,
deletes), so one policy holds for all of them: saving may fail, the chat goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from chat_tui import pricing
from chat_tui.attachments import Attachment
from chat_tui.conversation import (
    APP_STOPPED_KIND,
    Conversation,
    ConversationSettings,
    MessageStatus,
    Turn,
)
from chat_tui.engine import Clock, ReplyRun, RetryPolicy, RunState
from chat_tui.metrics import ReplyMetrics
from chat_tui.providers.base import (
    ChatMessage,
    ChatRequest,
    FailureKind,
    Provider,
    ProviderError,
)
from chat_tui.providers.catalog import Target
from chat_tui.store.errors import StoreError
from chat_tui.store.titles import fallback_title, one_line_title

if TYPE_CHECKING:
    from chat_tui.event_log import EventLog
    from chat_tui.store import TranscriptStore

# Progressive saves of a streaming reply: at most this much text is at risk in a crash.
CHECKPOINT_INTERVAL_S = 0.5
TITLE_PROMPT = (
    "Write a short title (at most 6 words, no quotes, no trailing punctuation) for a "
    "conversation that starts with this message:\n\n"
)
TITLE_TIMEOUT_S = 30.0  # retries included: then the first words of the first message do


@dataclass(slots=True)
class PendingReply:
    """A reply in flight: the engine's run and the turn that will record it."""

    run: ReplyRun
    turn: Turn
    last_checkpoint: float = 0.0


class ChatSession:
    def __init__(
        self,
        provider: Provider,
        target: Target,
        *,
        streaming: bool = True,
        retry_policy: RetryPolicy | None = None,
        conversation: Conversation | None = None,
        store: TranscriptStore | None = None,
        on_store_error: Callable[[str], None] | None = None,
        event_log: EventLog | None = None,
    ) -> None:
        self.provider = provider
        self.target = target
        self.streaming = streaming
        self.retry_policy = retry_policy or RetryPolicy()
        self.conversation = conversation or Conversation(created_at=time.time())
        self.store = store
        self.on_store_error = on_store_error
        self.event_log = event_log  # one line per finished request; never breaks the chat
        # Set when the app itself is being ended mid-reply (SIGTERM, SIGHUP): the reply in
        # flight is then saved as interrupted, with this as its reason, not as cancelled.
        self.stopped_by: str | None = None
        self.title_model: str | None = None  # a small model of the target's provider for titles
        # A conversation named by its first words because no reply had completed yet: it is
        # named again after the first reply that does.
        self._provisional_title_of: Conversation | None = None
        self._replies_in_flight = 0
        self.clock: Clock = time.perf_counter  # the runs' clock (a fixed one in screenshot tests)

    # ---- persistence: every write goes through here, and a failing store never stops the chat

    def _save(self, write: Callable[[TranscriptStore], object]) -> object:
        """Write through the store; if it fails, saving is off for the rest of the session
        (reported once) and the chat goes on."""
        if self.store is None:
            return None
        try:
            return write(self.store)
        except StoreError as error:
            self.store = None
            if self.on_store_error:
                self.on_store_error(f"Saving is off for this session: {error}")
            return None

    def _on_saved(self, action: Callable[[TranscriptStore], object]) -> object:
        """Act on a saved conversation the user picked (read, rename, delete): a failure is
        reported and nothing else changes; saving the current chat goes on."""
        if self.store is None:
            return None
        try:
            return action(self.store)
        except StoreError as error:
            if self.on_store_error:
                self.on_store_error(str(error))
            return None

    def _ensure_saved_conversation(self) -> int | None:
        if self.conversation.id is None:
            created = self._save(lambda s: s.create_conversation(self.conversation.settings))
            if isinstance(created, Conversation):
                self.conversation.id = created.id
                self.conversation.created_at = created.created_at
        return self.conversation.id

    def _save_turn(self, turn: Turn) -> None:
        conversation_id = self._ensure_saved_conversation()
        if conversation_id is not None:
            parent_id = turn.parent_id
            saved = self._save(lambda s: s.add_turn(conversation_id, turn, parent_id=parent_id))
            turn.id = saved if isinstance(saved, int) else None

    def switch_target(
        self, provider: Provider, target: Target, title_model: str | None = None
    ) -> None:
        """Send the next requests (titles included) to `target`; `title_model` is a small
        model of the same provider for titles (None: the target's model)."""
        self.provider = provider
        self.target = target
        self.title_model = title_model

    def add_user_turn(self, text: str, attachments: tuple[Attachment, ...] = ()) -> Turn:
        """Add the user's message (and the files attached to it) and save it."""
        turn = Turn(role="user", text=text, created_at=time.time(), attachments=attachments)
        self.conversation.append(turn)
        self.conversation.updated_at = turn.created_at
        self._save_turn(turn)  # committed before the request is sent
        return turn

    def start_reply(
        self,
        *,
        target: Target | None = None,
        provider: Provider | None = None,
        streaming: bool | None = None,
        retrying: bool = False,
    ) -> PendingReply:
        """Build the request from the current branch's context and a run for it (not started).

        The session's target, provider and mode unless given: a race sends one turn to two
        targets without changing what the next chat request uses. `retrying` regenerates the
        reply to the last user turn (see `Conversation.context`). A branch that ends with a
        reply gets an alternative to it (see `Conversation.rewind_to_prompt`): a retry, a
        race's second lane, or a `regenerate`, built from the history before that reply."""
        if provider is None and target is not None and target.provider != self.target.provider:
            raise ValueError(f"{target.spec} needs its own provider")
        target = target or self.target
        provider = provider or self.provider
        streaming = self.streaming if streaming is None else streaming
        self.conversation.rewind_to_prompt()
        settings = self.conversation.settings
        request = ChatRequest(
            model=target.model,
            messages=self.conversation.context(retrying=retrying),
            system=settings.system_prompt,
            temperature=settings.temperature,
            max_output_tokens=settings.max_output_tokens,
            reasoning_effort=settings.reasoning_effort,
            reasoning_budget=settings.reasoning_budget,
        )
        run = ReplyRun(
            provider, request, streaming=streaming, retry_policy=self.retry_policy, clock=self.clock
        )
        turn = Turn(
            role="assistant",
            text="",
            provider=target.provider,
            model=target.model,
            created_at=time.time(),
            streaming=streaming,
            status=MessageStatus.STREAMING,
        )
        self.conversation.append(turn)
        self._save_turn(turn)
        self._replies_in_flight += 1
        return PendingReply(run, turn, last_checkpoint=time.monotonic())

    def record_progress(self, pending: PendingReply, *, force: bool = False) -> None:
        """Save the reply so far, at most every CHECKPOINT_INTERVAL_S unless forced."""
        now = time.monotonic()
        if not force and now - pending.last_checkpoint < CHECKPOINT_INTERVAL_S:
            return
        pending.last_checkpoint = now
        turn = pending.turn
        turn.text = pending.run.text.text
        turn.reasoning = pending.run.reasoning.text
        if turn.id is not None and not force:
            message_id = turn.id
            self._save(lambda s: s.update_reply_progress(message_id, turn.text, turn.reasoning))

    def finish_reply(self, pending: PendingReply) -> Turn:
        """Copy the run's outcome into its turn."""
        self._replies_in_flight = max(0, self._replies_in_flight - 1)
        run, turn = pending.run, pending.turn
        self.record_progress(pending, force=True)
        turn.finished_at = time.time()
        turn.metrics = _priced(run.snapshot(), run.provider, turn)
        turn.finish_reason = run.finish.reason.value if run.finish else None
        if run.state is RunState.COMPLETE:
            turn.status = MessageStatus.COMPLETE
            if run.finish is None and run.streaming:
                turn.status = MessageStatus.INTERRUPTED
                turn.error_kind = "bad_response"
                turn.error_message = "the stream ended without a finish signal"
        elif run.state is RunState.FAILED and run.error is not None:
            turn.status = MessageStatus.INTERRUPTED if run.has_content else MessageStatus.ERROR
            turn.error_kind = run.error.kind.value
            turn.error_message = run.error.message + _try_again_note(
                run.error, run.retries, turn.finished_at
            )
        elif self.stopped_by is not None:
            # Not the user's Esc: the app itself was ended (a signal, a closed terminal).
            turn.status = MessageStatus.INTERRUPTED
            turn.error_kind = APP_STOPPED_KIND
            turn.error_message = self.stopped_by
        else:
            turn.status = MessageStatus.CANCELLED
        self.conversation.updated_at = turn.finished_at
        if turn.id is not None:
            message_id = turn.id
            self._save(lambda s: s.finish_reply(message_id, turn))
        if turn.status is not MessageStatus.COMPLETE and self.conversation.title is None:
            # Not "Untitled" in the history meanwhile: the first words until a reply completes.
            self.set_title(self.fallback_title())
            self._provisional_title_of = self.conversation
        if self.event_log is not None:
            prompt = run.request.messages[-1].text if run.request.messages else ""
            self.event_log.record_turn(turn, retries=run.retries, prompt=prompt)
        return turn

    # ---- branches: the API the screen's message cursor uses --------------------------------

    def regenerate(self, reply: Turn) -> Turn:
        """Prepare a new alternative to `reply`: the current branch is cut back to the user
        message it answers, which is returned. Call `start_reply` next (with the model and
        mode now selected): the request carries the history up to that message only, and
        the new reply is saved as a sibling of `reply`. `reply` and what followed it stay in
        the tree (and the store) as the other alternative."""
        if reply.role != "assistant" or reply.parent is None:
            raise ValueError("only a reply to a message can be regenerated")
        self.conversation.truncate_branch(reply.parent)
        return reply.parent

    def edit_and_resend(
        self, user_turn: Turn, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> Turn:
        """Add `text` as a new user message beside `user_turn` (its sibling: same history
        before it) and save it; it ends the current branch. Call `start_reply` next. The old
        message and its branch stay in the tree. Returns the new message."""
        if user_turn.role != "user":
            raise ValueError("only a user message can be edited")
        turn = Turn(role="user", text=text, created_at=time.time(), attachments=attachments)
        self.conversation.add_alternative(user_turn, turn)
        self.conversation.updated_at = turn.created_at
        self._save_turn(turn)
        return turn

    def switch_alternative(self, turn: Turn, step: int) -> Turn | None:
        """Show the alternative `step` places from `turn` (-1 previous, +1 next): the current
        branch becomes that sibling and, below it, the most recently created child at each
        level. The store remembers it as the current branch. Returns the sibling, or None
        when there is none that way (nothing changes). Re-render from `conversation.turns`;
        `conversation.alternative_position(t)` gives each message's `‹ 2/3 ›`."""
        sibling = self.conversation.switch_alternative(turn, step)
        if sibling is not None:
            self._remember_branch()
        return sibling

    def _remember_branch(self) -> None:
        conversation_id, leaf = self.conversation.id, self.conversation.leaf
        if conversation_id is not None and leaf is not None and leaf.id is not None:
            leaf_id = leaf.id
            self._save(lambda s: s.set_current_leaf(conversation_id, leaf_id))

    # ---- titles ---------------------------------------------------------------------------

    def needs_title(self) -> bool:
        """True once a reply has completed in a conversation that is untitled, or named only
        by its first words because its first replies failed or were cancelled."""
        turns = self.conversation.turns
        untitled = self.conversation.title is None
        return (untitled or self._provisional_title_of is self.conversation) and any(
            t.role == "assistant" and t.status is MessageStatus.COMPLETE for t in turns
        )

    def title_request(self, model: str | None = None) -> ChatRequest:
        first = next(t.text for t in self.conversation.turns if t.role == "user")
        return ChatRequest(
            model=model or self.target.model,
            messages=(ChatMessage("user", TITLE_PROMPT + first[:2000]),),
            max_output_tokens=24,
        )

    def fallback_title(self) -> str:
        first = next((t.text for t in self.conversation.turns if t.role == "user"), "")
        return fallback_title(first)

    def set_title(self, title: str) -> None:
        """Name the current conversation (one plain line; the first words when empty)."""
        title = one_line_title(title) or self.fallback_title()
        self.conversation.title = title
        conversation_id = self.conversation.id
        if conversation_id is not None:
            self._save(lambda s: s.set_title(conversation_id, title))

    async def make_title(self) -> None:
        """Name the conversation with a small non-streaming request through the engine (so it
        is retried and logged like any request), or by the first words of its first message.
        Nothing changes if the user moved to another conversation meanwhile."""
        conversation = self.conversation
        title = self.fallback_title()
        if self.target.provider != "simulated":
            request = self.title_request(self.title_model)
            run = ReplyRun(self.provider, request, streaming=False, retry_policy=self.retry_policy)
            with contextlib.suppress(TimeoutError):  # cancelled: the first words will do
                await asyncio.wait_for(run.run(), TITLE_TIMEOUT_S)
            if run.state is RunState.COMPLETE:
                title = one_line_title(run.text.text) or title
            self._log_title_request(run)
        if self.conversation is conversation:
            self.set_title(title)
            self._provisional_title_of = None

    def _log_title_request(self, run: ReplyRun) -> None:
        if self.event_log is None:
            return
        status = MessageStatus.COMPLETE if run.state is RunState.COMPLETE else MessageStatus.ERROR
        turn = Turn(
            role="assistant",
            text=run.text.text,
            provider=self.target.provider,
            model=run.request.model,
            created_at=time.time(),
            finished_at=time.time(),
            streaming=False,
            status=status,
            error_kind=run.error.kind.value if run.error else None,
        )
        turn.metrics = _priced(run.snapshot(), run.provider, turn)  # titles cost money too
        self.event_log.record_turn(turn, retries=run.retries, purpose="title")

    # ---- the conversation's other side effects ---------------------------------------------

    def update_settings(self, settings: ConversationSettings) -> bool:
        """Use `settings` for the next requests and save them; False when saving failed (the
        settings apply to this session all the same)."""
        self.conversation.settings = settings
        conversation_id = self.conversation.id
        if conversation_id is None or self.store is None:
            return True
        saved = self._save(lambda s: s.update_settings(conversation_id, settings) or True)
        return saved is True

    def rename(self, conversation_id: int, title: str) -> str | None:
        """Rename a saved conversation (the current one or another); the title as saved, or
        None when it is empty or saving failed."""
        title = one_line_title(title)
        if not title or self._on_saved(lambda s: s.set_title(conversation_id, title) or 1) is None:
            return None
        if self.conversation.id == conversation_id:
            self.conversation.title = title
            self._provisional_title_of = None  # the user's name stays
        return title

    def delete_conversation(self, conversation_id: int) -> bool:
        """Delete a saved conversation; the current one is replaced by a new one."""
        if self._on_saved(lambda s: s.delete(conversation_id) or 1) is None:
            return False
        if self.conversation.id == conversation_id:
            self.new_conversation()
        return True

    def load_conversation(
        self, conversation_id: int, *, through: int | None = None
    ) -> Conversation | None:
        """A saved conversation, whole, on the branch through message `through` (default: its
        current branch); None when it cannot be read."""
        loaded = self._on_saved(lambda s: s.load_conversation(conversation_id, through=through))
        return loaded if isinstance(loaded, Conversation) else None

    def is_replying_in(self, conversation_id: int) -> bool:
        """A reply is arriving in that conversation (it cannot be deleted meanwhile)."""
        return self.replying and self.conversation.id == conversation_id

    @property
    def replying(self) -> bool:
        """A reply started here has not been finished yet."""
        return self._replies_in_flight > 0

    def retryable_reply(self) -> Turn | None:
        """The last reply, if it failed, was cancelled or came back empty (so it can be
        regenerated)."""
        turns = self.conversation.turns
        if not turns or turns[-1].role != "assistant":
            return None
        last = turns[-1]
        if last.status in _REGENERABLE or (
            last.status is MessageStatus.COMPLETE and not last.text.strip()
        ):
            return last
        return None

    def delete_turn(self, turn: Turn) -> list[Turn]:
        """Delete a message from the conversation and the store; returns what was deleted.

        A user message goes with its replies (every alternative): a reply left without its
        question would read as a regenerated answer to the message before. What followed
        moves up to the deleted message's parent, in the tree as in the store, so no branch
        is cut. A reply in flight cannot be deleted.
        """
        conversation = self.conversation
        if not any(t is turn for t in conversation.turns):
            raise ValueError("that message is not in this conversation")
        deleted = [turn]
        if turn.role == "user":
            deleted += [t for t in conversation.children(turn) if t.role == "assistant"]
        if any(t.status is MessageStatus.STREAMING for t in deleted):
            raise ValueError("a reply in flight cannot be deleted; stop it first")
        for message in deleted:
            conversation.remove(message)
        message_ids = [t.id for t in deleted if t.id is not None]
        if message_ids:
            self._save(lambda s: s.delete_messages(message_ids))
        return deleted

    def new_conversation(self) -> None:
        settings = replace(self.conversation.settings)
        self.conversation = Conversation(created_at=time.time(), settings=settings)

    def open_conversation(self, conversation: Conversation) -> None:
        """Continue a saved conversation: new turns append to it."""
        self.conversation = conversation


def _priced(metrics: ReplyMetrics, provider: Provider, turn: Turn) -> ReplyMetrics:
    """The metrics with the reply's cost, where there is a known price (see chat_tui.pricing)."""
    cost = pricing.provider_reply_cost(provider, turn.model, metrics, at=turn.created_at)
    return replace(metrics, cost_usd=cost) if cost is not None else metrics


def _try_again_note(error: ProviderError, retries: int, failed_at: float) -> str:
    """After a failure worth trying again later: that it was already retried, and when
    another try is worth it, as a time of day (a wait in seconds would have passed by the
    time it is read)."""
    note = f" Gave up after {retries} {'retry' if retries == 1 else 'retries'}." if retries else ""
    if not error.kind.retryable:
        return note
    if error.retry_after is not None:
        again = _clock(failed_at + error.retry_after)
        return note + f" Try again after {again}, as the server asked."
    if error.kind is FailureKind.RATE_LIMITED:
        return note + " Rate limits are counted per minute: try again in a minute."
    return note


def _clock(timestamp: float) -> str:
    """A moment as the time of day, with the date when it is not today."""
    moment = datetime.fromtimestamp(timestamp)
    if moment.date() == datetime.now().date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


_REGENERABLE = frozenset({MessageStatus.CANCELLED, MessageStatus.INTERRUPTED, MessageStatus.ERROR})
