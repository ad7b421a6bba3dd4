"""Which provider and model a session starts on: --provider/--model, else the model picked
last time, else the config's default, else the first provider with a key, else the simulated
model. Builds the provider through the registry (SDKs are imported only then)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from chat_tui.config import Settings
from chat_tui.providers import registry
from chat_tui.providers.base import FailureKind, Provider, ProviderError
from chat_tui.session import Target


def select_session_target(
    settings: Settings,
    *,
    requested_provider: str | None,
    requested_model: str | None,
    remembered: tuple[str | None, str | None] = (None, None),
    environ: Mapping[str, str] = os.environ,
) -> tuple[Provider, Target, str | None]:
    """(provider, target, title model). Raises ProviderError for an unusable choice."""
    name, model = registry.choose_default_provider(settings, environ, requested_provider)
    remembered_provider, remembered_model = remembered
    if requested_provider is None and remembered_provider and remembered_model:
        try:
            if registry.get_target(remembered_provider, settings, environ).key_available:
                name, model = remembered_provider, remembered_model
        except ProviderError:
            pass  # a profile that no longer exists: fall back to the default
    target = registry.get_target(name, settings, environ)
    model = requested_model or model or (target.models[0] if target.models else None)
    if model is None:
        raise ProviderError(
            FailureKind.CONFIG,
            f"No model is set for {target.label}: start with --model NAME, or set "
            f"default_model in its profile.",
        )
    provider = registry.create_provider(name, settings, environ)
    title_model = target.title_model or settings.title_models.get(name)
    return provider, Target(name, target.label, model), title_model
