"""Which providers exist, where their keys come from, and building them.

The one place that defines the built-in providers, the OpenAI-compatible presets and the
profiles from the config file; `providers.catalog` is what the rest of the app asks. SDK
adapters are imported only when a provider built by `create_provider` is first used or warmed
up, so importing this module (at start-up) imports no SDK. Keys are read when a provider is
built, handed to it, and never logged or stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import os
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from chat_tui import pricing
from chat_tui.config import OpenAIApi, ProfileSettings, ProviderKind, Settings
from chat_tui.providers.base import FailureKind, Provider, ProviderError
from chat_tui.providers.lazy import LazyProvider

if TYPE_CHECKING:
    from chat_tui.providers.sdk_adapter import SdkAdapter

NO_KEY_NEEDED = "no key needed"
KEY_COMMAND_TIMEOUT_S = 10.0
OLLAMA_URL = "http://localhost:11434"
AUTO_ORDER = ("openai", "anthropic", "gemini")  # first with a key wins when nothing is chosen

KNOWN_MODELS: dict[str, tuple[str, ...]] = {
    "openai": ("gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "o4-mini", "gpt-5-mini"),
    "anthropic": (
        "claude-sonnet-5-5",
        "claude-opus-5-5",
        "claude-haiku-5-5",
        "claude-sonnet-4-6",
        "claude-haiku-4-5",
    ),
    "gemini": ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite"),
    "simulated": ("simulated-hosted", "simulated-fast"),
}

# A small, cheap model of each hosted provider: it names conversations unless the config
# names another (`title_model`), so titles never go to an expensive chat model.
SMALL_MODELS: dict[str, str] = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-haiku-4-5",
    "gemini": "gemini-2.5-flash-lite",
}


@dataclass(frozen=True, slots=True)
class ProviderEntry:
    """Something the user can pick: a built-in provider, a preset or a profile."""

    name: str
    kind: ProviderKind
    label: str
    base_url: str | None
    default_model: str | None  # None: take the first model the server lists
    models: tuple[str, ...]  # configured and known models, for the picker
    key_available: bool
    key_description: str  # where the key comes from, e.g. "OPENAI_API_KEY"; never the key
    key_required: bool = True
    api_key_envs: tuple[str, ...] = ()  # read in this order
    api_key_command: str | None = None
    title_model: str | None = None
    api: OpenAIApi | None = None  # OpenAI kinds: the API configured (None: the kind's default)


def _builtin_targets(environ: Mapping[str, str]) -> dict[str, ProviderEntry]:
    def target(name: str, kind: ProviderKind, label: str, base_url: str | None, *envs: str):
        return ProviderEntry(
            name=name,
            kind=kind,
            label=label,
            base_url=base_url,
            default_model=KNOWN_MODELS[name][0] if name in KNOWN_MODELS else None,
            models=KNOWN_MODELS.get(name, ()),
            key_available=False,
            key_description=envs[0] if envs else NO_KEY_NEEDED,
            key_required=bool(envs),
            api_key_envs=envs,
        )

    compatible: ProviderKind = "openai-compatible"
    targets = [
        target(
            "openai",
            "openai",
            "OpenAI",
            environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1",
            "OPENAI_API_KEY",
        ),
        target(
            "anthropic",
            "anthropic",
            "Anthropic",
            environ.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com",
            "ANTHROPIC_API_KEY",
        ),
        # google-genai prefers GOOGLE_API_KEY when both are set; so do we.
        target(
            "gemini",
            "gemini",
            "Google Gemini",
            environ.get("GOOGLE_GEMINI_BASE_URL") or None,
            "GOOGLE_API_KEY",
            "GEMINI_API_KEY",
        ),
        target("simulated", "simulated", "Simulated (offline)", None),
        replace(
            target("ollama", compatible, "Ollama (local)", f"{OLLAMA_URL}/v1"),
            default_model="llama3.2",
            models=("llama3.2",),
        ),
        target("vllm", compatible, "vLLM (local)", "http://localhost:8000/v1"),
        target("lmstudio", compatible, "LM Studio (local)", "http://localhost:1234/v1"),
        replace(
            target(
                "openrouter",
                compatible,
                "OpenRouter",
                "https://openrouter.ai/api/v1",
                "OPENROUTER_API_KEY",
            ),
            default_model="openai/gpt-4o-mini",
            models=("openai/gpt-4o-mini", "anthropic/claude-sonnet-4.6", "google/gemini-2.5-flash"),
        ),
    ]
    return {t.name: t for t in targets}


def _apply_profile(base: ProviderEntry | None, profile: ProfileSettings) -> ProviderEntry:
    """A profile, filled in from the built-in or preset of the same name (or of its kind)."""
    fallback = base
    if fallback is None and profile.kind in ("openai", "anthropic", "gemini"):
        fallback = _builtin_targets({})[profile.kind]
    envs = (profile.api_key_env,) if profile.api_key_env else ()
    if not envs and not profile.api_key_command and fallback is not None:
        envs = fallback.api_key_envs
    models = tuple(dict.fromkeys(profile.models + (fallback.models if fallback else ())))
    default_model = profile.default_model or (profile.models[0] if profile.models else None)
    return ProviderEntry(
        name=profile.name,
        kind=profile.kind,
        label=fallback.label if base is not None else profile.name,
        base_url=profile.base_url or (fallback.base_url if fallback else None),
        default_model=default_model or (fallback.default_model if fallback else None),
        models=models,
        key_available=False,
        key_description=NO_KEY_NEEDED,
        key_required=_profile_needs_key(profile, fallback),
        api_key_envs=envs,
        api_key_command=profile.api_key_command,
        title_model=profile.title_model,
        api=profile.api,
    )


def _profile_needs_key(profile: ProfileSettings, fallback: ProviderEntry | None) -> bool:
    """Hosted kinds always do; a compatible server only if the profile or its preset says so."""
    if profile.kind != "openai-compatible":
        return True
    declared = bool(profile.api_key_env or profile.api_key_command)
    return declared or bool(fallback and fallback.key_required)


def _with_key_status(target: ProviderEntry, environ: Mapping[str, str]) -> ProviderEntry:
    if target.api_key_command:
        return replace(
            target, key_available=True, key_description=f"command: {target.api_key_command}"
        )
    for env in target.api_key_envs:
        if environ.get(env, "").strip():
            return replace(target, key_available=True, key_description=env)
    if target.api_key_envs:
        return replace(target, key_available=False, key_description=target.api_key_envs[0])
    return replace(target, key_available=True, key_description=NO_KEY_NEEDED)


def list_entries(
    settings: Settings, environ: Mapping[str, str] = os.environ
) -> list[ProviderEntry]:
    """Every selectable target: built-ins, presets, then profiles (which override by name)."""
    targets = _builtin_targets(environ)
    for name, api in settings.provider_apis.items():
        if name in targets:
            targets[name] = replace(targets[name], api=api)
    for name, profile in settings.profiles.items():
        if name == "simulated":
            continue  # the offline model is not configurable as a profile
        profile = profile if profile.name == name else replace(profile, name=name)
        targets[name] = _apply_profile(targets.get(name), profile)
    return [_with_key_status(t, environ) for t in targets.values()]


def get_entry(
    name: str, settings: Settings, environ: Mapping[str, str] = os.environ
) -> ProviderEntry:
    targets = {t.name: t for t in list_entries(settings, environ)}
    if name not in targets:
        raise ProviderError(
            FailureKind.CONFIG,
            f"Unknown provider '{name}'. Valid names: {', '.join(targets)}.",
        )
    return targets[name]


def resolve_api_key(target: ProviderEntry, environ: Mapping[str, str] = os.environ) -> str | None:
    """The key for `target` (None when it needs none). Raises ProviderError(CONFIG)."""
    if target.api_key_command:
        return _run_key_command(target)
    for env in target.api_key_envs:
        if value := environ.get(env, "").strip():
            return value
    if target.key_required:
        names = " or ".join(target.api_key_envs) or "an API key"
        where = "" if target.name in AUTO_ORDER else f" (profile/preset '{target.name}')"
        raise ProviderError(
            FailureKind.CONFIG,
            f"Set {names} to use {target.label}{where}, or pick another provider "
            "(the simulated model needs no key).",
        )
    return None


def _run_key_command(target: ProviderEntry) -> str:
    command = target.api_key_command or ""
    what = f"The api_key_command of '{target.name}' ({command})"
    try:
        done = subprocess.run(
            shlex.split(command),
            capture_output=True,
            text=True,
            timeout=KEY_COMMAND_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise ProviderError(FailureKind.CONFIG, f"{what} was not found.") from None
    except subprocess.TimeoutExpired:
        raise ProviderError(
            FailureKind.CONFIG, f"{what} did not finish within {KEY_COMMAND_TIMEOUT_S:g} s."
        ) from None
    except (OSError, ValueError) as exc:
        raise ProviderError(FailureKind.CONFIG, f"{what} could not run: {exc}") from None
    if done.returncode != 0:
        reason = (done.stderr or "").strip().splitlines()[:1]
        detail = f": {reason[0][:160]}" if reason else ""
        raise ProviderError(
            FailureKind.CONFIG, f"{what} failed with exit status {done.returncode}{detail}"
        )
    key = done.stdout.strip()
    if not key:
        raise ProviderError(FailureKind.CONFIG, f"{what} printed nothing.")
    return key


def create_provider(
    name: str, settings: Settings, environ: Mapping[str, str] = os.environ
) -> Provider:
    """Build the provider for `name`. Its key is resolved now; its SDK adapter is imported
    later, off the event loop (see providers.lazy)."""
    target = get_entry(name, settings, environ)
    if target.kind == "simulated":
        from chat_tui.providers.simulated import SimulatedProvider

        return SimulatedProvider(
            ttft_s=settings.simulated_ttft_ms / 1000,
            tokens_per_s=settings.simulated_tokens_per_s,
            name=target.name,
        )
    key = resolve_api_key(target, environ)
    return LazyProvider(
        target.name,
        target.label,
        functools.partial(_sdk_adapter, target, key, settings),
        price_source=pricing.price_source(target.kind, target.base_url),
    )


def _sdk_adapter(
    target: ProviderEntry, key: str | None, settings: Settings, loop: asyncio.AbstractEventLoop
) -> Provider:
    """The SDK adapter for `target`, with its client for `loop`: imports its SDK (0.35-1 s)."""
    common = {
        "name": target.name,
        "label": target.label,
        "key_source": _key_source(target),
        "connect_timeout_s": settings.connect_timeout_s,
        "idle_timeout_s": settings.idle_timeout_s,
        "whole_reply_timeout_s": settings.whole_reply_timeout_s,
    }
    try:
        adapter: SdkAdapter[Any]
        if target.kind in ("openai", "openai-compatible"):
            from chat_tui.providers.openai_chat import OpenAIChatProvider
            from chat_tui.providers.openai_responses import OpenAIResponsesProvider
            from chat_tui.providers.request_options import openai_api

            responses = openai_api(target.kind, target.api) == "responses"
            adapter = (OpenAIResponsesProvider if responses else OpenAIChatProvider)(
                base_url=target.base_url or "https://api.openai.com/v1",
                api_key=key,
                compatible=target.kind == "openai-compatible",
                **common,
            )
        elif target.kind == "anthropic":
            from chat_tui.providers.anthropic_messages import AnthropicMessagesProvider

            adapter = AnthropicMessagesProvider(
                base_url=target.base_url or "https://api.anthropic.com", api_key=key or "", **common
            )
        else:
            from chat_tui.providers.gemini import GeminiProvider

            adapter = GeminiProvider(base_url=target.base_url, api_key=key or "", **common)
    except ImportError as exc:
        raise ProviderError(
            FailureKind.CONFIG,
            f"The SDK for {target.label} is not installed ({exc.name}): reinstall chat-tui.",
        ) from exc
    adapter.prepare_client(loop)
    return adapter


def _key_source(target: ProviderEntry) -> str:
    """For error messages: what to fix when the key is refused."""
    if target.name in AUTO_ORDER and not target.api_key_command:
        return target.key_description
    if target.key_description == NO_KEY_NEEDED:
        return f"whether profile '{target.name}' needs api_key_env or api_key_command"
    return f"{target.key_description} (profile '{target.name}')"


async def detect_ollama(timeout: float = 0.3, base_url: str = OLLAMA_URL) -> list[str] | None:
    """Model names of a local Ollama, or None when nothing answers within `timeout`.

    Most starts find nothing listening: that is known from a refused connection, without
    importing the HTTP client (0.1-0.2 s of the event loop's time at start-up). When something
    listens, the client is imported in a thread and asked."""
    if not await _accepts_connections(base_url, timeout):
        return None
    # In a thread: the event loop keeps drawing meanwhile (the import shares the GIL).
    httpx2 = await asyncio.to_thread(importlib.import_module, "httpx2")

    async def ask(client: httpx2.AsyncClient) -> list[str] | None:
        for path, key, field in (("/api/tags", "models", "name"), ("/v1/models", "data", "id")):
            try:
                response = await client.get(f"{base_url}{path}")
                if response.status_code == 200:
                    items = response.json().get(key) or []
                    return [item[field] for item in items if isinstance(item, dict)]
            except (httpx2.HTTPError, ValueError, AttributeError, KeyError):
                continue
        return None

    try:
        async with httpx2.AsyncClient(timeout=timeout) as client:
            return await asyncio.wait_for(ask(client), timeout)
    except (TimeoutError, httpx2.HTTPError, OSError):
        return None


async def _accepts_connections(url: str, timeout: float) -> bool:
    """Whether anything listens at `url`'s host and port (a bare TCP connect)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(parts.hostname, port), timeout)
    except (TimeoutError, OSError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
