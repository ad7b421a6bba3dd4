"""Settings: the TOML config file plus the environment, as one immutable object.

`Settings()` with no arguments is the set of defaults the app runs with when there is no
config file (or a broken one). `load_settings(path)` reads the file and never writes it: a
value that is wrong is reported as a `Problem` and the default is kept, so a typo never
stops the app from starting.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from chat_tui.attachments import DEFAULT_MAX_ATTACHMENT_MB
from chat_tui.problems import KeyLines, Problem, Severity, describe_value

ProviderKind = Literal["openai", "openai-compatible", "anthropic", "gemini", "simulated"]
OpenAIApi = Literal["responses", "chat"]  # the two APIs the OpenAI kinds can speak
OPENAI_KINDS = ("openai", "openai-compatible")
BUILTIN_PROVIDERS = ("openai", "anthropic", "gemini", "simulated")
# Local servers and services the catalog knows without a profile (providers.registry builds
# them; a test keeps the two lists equal).
PRESET_PROVIDERS = ("ollama", "vllm", "lmstudio", "openrouter")


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
    # OpenAI kinds: "responses" or "chat" (Chat Completions); None: the kind's default.
    api: OpenAIApi | None = None


@dataclass(frozen=True, slots=True)
class PresetSettings:
    """A named way to talk: a system prompt and, optionally, the provider, model and request
    options to use with it (`[presets.NAME]`). Used by `ask --preset NAME` and "Use preset"
    in the app; checked against the target when it is applied (see request_settings)."""

    name: str
    system: str | None = None
    provider: str | None = None
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    reasoning: str | int | None = None  # an effort ("high"), a token budget, or "off"

    def options(self) -> list[tuple[str, object]]:
        """The request options it sets, as (`-o` key, value)."""
        named: dict[str, object] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "reasoning": self.reasoning,
        }
        return [(key, value) for key, value in named.items() if value is not None]


@dataclass(frozen=True, slots=True)
class Settings:
    default_provider: str | None = None
    default_model: str | None = None
    favourites: tuple[str, ...] = ()  # "provider/model" entries, cycled by keys
    flush_interval_ms: int = 100  # renderer cadence, clamped to 50..100
    simulated_ttft_ms: int = 400
    simulated_tokens_per_s: float = 50.0
    profiles: dict[str, ProfileSettings] = field(default_factory=dict)
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    connect_timeout_s: float = 10.0
    idle_timeout_s: float = 120.0  # no bytes for this long mid-reply = stalled
    # A non-streaming reply arrives in one piece after the whole generation: the longest wait.
    whole_reply_timeout_s: float = 600.0
    max_retries: int = 3
    max_attachment_mb: int = DEFAULT_MAX_ATTACHMENT_MB  # largest file that can be attached
    system_prompt: str | None = None
    max_width: int = 100  # `[ui] max_width`: the reading width of messages; 0 = no cap
    max_output_tokens: int | None = None
    # built-in provider name -> model for background titles (`[providers.openai] title_model`)
    title_models: dict[str, str] = field(default_factory=dict)
    # built-in provider name -> the OpenAI API it uses (`[providers.openai] api = "chat"`)
    provider_apis: dict[str, OpenAIApi] = field(default_factory=dict)
    presets: dict[str, PresetSettings] = field(default_factory=dict)

    @property
    def max_attachment_bytes(self) -> int:
        return self.max_attachment_mb * 1024 * 1024

    @property
    def flush_interval_s(self) -> float:
        return min(max(self.flush_interval_ms, 50), 100) / 1000


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    settings: Settings
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


# ---- the schema --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    attr: str  # the Settings attribute it fills
    kind: type  # str, int, float or list (of strings)
    low: float | None = None  # out of range values are clamped, with a warning
    high: float | None = None


_TOP_LEVEL = {
    "default_provider": _Field("default_provider", str),
    "default_model": _Field("default_model", str),
    "favourites": _Field("favourites", list),
    "flush_interval_ms": _Field("flush_interval_ms", int, 50, 100),
    "system_prompt": _Field("system_prompt", str),
    "max_output_tokens": _Field("max_output_tokens", int, 1, 1_000_000),
    "theme": _Field("theme", str),
    "max_retries": _Field("max_retries", int, 0, 10),
    "max_attachment_mb": _Field("max_attachment_mb", int, 1, 500),
}
_SIMULATED = {
    "ttft_ms": _Field("simulated_ttft_ms", int, 0, 60_000),
    "tokens_per_s": _Field("simulated_tokens_per_s", float, 0.1, 100_000),
}
_TIMEOUTS = {
    "connect_s": _Field("connect_timeout_s", float, 0.1, 300),
    "idle_s": _Field("idle_timeout_s", float, 1, 3600),
    "whole_reply_s": _Field("whole_reply_timeout_s", float, 1, 7200),
}
_UI = {
    # The reading width of messages, in columns (0: the whole width of the window).
    "max_width": _Field("max_width", int, 0, 1000),
}
_PROFILE = {
    "kind": _Field("kind", str),
    "base_url": _Field("base_url", str),
    "api_key_env": _Field("api_key_env", str),
    "api_key_command": _Field("api_key_command", str),
    "default_model": _Field("default_model", str),
    "models": _Field("models", list),
    "title_model": _Field("title_model", str),
    "api": _Field("api", str),
}
_PRESET = {
    "system": _Field("system", str),
    "provider": _Field("provider", str),
    "model": _Field("model", str),
    "temperature": _Field("temperature", float, 0, 2),
    "max_tokens": _Field("max_tokens", int, 1, 1_000_000),
    # "reasoning" is an effort or a budget: checked by _preset_reasoning
}
REASONING_EFFORTS = ("low", "medium", "high", "off")
_TABLES = ("simulated", "timeouts", "ui", "profiles", "providers", "keymap", "presets")
# Tables of fixed keys, by name ("" = the top level): what `setting_key` looks in.
_FIXED_TABLES: dict[str, dict[str, _Field]] = {
    "": _TOP_LEVEL,
    "simulated": _SIMULATED,
    "timeouts": _TIMEOUTS,
    "ui": _UI,
}
_TABLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def setting_key(attr: str) -> str:
    """How the config file spells the setting behind `Settings.<attr>`, for any message that
    tells the user to change it: `max_retries`, `[timeouts] idle_s`. The schema is the one
    source of truth; an attribute the file cannot set raises KeyError."""
    for table, fields in _FIXED_TABLES.items():
        for key, spec in fields.items():
            if spec.attr == attr:
                return f"[{table}] {key}" if table else key
    raise KeyError(f"no config setting fills Settings.{attr}")


def known_setting_keys() -> frozenset[str]:
    """Every key the config file accepts, dotted: `max_retries`, `timeouts.idle_s`,
    `profiles.*.base_url`, `providers.*.title_model`, `keymap.*`."""
    keys = {
        f"{table}.{key}" if table else key
        for table, fields in _FIXED_TABLES.items()
        for key in fields
    }
    keys |= {f"profiles.*.{key}" for key in _PROFILE}
    keys |= {f"presets.*.{key}" for key in (*_PRESET, "reasoning")}
    return frozenset(keys | {"providers.*.title_model", "keymap.*"})


_KIND_NAMES = {str: "a string", int: "a whole number", float: "a number", list: "a list of strings"}


class _Reader:
    """Checks one parsed file against the schema, collecting problems as it goes."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = KeyLines(text)
        self.problems: list[Problem] = []

    def report(self, severity: Severity, key: str, message: str) -> None:
        line = self.lines.line_of(key)
        self.problems.append(Problem(severity, message, self.path, line, key))

    def convert(self, key: str, spec: _Field, value: object) -> Any:
        """The value checked and clamped, or None (reported) when it cannot be used."""
        if spec.kind is list:
            return self._string_list(key, value)
        ok = isinstance(value, spec.kind) and not isinstance(value, bool)
        if spec.kind is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if not ok:
            self.report(
                "error", key, f"expected {_KIND_NAMES[spec.kind]}, got {describe_value(value)}"
            )
            return None
        if spec.kind is float and not math.isfinite(value):  # type: ignore[arg-type]
            self.report("error", key, f"expected a finite number, got {value}")
            return None
        return self._clamp(key, spec, value)

    def _clamp(self, key: str, spec: _Field, value: Any) -> Any:
        if spec.low is not None and spec.high is not None and not spec.low <= value <= spec.high:
            clamped = min(max(value, spec.low), spec.high)
            clamped = spec.kind(clamped)
            self.report(
                "warning",
                key,
                f"{value} is outside {_num(spec.low)}..{_num(spec.high)}; using {_num(clamped)}",
            )
            return clamped
        return value

    def _string_list(self, key: str, value: object) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.report("error", key, f"expected a list of strings, got {describe_value(value)}")
            return None
        items: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                items.append(item)
            else:
                self.report(
                    "error", f"{key}[{index}]", f"expected a string, got {describe_value(item)}"
                )
        return tuple(items)

    def table(self, key: str, value: object) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.report("error", key, f"expected a table ([{key}]), got {describe_value(value)}")
        return {}

    def fields(self, prefix: str, data: dict[str, Any], schema: dict[str, _Field]) -> dict:
        """Schema keys of one table -> {attr: value}; unknown keys are warned about."""
        values: dict[str, Any] = {}
        for name, raw in data.items():
            key = f"{prefix}{name}"
            spec = schema.get(name)
            if spec is None:
                if not (prefix == "" and name in _TABLES):
                    self.report("warning", key, "unknown setting, ignored")
                continue
            value = self.convert(key, spec, raw)
            if value is not None:
                values[spec.attr] = value
        return values


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# ---- reading the file --------------------------------------------------------------------


