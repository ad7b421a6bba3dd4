"""Against a server the project did not write: LiteLLM's proxy in mock mode, on loopback.

Our fake server is our own reading of the wire formats; LiteLLM is a widely used gateway
that reads them its own way. In mock mode it needs no upstream and no network. It serves Chat
Completions streaming and not; Responses and Anthropic Messages only whole: a streaming
Responses request gets a 500 with an error event, and a streaming Messages request a whole
JSON message. Every path must give the reply or a clear message.

LiteLLM pins many packages, so it lives in its own virtual environment: `.litellm-venv` at
the top of the repository (.ci/run makes it), or the `litellm` executable named by
CHAT_TUI_LITELLM. Without it these tests are skipped locally, and fail in CI.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from chat_tui.config import ProfileSettings, Settings
from chat_tui.providers.base import ChatMessage, ChatRequest, FailureKind, Provider, TextDelta
from chat_tui.providers.registry import create_provider
from tests.providers.conftest import collect

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
LITELLM = Path(os.environ.get("CHAT_TUI_LITELLM", REPO / ".litellm-venv" / "bin" / "litellm"))
START_TIMEOUT_S = 120.0  # imports take 10-20 s here, longer on a busy machine
GPT_REPLY = "Hello from the proxy. It streams **markdown** and `code`, one two three."
CLAUDE_REPLY = "Claude mock reply: alpha beta gamma."
CONFIG = f"""\
model_list:
  - model_name: mock-gpt
    litellm_params:
      model: openai/gpt-4o-mini
      api_key: sk-fake
      mock_response: "{GPT_REPLY}"
  - model_name: claude-mock
    litellm_params:
      model: anthropic/claude-3-5-haiku-latest
      api_key: sk-fake
      mock_response: "{CLAUDE_REPLY}"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def litellm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not LITELLM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"LiteLLM is not installed at {LITELLM}: .ci/run should have made it")
        pytest.skip(f"LiteLLM's proxy is not installed ({LITELLM}); .ci/run installs it")
    folder = tmp_path_factory.mktemp("litellm")
    (folder / "config.yaml").write_text(CONFIG)
    port = free_port()
    environment = os.environ | {
        "LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY": "true",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # no price-map download at start-up
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        environment.pop(name, None)
    command = [str(LITELLM), "--config", str(folder / "config.yaml")]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with (folder / "litellm.log").open("w") as log:
        process = subprocess.Popen(
            command, cwd=folder, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_live(url, process, folder / "litellm.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_live(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"LiteLLM exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx2.get(f"{url}/health/liveliness", timeout=1).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.25)
    pytest.fail(f"LiteLLM did not start within {START_TIMEOUT_S:g} s:\n{log.read_text()[-2000:]}")


def provider(url: str, path: str) -> Provider:
    profiles = {
        "chat": ProfileSettings(name="chat", base_url=f"{url}/v1"),
        "responses": ProfileSettings(name="responses", base_url=f"{url}/v1", api="responses"),
    }
    settings = Settings(profiles=profiles, connect_timeout_s=5, idle_timeout_s=30)
    environ = {"ANTHROPIC_API_KEY": "sk-anything", "ANTHROPIC_BASE_URL": url}
    return create_provider(path, settings, environ)


def request(model: str) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=(ChatMessage("user", "hi"),),
        system="Be brief.",
        max_output_tokens=200,
    )


@pytest.mark.parametrize("path", ["chat", "responses", "anthropic"])
async def test_whole_replies_on_every_path(litellm_url: str, path: str):
    model, expected = (
        ("claude-mock", CLAUDE_REPLY) if path == "anthropic" else ("mock-gpt", GPT_REPLY)
    )
    built = provider(litellm_url, path)
    try:
        reply = await built.complete(request(model))
    finally:
        await built.aclose()
    assert reply.text == expected
    assert reply.usage.input_tokens and reply.usage.output_tokens
    assert reply.finish is not None


async def test_chat_completions_stream(litellm_url: str):
    built = provider(litellm_url, "chat")
    try:
        got = await collect(built.stream(request("mock-gpt")))
    finally:
        await built.aclose()
    assert got.error is None and got.text == GPT_REPLY
    assert len(got.of_type(TextDelta)) > 3  # it really streamed, in small pieces


async def test_a_streaming_messages_request_answered_whole_gives_the_reply(litellm_url: str):
    built = provider(litellm_url, "anthropic")
    try:
        got = await collect(built.stream(request("claude-mock")))
    finally:
        await built.aclose()
    assert got.error is None, got.error
    assert got.text == CLAUDE_REPLY


async def test_a_streaming_responses_request_it_cannot_serve_says_so(litellm_url: str):
    built = provider(litellm_url, "responses")
    try:
        got = await collect(built.stream(request("mock-gpt")))
    finally:
        await built.aclose()
    assert got.error is not None and got.error.kind is FailureKind.SERVER_ERROR
    assert "Error processing stream start" in got.error.message  # its words, not "Error code"
    assert "turn streaming off" in got.error.message and 'api = "chat"' in got.error.message
