"""The conversation as the app and the store see it: plain data, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from chat_tui.metrics import ReplyMetrics
from chat_tui.providers.base import ChatMessage, Role


class MessageStatus(enum.StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"  # being written; found like this on start = the app died mid-reply
    CANCELLED = "cancelled"  # the user pressed Esc
    INTERRUPTED = "interrupted"  # the connection or the app failed mid-reply; partial kept
    ERROR = "error"  # failed before any text arrived


@dataclass(slots=True)
class Turn:
    """One message of a conversation. Assistant turns carry their reply's record."""

    role: Role
    text: str
    id: int | None = None
    reasoning: str = ""
    provider: str | None = None
    model: str | None = None
    created_at: float = 0.0  # unix time
    finished_at: float | None = None
    streaming: bool = True  # the mode the reply was requested in
    status: MessageStatus = MessageStatus.COMPLETE
    error_kind: str | None = None
    error_message: str | None = None
    finish_reason: str | None = None
    metrics: ReplyMetrics | None = None

    def as_context(self) -> ChatMessage:
        """What is sent back to a provider: the text only, never the reasoning."""
        return ChatMessage(self.role, self.text)


@dataclass(slots=True)
class ConversationSettings:
    """Per-conversation knobs, saved with it."""

    system_prompt: str | None = None
    temperature: float | None = None
    max_output_tokens: int | None = None
    reasoning_effort: str | None = None
    reasoning_budget: int | None = None


@dataclass(slots=True)
class Conversation:
    id: int | None = None
    title: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    settings: ConversationSettings = field(default_factory=ConversationSettings)
    turns: list[Turn] = field(default_factory=list)

    def context(self) -> tuple[ChatMessage, ...]:
        """The turns to send, in the strict user/assistant alternation providers expect.

        Turns without text are skipped; a reply followed by another reply was regenerated,
        so only the newer one counts; consecutive user turns (left by a failed reply) are
        joined.
        """
        merged: list[ChatMessage] = []
        for turn in self.turns:
            if not turn.text.strip():
                continue
            if merged and merged[-1].role == turn.role == "assistant":
                merged[-1] = turn.as_context()
            elif merged and merged[-1].role == turn.role:
                merged[-1] = ChatMessage(turn.role, f"{merged[-1].text}\n\n{turn.text}")
            else:
                merged.append(turn.as_context())
        return tuple(merged)