def load_settings(path: Path) -> LoadedSettings:
    """Read the config file at `path`. Never raises for anything about the file, never writes it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadedSettings(Settings(), [])
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return LoadedSettings(Settings(), [Problem("error", f"cannot read {path}: {reason}", path)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return LoadedSettings(Settings(), [Problem("error", "not valid UTF-8 text", path, line)])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = _decode_error(exc)
        if line is None and "end of the file" in message:
            line = max(len(text.splitlines()), 1)
        return LoadedSettings(Settings(), [Problem("error", message, path, line)])
    return parse_settings(data, path, text)


def _decode_error(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """tomllib's message and line ('Invalid value (at line 2, column 5)' on Python 3.11)."""
    message = str(getattr(exc, "msg", None) or exc)
    line = getattr(exc, "lineno", None)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if found:
        line = line or int(found.group(1))
        message = message[: found.start()] + f" (column {found.group(2)})"
    elif message.endswith("(at end of document)"):
        message = message.removesuffix(" (at end of document)") + " (at the end of the file)"
    return f"invalid TOML: {message}", line


def parse_settings(data: dict[str, Any], path: Path, text: str = "") -> LoadedSettings:
    """Settings from an already parsed TOML document; `text` helps find line numbers."""
    reader = _Reader(path, text)
    values = reader.fields("", data, _TOP_LEVEL)
    if "favourites" in values:
        values["favourites"] = _favourites(reader, data["favourites"])
    values |= reader.fields(
        "simulated.", reader.table("simulated", data.get("simulated", {})), _SIMULATED
    )
    values |= reader.fields(
        "timeouts.", reader.table("timeouts", data.get("timeouts", {})), _TIMEOUTS
    )
    values |= reader.fields("ui.", reader.table("ui", data.get("ui", {})), _UI)
    values["profiles"] = _profiles(reader, reader.table("profiles", data.get("profiles", {})))
    values["title_models"], values["provider_apis"] = _builtin_provider_settings(
        reader, reader.table("providers", data.get("providers", {}))
    )
    values["keymap"] = _keymap(reader, reader.table("keymap", data.get("keymap", {})))
    values["presets"] = _presets(reader, reader.table("presets", data.get("presets", {})))
    _check_provider_names(reader, values)
    problems = sorted(reader.problems, key=lambda p: p.line or 0)  # stable: same line keeps order
    return LoadedSettings(Settings(**values), problems)


