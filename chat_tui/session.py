"""A chat session: the current conversation, the chosen target and mode, and the record of
each turn. It starts `ReplyRun`s and turns their outcome into stored turns; it knows no widgets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from chat_tui.conversation import Conversation, MessageStatus, Turn
from chat_tui.engine import ReplyRun, RetryPolicy, RunState
from chat_tui.providers.base import ChatRequest, FinishReason, Provider


@dataclass(frozen=True, slots=True)
class Target:
    """Which provider and model the next request goes to."""

    provider: str  # registry name: "openai", "simulated", a profile name...
    label: str  # "OpenAI", "Simulated (offline)"
    model: str

    @property
    def description(self) -> str:
        return f"{self.label} · {self.model}"


@dataclass(slots=True)
class PendingReply:
    """A reply in flight: the engine's run and the turn that will record it."""

    run: ReplyRun
    turn: Turn


def finish_note(reason: str | None) -> str | None:
    """Plain words for a finish that is not a normal stop."""
    if reason == FinishReason.LENGTH:
        return "stopped at the output token limit"
    if reason == FinishReason.CONTENT_FILTER:
        return "stopped by the provider's safety / content filter"
    if reason == FinishReason.TOOL_CALLS:
        return "the model asked to call a tool (not supported here)"
    return None


class ChatSession:
    def __init__(
        self,
        provider: Provider,
        target: Target,
        *,
        streaming: bool = True,
        retry_policy: RetryPolicy | None = None,
        conversation: Conversation | None = None,
    ) -> None:
        self.provider = provider
        self.target = target
        self.streaming = streaming
        self.retry_policy = retry_policy or RetryPolicy()
        self.conversation = conversation or Conversation(created_at=time.time())

    def switch(self, provider: Provider, target: Target) -> None:
        self.provider = provider
        self.target = target

    def add_user_turn(self, text: str) -> Turn:
        turn = Turn(role="user", text=text, created_at=time.time())
        self.conversation.turns.append(turn)
        self.conversation.updated_at = turn.created_at
        return turn

    def start_reply(self) -> PendingReply:
        """Build the request from the whole conversation and a run for it (not started)."""
        settings = self.conversation.settings
        request = ChatRequest(
            model=self.target.model,
            messages=self.conversation.context(),
            system=settings.system_prompt,
            temperature=settings.temperature,
            max_output_tokens=settings.max_output_tokens,
            reasoning_effort=settings.reasoning_effort,
            reasoning_budget=settings.reasoning_budget,
        )
        run = ReplyRun(
            self.provider, request, streaming=self.streaming, retry_policy=self.retry_policy
        )
        turn = Turn(
            role="assistant",
            text="",
            provider=self.target.provider,
            model=self.target.model,
            created_at=time.time(),
            streaming=self.streaming,
            status=MessageStatus.STREAMING,
        )
        self.conversation.turns.append(turn)
        return PendingReply(run, turn)

    def record_progress(self, pending: PendingReply) -> None:
        pending.turn.text = pending.run.text.text
        pending.turn.reasoning = pending.run.reasoning.text

    def finish_reply(self, pending: PendingReply) -> Turn:
        """Copy the run's outcome into its turn."""
        run, turn = pending.run, pending.turn
        self.record_progress(pending)
        turn.finished_at = time.time()
        turn.metrics = run.snapshot()
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
            turn.error_message = run.error.message
        else:
            turn.status = MessageStatus.CANCELLED
        self.conversation.updated_at = turn.finished_at
        return turn

    def retryable_reply(self) -> Turn | None:
        """The last reply, if it failed or was cancelled (so it can be regenerated)."""
        turns = self.conversation.turns
        if turns and turns[-1].role == "assistant" and turns[-1].status in _REGENERABLE:
            return turns[-1]
        return None

    def drop_last_reply(self) -> Turn:
        """Remove the last (failed or cancelled) reply before regenerating it."""
        return self.conversation.turns.pop()

    def new_conversation(self) -> None:
        settings = replace(self.conversation.settings)
        self.conversation = Conversation(created_at=time.time(), settings=settings)


_REGENERABLE = frozenset(
    {MessageStatus.CANCELLED, MessageStatus.INTERRUPTED, MessageStatus.ERROR}
)
