"""The clipboard tool: found by display and PATH, run as a real process, reported honestly.
The tools here are small shell scripts in a temporary PATH standing in for xclip & co."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from chat_tui.clipboard import (
    TOOL_ENV,
    ClipboardTool,
    ToolOutcome,
    copy_notice,
    copy_with_local_tool,
    describe_size,
    find_tool,
    run_tool,
)


def install(bin_dir: Path, name: str, script: str) -> Path:
    bin_dir.mkdir(exist_ok=True)
    tool = bin_dir / name
    tool.write_text(f"#!/bin/sh\n{script}\n")
    tool.chmod(0o755)
    return tool


def test_a_tool_is_used_only_when_its_display_is_there(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    xclip = install(bin_dir, "xclip", "/bin/cat > /dev/null")
    wl_copy = install(bin_dir, "wl-copy", "/bin/cat > /dev/null")
    path = str(bin_dir)
    assert find_tool({"PATH": path}) is None
    assert find_tool({"PATH": path, "DISPLAY": ":0"}) == ClipboardTool(
        "xclip", (str(xclip), "-selection", "clipboard")
    )
    assert find_tool({"PATH": path, "DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}) == (
        ClipboardTool("wl-copy", (str(wl_copy),))
    )
    assert find_tool({"PATH": str(tmp_path / "empty"), "DISPLAY": ":0"}) is None


def test_xsel_when_it_is_the_only_x_tool(tmp_path: Path) -> None:
    xsel = install(tmp_path / "bin", "xsel", "/bin/cat > /dev/null")
    tool = find_tool({"PATH": str(tmp_path / "bin"), "DISPLAY": ":1"})
    assert tool == ClipboardTool("xsel", (str(xsel), "--clipboard", "--input"))


def test_the_environment_variable_chooses_or_turns_off_the_tool(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    install(bin_dir, "xclip", "/bin/cat > /dev/null")
    clip = install(bin_dir, "clip.exe", "/bin/cat > /dev/null")
    path = str(bin_dir)
    assert find_tool({"PATH": path, "DISPLAY": ":0", TOOL_ENV: "none"}) is None
    chosen = find_tool({"PATH": path, TOOL_ENV: "clip.exe --quiet"})
    assert chosen == ClipboardTool("clip.exe", (str(clip), "--quiet"))


def test_the_tool_gets_the_text_exactly_and_the_display_it_was_chosen_for(
    tmp_path: Path,
) -> None:
    received, display = tmp_path / "received", tmp_path / "display"
    install(tmp_path / "bin", "xclip", f'/bin/cat > "{received}"\necho "$DISPLAY" > "{display}"')
    text = "déjà vu 🙂\n  indented\n\nlast line without newline"
    outcome = copy_with_local_tool(text, {"PATH": str(tmp_path / "bin"), "DISPLAY": ":7"})
    assert outcome is not None and outcome.took_it
    assert outcome.tool.name == "xclip"
    assert received.read_bytes() == text.encode("utf-8")
    assert display.read_text() == ":7\n"


def test_no_tool_means_no_outcome(tmp_path: Path) -> None:
    assert copy_with_local_tool("text", {"PATH": str(tmp_path), TOOL_ENV: "none"}) is None


def test_a_tool_that_fails_says_why(tmp_path: Path) -> None:
    failing = install(
        tmp_path / "bin", "xclip", 'echo "Error: Can\'t open display: :0" >&2\nexit 1'
    )
    outcome = run_tool(ClipboardTool("xclip", (str(failing),)), "text")
    assert outcome == ToolOutcome(
        ClipboardTool("xclip", (str(failing),)),
        False,
        "exit status 1: Error: Can't open display: :0",
    )


def test_a_missing_tool_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    tool = find_tool({"PATH": str(tmp_path), TOOL_ENV: str(tmp_path / "no-such-tool")})
    assert tool is not None
    outcome = run_tool(tool, "text")
    assert not outcome.took_it
    assert outcome.problem == "No such file or directory"


def test_a_stuck_tool_is_stopped(tmp_path: Path) -> None:
    stuck = install(tmp_path / "bin", "xclip", "exec /bin/sleep 30")
    started = time.monotonic()
    outcome = run_tool(ClipboardTool("xclip", (str(stuck),)), "text", timeout_s=0.5)
    assert time.monotonic() - started < 5
    assert not outcome.took_it
    assert outcome.problem == "no answer within 0.5 s"


def test_a_tool_that_stays_behind_to_serve_the_clipboard_does_not_hold_the_copy(
    tmp_path: Path,
) -> None:
    # As xclip does: read the text, leave a process holding the selection, exit.
    received, server = tmp_path / "received", tmp_path / "server.pid"
    script = f'/bin/cat > "{received}"\n/bin/sleep 30 &\necho $! > "{server}"\nexit 0'
    serving = install(tmp_path / "bin", "xclip", script)
    started = time.monotonic()
    try:
        outcome = run_tool(ClipboardTool("xclip", (str(serving),)), "text", timeout_s=10)
        assert time.monotonic() - started < 5
        assert outcome.took_it
        assert received.read_text() == "text"
    finally:
        if server.exists():
            os.kill(int(server.read_text()), signal.SIGTERM)


def test_the_notice_claims_only_what_is_known() -> None:
    xclip = ClipboardTool("xclip", ("/usr/bin/xclip",))
    text = "two\nlines"
    assert copy_notice("the selection", text, None).message == (
        "Sent the selection (2 lines, 9 characters) to the terminal's clipboard (OSC 52); "
        "whether it arrived depends on your terminal."
    )
    took = copy_notice("the last reply", text, ToolOutcome(xclip, True))
    assert took.severity == "information"
    assert took.message == (
        "Copied the last reply (2 lines, 9 characters) via xclip; also sent to the "
        "terminal's clipboard (OSC 52)."
    )
    failed = copy_notice("python code", text, ToolOutcome(xclip, False, "exit status 1"))
    assert failed.severity == "warning"
    assert failed.message == (
        "xclip could not copy python code (exit status 1). Sent it (2 lines, 9 characters) to "
        "the terminal's clipboard (OSC 52); whether it arrived depends on your terminal."
    )


def test_sizes_are_described_in_lines_and_characters() -> None:
    assert describe_size("") == "0 lines, 0 characters"
    assert describe_size("x") == "1 line, 1 character"
    assert describe_size("a\nb\n") == "2 lines, 4 characters"
