"""The whole app on a real provider path (via the registry) against the fake server."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from chat_tui.app import ChatApp
from chat_tui.config import OpenAIApi, ProfileSettings, Settings
from chat_tui.conversation import Turn
from chat_tui.engine import RetryPolicy
from chat_tui.event_log import EventLog
from chat_tui.providers.catalog import Target
from chat_tui.providers.registry import create_provider, get_entry
from chat_tui.session import ChatSession
from chat_tui.store import TranscriptStore
from chat_tui.widgets.messages import AssistantMessage
from tests.fakeserver import FakeProviderServer

# "openai" speaks the Responses API (its default); "openai-chat" is the same provider set to
# Chat Completions (`[providers.openai] api = "chat"`).
PATHS = ("openai", "openai-chat", "compatible", "anthropic", "gemini")
MODELS = {
    "openai": "gpt-4o-mini",
    "openai-chat": "gpt-4o-mini",
    "compatible": "fake-model",
    "anthropic": "claude-sonnet-5-5",
    "gemini": "gemini-2.5-flash",
}
KEY_HINTS = {
    "openai": "OPENAI_API_KEY",
    "openai-chat": "OPENAI_API_KEY",
    "compatible": "profile 'local'",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
}
KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
BASE_URL_VARIABLES = {
    "openai": "OPENAI_BASE_URL",
    "anthropic": "ANTHROPIC_BASE_URL",
    "gemini": "GOOGLE_GEMINI_BASE_URL",
}
FAST_RETRIES = RetryPolicy(max_retries=1, base_delay_s=0.01, max_delay_s=0.05)


def environ_for(
    server: FakeProviderServer, path: str, *, key: str = "sk-test", base_url: str | None = None
) -> dict[str, str]:
    if path == "compatible":
        return {}
    path = "openai" if path == "openai-chat" else path
    default = server.openai_base_url if path == "openai" else server.url
    variable = KEY_VARIABLES.get(path, "GEMINI_API_KEY")
    return {variable: key, BASE_URL_VARIABLES[path]: base_url or default}


def provider_name(path: str) -> str:
    """The name the app knows the provider of `path` by."""
    return {"compatible": "local", "openai-chat": "openai"}.get(path, path)


def provider_apis(path: str) -> dict[str, OpenAIApi]:
    """`[providers.openai] api = "chat"` for the Chat Completions path, else the defaults."""
    return {"openai": "chat"} if path == "openai-chat" else {}


def settings_for(
    server: FakeProviderServer, path: str, *, idle_timeout_s: float, base_url: str | None
) -> Settings:
    profiles: dict[str, ProfileSettings] = {}
    if path == "compatible":  # an OpenAI-compatible profile with no key at all
        url = base_url or server.openai_base_url
        profiles["local"] = ProfileSettings(name="local", base_url=url, default_model="fake-model")
    return Settings(
        provider_apis=provider_apis(path),
        profiles=profiles,
        connect_timeout_s=1.0,
        idle_timeout_s=idle_timeout_s,
        flush_interval_ms=30,
    )


def build_app(
    server: FakeProviderServer,
    path: str,
    data_dir: Path,
    *,
    streaming: bool = True,
    idle_timeout_s: float = 2.0,
    base_url: str | None = None,
    key: str = "sk-test",
    environ: Mapping[str, str] | None = None,
    retry_policy: RetryPolicy = FAST_RETRIES,
) -> ChatApp:
    name = provider_name(path)
    settings = settings_for(server, path, idle_timeout_s=idle_timeout_s, base_url=base_url)
    env = dict(environ or environ_for(server, path, key=key, base_url=base_url))
    provider = create_provider(name, settings, env)
    target = get_entry(name, settings, env)
    session = ChatSession(
        provider,
        Target(name, target.label, MODELS[path]),
        streaming=streaming,
        retry_policy=retry_policy,
        store=TranscriptStore.open(data_dir / "transcripts.sqlite3"),
        event_log=EventLog(data_dir / "logs" / "requests.jsonl", environ=env),
    )
    app = ChatApp(session, settings=settings)
    app.animation_level = "none"
    return app


async def wait_until(pilot: Pilot, condition, *, timeout_s: float = 5.0) -> None:
    """Let the app run until `condition()` holds; fail (not hang) after `timeout_s`."""
    steps = int(timeout_s / 0.01)
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never became true")


async def send(pilot: Pilot, app: ChatApp, text: str) -> None:
    """Type `text` into the prompt and press Enter."""
    app.chat.prompt.focus()
    app.chat.prompt.insert(text)
    await pilot.press("enter")


async def reply_finished(pilot: Pilot, app: ChatApp, replies: int, timeout_s: float = 5.0) -> Turn:
    """Wait for the `replies`-th reply (in the order they started, on any branch: a retried
    reply is an alternative to the one that failed) to end; return it."""

    def done() -> bool:
        turns = [t for t in app.session.conversation.messages if t.role == "assistant"]
        return len(turns) >= replies and app.chat.pending is None

    await wait_until(pilot, done, timeout_s=timeout_s)
    await pilot.pause()
    return [t for t in app.session.conversation.messages if t.role == "assistant"][replies - 1]


def notices(app: ChatApp) -> list[str]:
    return [n.message for n in app._notifications]


def failures_shown(app: ChatApp) -> list[str]:
    """Where the chat tells of a failed reply: the footer under each reply (and the
    notifications, for a reply whose end was out of sight)."""
    footers = [
        str(footer.content)
        for message in app.chat.log_view.query(AssistantMessage)
        for footer in message.query(".footer").results(Static)
    ]
    return footers + notices(app)


def stored_turns(app: ChatApp) -> list[Turn]:
    store = app.session.store
    assert store is not None and app.session.conversation.id is not None
    return store.load_conversation(app.session.conversation.id).turns


def reply_requests(server: FakeProviderServer) -> int:
    """Generation requests for replies (the background title request is not counted)."""
    return sum("short title" not in str(r.body) for r in server.generation_requests)
