"""What a reply cost, in US dollars: the provider's reported token counts priced with the
`genai-prices` table (pydantic's maintained price data, bundled with the package).

No network: only the table bundled with the installed package is read (its `UpdatePrices`,
which would fetch newer prices over HTTP, is never started). Importing it and loading its
table takes ~60 ms with an SDK already loaded (0.25 s without), so it is imported lazily:
`warm_up()` loads it in the thread that builds a provider's SDK adapter, after the first
frame, and never for the simulated model.

A price is shown only when it is not a guess:
- the provider is known: OpenAI, Anthropic and Gemini by their kind (a base URL override is
  taken for a gateway or proxy in front of that provider, which bills at its prices); an
  OpenAI-compatible profile only when its base URL is a server the table names (Groq,
  DeepSeek, OpenRouter...): one on this machine or the local network (Ollama, vLLM, LM
  Studio, a gateway in front of anything) has none, whatever its models are called;
- the table knows the model for that provider;
- the provider reported both input and output tokens (an estimate from the text gives none).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from chat_tui.metrics import ReplyMetrics

# Our provider kinds -> genai-prices provider ids.
_PROVIDER_IDS = {"openai": "openai", "anthropic": "anthropic", "gemini": "google"}


@dataclass(frozen=True, slots=True)
class PriceSource:
    """Where a provider's prices come from: a table provider id, or the server's URL (matched
    against the providers the table knows)."""

    provider_id: str | None = None
    api_url: str | None = None


def price_source(kind: str, base_url: str | None) -> PriceSource | None:
    """The price source for a provider of `kind` at `base_url` (None: no price for it)."""
    if kind in _PROVIDER_IDS:
        return PriceSource(provider_id=_PROVIDER_IDS[kind])
    if kind == "openai-compatible" and base_url and not _is_local(base_url):
        return PriceSource(api_url=base_url)
    return None


def _is_local(url: str) -> bool:
    import ipaddress  # only for compatible profiles: kept off the start-up path

    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def reply_cost(
    source: PriceSource | None,
    model: str | None,
    metrics: ReplyMetrics,
    *,
    at: float | None = None,
) -> float | None:
    """The reply's cost in US dollars, or None when it would be a guess (see the module doc).

    `at` is when the reply was requested (unix time): the table keeps past prices too."""
    if source is None or not model or metrics.tokens_estimated:
        return None
    if metrics.input_tokens is None or metrics.output_tokens is None:
        return None
    from genai_prices import Usage, calc_price  # lazy: see the module doc

    # genai-prices counts cache reads and writes, and reasoning, as parts of the input and
    # output totals, as our adapters report them.
    usage = Usage(
        input_tokens=metrics.input_tokens,
        output_tokens=metrics.output_tokens,
        cache_read_tokens=metrics.cache_read_tokens or None,
        cache_write_tokens=metrics.cache_write_tokens or None,
        output_reasoning_tokens=metrics.reasoning_tokens or None,
    )
    when = datetime.fromtimestamp(at if at is not None else time.time(), tz=UTC)
    try:
        if source.provider_id is not None:
            price = calc_price(
                usage, model, provider_id=source.provider_id, genai_request_timestamp=when
            )
        else:
            price = calc_price(
                usage, model, provider_api_url=source.api_url, genai_request_timestamp=when
            )
    except (LookupError, ValueError):
        return None  # an unknown provider or model, or counts the table cannot price
    return float(price.total_price)


def provider_reply_cost(
    provider: object, model: str | None, metrics: ReplyMetrics, *, at: float | None = None
) -> float | None:
    """`reply_cost` for a reply from `provider`: priced by its `price_source`, if it has one
    (see providers.base.Provider)."""
    return reply_cost(getattr(provider, "price_source", None), model, metrics, at=at)


def warm_up() -> None:
    """Import the package and load its table now (call it off the event loop)."""
    from genai_prices import Usage, calc_price

    calc_price(Usage(input_tokens=1, output_tokens=1), "gpt-4o-mini", provider_id="openai")
