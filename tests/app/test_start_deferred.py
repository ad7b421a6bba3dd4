"""Work moved out of the way of the first screen (issue 18) still happens: the garbage
collector comes back on after the start."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

import chat_tui.app
from tests.app.conftest import make_app, wait_until
from tests.app.scripted import ScriptedProvider


@pytest.fixture
def collector_off_as_the_command_line_starts() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_the_command_line_starts_the_app_with_the_collector_off_and_turns_it_on_after():
    code = (
        "import gc\n"
        "import chat_tui.app\n"
        "from chat_tui.cli import main\n"
        "chat_tui.app.run_app = lambda args: print(gc.isenabled()) or 0\n"
        "main(['--no-stream'])\n"
        "print(gc.isenabled())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


@pytest.mark.usefixtures("collector_off_as_the_command_line_starts")
async def test_the_app_turns_the_collector_back_on_after_its_first_screen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(chat_tui.app, "COLLECT_GARBAGE_AFTER_S", 0.05)
    app = make_app(ScriptedProvider([]))
    async with app.run_test() as pilot:
        await wait_until(pilot, gc.isenabled)
