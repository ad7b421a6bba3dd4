"""Pick one fenced code block of the last reply to copy (f4 by default)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from chat_tui.clipboard import describe_size
from chat_tui.code_fences import CodeBlock
from chat_tui.text_safety import visible_text

PREVIEW_LINES = 3


class CodeBlockPicker(ModalScreen[CodeBlock | None]):
    """The code blocks of one reply; Enter (or a digit 1-9) picks one."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", show=False),
        *[Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10)],
    ]

    DEFAULT_CSS = """
    CodeBlockPicker { align: center middle; }
    CodeBlockPicker > Vertical {
        width: 90%;
        max-width: 110;
        height: auto;
        max-height: 80%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    CodeBlockPicker #blocks-title { height: 1; text-style: bold; color: $primary; }
    CodeBlockPicker OptionList { height: auto; max-height: 30; border: none; }
    CodeBlockPicker #blocks-hint { height: 1; color: $text-muted; }
    """

    def __init__(self, blocks: list[CodeBlock]) -> None:
        super().__init__()
        self.blocks = blocks

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content("Copy a code block of the last reply"), id="blocks-title")
            yield OptionList(*[self._option(i, b) for i, b in enumerate(self.blocks)])
            yield Static(Content("↑↓ move · Enter or 1-9 copy · Esc close"), id="blocks-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def _option(self, index: int, block: CodeBlock) -> Option:
        language = block.language or "no language"
        state = "" if block.closed else " · unclosed (the reply was cut off?)"
        head = Content.assemble(
            (f"{index + 1}. ", "bold"),
            (visible_text(language), "bold $accent"),
            (f"  {describe_size(block.code)}{state}", "$text-muted"),
        )
        preview = block.code.splitlines()[:PREVIEW_LINES] or ["(empty)"]
        more = block.line_count - PREVIEW_LINES
        lines = [Content("    " + visible_text(line)[:100]) for line in preview]
        if more > 0:
            lines.append(Content.styled(f"    … {more} more line{'s' * (more != 1)}", "dim"))
        return Option(Content("\n").join([head, *lines]), id=str(index))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(event.option_index)

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(self.blocks):
            self.dismiss(self.blocks[index])
