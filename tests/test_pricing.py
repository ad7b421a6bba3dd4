"""What a reply cost: the reported counts priced with the bundled genai-prices table.

Expected figures are worked out by hand from the providers' published per-million-token prices
(as genai-prices 0.2.3 holds them): a pin bump that changes a price fails here on purpose.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from chat_tui.metrics import ReplyMetrics, format_cost
from chat_tui.pricing import PriceSource, price_source, reply_cost

OPENAI = PriceSource(provider_id="openai")
ANTHROPIC = PriceSource(provider_id="anthropic")
GOOGLE = PriceSource(provider_id="google")


def counts(**kw: object) -> ReplyMetrics:
    return ReplyMetrics(**({"input_tokens": 1000, "output_tokens": 500} | kw))  # type: ignore[arg-type]


def test_a_known_model_costs_exactly_what_the_table_says() -> None:
    # gpt-4o-mini: $0.15 input, $0.60 output per million tokens.
    assert reply_cost(OPENAI, "gpt-4o-mini", counts()) == pytest.approx(
        1000 * 0.15e-6 + 500 * 0.60e-6, abs=1e-12
    )


def test_cache_reads_and_writes_are_priced_as_such() -> None:
    # claude-sonnet-4-5: $3 input, $15 output, $0.30 cache read, $3.75 cache write. The reads
    # and writes are parts of input_tokens, as the Anthropic adapter reports them.
    metrics = counts(input_tokens=1000, cache_read_tokens=200, cache_write_tokens=100)
    expected = 700 * 3e-6 + 200 * 0.30e-6 + 100 * 3.75e-6 + 500 * 15e-6
    assert reply_cost(ANTHROPIC, "claude-sonnet-4-5", metrics) == pytest.approx(expected, abs=1e-12)
    # OpenAI's cached prompt tokens: gpt-4o-mini reads the cache at $0.075.
    cached = reply_cost(OPENAI, "gpt-4o-mini", counts(cache_read_tokens=400))
    assert cached == pytest.approx(600 * 0.15e-6 + 400 * 0.075e-6 + 500 * 0.60e-6, abs=1e-12)


def test_reasoning_tokens_are_output_tokens_and_cost_no_extra() -> None:
    # o3-mini: $1.10 input, $4.40 output; output_tokens already includes the reasoning.
    with_reasoning = reply_cost(OPENAI, "o3-mini", counts(reasoning_tokens=300))
    assert with_reasoning == reply_cost(OPENAI, "o3-mini", counts())
    assert with_reasoning == pytest.approx(1000 * 1.10e-6 + 500 * 4.40e-6, abs=1e-12)


def test_gemini_is_priced_as_google() -> None:
    # gemini-2.0-flash: $0.10 input, $0.40 output.
    assert reply_cost(GOOGLE, "gemini-2.0-flash", counts()) == pytest.approx(
        1000 * 0.10e-6 + 500 * 0.40e-6, abs=1e-12
    )


@pytest.mark.parametrize(
    ("source", "model"),
    [
        (OPENAI, "my-finetune-nobody-priced"),
        (OPENAI, "llama3.2"),  # a local model's name, sent through the openai kind
        (ANTHROPIC, "gpt-4o-mini"),  # a model of another provider is not guessed across
        (PriceSource(api_url="https://llm.example.com/v1"), "gpt-4o-mini"),  # unknown server
        (None, "gpt-4o-mini"),  # no price source (the simulated model, a local server)
        (OPENAI, None),
    ],
)
def test_no_price_is_never_a_guess(source: PriceSource | None, model: str | None) -> None:
    assert reply_cost(source, model, counts()) is None


def test_estimated_or_missing_counts_give_no_cost() -> None:
    assert reply_cost(OPENAI, "gpt-4o-mini", counts(tokens_estimated=True)) is None
    assert reply_cost(OPENAI, "gpt-4o-mini", counts(input_tokens=None)) is None
    assert reply_cost(OPENAI, "gpt-4o-mini", counts(output_tokens=None)) is None


def test_a_compatible_server_the_table_names_is_priced_by_its_url() -> None:
    # Groq's llama-3.1-8b-instant: $0.05 input, $0.08 output.
    groq = price_source("openai-compatible", "https://api.groq.com/openai/v1")
    assert groq == PriceSource(api_url="https://api.groq.com/openai/v1")
    assert reply_cost(groq, "llama-3.1-8b-instant", counts()) == pytest.approx(
        1000 * 0.05e-6 + 500 * 0.08e-6, abs=1e-12
    )


@pytest.mark.parametrize(
    ("kind", "base_url", "expected"),
    [
        ("openai", None, OPENAI),
        ("openai", "http://127.0.0.1:4000/v1", OPENAI),  # a gateway in front of OpenAI
        ("anthropic", None, ANTHROPIC),
        ("gemini", None, GOOGLE),
        ("simulated", None, None),
        ("openai-compatible", "http://localhost:11434/v1", None),  # Ollama
        ("openai-compatible", "http://127.0.0.1:8000/v1", None),  # vLLM
        ("openai-compatible", "http://[::1]:1234/v1", None),  # LM Studio
        ("openai-compatible", "http://192.168.1.20:11434/v1", None),  # a box on the LAN
        ("openai-compatible", None, None),
    ],
)
def test_price_sources(kind: str, base_url: str | None, expected: PriceSource | None) -> None:
    assert price_source(kind, base_url) == expected


def test_cost_format() -> None:
    assert format_cost(None) == ""
    assert format_cost(0.0) == "$0"
    assert format_cost(0.00001) == "<$0.0001"
    assert format_cost(0.00045) == "$0.0004"
    assert format_cost(0.0123) == "$0.0123"
    assert format_cost(3.456) == "$3.46"


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )


def test_pricing_needs_no_network_and_starts_no_updater() -> None:
    done = run_python(
        """
        import socket, threading

        def refuse(*args, **kwargs):
            raise OSError("network use during pricing")

        socket.socket.connect = socket.socket.connect_ex = refuse
        socket.create_connection = socket.getaddrinfo = refuse
        from chat_tui import pricing
        from chat_tui.metrics import ReplyMetrics

        pricing.warm_up()
        metrics = ReplyMetrics(input_tokens=1000, output_tokens=500)
        cost = pricing.reply_cost(pricing.PriceSource("openai"), "gpt-4o-mini", metrics)
        assert cost is not None and cost > 0, cost
        threads = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
        assert threads == [], threads
        print("ok")
        """
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_price_table_is_not_imported_by_starting_the_app() -> None:
    """Start-up time is a target: the table loads later, off the event loop."""
    done = run_python(
        """
        import sys
        import chat_tui.app, chat_tui.cli, chat_tui.session, chat_tui.providers.registry
        import chat_tui.screens.chat, chat_tui.commands.stats, chat_tui.commands.bench
        print("genai_prices" in sys.modules)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
