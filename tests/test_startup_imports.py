"""What starting the app imports: the first screen shows no Markdown and makes no HTTP
request, so their libraries are imported later (each costs tens of milliseconds)."""

from __future__ import annotations

import subprocess
import sys

DEFERRED = ("markdown_it", "pygments", "rich.markdown", "rich.syntax", "httpx2")


def test_importing_the_app_imports_no_markdown_renderer_or_http_client():
    code = (
        "import sys\n"
        "import chat_tui.app, chat_tui.cli, chat_tui.startup\n"
        f"print(sorted(name for name in {DEFERRED!r} if name in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# What the first screen does not show: imported when first used.
LATER = (
    "chat_tui.screens.history.conversation_view",
    "chat_tui.screens.history.browser",
    "chat_tui.screens.conversation_settings",
    "chat_tui.screens.attach_file",
    "chat_tui.screens.dialogs",
    "chat_tui.screens.chat.race",
    "chat_tui.store.search",
    "chat_tui.binding_ids",
)


def test_starting_the_app_imports_none_of_the_screens_it_opens_later(tmp_path):
    code = (
        "import sys\n"
        "import chat_tui.app, chat_tui.cli, chat_tui.startup\n"
        f"print(sorted(name for name in {LATER!r} if name in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_starting_the_app_imports_no_subcommand(tmp_path):
    code = (
        "import sys\n"
        "import chat_tui.app\n"
        "from chat_tui.cli import main\n"
        "chat_tui.app.run_app = lambda args: print(sorted(\n"
        "    name for name in sys.modules if name.startswith('chat_tui.commands.'))) or 0\n"
        f"main(['--no-stream', '--data-dir', {str(tmp_path)!r}])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_markdown_renderer_preloads_in_the_background():
    code = (
        "import sys, threading\n"
        "from chat_tui.widgets.reply_body import preload_markdown\n"
        "preload_markdown()\n"
        "for thread in threading.enumerate():\n"
        "    if thread.name == 'chat-tui-preload-markdown': thread.join(30)\n"
        "print(sorted(name for name in ('markdown_it', 'rich.markdown') if name in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['markdown_it', 'rich.markdown']"
