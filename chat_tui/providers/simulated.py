"""The built-in offline model: a clearly labelled simulation, never a real model.

It streams a varied Markdown reply shaped by the user's message (paragraphs, a list and a
fenced code block) with a realistic time to first token and token rate, so a newcomer with no
API key sees the whole experience. Cancelling the consuming task stops generation at once.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import ClassVar

from chat_tui.attachments import Attachment, format_size
from chat_tui.metrics import estimate_tokens
from chat_tui.providers.base import (
    ChatRequest,
    Finish,
    FinishReason,
    Reply,
    StreamEvent,
    TextDelta,
    Usage,
    announce_request_sent,
)
from chat_tui.providers.request_options import SIMULATED, RequestOptions


@dataclass(frozen=True, slots=True)
class SimulatedModel:
    name: str
    ttft_s: float | None  # None: take the configured speed
    tokens_per_s: float | None
    description: str


MODELS: tuple[SimulatedModel, ...] = (
    SimulatedModel("simulated-hosted", None, None, "like a hosted model (config: [simulated])"),
    SimulatedModel("simulated-fast", 0.05, 400.0, "a fast preset: 50 ms TTFT, 400 tok/s"),
)
DEFAULT_MODEL = MODELS[0].name

# Pieces of at most four visible characters: about what a real tokenizer makes of English,
# so the "~" estimate (4 characters a token) agrees with the count the simulation reports.
_TOKEN = re.compile(r"\s*\S{1,4}|\s+")


def tokenize(text: str) -> list[str]:
    """Split text into token-sized pieces; a word's first piece carries its leading space."""
    return _TOKEN.findall(text)


class SimulatedProvider:
    request_options: ClassVar[RequestOptions] = SIMULATED
    name = "simulated"
    label = "Simulated (offline)"

    def __init__(
        self,
        *,
        ttft_s: float = 0.4,
        tokens_per_s: float = 50.0,
        name: str = "simulated",
        reply_text: Callable[[ChatRequest], str] | None = None,
    ) -> None:
        self.name = name
        self._ttft_s = ttft_s
        self._tokens_per_s = tokens_per_s
        self._reply_text = reply_text or compose_reply
        self.generated_tokens = 0  # how far generation got: tests check that cancel stops it

    def _speed(self, model: str) -> tuple[float, float]:
        for preset in MODELS:
            if preset.name == model and preset.ttft_s is not None and preset.tokens_per_s:
                return preset.ttft_s, preset.tokens_per_s
        return self._ttft_s, self._tokens_per_s

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        announce_request_sent()  # nothing to send: the "server" starts at once
        ttft_s, tokens_per_s = self._speed(request.model)
        pieces = tokenize(self._reply_text(request))
        self.generated_tokens = 0
        start = time.perf_counter() + ttft_s
        interval = 1 / tokens_per_s if tokens_per_s > 0 else 0.0
        since_yield_to_loop = 0
        for index, piece in enumerate(pieces):
            delay = start + index * interval - time.perf_counter()
            if delay > 0.0005:
                await asyncio.sleep(delay)
                since_yield_to_loop = 0
            elif since_yield_to_loop >= 64:
                # Behind schedule at a high rate: still let the UI breathe now and then.
                await asyncio.sleep(0)
                since_yield_to_loop = 0
            since_yield_to_loop += 1
            self.generated_tokens += 1
            yield TextDelta(piece)
        yield Usage(input_tokens=_input_tokens(request), output_tokens=len(pieces))
        yield Finish(FinishReason.STOP, "stop")

    async def complete(self, request: ChatRequest) -> Reply:
        announce_request_sent()
        ttft_s, tokens_per_s = self._speed(request.model)
        text = self._reply_text(request)
        pieces = tokenize(text)
        # A non-streaming call returns when generation is done.
        await asyncio.sleep(ttft_s + len(pieces) / tokens_per_s if tokens_per_s > 0 else ttft_s)
        self.generated_tokens = len(pieces)
        return Reply(
            text=text,
            usage=Usage(input_tokens=_input_tokens(request), output_tokens=len(pieces)),
            finish=Finish(FinishReason.STOP, "stop"),
        )

    async def list_models(self) -> list[str]:
        return [model.name for model in MODELS]

    async def aclose(self) -> None:
        return None


