"""Which provider and model: the one place that answers it.

The catalog lists what the user can pick (built-ins, presets, profiles, each with its key
status and what it supports), keeps the one cache of the models each server listed, cycles
favourites, turns "provider/model" into a `Target`, chooses the target a session starts on,
and builds the provider for a target. How each provider is defined, keyed and built is the
registry's business, below it; nothing here imports an SDK.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chat_tui.config import Settings
from chat_tui.providers import registry
from chat_tui.providers.base import FailureKind, Provider, ProviderError
from chat_tui.providers.registry import ProviderEntry
from chat_tui.providers.request_options import ANY, RequestOptions, request_options_for
from chat_tui.providers.simulated import MODELS as SIMULATED_MODELS

LIST_MODELS_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Target:
    """Which provider and model a request goes to."""

    provider: str  # catalog name: "openai", "simulated", a profile name...
    label: str  # "OpenAI", "Simulated (offline)"
    model: str

    @property
    def description(self) -> str:
        return f"{self.label} · {self.model}"

    @property
    def spec(self) -> str:
        return f"{self.provider}/{self.model}"


@dataclass(frozen=True, slots=True)
class StartingPoint:
    """What a session starts on: the target, its provider, and a model for titles."""

    provider: Provider
    target: Target
    title_model: str | None


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


class ProviderCatalog:
    """Everything the user can pick, for one set of settings and one environment."""

    def __init__(self, settings: Settings, environ: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.environ = os.environ if environ is None else environ
        self._listed: dict[str, list[str]] = {}  # what each server listed, asked once
        self.list_errors: dict[str, ProviderError] = {}

    # ---- entries ---------------------------------------------------------------------------

    def entries(self) -> list[ProviderEntry]:
        """Every provider, usable ones first (each group in the registry's order)."""
        entries = registry.list_entries(self.settings, self.environ)
        return [e for e in entries if e.key_available] + [e for e in entries if not e.key_available]

    def entry(self, name: str) -> ProviderEntry:
        """Raises ProviderError (CONFIG) for an unknown name, listing the known ones."""
        return registry.get_entry(name, self.settings, self.environ)

    def usable(self) -> dict[str, bool]:
        """Provider name -> whether it has what it needs (a key) to be used."""
        return {e.name: e.key_available for e in self.entries()}

    def request_options(self, provider: str) -> RequestOptions:
        """What requests to `provider` may carry, as its adapter declares it (every knob for a
        name the catalog lacks)."""
        try:
            entry = self.entry(provider)
        except ProviderError:
            return ANY
        return request_options_for(entry.kind, entry.api) or ANY

    def title_model(self, provider: str) -> str | None:
        """The model that names conversations on `provider`: the profile's or the config's
        `title_model`, else the built-in provider's small model (None: the chat model)."""
        try:
            configured = self.entry(provider).title_model
        except ProviderError:
            configured = None
        return (
            configured
            or self.settings.title_models.get(provider)
            or registry.SMALL_MODELS.get(provider)
        )

    # ---- models ----------------------------------------------------------------------------

    def models(self, entry: ProviderEntry) -> list[str]:
        """Configured, known and (once asked) listed models of `entry`."""
        known = entry.models
        if entry.kind == "simulated":
            known = (*known, *(m.name for m in SIMULATED_MODELS))
        return list(dict.fromkeys([*known, *self._listed.get(entry.name, [])]))

    def wants_listing(self, entry: ProviderEntry) -> bool:
        """True until `entry`'s server has been asked for its models (usable ones only)."""
        return entry.key_available and entry.name not in self._listed

    async def list_models(
        self, entry: ProviderEntry, provider: Provider | None = None
    ) -> list[str]:
        """Ask the server once (building a provider for it when none is given); failures are
        remembered in `list_errors`, never raised: a model list is a nicety."""
        if entry.name in self._listed:
            return self.models(entry)
        self._listed[entry.name] = []  # asked: a second picker does not ask again
        owned = provider is None
        try:
            if provider is None:
                provider = await asyncio.to_thread(self.connect, entry.name)
            listed = await asyncio.wait_for(provider.list_models(), LIST_MODELS_TIMEOUT_S)
            self._listed[entry.name] = listed
        except ProviderError as error:
            self.list_errors[entry.name] = error
        except Exception as error:  # a timeout or an adapter's surprise: quiet all the same
            self.list_errors[entry.name] = ProviderError(FailureKind.BAD_RESPONSE, str(error))
        finally:
            if owned and provider is not None:
                with contextlib.suppress(Exception):
                    await provider.aclose()
        return self.models(entry)

    # ---- targets ---------------------------------------------------------------------------

    def resolve(self, name: str, model: str | None = None) -> Target:
        """The target for provider `name` on `model` (default: the provider's first model).
        Raises ProviderError (CONFIG) for an unknown provider or when no model is known."""
        entry = self.entry(name)
        model = model or entry.default_model or next(iter(self.models(entry)), None)
        if not model:
            raise ProviderError(
                FailureKind.CONFIG,
                f"{entry.label} has no default model: name one (--model, or pick it with ctrl+o).",
            )
        return Target(entry.name, entry.label, model)

    def resolve_spec(self, spec: str) -> Target:
        return self.resolve(*split_spec(spec))

    def connect(self, target: Target | str) -> Provider:
        """The provider for a target (or a provider name). Its key is resolved now, so this
        may block (an api_key_command runs): call it in a thread from the UI. Raises
        ProviderError (CONFIG) for an unknown provider or a missing key."""
        name = target.provider if isinstance(target, Target) else target
        return registry.create_provider(name, self.settings, self.environ)

    def require_key(self, name: str) -> ProviderEntry:
        """The entry for `name`, or ProviderError (AUTH) naming what to set."""
        entry = self.entry(name)
        if not entry.key_available:
            raise ProviderError(FailureKind.AUTH, f"{entry.key_description} is not set")
        return entry

    def next_favourite(self, current: Target, step: int) -> tuple[str | None, list[str]]:
        """The favourite `step` places from `current`, and the unusable ones skipped."""
        return next_favourite(self.settings.favourites, current.spec, step, self.usable())

    def starting_point(
        self,
        *,
        requested_provider: str | None,
        requested_model: str | None,
        remembered: tuple[str | None, str | None] = (None, None),
    ) -> StartingPoint:
        """--provider/--model, else the model picked last time, else the config's default,
        else the first provider with a key, else the simulated model. Raises ProviderError
        for an unusable choice."""
        name, model = self._default_choice(requested_provider)
        remembered_provider, remembered_model = remembered
        if requested_provider is None and remembered_provider and remembered_model:
            try:
                if self.entry(remembered_provider).key_available:
                    name, model = remembered_provider, remembered_model
            except ProviderError:
                pass  # a profile that no longer exists: fall back to the default
        entry = self.entry(name)
        model = requested_model or model or (entry.models[0] if entry.models else None)
        if model is None:
            raise ProviderError(
                FailureKind.CONFIG,
                f"No model is set for {entry.label}: start with --model NAME, or set "
                f"default_model in its profile.",
            )
        provider = self.connect(name)
        return StartingPoint(
            provider, Target(entry.name, entry.label, model), self.title_model(name)
        )

    def _default_choice(self, requested: str | None) -> tuple[str, str | None]:
        """(provider name, model) to start with. The model is None when the server must be
        asked. `--provider` wins; then the config's default_provider; then the first of
        OpenAI, Anthropic and Gemini with a key in the environment; else the simulated model.
        """
        settings = self.settings
        chosen = requested or settings.default_provider
        if chosen:
            entry = self.entry(chosen)
            configured = settings.default_model if chosen == settings.default_provider else None
            return entry.name, configured or entry.default_model
        entries = {e.name: e for e in registry.list_entries(settings, self.environ)}
        for name in registry.AUTO_ORDER:
            if entries[name].key_available:
                return name, entries[name].default_model
        return "simulated", entries["simulated"].default_model
