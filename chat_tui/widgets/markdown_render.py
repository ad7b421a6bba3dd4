"""Markdown rendered by Rich, with what a chat reply needs changed: raw HTML shown as text,
one parse per render, (live) code blocks laid out without highlighting, and margins and quote
bars marked as decoration so a selection copies the text as written.

Imported when the first Markdown is rendered, not at start-up: markdown-it, Rich's Markdown
and Pygments (through `rich.syntax`) take 40-70 ms to import here, and the first screen shows
no Markdown.
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments import token as pygments_token
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.markdown import BlockQuote, CodeBlock, Heading, MarkdownElement
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.theme import Theme

from chat_tui.widgets.line_selection import as_decoration

_LINE = Segment.line()


class _LeftHeading(Heading):
    """Headings start at the left edge, like the text under them (Rich centres an H1)."""

    LEVEL_ALIGN: ClassVar[dict[str, JustifyMethod]] = dict.fromkeys(Heading.LEVEL_ALIGN, "left")


class _TightCodeBlock(CodeBlock):
    """A highlighted code block on its theme's background, without Rich's blank first and
    last rows: one blank line apart from the text around it, like every other block."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        yield Syntax(code, self.lexer_name, theme=self.theme, word_wrap=True, padding=(0, 1))


@lru_cache(maxsize=8)
def _code_styles(code_theme: str) -> Theme:
    """Inline code and code blocks in the colours of `code_theme` (Rich's own are cyan on
    black, unreadable on a light theme)."""
    syntax_theme = Syntax.get_theme(code_theme)
    background = syntax_theme.get_background_style()
    string = syntax_theme.get_style_for_token(pygments_token.Literal.String)
    inline = Style(bold=True, color=string.color, bgcolor=background.bgcolor)
    return Theme({"markdown.code": inline, "markdown.code_block": background})


class _CodeBlock(_TightCodeBlock):
    """The code block, its left margin marked as decoration: a selection copies the code
    as written, not indented by one space."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line_start = True
        for renderable in super().__rich_console__(console, options):
            for segment in console.render(renderable, options):
                if line_start and segment.text and not segment.text.strip():
                    yield as_decoration(segment)  # the margin, or a blank line above or below
                else:
                    yield segment
                line_start = segment.text.endswith("\n")


class _BlockQuote(BlockQuote):
    """Rich's block quote, its bar marked as decoration (not copied with the text)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in super().__rich_console__(console, options):
            yield as_decoration(segment) if segment.text == _QUOTE_BAR else segment


_QUOTE_BAR = "▌ "


class LiteralMarkdown(RichMarkdown):
    """Rich Markdown with raw HTML shown as text (Rich would silently drop `<div>` etc.),
    left-aligned headings, and code in the colours of the app theme's code theme."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **RichMarkdown.elements,
        "heading_open": _LeftHeading,
        "fence": _CodeBlock,
        "code_block": _CodeBlock,
        "blockquote_open": _BlockQuote,
    }

    def __init__(self, markup: str, code_theme: str = "monokai") -> None:
        # Not super().__init__: it would parse the text once more with HTML enabled.
        self.markup = markup
        self.parsed = _PARSER.parse(markup)
        self.code_theme = code_theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = False
        self.inline_code_lexer = None
        self.inline_code_theme = code_theme

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        with console.use_theme(_code_styles(self.code_theme)):
            rendered = list(super().__rich_console__(console, options))
        segments = iter(rendered)
        # Rich may open with the blank line that separates elements (left set by a list's or
        # table's children) even though nothing comes before: a reply cut into blocks would
        # then show an extra blank line wherever a block starts with one.
        first = next(segments, None)
        if first is not None and first != _LINE:
            yield first
        yield from segments


class _PlainCodeBlock(_TightCodeBlock):
    """A code block laid out exactly like a finished one, without syntax highlighting."""

    @classmethod
    def create(cls, markdown: RichMarkdown, token: Token) -> CodeBlock:
        return cls("text", markdown.code_theme)


class LiveMarkdown(LiteralMarkdown):
    """The live tail of a reply. A code block there is re-rendered on every flush, and
    highlighting it cost 3-4x as much as laying it out: it is highlighted once finished.
    Marking margins and quote bars for a copy (another 5-8% on a code block) also waits: a
    selection made while a block streams takes them along."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **LiteralMarkdown.elements,
        "fence": _PlainCodeBlock,
        "code_block": _PlainCodeBlock,
        "blockquote_open": BlockQuote,
    }


_PARSER = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")


def reply_markdown(source: str, code_theme: str, *, live: bool = False) -> LiteralMarkdown:
    """The renderable for `source`: `live` for the tail of a reply still streaming."""
    return (LiveMarkdown if live else LiteralMarkdown)(source, code_theme)
