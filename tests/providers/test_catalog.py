"""The provider catalog: the starting target, resolving names and specs, favourites, the one
model-list cache, and the request options each provider declares."""

from __future__ import annotations

import pytest

from chat_tui.config import ProfileSettings, Settings
from chat_tui.providers.base import FailureKind, ProviderError
from chat_tui.providers.catalog import ProviderCatalog, Target
from chat_tui.providers.request_options import (
    ANTHROPIC_MESSAGES,
    ANTHROPIC_MIN_THINKING_BUDGET,
    ANY,
    SIMULATED,
)
from chat_tui.providers.simulated import SimulatedProvider
from tests.fakeserver import FakeProviderServer


def choice(catalog: ProviderCatalog, requested: str | None = None, **kw) -> tuple[str, str]:
    start = catalog.starting_point(requested_provider=requested, requested_model=None, **kw)
    return start.target.provider, start.target.model


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "simulated"),
        ({"OPENAI_API_KEY": "k"}, "openai"),
        ({"ANTHROPIC_API_KEY": "k", "GEMINI_API_KEY": "k"}, "anthropic"),
        ({"GOOGLE_API_KEY": "k"}, "gemini"),
        ({"OPENAI_API_KEY": "  "}, "simulated"),  # blank is not a key
    ],
)
def test_a_session_starts_on_the_first_provider_with_a_key(environ, expected):
    catalog = ProviderCatalog(Settings(), environ)
    assert choice(catalog) == (expected, catalog.entry(expected).default_model)


def test_requested_provider_wins_over_remembered_config_and_keys():
    settings = Settings(default_provider="anthropic", default_model="claude-x")
    environ = {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k", "GEMINI_API_KEY": "k"}
    catalog = ProviderCatalog(settings, environ)
    assert choice(catalog, "gemini") == ("gemini", "gemini-2.5-flash")
    assert choice(catalog) == ("anthropic", "claude-x")
    assert choice(catalog, "anthropic") == ("anthropic", "claude-x")
    # The model picked last time wins over the config, unless a provider is requested.
    assert choice(catalog, remembered=("openai", "gpt-4.1")) == ("openai", "gpt-4.1")
    assert choice(catalog, "gemini", remembered=("openai", "gpt-4.1"))[0] == "gemini"
    # A remembered provider without a key, or gone from the config, is passed over.
    assert choice(catalog, remembered=("openrouter", "x")) == ("anthropic", "claude-x")
    assert choice(catalog, remembered=("gone", "x")) == ("anthropic", "claude-x")


def test_unknown_provider_lists_the_valid_names():
    with pytest.raises(ProviderError) as caught:
        choice(ProviderCatalog(Settings(), {}), "opneai")
    assert caught.value.kind is FailureKind.CONFIG
    for name in ("openai", "anthropic", "gemini", "simulated", "ollama", "openrouter"):
        assert name in caught.value.message


def test_resolve_names_the_target_and_connect_builds_its_provider():
    catalog = ProviderCatalog(Settings(simulated_ttft_ms=0), {})
    target = catalog.resolve_spec("simulated/simulated-fast")
    assert target == Target("simulated", "Simulated (offline)", "simulated-fast")
    assert target.spec == "simulated/simulated-fast"
    assert catalog.resolve("simulated").model == "simulated-hosted"  # the provider's default
    assert catalog.resolve_spec("openrouter/openai/gpt-4o").model == "openai/gpt-4o"
    assert isinstance(catalog.connect(target), SimulatedProvider)
    with pytest.raises(ProviderError) as no_model:
        catalog.resolve("vllm")  # a local server with no configured model
    assert "has no default model" in no_model.value.message
    with pytest.raises(ProviderError) as no_key:
        catalog.connect(catalog.resolve("openai"))
    assert no_key.value.kind is FailureKind.CONFIG and "OPENAI_API_KEY" in no_key.value.message
    with pytest.raises(ProviderError) as unusable:
        catalog.require_key("anthropic")
    assert unusable.value.message == "ANTHROPIC_API_KEY is not set"


def test_favourites_cycle_over_usable_providers():
    settings = Settings(favourites=("simulated/simulated-fast", "openai/gpt-4o", "ollama/llama3.2"))
    catalog = ProviderCatalog(settings, {})
    current = Target("simulated", "Simulated (offline)", "simulated-fast")
    assert catalog.next_favourite(current, 1) == ("ollama/llama3.2", ["openai/gpt-4o"])
    assert catalog.next_favourite(current, -1) == ("ollama/llama3.2", [])
    usable = [e.name for e in catalog.entries() if e.key_available]
    assert catalog.entries()[: len(usable)] == [e for e in catalog.entries() if e.key_available]


async def test_model_lists_are_asked_once_and_merged(fake_server: FakeProviderServer):
    profile = ProfileSettings(name="local", base_url=fake_server.openai_base_url, models=("mine",))
    catalog = ProviderCatalog(Settings(profiles={"local": profile}), {})
    entry = catalog.entry("local")
    assert catalog.models(entry) == ["mine"]
    assert catalog.wants_listing(entry)
    first = await catalog.list_models(entry)
    second = await catalog.list_models(entry)
    assert first == second == ["mine", "fake-model", "gpt-4o", "gpt-4o-mini"]
    assert not catalog.wants_listing(entry)
    assert len([r for r in fake_server.requests if r.path == "/v1/models"]) == 1
    # The simulated model's presets are among its models without asking anyone.
    assert catalog.models(catalog.entry("simulated")) == ["simulated-hosted", "simulated-fast"]


async def test_a_failed_model_list_is_remembered_not_raised():
    profile = ProfileSettings(name="down", base_url="http://127.0.0.1:9/v1", models=("m",))
    catalog = ProviderCatalog(Settings(profiles={"down": profile}, connect_timeout_s=1), {})
    entry = catalog.entry("down")
    assert await catalog.list_models(entry) == ["m"]
    assert "down" in catalog.list_errors


def test_request_options_are_what_each_adapter_declares():
    catalog = ProviderCatalog(Settings(), {})
    claude = catalog.request_options("anthropic")
    assert claude is ANTHROPIC_MESSAGES and claude.min_budget == ANTHROPIC_MIN_THINKING_BUDGET
    assert not claude.temperature
    assert (
        catalog.request_options("openai").efforts and not catalog.request_options("ollama").budget
    )
    assert catalog.request_options("simulated") is SIMULATED
    assert catalog.request_options("scripted") is ANY  # a name the catalog lacks


def test_title_model_from_the_profile_then_the_config_then_the_small_model():
    profile = ProfileSettings(name="local", title_model="small")
    settings = Settings(profiles={"local": profile}, title_models={"openai": "gpt-4.1-mini"})
    catalog = ProviderCatalog(settings, {})
    assert catalog.title_model("local") == "small"
    assert catalog.title_model("openai") == "gpt-4.1-mini"
    assert catalog.title_model("gemini") == "gemini-2.5-flash-lite"  # never the chat model
    assert catalog.title_model("anthropic") == "claude-haiku-4-5"
    assert catalog.title_model("ollama") is None  # a local server: the chat model
