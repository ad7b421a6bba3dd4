"""Per-conversation settings (f2): system prompt, temperature, output limit, reasoning.

The form is checked by `parse_settings_form` (pure, so it is easy to test); the screen
dismisses with the new `ConversationSettings`, and the chat screen saves them with the
conversation. Empty fields mean "the provider's default".
"""

from __future__ import annotations

import math
from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from chat_tui.conversation import ConversationSettings
from chat_tui.providers.request_options import RequestOptions
from chat_tui.text_safety import visible_text

MAX_TOKENS_LIMIT = 1_000_000
USE_PRESET = "use-preset"  # dismissed with this: the chat screen opens the preset picker


def parse_settings_form(
    system_prompt: str,
    temperature: str,
    max_output_tokens: str,
    effort: str | None,
    budget: str,
    support: RequestOptions,
) -> tuple[ConversationSettings | None, list[str]]:
    """The settings, or None and every problem in plain words. A knob the provider does not
    take (see its declared `RequestOptions`) is dropped, not sent."""
    problems: list[str] = []
    temp_value: float | None = None
    if support.max_temperature is not None and temperature.strip():
        try:
            temp_value = float(temperature)
        except ValueError:
            problems.append(f"Temperature: {temperature.strip()!r} is not a number.")
        else:
            if not math.isfinite(temp_value) or not 0 <= temp_value <= support.max_temperature:
                problems.append(
                    f"Temperature: use a number from 0 to {support.max_temperature:g} "
                    f"(got {temperature.strip()})."
                )
                temp_value = None
    max_tokens = _whole_number("Max output tokens", max_output_tokens, 1, problems)
    budget_value = None
    if support.budget:
        budget_value = _whole_number("Reasoning budget", budget, support.min_budget or 1, problems)
    effort = effort if effort in support.efforts else None
    if effort and budget_value is not None:
        problems.append("Reasoning: choose an effort or a budget, not both.")
    if problems:
        return None, problems
    return (
        ConversationSettings(
            system_prompt=system_prompt if system_prompt.strip() else None,
            temperature=temp_value,
            max_output_tokens=max_tokens,
            reasoning_effort=effort,
            reasoning_budget=budget_value,
        ),
        [],
    )


def _whole_number(label: str, text: str, low: int, problems: list[str]) -> int | None:
    if not text.strip():
        return None
    cleaned = text.strip().replace("_", "").replace(",", "")
    if not cleaned.isdigit():
        problems.append(f"{label}: {text.strip()!r} is not a whole number.")
        return None
    value = int(cleaned)
    if not low <= value <= MAX_TOKENS_LIMIT:
        problems.append(f"{label}: use a whole number from {low:,} to {MAX_TOKENS_LIMIT:,}.")
        return None
    return value


def _text(value: object) -> str:
    return "" if value is None else str(value)


class ConversationSettingsScreen(ModalScreen[ConversationSettings | str | None]):
    """Edit the settings of the current conversation; ctrl+s saves, Esc discards."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Discard", show=False),
        Binding("ctrl+s", "save", "Save", id="settings.save", priority=True),
    ]

    DEFAULT_CSS = """
    ConversationSettingsScreen { align: center middle; }
    ConversationSettingsScreen > Vertical {
        width: 90%;
        max-width: 100;
        height: 90%;
        max-height: 32;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    ConversationSettingsScreen #settings-title { text-style: bold; color: $primary; height: 1; }
    ConversationSettingsScreen Label { margin: 1 0 0 0; color: $text-muted; }
    ConversationSettingsScreen #system-prompt { height: 6; }
    ConversationSettingsScreen .row { height: auto; }
    ConversationSettingsScreen .row > Vertical { width: 1fr; height: auto; padding-right: 1; }
    ConversationSettingsScreen #settings-note { color: $text-muted; margin: 1 0 0 0; }
    ConversationSettingsScreen #settings-errors { color: $error; height: auto; margin: 1 0 0 0; }
    /* One line under a rule, apart from the fields: at 80x24 the fields above scroll
       (the reasoning ones too) and nothing sits over them. */
    ConversationSettingsScreen #settings-buttons {
        height: 2;
        align-horizontal: right;
        border-top: solid $primary 50%;
    }
    ConversationSettingsScreen Button { margin: 0 0 0 2; }
    """

    def __init__(
        self,
        settings: ConversationSettings,
        support: RequestOptions,
        target: str,
        *,
        has_presets: bool = False,
    ) -> None:
        super().__init__()
        self.initial = settings
        self.support = support
        self.target = target
        self.has_presets = has_presets  # offer "Use preset…"

    def compose(self) -> ComposeResult:
        s = self.initial
        effort = s.reasoning_effort if s.reasoning_effort in self.support.efforts else Select.NULL
        with Vertical():
            yield Static(
                Content(f"Conversation settings · {visible_text(self.target)}"),
                id="settings-title",
            )
            with VerticalScroll():
                yield Label("System prompt (empty: none)")
                yield TextArea(
                    s.system_prompt or "", id="system-prompt", soft_wrap=True, tab_behavior="focus"
                )
                with Horizontal(classes="row"):
                    with Vertical():
                        yield Label(self._temperature_label)
                        yield Input(
                            _text(s.temperature) if self.support.temperature else "",
                            placeholder="provider default"
                            if self.support.temperature
                            else "not supported",
                            id="temperature",
                            disabled=not self.support.temperature,
                        )
                    with Vertical():
                        yield Label("Max output tokens")
                        yield Input(
                            _text(s.max_output_tokens),
                            placeholder="provider default",
                            id="max-output-tokens",
                        )
                with Horizontal(classes="row"):
                    with Vertical():
                        yield Label("Reasoning effort")
                        yield Select(
                            [(name, name) for name in self.support.efforts],
                            value=effort,
                            prompt="provider default",
                            id="reasoning-effort",
                            disabled=not self.support.efforts,
                        )
                    with Vertical():
                        yield Label("Reasoning budget (tokens)")
                        yield Input(
                            _text(s.reasoning_budget),
                            placeholder="none" if self.support.budget else "not supported",
                            id="reasoning-budget",
                            disabled=not self.support.budget,
                        )
                yield Static(Content(self.support.note), id="settings-note")
                yield Static(Content(""), id="settings-errors")
            with Horizontal(id="settings-buttons"):
                if self.has_presets:
                    yield Button("Use preset…", id="use-preset", compact=True)
                yield Button("Cancel (Esc)", id="cancel", compact=True)
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)

    @property
    def _temperature_label(self) -> str:
        if not self.support.temperature:
            return "Temperature"
        return f"Temperature (0-{self.support.max_temperature:g})"

    def on_mount(self) -> None:
        self.query_one("#system-prompt", TextArea).focus()

    @property
    def problems_text(self) -> str:
        return str(self.query_one("#settings-errors", Static).content)

    def action_save(self) -> None:
        effort = self.query_one("#reasoning-effort", Select).value
        settings, problems = parse_settings_form(
            self.query_one("#system-prompt", TextArea).text,
            self.query_one("#temperature", Input).value,
            self.query_one("#max-output-tokens", Input).value,
            effort if isinstance(effort, str) else None,
            self.query_one("#reasoning-budget", Input).value,
            self.support,
        )
        if settings is None:
            self.query_one("#settings-errors", Static).update(Content("\n".join(problems)))
            self.app.bell()
            return
        self.dismiss(replace(settings, preset=self.initial.preset))  # edited, still from it

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#use-preset")
    def _use_preset_pressed(self) -> None:
        self.dismiss(USE_PRESET)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)
