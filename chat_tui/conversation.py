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
        """Earlier turns to send: user and assistant text that actually exists."""
        return tuple(t.as_context() for t in self.turns if t.text.strip())
