"""Which request options each provider API takes: declared once, read by the settings screen.

Each adapter class names its declaration as `request_options` (a class attribute), and the
values live here so that code deciding what to offer (the settings screen, the catalog) can
read them without importing an SDK (0.35-1 s). `request_options_for(kind, api)` is that
import-free lookup; a test checks that it agrees with every adapter's attribute.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat_tui.config import OpenAIApi

# The Messages API's floor for thinking.budget_tokens (the adapter keeps to it too).
ANTHROPIC_MIN_THINKING_BUDGET = 1024
# The levels the app offers; every API listed here takes these three.
EFFORTS: tuple[str, ...] = ("low", "medium", "high")


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """What a request to one API can carry, as the installed SDK and the API take it."""

    max_temperature: float | None  # None: the API takes no temperature at all
    efforts: tuple[str, ...]  # reasoning effort levels taken; () when there is no such knob
    min_budget: int | None  # smallest reasoning token budget taken; None: no budget knob
    system: bool = True
    max_output_tokens: bool = True
    non_streaming: bool = True  # a request that answers with the whole reply at once
    # Kinds of attached file the API takes ("image", "pdf", "text"; see chat_tui.attachments).
    attachments: frozenset[str] = frozenset({"image", "pdf", "text"})
    note: str = ""  # one sentence for the settings screen: what the API takes
    api_name: str = ""  # named when a file is refused: "Chat Completions"
    attachment_hint: str = ""  # where the refused kinds can go instead

    @property
    def temperature(self) -> bool:
        return self.max_temperature is not None

    @property
    def budget(self) -> bool:
        return self.min_budget is not None


# OpenAI Chat Completions (OpenAI itself and compatible servers): `reasoning_effort`.
_OPENAI_NOTE = "OpenAI-style APIs take an effort level, not a budget."
# Chat Completions has no document part: PDFs are refused before sending, with a message.
CHAT_COMPLETIONS = RequestOptions(
    max_temperature=2.0,
    efforts=EFFORTS,
    min_budget=None,
    attachments=frozenset({"image", "text"}),
    note=_OPENAI_NOTE,
    api_name="Chat Completions",
    attachment_hint="For a PDF, use OpenAI through the Responses API (its default), Claude "
    "or Gemini.",
)
# OpenAI Responses: `reasoning: {effort, summary}`.
RESPONSES = RequestOptions(max_temperature=2.0, efforts=EFFORTS, min_budget=None, note=_OPENAI_NOTE)
# Anthropic Messages as of anthropic 2.14: `messages.create()` takes no temperature (nor top_p
# or top_k: sampling options are gone from the API); effort travels as `output_config.effort`
# with adaptive thinking, a budget as `thinking.budget_tokens` (at least 1,024).
ANTHROPIC_MESSAGES = RequestOptions(
    max_temperature=None,
    efforts=EFFORTS,
    min_budget=ANTHROPIC_MIN_THINKING_BUDGET,
    note="Claude takes an effort (adaptive thinking) or a budget of at least "
    f"{ANTHROPIC_MIN_THINKING_BUDGET} tokens, and no temperature (the Messages API dropped it).",
)
# Gemini generateContent: `thinkingConfig.thinkingLevel` or `.thinkingBudget`.
GEMINI = RequestOptions(
    max_temperature=2.0,
    efforts=EFFORTS,
    min_budget=1,
    note="Gemini takes a thinking level (effort) or a thinking budget.",
)
# The offline simulation ignores everything but the messages.
SIMULATED = RequestOptions(
    max_temperature=None,
    efforts=(),
    min_budget=None,
    system=False,
    max_output_tokens=False,
    note="The simulated model has no reasoning.",
)
# A provider no declaration covers (a test's scripted one): every knob is offered.
ANY = RequestOptions(max_temperature=2.0, efforts=EFFORTS, min_budget=1)


def openai_api(kind: str, api: OpenAIApi | None) -> OpenAIApi:
    """The API an OpenAI kind speaks: as configured, else Responses for OpenAI itself and
    Chat Completions for compatible servers (few of them serve /responses)."""
    return api or ("responses" if kind == "openai" else "chat")


def request_options_for(kind: str | None, api: OpenAIApi | None = None) -> RequestOptions | None:
    """The declaration for a provider kind ("openai", "openai-compatible", "anthropic",
    "gemini", "simulated") and, for the OpenAI kinds, the API it uses (None: the kind's
    default: Responses for OpenAI, Chat Completions for compatible servers). None when the
    kind is unknown."""
    if kind in ("openai", "openai-compatible"):
        return RESPONSES if openai_api(kind, api) == "responses" else CHAT_COMPLETIONS
    return {"anthropic": ANTHROPIC_MESSAGES, "gemini": GEMINI, "simulated": SIMULATED}.get(
        kind or ""
    )
