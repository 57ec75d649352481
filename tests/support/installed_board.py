"""Run by tests/test_install.py with the python of a virtualenv that holds only the installed
wheel (the repository is not on its path): paints the board headless from a small mirror, and
parses every stylesheet a screen names, from where the wheel put it. Prints one JSON document.

Usage: python installed_board.py FOLDER   (FOLDER: where the mirror goes; fixed_world.py beside
this file is a copy of tests/tui/fixed_world.py)."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import pkgutil
import sys
from pathlib import Path, PurePath

from fixed_world import small_board
from textual.app import App
from textual.css.stylesheet import Stylesheet

import cache
import screens
import tui
from cache.sync import SyncEngine
from portal.client import PortalClient, RetryPolicy
from tui.app import TicketsApp
from tui.session import Session

PACKAGES = ("portal", "cache", "widgets", "screens", "tui")


async def board_text(folder: Path) -> str:
    mirror = small_board(folder)
    # Nothing listens on port 9: the board shows the mirror and says it is offline.
    client = PortalClient("http://127.0.0.1:9", "smoke-token", retry=RetryPolicy(max_attempts=1))
    app = TicketsApp(Session(mirror, client, SyncEngine(mirror, client)))
    try:
        async with app.run_test(headless=True, size=(120, 40)) as pilot:
            # A read that a newer one replaced ends cancelled: that is the board at work, not
            # a failure (wait_for_complete would raise it), so wait for every worker to end.
            for _ in range(3):
                await asyncio.gather(*(worker.wait() for worker in list(app.workers)), return_exceptions=True)
                await pilot.pause()
            return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())
    finally:
        await client.aclose()
        mirror.close()


def stylesheets_named() -> dict[str, str]:
    """Every CSS_PATH of the installed app and screens, resolved as Textual does, and parsed
    with the theme's variables (`$background`...) as the app would."""
    variables = App().get_css_variables()
    named: dict[str, str] = {}
    for package in (tui, screens):
        for module_info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if module_info.name.endswith(".__main__"):  # importing it would run the command
                continue
            module = importlib.import_module(module_info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                css_path = getattr(cls, "CSS_PATH", None)
                if cls.__module__ != module.__name__ or not css_path:
                    continue
                # One path or a list; a relative one is beside the class's module (as Textual reads it).
                for named_path in [css_path] if isinstance(css_path, (str, PurePath)) else css_path:
                    path = Path(inspect.getfile(cls)).parent / named_path
                    sheet = Stylesheet(variables=variables)
                    sheet.read(path)
                    sheet.parse()
                    named[str(path)] = f"{cls.__module__}.{cls.__qualname__}"
    return named


def main() -> None:
    folder = Path(sys.argv[1])
    installed_at = Path(cache.__file__).parents[1]
    report = {
        "installed_at": str(installed_at),
        "tcss_installed": sorted(str(p) for package in PACKAGES for p in (installed_at / package).rglob("*.tcss")),
        "tcss_parsed": stylesheets_named(),
        "board": asyncio.run(board_text(folder)),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
