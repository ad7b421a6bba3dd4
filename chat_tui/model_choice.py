"""Choosing a provider and model by name: the model picker, the favourite keys and `chat-tui
ask` all go through `build_choice`, so a switch builds its provider exactly as start-up does
(through the registry), and the next request names the chosen model.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chat_tui.config import Settings
from chat_tui.providers import registry
from chat_tui.providers.base import FailureKind, Provider, ProviderError
from chat_tui.providers.simulated import MODELS as SIMULATED_MODELS
from chat_tui.session import Target


@dataclass(frozen=True, slots=True)
class Choice:
    provider: Provider
    target: Target

    @property
    def spec(self) -> str:
        return f"{self.target.provider}/{self.target.model}"


def models_of(target: registry.ProviderTarget) -> tuple[str, ...]:
    """Configured and known models of a target (the simulated presets for the offline one)."""
    if target.kind == "simulated":
        return tuple(dict.fromkeys([*target.models, *(m.name for m in SIMULATED_MODELS)]))
    return target.models


def build_choice(
    name: str,
    model: str | None,
    settings: Settings,
    environ: Mapping[str, str] = os.environ,
) -> Choice:
    """The provider for `name` and a target on `model` (default: the provider's).

    May block (an api_key_command runs here): call it in a thread from the UI.
    Raises ProviderError (CONFIG) for an unknown provider, a missing key or no model.
    """
    info = registry.get_target(name, settings, environ)
    model = model or info.default_model or (models_of(info)[:1] or (None,))[0]
    if not model:
        raise ProviderError(
            FailureKind.CONFIG,
            f"{info.label} has no default model: name one (--model, or pick it with ctrl+o).",
        )
    provider = registry.create_provider(name, settings, environ)
    return Choice(provider, Target(info.name, info.label, model))


def split_spec(spec: str) -> tuple[str, str]:
    """'provider/model' -> (provider, model); the model may itself contain '/'."""
    provider, _, model = spec.partition("/")
    return provider, model


def next_favourite(
    favourites: Sequence[str],
    current: str,
    step: int,
    usable: Mapping[str, bool],
) -> tuple[str | None, list[str]]:
    """The favourite `step` (+1/-1) places from `current`, skipping unusable ones.

    `usable` maps provider name -> has a key (a provider absent from it is unknown). Returns
    (the favourite or None, the entries skipped on the way).
    """
    if not favourites:
        return None, []
    count = len(favourites)
    start = favourites.index(current) if current in favourites else (-1 if step > 0 else count)
    skipped: list[str] = []
    for offset in range(1, count + 1):
        candidate = favourites[(start + step * offset) % count]
        if candidate == current:
            continue
        if usable.get(split_spec(candidate)[0], False):
            return candidate, skipped
        skipped.append(candidate)
    return None, skipped
