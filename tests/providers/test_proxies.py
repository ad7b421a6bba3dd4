"""Proxies from the environment: used for remote providers, never for a server on loopback,
and named when they refuse or fail. Each proxy here is a real socket server in the test."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from chat_tui.providers.base import FailureKind
from chat_tui.providers.proxies import direct_mounts, is_loopback, proxy_for
from tests.fakeserver import FakeProviderServer
from tests.providers.conftest import OPENAI_PATHS, PATHS, build, collect, request_for

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def dead_port() -> int:
    with socket.socket() as sock:  # free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RefusingProxy:
    """A proxy that answers every request (a CONNECT, or a plain one) with 403, and keeps
    the request lines it saw."""

    def __init__(self) -> None:
        self.request_lines: list[str] = []
        self.url = ""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.request_lines.append(head.split(b"\r\n", 1)[0].decode())
        writer.write(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        await writer.drain()
        writer.close()


@pytest.fixture
async def refusing_proxy() -> AsyncIterator[RefusingProxy]:
    proxy = RefusingProxy()
    server = await asyncio.start_server(proxy._handle, "127.0.0.1", 0)
    proxy.url = f"http://user:hunter2@127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server:
        yield proxy


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_server_on_loopback_is_reached_directly_past_a_proxy(
    fake_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch, path: str, host: str
):
    dead_proxy = f"http://127.0.0.1:{dead_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, dead_proxy)
    base = f"http://{host}:{fake_server.port}" + ("/v1" if path in OPENAI_PATHS else "")
    provider = build(fake_server, path, base_url=base)
    try:
        got = await collect(provider.stream(request_for(path)))
        reply = await provider.complete(request_for(path))
    finally:
        await provider.aclose()
    assert got.error is None, got.error
    assert got.text == reply.text == "Hello, world!"


async def test_a_proxy_that_is_not_there_is_named(
    fake_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch, path: str
):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead_port()}")
    base = "http://provider.invalid" + ("/v1" if path in OPENAI_PATHS else "")
    provider = build(fake_server, path, base_url=base)
    try:
        got = await collect(provider.stream(request_for(path)))
    finally:
        await provider.aclose()
    assert got.error is not None and got.error.kind is FailureKind.CONNECTION_FAILED
    assert "Could not connect to the proxy http://127.0.0.1:" in got.error.message
    assert "(from HTTP_PROXY)" in got.error.message and "NO_PROXY" in got.error.message


@pytest.mark.parametrize("path", PATHS)
async def test_a_proxy_that_refuses_is_named_without_its_password(
    fake_server: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
    refusing_proxy: RefusingProxy,
    path: str,
):
    monkeypatch.setenv("HTTPS_PROXY", refusing_proxy.url)
    base = "https://provider.invalid" + ("/v1" if path in OPENAI_PATHS else "")
    provider = build(fake_server, path, base_url=base)
    try:
        got = await collect(provider.stream(request_for(path)))
    finally:
        await provider.aclose()
    assert refusing_proxy.request_lines[0].startswith("CONNECT provider.invalid:443 ")
    assert got.error is not None and got.error.kind is FailureKind.CONNECTION_FAILED
    message = got.error.message
    assert "The proxy http://127.0.0.1:" in message and "(from HTTPS_PROXY) refused" in message
    assert "hunter2" not in message and "user:" not in message
    assert "lost mid-reply" not in message


async def test_no_proxy_sends_a_host_directly(
    fake_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead_port()}")
    monkeypatch.setenv("NO_PROXY", "provider.invalid")
    provider = build(fake_server, "compatible", base_url="http://provider.invalid/v1")
    try:
        got = await collect(provider.stream(request_for("compatible")))
    finally:
        await provider.aclose()
    # Direct: the name does not resolve, and the message is about the server, not a proxy.
    assert got.error is not None and got.error.kind is FailureKind.CONNECTION_FAILED
    assert "proxy" not in got.error.message


def test_what_counts_as_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(map(is_loopback, ["localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]"]))
    assert not any(map(is_loopback, ["10.0.0.1", "api.openai.com", "localhost.example.com"]))
    assert direct_mounts("http://[::1]:11434/v1") == {"all://[::1]": None}
    assert direct_mounts("https://api.openai.com/v1") is None
    monkeypatch.setenv("HTTPS_PROXY", "proxy.corp:3128")
    assert proxy_for("https://api.openai.com/v1") == "http://proxy.corp:3128 (from HTTPS_PROXY)"
    assert proxy_for("http://localhost:11434/v1") is None
    assert proxy_for("http://api.openai.com/v1") is None  # no HTTP_PROXY: direct
