"""Copying text out of the app, and saying honestly what became of it.

A copy goes two ways. The terminal's clipboard, through the OSC 52 escape sequence (Textual's
`App.copy_to_clipboard`): it works over ssh, but many terminals ignore it (or ask first) and
none answers, so the app never knows whether it arrived. And the system's clipboard, through a
local tool when one is installed (pbcopy, wl-copy, xclip, xsel): its exit status says whether
it took the text. The notice says which of these happened, never more.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from chat_tui.text_safety import visible_text

# Unset: find a tool. "none": the terminal only. Anything else: the command to use, e.g.
# "clip.exe" under WSL, or "xclip -selection primary".
TOOL_ENV = "CHAT_TUI_CLIPBOARD"
# A tool that has not taken the text by then is stuck (a display that does not answer).
TOOL_TIMEOUT_S = 3.0

# In the order tried, each with the environment variable that says its display is there:
# xclip with no X server fails, and on some systems waits.
_TOOLS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("pbcopy", (), None),
    ("wl-copy", (), "WAYLAND_DISPLAY"),
    ("xclip", ("-selection", "clipboard"), "DISPLAY"),
    ("xsel", ("--clipboard", "--input"), "DISPLAY"),
)


@dataclass(frozen=True, slots=True)
class ClipboardTool:
    name: str  # as the user knows it: "xclip"
    argv: tuple[str, ...]  # the command that reads the text on its standard input


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    tool: ClipboardTool
    took_it: bool
    problem: str = ""  # why not, in a few words


@dataclass(frozen=True, slots=True)
class CopyNotice:
    message: str
    severity: Literal["information", "warning"]


def find_tool(environ: Mapping[str, str] | None = None) -> ClipboardTool | None:
    """The tool CHAT_TUI_CLIPBOARD names, else the first on PATH whose display is there."""
    environ = os.environ if environ is None else environ
    search_path = environ.get("PATH", os.defpath)
    chosen = shlex.split(environ.get(TOOL_ENV, ""))
    if chosen:
        if chosen == ["none"]:
            return None
        # Not found on PATH: it is run as given, and the notice says why it failed.
        path = shutil.which(chosen[0], path=search_path) or chosen[0]
        return ClipboardTool(os.path.basename(chosen[0]), (path, *chosen[1:]))
    for name, arguments, display_variable in _TOOLS:
        if display_variable is not None and not environ.get(display_variable):
            continue
        path = shutil.which(name, path=search_path)
        if path is not None:
            return ClipboardTool(name, (path, *arguments))
    return None


def run_tool(
    tool: ClipboardTool,
    text: str,
    timeout_s: float = TOOL_TIMEOUT_S,
    environ: Mapping[str, str] | None = None,
) -> ToolOutcome:
    """Give `text` to `tool` (run in `environ`, default this process's). Blocks until the tool
    exits (at most `timeout_s`): run it in a thread, never on the event loop."""
    # Its output goes to a file, not a pipe: xclip, xsel and wl-copy leave a process behind to
    # serve the clipboard, and a pipe it inherited would never reach its end.
    with tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(
                tool.argv,
                input=text.encode("utf-8"),
                stdout=subprocess.DEVNULL,
                stderr=errors,
                timeout=timeout_s,
                check=False,
                env=None if environ is None else dict(environ),
            )
        except subprocess.TimeoutExpired:
            return ToolOutcome(tool, False, f"no answer within {timeout_s:g} s")
        except OSError as error:
            return ToolOutcome(tool, False, error.strerror or type(error).__name__)
        if done.returncode == 0:
            return ToolOutcome(tool, True)
        errors.seek(0)
        said = errors.read(2000).decode("utf-8", errors="replace").strip()
        first_line = visible_text(said.splitlines()[0][:200]) if said else ""
        problem = f"exit status {done.returncode}" + (f": {first_line}" if first_line else "")
        return ToolOutcome(tool, False, problem)


def copy_with_local_tool(text: str, environ: Mapping[str, str] | None = None) -> ToolOutcome | None:
    """Find a clipboard tool and give it `text` (None: no tool here). Blocks: see run_tool."""
    tool = find_tool(environ)
    return None if tool is None else run_tool(tool, text, environ=environ)


def describe_size(text: str) -> str:
    """'12 lines, 340 characters': what a copy notification says (never the content)."""
    lines = len(text.splitlines()) or (1 if text else 0)
    return f"{lines} line{'s' * (lines != 1)}, {len(text):,} character{'s' * (len(text) != 1)}"


_TERMINAL_ONLY = (
    "Sent {what} ({size}) to the terminal's clipboard (OSC 52); whether it arrived depends on "
    "your terminal."
)


def copy_notice(what: str, text: str, outcome: ToolOutcome | None) -> CopyNotice:
    """What to tell the user after `text` (`what`: "the last reply") went to the terminal
    (OSC 52) and, if there was one, to a local tool with `outcome`."""
    size = describe_size(text)
    if outcome is None:
        return CopyNotice(_TERMINAL_ONLY.format(what=what, size=size), "information")
    if outcome.took_it:
        return CopyNotice(
            f"Copied {what} ({size}) via {outcome.tool.name}; also sent to the terminal's "
            "clipboard (OSC 52).",
            "information",
        )
    return CopyNotice(
        f"{outcome.tool.name} could not copy {what} ({outcome.problem}). "
        + _TERMINAL_ONLY.format(what="it", size=size),
        "warning",
    )
