"""Reading a file to attach: its type sniffed from its bytes (the name only refines text
types), and the size limit said with the limit in the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.attachments import AttachmentError, load_attachment, sniff_media_type
from chat_tui.config import load_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
MB = 1024 * 1024


@pytest.mark.parametrize(
    ("data", "name", "media_type"),
    [
        (PNG, "x.png", "image/png"),
        (PNG, "misnamed.jpg", "image/png"),  # the bytes decide, not the extension
        (b"\xff\xd8\xff\xe0rest", "x.jpeg", "image/jpeg"),
        (b"GIF89a....", "x.gif", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "x.webp", "image/webp"),
        (b"%PDF-1.7\n", "paper", "application/pdf"),
        (b"# Title\n", "notes.md", "text/markdown"),
        (b"a,b\n1,2\n", "t.csv", "text/csv"),
        ("naïve café\n".encode(), "no-extension", "text/plain"),
        (b"print('hi')\n", "script.png", "text/plain"),  # a text file named like an image
        (b"\x00\x01\x02binary", "x.txt", None),
        (b"\xff\xfe\x00bad utf8", "x.txt", None),
    ],
)
def test_the_type_comes_from_the_content(data: bytes, name: str, media_type: str | None):
    assert sniff_media_type(data, name) == media_type


def test_load_reads_name_type_and_bytes_with_home_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "shot.png").write_bytes(PNG)
    attachment = load_attachment("~/shot.png", max_bytes=MB)
    assert attachment.name == "shot.png" and attachment.data == PNG
    assert attachment.kind == "image" and attachment.label == "shot.png (16 B)"


def test_a_file_over_the_limit_is_refused_naming_the_limit(tmp_path: Path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (2 * MB + 1))
    with pytest.raises(AttachmentError) as caught:
        load_attachment(big, max_bytes=2 * MB)
    assert str(caught.value) == (
        "big.txt is 2.0 MB, over the 2.0 MB limit for an attachment (max_attachment_mb in the "
        "config)"
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no file at"),
        (lambda p: p.mkdir(), "is a folder, not a file"),
        (lambda p: p.write_bytes(b"\x00\x01"), "not an image (PNG, JPEG, WebP, GIF), a PDF"),
    ],
)
def test_files_that_cannot_be_attached_say_why(tmp_path: Path, make, message: str):
    path = tmp_path / "thing"
    make(path)
    with pytest.raises(AttachmentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_attachment(path, max_bytes=MB)


def test_the_limit_is_configurable_and_checked(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text("max_attachment_mb = 5\n")
    loaded = load_settings(config)
    assert loaded.settings.max_attachment_bytes == 5 * MB and not loaded.problems

    config.write_text("max_attachment_mb = 9000\n")
    loaded = load_settings(config)
    assert loaded.settings.max_attachment_mb == 500
    assert [p.key for p in loaded.problems] == ["max_attachment_mb"]
