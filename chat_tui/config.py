"""Settings: the TOML config file plus the environment, as one immutable object.

`Settings()` with no arguments is the set of defaults the app runs with when there is no
config file (or a broken one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ProviderKind = Literal["openai", "openai-compatible", "anthropic", "gemini", "simulated"]


@dataclass(frozen=True, slots=True)
class ProfileSettings:
    """A named provider profile, e.g. an Ollama server or OpenRouter.

    The key comes from `api_key_env` (a variable name) or `api_key_command` (a command whose
    stdout is the key); never from the file itself.
    """

    name: str
    kind: ProviderKind = "openai-compatible"
    base_url: str | None = None
    api_key_env: str | None = None
    api_key_command: str | None = None
    default_model: str | None = None
    models: tuple[str, ...] = ()
    title_model: str | None = None  # a cheaper model for background titles


@dataclass(frozen=True, slots=True)
class Settings:
    default_provider: str | None = None
    default_model: str | None = None
    favourites: tuple[str, ...] = ()  # "provider/model" entries, cycled by keys
    flush_interval_ms: int = 66  # renderer cadence, clamped to 50..100
    simulated_ttft_ms: int = 400
    simulated_tokens_per_s: float = 50.0
    profiles: dict[str, ProfileSettings] = field(default_factory=dict)
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    connect_timeout_s: float = 10.0
    idle_timeout_s: float = 120.0  # no bytes for this long mid-reply = stalled
    max_retries: int = 3
    system_prompt: str | None = None
    max_output_tokens: int | None = None

    @property
    def flush_interval_s(self) -> float:
        return min(max(self.flush_interval_ms, 50), 100) / 1000
