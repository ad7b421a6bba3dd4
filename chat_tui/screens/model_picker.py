"""The model picker (ctrl+o): every model of every provider, filtered as you type.

Configured and known models show at once; each usable provider's models endpoint is asked
once per app run (the catalog keeps what it listed), in a worker, and merged when it answers
(failures are quiet). Providers
without a key are listed with what to set and cannot be chosen. Where a key comes from is
shown (a variable name or a command), never the key itself.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import FuzzySearch
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from chat_tui.providers.catalog import ProviderCatalog, Target
from chat_tui.providers.registry import NO_KEY_NEEDED, ProviderEntry
from chat_tui.text_safety import visible_text


def key_note(target: ProviderEntry) -> str:
    """Where the key comes from, or what to set: never the key itself."""
    if not target.key_available:
        return f"set {target.key_description} to use"
    if target.key_description == NO_KEY_NEEDED:
        return "no key needed"
    if target.key_description.startswith("command:"):
        return f"key from {target.key_description}"
    return f"key from ${target.key_description}"


class ModelPicker(ModalScreen[Target | None]):
    """Type to filter; up/down to move; Enter switches; Esc closes."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("pageup", "move(-10)", show=False),
        Binding("pagedown", "move(10)", show=False),
    ]

    DEFAULT_CSS = """
    ModelPicker { align: center middle; }
    ModelPicker > Vertical {
        width: 90%;
        max-width: 110;
        height: 80%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    ModelPicker #picker-title { height: 1; text-style: bold; color: $primary; }
    ModelPicker #picker-filter { margin: 0 0 1 0; }
    ModelPicker OptionList { height: 1fr; border: none; padding: 0; }
    ModelPicker #picker-hint { height: 1; color: $text-muted; }
    """

    def __init__(self, catalog: ProviderCatalog, *, current: Target) -> None:
        super().__init__()
        self.catalog = catalog
        self.current = current
        self.favourites = set(catalog.settings.favourites)
        self.targets = catalog.entries()  # usable ones first

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Switch model", id="picker-title")
            yield Input(
                placeholder="Type to filter (fuzzy), e.g. 'gpt4o' or 'sonnet'", id="picker-filter"
            )
            yield OptionList(id="picker-list")
            yield Static(
                Content("↑↓ move · Enter switch · Esc close · ★ favourite · ● current"),
                id="picker-hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False  # keys go to the filter
        self.query_one(Input).focus()
        self.refresh_options()
        for target in self.targets:
            if self.catalog.wants_listing(target):
                self._fetch_models(target)

    # ---- the list -----------------------------------------------------------------------

    @property
    def option_list(self) -> OptionList:
        return self.query_one(OptionList)

    def refresh_options(self) -> None:
        """Rebuild the rows for the current filter, keeping the highlighted model if it stays."""
        option_list = self.option_list
        previous = option_list.highlighted_option
        keep = previous.id if previous is not None else self.current.spec
        query = self.query_one(Input).value.strip()
        options = self._options(query)
        option_list.set_options(options)
        ids = [o.id for o in options]
        enabled = [i for i, o in enumerate(options) if not o.disabled]
        if keep in ids and not options[ids.index(keep)].disabled:
            option_list.highlighted = ids.index(keep)
        elif enabled:
            option_list.highlighted = enabled[0]

    def _options(self, query: str) -> list[Option]:
        search = FuzzySearch()
        # A space stands for any separator ("claude sonnet", "gpt 4o mini"): the matcher takes
        # it literally, and model names join their words with '-', '.' or ':'.
        pattern = query.replace(" ", "")
        options: list[Option] = []
        for target in self.targets:
            rows: list[tuple[float, str, tuple[int, ...]]] = []
            for model in self.catalog.models(target):
                if query:
                    score, offsets = search.match(pattern, f"{target.name} {model}")
                    if score <= 0:
                        continue
                    skip = len(target.name) + 1
                    shown = tuple(o - skip for o in offsets if o >= skip)
                else:
                    score, shown = 0.0, ()
                rows.append((score, model, shown))
            if not rows:
                continue
            if query:
                rows.sort(key=lambda row: -row[0])
            options.append(Option(self._header(target), disabled=True))
            for _, model, offsets in rows:
                spec = f"{target.name}/{model}"
                options.append(
                    Option(
                        self._row(target, model, offsets, spec in self.favourites),
                        id=spec,
                        disabled=not target.key_available,
                    )
                )
        if not options:
            options.append(Option(Content(f"No model matches {query!r}."), disabled=True))
        return options

    def _header(self, target: ProviderEntry) -> Content:
        style = "bold $accent" if target.key_available else "bold $text-muted"
        note_style = "$text-muted" if target.key_available else "$warning"
        return Content.assemble(
            (visible_text(target.label), style),
            "  ",
            (visible_text(f"({target.name})"), "$text-muted"),
            "  ·  ",
            (visible_text(key_note(target)), note_style),
        )

    def _row(
        self,
        target: ProviderEntry,
        model: str,
        offsets: tuple[int, ...],
        favourite: bool,
    ) -> Content:
        is_current = (target.name, model) == (self.current.provider, self.current.model)
        marker = "● " if is_current else "  "
        name = Content(visible_text(model))
        for offset in offsets:
            if 0 <= offset < len(name):
                name = name.stylize("reverse", offset, offset + 1)
        parts: list[Content | str | tuple[str, str]] = ["  ", marker, name]
        if favourite:
            parts.append(("  ★", "$warning"))
        if is_current:
            parts.append(("  (current)", "$text-muted"))
        return Content.assemble(*parts)

    # ---- fetching listed models ------------------------------------------------------------

    @work(group="model-lists", exit_on_error=False)
    async def _fetch_models(self, target: ProviderEntry) -> None:
        """Ask the provider's models endpoint once; merge what it lists. Quiet on failure."""
        await self.catalog.list_models(target)
        if self.is_mounted:
            self.refresh_options()

    # ---- keys ------------------------------------------------------------------------------

    @on(Input.Changed, "#picker-filter")
    def _filter_changed(self) -> None:
        self.refresh_options()

    def action_move(self, step: int) -> None:
        option_list = self.option_list
        enabled = [i for i, o in enumerate(option_list.options) if not o.disabled]
        if not enabled:
            return
        current = option_list.highlighted
        if current is None:
            option_list.highlighted = enabled[0]
            return
        if step > 0:
            later = [i for i in enabled if i > current]
            option_list.highlighted = later[min(step, len(later)) - 1] if later else current
        else:
            earlier = [i for i in enabled if i < current]
            option_list.highlighted = earlier[-min(-step, len(earlier))] if earlier else current

    @on(Input.Submitted, "#picker-filter")
    def _submit(self) -> None:
        self._choose(self.option_list.highlighted_option)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option)

    def _choose(self, option: Option | None) -> None:
        if option is None or option.disabled or option.id is None:
            return
        provider, _, model = option.id.partition("/")
        label = next(t.label for t in self.targets if t.name == provider)
        self.dismiss(Target(provider, label, model))
