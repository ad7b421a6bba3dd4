"""Which provider and model a session starts on: --provider/--model, else the remembered
choice, else the config's default, else the first provider with a key, else the simulated
model. Builds the provider through the registry (SDKs are imported only then)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from chat_tui.config import Settings
from chat_tui.providers.base import FailureKind, Provider, ProviderError
from chat_tui.providers.simulated import DEFAULT_MODEL, SimulatedProvider
from chat_tui.session import Target

SIMULATED_LABEL = "Simulated (offline)"


def simulated_provider(settings: Settings) -> SimulatedProvider:
    return SimulatedProvider(
        ttft_s=settings.simulated_ttft_ms / 1000, tokens_per_s=settings.simulated_tokens_per_s
    )


def select_session_target(
    settings: Settings,
    *,
    requested_provider: str | None,
    requested_model: str | None,
    remembered: tuple[str | None, str | None] = (None, None),
    environ: Mapping[str, str] = os.environ,
) -> tuple[Provider, Target, str | None]:
    """(provider, target, title model). Raises ProviderError for an unusable request."""
    from chat_tui.providers import registry

    name, model = registry.choose_default_provider(settings, environ, requested_provider)
    remembered_provider, remembered_model = remembered
    if requested_provider is None and remembered_provider is not None:
        if registry.is_usable(remembered_provider, settings, environ):
            name, model = remembered_provider, remembered_model
    model = requested_model or model
    if name == "simulated":
        return (
            simulated_provider(settings),
            Target("simulated", SIMULATED_LABEL, model or DEFAULT_MODEL),
            None,
        )
    target_info = registry.describe_target(name, settings, environ)
    if target_info is None:
        raise ProviderError(FailureKind.CONFIG, f"Unknown provider {name!r}.")
    provider = registry.create_provider(name, settings, environ)
    model = model or target_info.default_model
    return provider, Target(name, target_info.label, model), target_info.title_model
