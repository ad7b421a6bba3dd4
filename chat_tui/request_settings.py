"""Request options given by name (`ask -o KEY VALUE`, a preset's keys), checked against what the
target takes and applied to a conversation's settings.

The names are the ones scripts know from other tools: `temperature`, `max_tokens`, and
`reasoning` (an effort level, or a token budget). What a provider takes is its adapter's
declared `RequestOptions`; a value it cannot take is an error here, never dropped silently,
because a script that asked for it would otherwise get an answer made without it.
"""

from __future__ import annotations

import math
from dataclasses import replace

from chat_tui.config import PresetSettings
from chat_tui.conversation import ConversationSettings
from chat_tui.providers.request_options import RequestOptions

OPTION_KEYS: tuple[str, ...] = ("temperature", "max_tokens", "reasoning")
MAX_TOKENS_LIMIT = 1_000_000
REASONING_OFF = "off"


class OptionError(ValueError):
    """A request option that is unknown, malformed, or not taken by the target."""


def apply_option(
    settings: ConversationSettings,
    key: str,
    value: object,
    support: RequestOptions,
    target: str,
) -> ConversationSettings:
    """`settings` with option `key` set to `value` (a string from the command line, or a TOML
    number/string). `target` names the provider in messages. Raises OptionError, whose
    message the caller prefixes with where the option came from (`-o temperature: ...`)."""
    if key == "temperature":
        return replace(settings, temperature=_temperature(value, support, target))
    if key == "max_tokens":
        if not support.max_output_tokens:
            raise OptionError(f"{target} takes no max_tokens")
        return replace(settings, max_output_tokens=_whole_number(value, 1))
    if key == "reasoning":
        effort, budget = _reasoning(value, support, target)
        return replace(settings, reasoning_effort=effort, reasoning_budget=budget)
    raise OptionError(f"unknown option (known: {', '.join(OPTION_KEYS)})")


def apply_preset(
    settings: ConversationSettings, preset: PresetSettings, support: RequestOptions, target: str
) -> tuple[ConversationSettings, list[str]]:
    """`settings` with the preset's system prompt and options, named after it; the options
    the target does not take are left out, each described in the list returned."""
    chosen = replace(settings, preset=preset.name)
    if preset.system is not None:
        chosen = replace(chosen, system_prompt=preset.system or None)
    problems: list[str] = []
    for key, value in preset.options():
        try:
            chosen = apply_option(chosen, key, value, support, target)
        except OptionError as error:
            problems.append(f"{key}: {error}")
    return chosen, problems


def _temperature(value: object, support: RequestOptions, target: str) -> float:
    if support.max_temperature is None:
        raise OptionError(f"{target} takes no temperature")
    number = _number(value)
    if not 0 <= number <= support.max_temperature:
        raise OptionError(
            f"use a number from 0 to {support.max_temperature:g} for {target} (got {_shown(value)})"
        )
    return number


def _reasoning(
    value: object, support: RequestOptions, target: str
) -> tuple[str | None, int | None]:
    """(effort, budget): a level such as "high", a whole number of tokens, or "off"."""
    if not support.efforts and support.min_budget is None:
        raise OptionError(f"{target} takes no reasoning")
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text == REASONING_OFF:
        return None, None
    if text is not None and not text.replace("_", "").isdigit():
        if text not in support.efforts:
            levels = ", ".join(support.efforts) if support.efforts else "none"
            raise OptionError(
                f"{target} takes no effort {_shown(value)} (levels: {levels}; "
                f"or a token budget, or {REASONING_OFF!r})"
            )
        return text, None
    if support.min_budget is None:
        raise OptionError(f"{target} takes an effort level, not a token budget")
    return None, _whole_number(value, support.min_budget)


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise OptionError(f"expected a number, got {_shown(value)}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise OptionError(f"expected a number, got {_shown(value)}") from None
    if not math.isfinite(number):
        raise OptionError(f"expected a finite number, got {_shown(value)}")
    return number


def _whole_number(value: object, low: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().replace("_", "").isdigit():
        number = int(value.strip().replace("_", ""))
    else:
        raise OptionError(f"expected a whole number, got {_shown(value)}")
    if not low <= number <= MAX_TOKENS_LIMIT:
        raise OptionError(f"use a whole number from {low:,} to {MAX_TOKENS_LIMIT:,}")
    return number


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)
