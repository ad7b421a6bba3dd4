"""Make text from models, users and files safe to put on a terminal.

Textual writes widget text to the terminal as is, so an ESC or OSC sequence inside a reply
would reach the terminal (change its title, write the clipboard). Every control character
except newline and tab is replaced by a visible stand-in, so the text is still shown literally.
Machine-readable output keeps text exact instead: `terminal_safe_json` escapes what JSON would
otherwise leave raw.
"""

from __future__ import annotations

import json
import re

_STANDINS: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ .. ␟
_STANDINS.pop(ord("\n"))
_STANDINS.pop(ord("\t"))
_STANDINS[ord("\r")] = ""  # dropped: a lone CR would overwrite the line, and CRLF may be split
_STANDINS[0x7F] = "␡"
_STANDINS.update({code: "�" for code in range(0x80, 0xA0)})  # C1 controls, e.g. CSI 0x9b
# Bidi overrides can make text display differently from what it is.
_STANDINS.update({code: "�" for code in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E)})
_STANDINS.update({code: "�" for code in (0x2066, 0x2067, 0x2068, 0x2069)})


def visible_text(text: str) -> str:
    """`text` with control characters replaced by visible symbols and CRs dropped."""
    return text.translate(_STANDINS)


# JSON escapes C0 controls (ESC becomes \u001b) but, with ensure_ascii=False, leaves DEL, C1
# controls and bidi overrides raw, and a terminal may act on those. They only ever occur inside
# JSON strings, so writing them as \uXXXX keeps the document exact and the terminal safe.
_JSON_RAW_CONTROLS = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe_json(value: object, *, indent: int | None = None) -> str:
    """`value` as JSON that decodes to exactly the same text and is safe to print anywhere."""
    document = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_RAW_CONTROLS.sub(lambda match: f"\\u{ord(match.group()):04x}", document)