def _check_provider_names(reader: _Reader, values: dict[str, Any]) -> None:
    """Warn about a default provider or favourite that names no provider or profile."""
    known = set(BUILTIN_PROVIDERS) | set(PRESET_PROVIDERS) | set(values["profiles"])
    hint = f"known: {', '.join(sorted(known))}"
    provider = values.get("default_provider")
    if provider is not None and provider not in known:
        reader.report(
            "warning", "default_provider", f"no provider or profile {provider!r} ({hint})"
        )
    for favourite in values.get("favourites", ()):
        name = favourite.partition("/")[0]
        if name not in known:
            message = f"{favourite!r}: no provider or profile {name!r} ({hint})"
            reader.report("warning", "favourites", message)


def _favourites(reader: _Reader, entries: list[Any]) -> tuple[str, ...]:
    kept: list[str] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, str):
            continue  # already reported
        provider, _, model = entry.partition("/")
        if provider and model:
            kept.append(entry)
        else:
            reader.report(
                "error",
                f"favourites[{index}]",
                'expected "provider/model" (e.g. "openai/gpt-4o-mini"), '
                f"got {describe_value(entry)}",
            )
    return tuple(kept)


def _named_tables(
    reader: _Reader, section: str, table: dict[str, Any], what: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The `[section.NAME]` tables that are tables and have a usable name (the others are
    reported), each with its name."""
    for name, raw in table.items():
        key = f"{section}.{name}"
        body = reader.table(key, raw)
        if not isinstance(raw, dict):
            continue
        if not _TABLE_NAME.match(name):
            reader.report("error", key, f"a {what} name may use letters, digits, '-' and '_' only")
            continue
        yield name, body


def _profiles(reader: _Reader, table: dict[str, Any]) -> dict[str, ProfileSettings]:
    profiles: dict[str, ProfileSettings] = {}
    for name, body in _named_tables(reader, "profiles", table, "profile"):
        if name in BUILTIN_PROVIDERS:
            reader.report(
                "error", f"profiles.{name}", f"'{name}' is a built-in provider; pick another name"
            )
            continue
        profile = _profile(reader, name, body)
        if profile is not None:
            profiles[name] = profile
    return profiles


def _profile(reader: _Reader, name: str, body: dict[str, Any]) -> ProfileSettings | None:
    key = f"profiles.{name}"
    if "api_key" in body:
        reader.report(
            "error",
            f"{key}.api_key",
            "API keys are never read from the config file; use api_key_env (the name of an "
            "environment variable) or api_key_command (a command that prints the key)",
        )
        body = {k: v for k, v in body.items() if k != "api_key"}
    values = reader.fields(f"{key}.", body, _PROFILE)
    kind = values.get("kind", "openai-compatible")
    if kind not in get_args(ProviderKind):
        kinds = ", ".join(get_args(ProviderKind))
        reader.report(
            "error", f"{key}.kind", f"unknown kind {describe_value(kind)}; use one of {kinds}"
        )
        return None
    if kind == "openai-compatible" and not values.get("base_url"):
        reader.report("error", key, "an openai-compatible profile needs base_url; profile ignored")
        return None
    if values.get("api_key_env") and values.get("api_key_command"):
        reader.report("warning", key, "set only one of api_key_env and api_key_command")
    if "api" in values and not _api_ok(reader, f"{key}.api", values["api"], kind):
        del values["api"]
    return ProfileSettings(name=name, **values)


def _presets(reader: _Reader, table: dict[str, Any]) -> dict[str, PresetSettings]:
    """`[presets.NAME]`: system, and optionally provider, model, temperature, max_tokens and
    reasoning; unknown keys warned about like everywhere else."""
    presets: dict[str, PresetSettings] = {}
    for name, body in _named_tables(reader, "presets", table, "preset"):
        key = f"presets.{name}"
        values = reader.fields(
            f"{key}.", {k: v for k, v in body.items() if k != "reasoning"}, _PRESET
        )
        if "reasoning" in body:
            values["reasoning"] = _preset_reasoning(reader, f"{key}.reasoning", body["reasoning"])
        presets[name] = PresetSettings(name=name, **values)
    return presets


def _preset_reasoning(reader: _Reader, key: str, value: object) -> str | int | None:
    if isinstance(value, str) and value.strip().lower() in REASONING_EFFORTS:
        return value.strip().lower()
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    reader.report(
        "error",
        key,
        f"expected an effort ({', '.join(map(repr, REASONING_EFFORTS))}) or a token budget "
        f"(a whole number), got {describe_value(value)}",
    )
    return None


def _api_ok(reader: _Reader, key: str, api: str, kind: str) -> bool:
    """`api` names one of the two OpenAI APIs, on an OpenAI kind."""
    if api not in get_args(OpenAIApi):
        reader.report("error", key, f'unknown API {describe_value(api)}; use "responses" or "chat"')
        return False
    if kind not in OPENAI_KINDS:
        reader.report("warning", key, f"only the OpenAI kinds choose an API; ignored for {kind}")
        return False
    return True


_BUILTIN_PROVIDER_FIELDS = {"title_model": _Field("title_model", str), "api": _Field("api", str)}


def _builtin_provider_settings(
    reader: _Reader, table: dict[str, Any]
) -> tuple[dict[str, str], dict[str, OpenAIApi]]:
    """`[providers.openai] title_model = "..."` and `api = "chat"`: title models and APIs of
    the built-in providers."""
    models: dict[str, str] = {}
    apis: dict[str, OpenAIApi] = {}
    for name, raw in table.items():
        key = f"providers.{name}"
        body = reader.table(key, raw)
        if name not in BUILTIN_PROVIDERS:
            reader.report(
                "warning",
                key,
                f"unknown built-in provider (use one of {', '.join(BUILTIN_PROVIDERS)}; "
                "servers of your own go under [profiles.NAME])",
            )
            continue
        values = reader.fields(f"{key}.", body, _BUILTIN_PROVIDER_FIELDS)
        if "title_model" in values:
            models[name] = values["title_model"]
        if "api" in values and _api_ok(reader, f"{key}.api", values["api"], name):
            apis[name] = values["api"]
    return models, apis


def _keymap(reader: _Reader, table: dict[str, Any]) -> dict[str, str]:
    keymap: dict[str, str] = {}
    for binding_id, keys in table.items():
        key = f"keymap.{binding_id}"
        if not isinstance(keys, str):
            reader.report(
                "error",
                key,
                f'expected keys as a string, e.g. "ctrl+k", got {describe_value(keys)}',
            )
        elif not keys.strip() or any(not part.strip() for part in keys.split(",")):
            reader.report(
                "error",
                key,
                f"expected one key or several separated by commas, got {describe_value(keys)}",
            )
        else:
            keymap[binding_id] = keys
    return keymap