def _input_tokens(request: ChatRequest) -> int:
    text = (request.system or "") + "".join(m.text for m in request.messages)
    return estimate_tokens(text)


# ---- the reply ------------------------------------------------------------------------------

_TOPIC_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{3,}")
_STOP_WORDS = frozenset(
    [
        "this",
        "that",
        "with",
        "what",
        "when",
        "where",
        "which",
        "there",
        "their",
        "about",
        "would",
        "could",
        "should",
        "have",
        "from",
        "your",
        "into",
        "then",
        "than",
        "them",
        "they",
        "will",
        "just",
        "like",
        "make",
        "does",
        "explain",
        "tell",
        "please",
        "write",
    ]
)

_OPENINGS = (
    "Here is a simulated answer about **{topic}**. No real model was asked: this reply is "
    "generated offline by chat-tui so you can try streaming, cancelling and the timing figures.",
    "(Simulated reply.) Let's look at **{topic}** step by step. Everything below is made up "
    "locally, at a speed you can set in the config file.",
    "This is chat-tui's offline simulated model answering about **{topic}**. It streams like a "
    "hosted model, so the status bar figures behave as they would with a real one.",
)
_POINTS = (
    "Start from the smallest thing that works, then measure before optimising.",
    "Keep the slow parts (network, disk) at the edges, and the logic in the middle pure.",
    "Time to first token matters more to how fast a reply *feels* than the token rate.",
    "Name things for what they are; a reader should not need the history to follow them.",
    "Cancel early: a reply that goes the wrong way costs time and tokens.",
    "Test at the boundaries: empty input, huge input, and input that arrives in pieces.",
)
_CLOSINGS = (
    "To talk to a real model, set `OPENAI_API_KEY`, `ANTHROPIC_API_KEY` or `GEMINI_API_KEY` "
    "(or point a profile at a local Ollama server) and press **ctrl+o** to pick it.",
    "Press **ctrl+t** to switch to non-streaming mode and compare the total time with this one.",
    "Press **Esc** during a reply to stop it; the part already received is kept.",
)


def compose_reply(request: ChatRequest) -> str:
    """A Markdown reply whose shape depends on the last user message (deterministically)."""
    last_user = next((m for m in reversed(request.messages) if m.role == "user"), None)
    prompt = last_user.text if last_user else ""
    words = [w for w in _TOPIC_WORD.findall(prompt) if w.lower() not in _STOP_WORDS]
    topic = " ".join(words[:3]) if words else "your question"
    rng = random.Random(prompt)
    identifier = re.sub(r"\W+", "_", topic.lower()).strip("_") or "answer"
    points = rng.sample(_POINTS, k=rng.randint(3, 5))
    paragraphs = [
        rng.choice(_OPENINGS).format(topic=topic),
        "A few points worth keeping in mind:",
        "\n".join(f"{n}. {point}" for n, point in enumerate(points, start=1)),
        "A small example:",
        "```python\n"
        f"def {identifier}(items: list[str]) -> dict[str, int]:\n"
        '    """Count how often each item appears."""\n'
        "    counts: dict[str, int] = {}\n"
        "    for item in items:\n"
        "        counts[item] = counts.get(item, 0) + 1\n"
        "    return counts\n"
        "```",
        rng.choice(_CLOSINGS),
    ]
    if last_user is not None and last_user.attachments:
        paragraphs.insert(0, _acknowledgement(last_user.attachments))
    return "\n\n".join(paragraphs)


def _acknowledgement(attachments: tuple[Attachment, ...]) -> str:
    """The simulation reads no file, but says which ones arrived, by name."""
    names = [f"{a.name} ({a.kind}, {format_size(a.size)})" for a in attachments]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"You attached {listed}. (Simulated: the files are not read.)"
