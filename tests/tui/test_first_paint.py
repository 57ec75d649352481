"""The board's first paint (issue 14, item 1): it shows the mirror's rows at once, and loads only
what it shows. The portal's client (httpx), the wire format's models (pydantic), the keyring, the
sync's file lock and the other screens come after it; the mirror's quick check too. How long the
launch takes, beside a hello-world Textual app, is `bench/launch.py`'s: nothing here is timed.

The app is the one `msp-tickets` runs (`tui.app.board_app`), in a fresh Python process, for a
profile whose portal is unreachable (a closed loopback port: the board opens offline).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from cache.mirror import Mirror
from portal.schema import CompanyRef, Me
from portal.vocabulary import AccessLevel
from tests.tui.fixed_world import changes_for, fixed_ticket
from tui.config import Profile
from tui.session import remember_identity, session_paths

TOKEN = "first-paint-token"
LOADED_AFTER_THE_FIRST_PAINT = (
    "httpx",
    "pydantic",
    "keyring",
    "filelock",
    "portal.schema",
    "portal.client",
    "cache.sync",
    "screens.detail",
    "screens.activity",
    "screens.help",
    "screens.login",
    "screens.new_ticket",
    "screens.stats",
    "textual.widgets._text_area",
)

# Runs in the fresh process: the board as `msp-tickets` builds it, headless; once the app says
# its first rows are painted, what is loaded and what the screen shows.
CHILD = """
import asyncio, json, sys
from tui.app import board_app
from tui.config import load_profile
from tui.credentials import TokenStore

watched = json.loads(sys.argv[1])

async def first_paint():
    app = board_app(load_profile(None, new=True), TokenStore())
    painted = app._first_paint.set

    def look_then_go_on():  # what the app does next may load modules at once (on a thread)
        loaded = sorted(name for name in watched if name in sys.modules)
        screen = "\\n".join(strip.text for strip in app.screen._compositor.render_strips())
        print(json.dumps({"loaded": loaded, "screen": screen}))
        painted()

    app._first_paint.set = look_then_go_on
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app._first_paint.wait(), 30)
        for _ in range(300):  # then the board connects: at most 30 s
            if app.session.connected:
                break
            await pilot.pause(0.1)
        print(json.dumps({"loaded": sorted(name for name in watched if name in sys.modules)}))

asyncio.run(first_paint())
"""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def user_with_a_mirror(home: Path) -> dict[str, str]:
    """A profile whose token is known (remembered identity) and whose mirror holds tickets."""
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
        "MSP_TICKETS_TOKEN": TOKEN,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    portal = f"http://127.0.0.1:{closed_port()}"
    (home / "config" / "msp-tickets").mkdir(parents=True)
    (home / "config" / "msp-tickets" / "config.toml").write_text(
        f'default_profile = "p"\n\n[profiles.p]\nportal = "{portal}"\n', encoding="utf-8"
    )
    me = Me(id=1, name="Ada Admin", email="ada@alpha.example", company=CompanyRef(id=1, name="Alpha Ltd"),
            access_level=AccessLevel.COMPANY_ADMIN)  # fmt: skip
    profile = Profile("p", portal, None)
    identity = remember_identity(profile, TOKEN, me, env)
    mirror = Mirror.open(session_paths(profile, identity, env))
    try:
        mirror.store_me(me)
        mirror.apply_changes(list(changes_for([fixed_ticket(n) for n in range(1, 31)], 2)), "c1", has_more=False)
    finally:
        mirror.close()
    return env


def test_the_first_paint_shows_rows_and_loads_only_what_it_shows(tmp_path: Path):
    env = user_with_a_mirror(tmp_path)
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(LOADED_AFTER_THE_FIRST_PAINT)],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    at_first_paint, afterwards = (json.loads(line) for line in result.stdout.splitlines()[-2:])
    # The first paint has the mirror's rows (the newest first), and its title says whose they are.
    assert "#1001" in at_first_paint["screen"] and "Ada Admin" in at_first_paint["screen"]
    assert at_first_paint["loaded"] == []
    # Then the board connects: the client and the wire format's models are loaded after it.
    assert {"httpx", "portal.client", "cache.sync"} <= set(afterwards["loaded"])
