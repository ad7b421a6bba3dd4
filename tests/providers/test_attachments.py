"""Attached files travel in each API's own content parts, through the real SDKs to the fake
server: the tests assert the exact parts that arrived, for each kind on each path. A kind an
API has no part for (a PDF on Chat Completions) is refused before sending, and a 400 for a
request with files says the model may not take them."""

from __future__ import annotations

import base64

import pytest

from chat_tui.attachments import Attachment, text_part
from chat_tui.providers.base import ChatMessage, ChatRequest, FailureKind, Provider
from tests.fakeserver import FakeProviderServer, Scenario
from tests.providers.conftest import MODELS, build, collect

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
PDF = b"%PDF-1.4\n%fake\n"
IMAGE = Attachment("photo.png", "image/png", PNG)
DOCUMENT = Attachment("report.pdf", "application/pdf", PDF)
NOTES = Attachment("notes.md", "text/markdown", b"# Notes\nremember")
B64_PNG = base64.b64encode(PNG).decode()
B64_PDF = base64.b64encode(PDF).decode()
NOTES_TEXT = '<file name="notes.md">\n# Notes\nremember\n</file>'


def request_with(path: str, *attachments: Attachment, text: str = "look") -> ChatRequest:
    return ChatRequest(
        model=MODELS[path], messages=(ChatMessage("user", text, attachments=attachments),)
    )


# What arrives for (photo.png, notes.md [, report.pdf]) with the text "look", per path.
EXPECTED_PARTS = {
    "openai-chat": [
        {"type": "text", "text": "look"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{B64_PNG}"}},
        {"type": "text", "text": NOTES_TEXT},
    ],
    "openai": [
        {"type": "input_text", "text": "look"},
        {"type": "input_image", "image_url": f"data:image/png;base64,{B64_PNG}", "detail": "auto"},
        {"type": "input_text", "text": NOTES_TEXT},
        {
            "type": "input_file",
            "filename": "report.pdf",
            "file_data": f"data:application/pdf;base64,{B64_PDF}",
        },
    ],
    "anthropic": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": B64_PNG}},
        {"type": "text", "text": NOTES_TEXT},
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": B64_PDF},
            "title": "report.pdf",
        },
        {"type": "text", "text": "look"},
    ],
    "gemini": [
        {"text": "look"},
        {"inline_data": {"mime_type": "image/png", "data": B64_PNG}},
        {"text": NOTES_TEXT},
        {"inline_data": {"mime_type": "application/pdf", "data": B64_PDF}},
    ],
}
EXPECTED_PARTS["compatible"] = EXPECTED_PARTS["openai-chat"]
TAKES_PDF = {"openai", "anthropic", "gemini"}


def arrived_parts(fake_server: FakeProviderServer, path: str) -> list[dict]:
    body = fake_server.last.body
    if path == "gemini":
        return body["contents"][-1]["parts"]
    if path == "openai":
        return body["input"][-1]["content"]
    return body["messages"][-1]["content"]


def files_for(path: str) -> tuple[Attachment, ...]:
    return (IMAGE, NOTES, DOCUMENT) if path in TAKES_PDF else (IMAGE, NOTES)


@pytest.mark.parametrize("streaming", [True, False], ids=["stream", "whole"])
async def test_each_kind_arrives_in_the_apis_own_parts(
    fake_server: FakeProviderServer, provider: Provider, path: str, streaming: bool
):
    request = request_with(path, *files_for(path))
    if streaming:
        got = await collect(provider.stream(request))
        assert got.error is None and got.text == "Hello, world!"
    else:
        assert (await provider.complete(request)).text == "Hello, world!"

    assert arrived_parts(fake_server, path) == EXPECTED_PARTS[path]


async def test_attachments_are_resent_with_the_history(
    fake_server: FakeProviderServer, provider: Provider, path: str
):
    """An earlier turn's files go again with every later request: the model keeps seeing them."""
    request = ChatRequest(
        model=MODELS[path],
        messages=(
            ChatMessage("user", "look", attachments=(IMAGE,)),
            ChatMessage("assistant", "A picture."),
            ChatMessage("user", "and now?"),
        ),
    )
    got = await collect(provider.stream(request))
    assert got.error is None

    body = fake_server.last.body
    history = {
        "gemini": lambda: body["contents"],
        "openai": lambda: body["input"],
    }.get(path, lambda: body["messages"])()
    first = history[0].get("parts") or history[0]["content"]
    image_only = [
        part
        for part in EXPECTED_PARTS[path]
        if "notes.md" not in str(part) and B64_PDF not in str(part)
    ]
    assert first == image_only
    # A message without files keeps the plain form.
    last = history[-1]
    assert last.get("content", last.get("parts")) in ("and now?", [{"text": "and now?"}])


@pytest.mark.parametrize("path", ["openai-chat", "compatible"])
async def test_a_pdf_on_chat_completions_is_refused_before_sending(
    fake_server: FakeProviderServer, path: str
):
    provider = build(fake_server, path)
    try:
        got = await collect(provider.stream(request_with(path, DOCUMENT)))
    finally:
        await provider.aclose()

    assert got.error is not None and got.error.kind is FailureKind.BAD_REQUEST
    message = got.error.message
    assert "Chat Completions cannot take report.pdf" in message
    assert "images and text files" in message and "Responses API" in message
    assert fake_server.generation_requests == []  # nothing was sent


async def test_a_refused_attachment_says_the_model_may_not_take_it(
    fake_server: FakeProviderServer, provider: Provider, path: str
):
    fake_server.script(Scenario.http_error(400, message="This model does not support images"))
    got = await collect(provider.stream(request_with(path, IMAGE)))

    assert got.error is not None and got.error.kind is FailureKind.BAD_REQUEST
    message = got.error.message
    assert "refused the request with attachments (photo.png (24 B))" in message
    assert "This model does not support images" in message
    assert "may not take this kind of file" in message


async def test_a_400_without_attachments_keeps_its_usual_message(
    fake_server: FakeProviderServer, provider: Provider, path: str
):
    fake_server.script(Scenario.http_error(400, message="bad temperature"))
    got = await collect(provider.stream(request_with(path)))
    assert got.error is not None and "attachments" not in got.error.message


def test_text_part_names_the_file():
    assert text_part(NOTES) == NOTES_TEXT
