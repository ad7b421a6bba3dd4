"""`chat-tui ask -a PATH` (repeatable), through the real console script: the files reach the
provider in its own parts, are saved with the turn, and a file that cannot go is refused
before anything is sent (exit 2), naming the limit when it is too large."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.commands.test_ask import ask, home, saved  # noqa: F401  (home is a fixture)
from tests.fakeserver import FakeProviderServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def make_files(tmp_path: Path) -> tuple[Path, Path]:
    image = tmp_path / "cat.png"
    image.write_bytes(PNG)
    notes = tmp_path / "notes.txt"
    notes.write_text("remember\n")
    return image, notes


def test_attached_files_reach_the_provider_and_are_saved(
    home: Path,  # noqa: F811
    tmp_path: Path,
    fake_server: FakeProviderServer,
) -> None:
    image, notes = make_files(tmp_path)
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake_server.openai_base_url}
    result = ask(
        home, "--provider", "openai", "-a", str(image), "--attach", str(notes), "what?", **env
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello, world!\n"
    parts = fake_server.last.body["input"][-1]["content"]
    assert parts == [
        {"type": "input_text", "text": "what?"},
        {
            "type": "input_image",
            "image_url": "data:image/png;base64," + base64.b64encode(PNG).decode(),
            "detail": "auto",
        },
        {"type": "input_text", "text": '<file name="notes.txt">\nremember\n\n</file>'},
    ]
    (conversation,) = saved(home)
    assert [a.name for a in conversation.turns[0].attachments] == ["cat.png", "notes.txt"]


def test_the_simulated_model_names_the_files(home: Path, tmp_path: Path) -> None:  # noqa: F811
    image, _ = make_files(tmp_path)
    result = ask(home, "-a", str(image), "describe")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("You attached cat.png (image, 32 B).")


def test_a_file_that_cannot_go_is_refused_before_sending(
    home: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    (home / "config" / "config.toml").write_text("max_attachment_mb = 1\n")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (1024 * 1024 + 1))
    result = ask(home, "-a", str(big), "hi")
    assert result.returncode == 2
    assert result.stderr == (
        "chat-tui ask: big.txt is 1.0 MB, over the 1.0 MB limit for an attachment "
        "(max_attachment_mb in the config)\n"
    )
    missing = ask(home, "-a", str(tmp_path / "nope.png"), "hi")
    assert missing.returncode == 2 and "no file at" in missing.stderr
    assert not (home / "data" / "transcripts.sqlite3").exists()
