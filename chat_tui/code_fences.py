"""Fenced code blocks in a reply's raw Markdown, for copying one of them.

Parsed with markdown-it (CommonMark, as the renderer parses), so ``` and ~~~ fences, info
strings, fences inside lists and quotes, and a last fence left open (a cut-off reply: it runs
to the end of the text) are found as a reader sees them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

_CONTAINER_PREFIX = re.compile(r"^[\s>]*")  # quote markers and indentation


@dataclass(frozen=True, slots=True)
class CodeBlock:
    code: str
    info: str = ""  # the info string: "python", "js title=x", or ""
    closed: bool = True  # False for a fence still open at the end of the text

    @property
    def language(self) -> str:
        return self.info.split(maxsplit=1)[0] if self.info.strip() else ""

    @property
    def line_count(self) -> int:
        return len(self.code.splitlines())


def code_blocks(text: str) -> list[CodeBlock]:
    """Every fenced code block of `text`, in order."""
    lines = text.splitlines()
    blocks: list[CodeBlock] = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type != "fence":
            continue
        closed = token.map is not None and _ends_with_fence(lines, token.map, token.markup)
        code = token.content.removesuffix("\n")  # pasted into a shell, it will not run by itself
        blocks.append(CodeBlock(code, token.info.strip(), closed))
    return blocks


def _ends_with_fence(lines: list[str], span: list[int], fence: str) -> bool:
    """Whether the block's last line is a closing fence (and not its opening one)."""
    start, end = span
    if end - start < 2 or end > len(lines):
        return False
    last = _CONTAINER_PREFIX.sub("", lines[end - 1]).rstrip()
    return last.startswith(fence) and not last.strip(fence[0])
