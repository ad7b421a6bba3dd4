"""A tiny HTTP/1.1 layer over asyncio streams: read one request, write plain or chunked replies.

Only what the three SDKs send is supported: Content-Length request bodies, keep-alive.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MAX_HEAD_BYTES = 64 * 1024
REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    529: "Overloaded",
}


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    received_at: float  # time.monotonic() when its last byte had been read, before any parsing

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


async def read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """The next request on the connection, or None when the client closed it."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    try:
        body = await reader.readexactly(length) if length else b""
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    received_at = time.monotonic()
    parts = urlsplit(target)
    return HttpRequest(method, parts.path, dict(parse_qsl(parts.query)), headers, body, received_at)


class ResponseWriter:
    """Writes one response; knows how to end it cleanly or break the connection."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    def _head(self, status: int, headers: dict[str, str]) -> bytes:
        reason = REASONS.get(status, "Status")
        lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def send_body(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        headers = {"content-type": content_type, "content-length": str(len(body))}
        self._writer.write(self._head(status, headers | (extra or {})) + body)
        await self._writer.drain()

    async def send_json(self, status: int, data: Any, extra: dict[str, str] | None = None) -> None:
        await self.send_body(status, json.dumps(data).encode(), "application/json", extra)

    async def start_chunked(self, content_type: str = "text/event-stream") -> None:
        headers = {
            "content-type": content_type,
            "transfer-encoding": "chunked",
            "cache-control": "no-cache",
        }
        self._writer.write(self._head(200, headers))
        await self._writer.drain()

    async def send_chunk(self, data: bytes) -> None:
        if data:
            self._writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            await self._writer.drain()

    async def end_chunked(self) -> None:
        self._writer.write(b"0\r\n\r\n")
        await self._writer.drain()

    def close_fin(self) -> None:
        self._writer.close()

    def close_rst(self) -> None:
        """Reset the connection: SO_LINGER with a zero timeout turns close() into an RST."""
        sock: socket.socket | None = self._writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._writer.transport.abort()


def split_inside_utf8(data: bytes) -> int:
    """An index that cuts through the first multi-byte UTF-8 sequence (else the middle)."""
    for index, byte in enumerate(data):
        if byte >= 0xC0:
            return index + 1
    return max(1, len(data) // 2)
