import random

import pytest

from chat_tui.buffer import DeltaBuffer


@pytest.mark.parametrize("seed", range(200))
def test_no_delta_is_lost_or_duplicated_under_any_interleaving(seed: int) -> None:
    rng = random.Random(seed)
    buffer = DeltaBuffer()
    written: list[str] = []
    shown: list[str] = []
    for step in range(rng.randint(1, 300)):
        action = rng.random()
        if action < 0.6:
            delta = rng.choice(["a", "é", "🙂", "```", "\n", "", f"<{step}>"])
            buffer.write(delta)
            written.append(delta)
        elif action < 0.9:
            shown.append(buffer.drain())
        else:  # cancel: the final flush takes whatever is left, then writes stop
            break
    shown.append(buffer.drain())  # the guaranteed final flush
    assert "".join(shown) == "".join(written)
    assert buffer.text == "".join(written)
    assert len(buffer) == len("".join(written))
    assert buffer.drain() == ""
    assert not buffer.has_pending


def test_text_includes_pending_without_draining() -> None:
    buffer = DeltaBuffer()
    buffer.write("ab")
    assert buffer.text == "ab"
    assert buffer.has_pending
    assert buffer.drain() == "ab"
    buffer.write("c")
    assert buffer.text == "abc"
