"""Files attached to a user message: what they are (sniffed from their bytes), and reading one
from disk within the size limit. Plain data, no SDK: adapters turn an `Attachment` into their
API's own content part, the store saves it, widgets show its name.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

AttachmentKind = Literal["image", "pdf", "text"]
DEFAULT_MAX_ATTACHMENT_MB = 20
_MB = 1024 * 1024

# Magic numbers of the kinds every path takes. The bytes decide, not the name: a PNG saved
# as .jpg is still sent as image/png (providers check, and refuse a mismatch).
_IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_PDF_SIGNATURE = b"%PDF-"
# How much of a file is looked at to tell text from binary (a NUL byte means binary).
_TEXT_SNIFF_BYTES = 8192


class AttachmentError(Exception):
    """A file that cannot be attached, with a message fit to show the user."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attached file: its name (not its path: the path is the user's business), its
    media type as sniffed, and its bytes."""

    name: str
    media_type: str
    data: bytes

    @property
    def kind(self) -> AttachmentKind:
        if self.media_type.startswith("image/"):
            return "image"
        if self.media_type == "application/pdf":
            return "pdf"
        return "text"

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def text(self) -> str:
        """A text file's content (text files travel as text parts)."""
        return self.data.decode("utf-8", errors="replace")

    @property
    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    @property
    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{self.base64}"

    @property
    def label(self) -> str:
        """`notes.txt (1.2 KB)`: how a chip, a transcript and an error name it."""
        return f"{self.name} ({format_size(self.size)})"


def sniff_media_type(data: bytes, name: str) -> str | None:
    """The media type of `data` by its content, the name's extension refining text types
    (`.md` is text/markdown, `.csv` text/csv); None for a binary file of no kind we send."""
    for signature, media_type in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(_PDF_SIGNATURE):
        return "application/pdf"
    if not _is_utf8_text(data):
        return None
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed if guessed and guessed.startswith("text/") else "text/plain"


def _is_utf8_text(data: bytes) -> bool:
    head = data[:_TEXT_SNIFF_BYTES]
    if b"\x00" in head:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def load_attachment(path: Path | str, *, max_bytes: int) -> Attachment:
    """Read the file at `path` (`~` expanded) as an attachment. Raises AttachmentError with
    the reason (missing, a folder, too large: the limit is named, not a kind we send)."""
    path = Path(path).expanduser()
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise AttachmentError(f"{path} is a folder, not a file")
        if size > max_bytes:
            raise AttachmentError(
                f"{path.name} is {format_size(size)}, over the {format_size(max_bytes)} limit "
                "for an attachment (max_attachment_mb in the config)"
            )
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise AttachmentError(f"no file at {path}") from error
    except PermissionError as error:
        raise AttachmentError(f"cannot read {path} (permission denied)") from error
    except OSError as error:
        raise AttachmentError(f"cannot read {path}: {error.strerror}") from error
    media_type = sniff_media_type(data, path.name)
    if media_type is None:
        raise AttachmentError(
            f"{path.name} is not an image (PNG, JPEG, WebP, GIF), a PDF or a UTF-8 text file"
        )
    return Attachment(name=path.name, media_type=media_type, data=data)


def text_part(attachment: Attachment) -> str:
    """A text file as the text a model reads: its name, then its content, delimited."""
    return f'<file name="{attachment.name}">\n{attachment.text}\n</file>'


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < _MB:
        return f"{size / 1024:.1f} KB"
    return f"{size / _MB:.1f} MB"


def kind_names(kinds: frozenset[str]) -> str:
    """`images, PDFs and text files`: what an API takes, in words."""
    words = {"image": "images", "pdf": "PDFs", "text": "text files"}
    names = [words[kind] for kind in ("image", "pdf", "text") if kind in kinds]
    if len(names) < 2:
        return "".join(names) or "no attachments"
    return f"{', '.join(names[:-1])} and {names[-1]}"
