import json

from chat_tui.text_safety import terminal_safe_json, visible_text


def test_escape_sequences_become_visible_symbols() -> None:
    shown = visible_text("a\x1b]0;title\x07b\x1b[31mc\x9b2J\x00\x7f")
    assert shown == "a␛]0;title␇b␛[31mc�2J␀␡"
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in shown)


def test_newlines_tabs_and_text_survive_and_cr_is_dropped() -> None:
    assert visible_text("line1\r\nline2\tx\r") == "line1\nline2\tx"
    assert visible_text("[bold]x[/] 🙂 é") == "[bold]x[/] 🙂 é"


def test_bidi_overrides_are_neutralised() -> None:
    assert "\u202e" not in visible_text("abc\u202edef")


def test_terminal_safe_json_escapes_every_control_and_decodes_to_the_same_text() -> None:
    text = "a\x1b]0;t\x07 \x9b2J \x7f \u202e é 日本 🙂"
    document = terminal_safe_json({"text": text, "list": [text]}, indent=2)
    assert json.loads(document) == {"text": text, "list": [text]}
    assert visible_text(document) == document  # nothing a terminal would act on
    assert "é 日本 🙂" in document  # readable text stays as it is
