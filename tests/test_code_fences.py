"""Finding fenced code blocks in a reply's raw Markdown."""

from __future__ import annotations

from chat_tui.code_fences import CodeBlock, code_blocks


def test_backtick_and_tilde_fences_with_info_strings() -> None:
    text = "Intro\n```python title=x.py\nprint(1)\n```\n\n~~~~sh\necho a\n~~~\necho b\n~~~~\n"
    assert code_blocks(text) == [
        CodeBlock("print(1)", "python title=x.py"),
        CodeBlock("echo a\n~~~\necho b", "sh"),  # a shorter fence does not close it
    ]
    assert code_blocks(text)[0].language == "python"


def test_fences_inside_lists_and_quotes_lose_their_indentation() -> None:
    text = "1. Step\n\n   ```js\n   a();\n     b();\n   ```\n\n> ```\n> quoted\n> ```\n"
    assert code_blocks(text) == [CodeBlock("a();\n  b();", "js"), CodeBlock("quoted", "")]


def test_an_unclosed_last_fence_runs_to_the_end() -> None:
    blocks = code_blocks("Cut off:\n```rust\nfn main() {\n    let x = 1;")
    assert blocks == [CodeBlock("fn main() {\n    let x = 1;", "rust", closed=False)]
    assert code_blocks("```py") == [CodeBlock("", "py", closed=False)]


def test_no_fences_and_inline_code_give_nothing() -> None:
    assert code_blocks("Use `ls` here.\n\n    indented code is not fenced\n") == []
