"""Save a screen as SVG (and PNG, with rsvg-convert) to look at it:
`python -m tests.snapshots.look OUT_DIR`."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

from . import screens

SIZES = [(80, 24), (120, 40), (200, 60)]
THEMES = ["chat-tui-midnight", "chat-tui-paper", "chat-tui-ember"]


async def shoot(out: Path, name: str, app, steps, size) -> None:
    async with app.run_test(size=size) as pilot:
        await steps(pilot)
        svg = out / f"{name}.svg"
        svg.write_text(app.export_screenshot())
        release = getattr(app.session.provider, "hold", None)
        if release is not None:
            release.set()  # let a held reply end, so that the app can exit
    if shutil.which("rsvg-convert"):
        subprocess.run(["rsvg-convert", str(svg), "-o", str(svg.with_suffix(".png"))], check=True)


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    for theme in THEMES:
        for w, h in SIZES:
            name = f"finished-{theme.removeprefix('chat-tui-')}-{w}x{h}"
            if only in name:
                app = screens.build_app(screens.provider(), theme=theme)
                await shoot(out, name, app, screens.finished_reply, (w, h))
            name = f"streaming-{theme.removeprefix('chat-tui-')}-{w}x{h}"
            if only in name:
                held = screens.provider(hold=True, hold_after=60)
                app = screens.build_app(held, theme=theme)
                await shoot(out, name, app, lambda p: screens.reply_on_hold(p, 60), (w, h))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
