"""Every TOML example in docs/configuration.md loads without problems."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chat_tui.config import load_settings
from chat_tui.theming import load_theme_file

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
BLOCKS = re.findall(r"```toml\n(.*?)```", DOC.read_text("utf-8"), re.S) if DOC.exists() else []


@pytest.mark.parametrize("block", BLOCKS)
def test_doc_example_loads_cleanly(tmp_path: Path, block: str) -> None:
    path = tmp_path / "example.toml"
    path.write_text(block, encoding="utf-8")
    if block.startswith("name ="):
        problems: list = []
        assert load_theme_file(path, problems) is not None
        assert problems == []
    else:
        assert load_settings(path).problems == []


def test_there_are_examples() -> None:
    if not DOC.exists():
        pytest.skip("docs not present")
    assert len(BLOCKS) >= 5


def test_keys_doc_lists_every_binding_id() -> None:
    from chat_tui.app import ChatApp
    from chat_tui.binding_ids import binding_infos

    text = (Path(__file__).parents[2] / "docs" / "keys.md").read_text(encoding="utf-8")
    ids = {i for screen in ChatApp.keymap_screens() for i, _, _ in binding_infos(screen)}
    assert {i for i in ids if f"`{i}`" not in text} == set()
