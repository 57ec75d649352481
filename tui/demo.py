"""`msp-tickets --demo`: the reference portal with demo data on a loopback port, a fast PSA
cadence so tickets move while you watch, and the TUI logged in as the first demo company's
admin. The demo's portal database and mirror live in the XDG data folder
(`$XDG_DATA_HOME/msp-tickets/demo/`, 0700): made and seeded on the first run, reused after, so a
restart keeps what the user did; `--demo-reset` starts afresh. However the app ends (quit, a
signal, a crash, SIGKILL), the portal stops: it runs in a session of its own, so a terminal's
hangup or ctrl+c reaches only the app, and it watches its parent (`--parent-pid`), so it stops
within a fraction of a second of the app's death. Nothing is written outside that folder."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from cache.private_files import private_database, private_file, private_folder
from portal.client import PortalClient
from tui.paths import xdg_dir

DEMO_EMAIL = "admin@acme.example"
DEMO_PASSWORD = "demo-password"
DEMO_PSA_INTERVAL_SECONDS = 15
START_TIMEOUT_SECONDS = 30
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
# The mirror's files are named after the portal's address; the demo's port changes every run,
# so they are named after this one, which stays.
DEMO_FILES_URL = "http://demo.invalid"
SEEDED = "seeded"  # written once the portal's database is complete


def demo_folder(env: Mapping[str, str] = os.environ) -> Path:
    """Where the demo keeps its portal and mirror between runs."""
    return xdg_dir("data", env) / "demo"


def reset_demo(env: Mapping[str, str] = os.environ) -> None:
    """Forget the demo's tickets: the next run seeds a new portal."""
    shutil.rmtree(demo_folder(env), ignore_errors=True)


def _portal_command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "portal.server.cli", "--db", str(db), *args]


@contextmanager
def demo_portal(folder: Path) -> Iterator[str]:
    """The reference portal of `folder` (seeded if it is new) serving on 127.0.0.1; yields its
    URL, stops it at the end."""
    db = folder / "portal.db"
    log_path = private_file(folder / "portal.log")
    _seed_once(folder, db)
    with log_path.open("wb") as log:
        # All output goes to the file: a pipe nobody reads would fill and stall the server.
        server = subprocess.Popen(
            _portal_command(
                db,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--psa-interval",
                str(DEMO_PSA_INTERVAL_SECONDS),
                "--simulate-office",
                "--log-level",
                "warning",
                "--parent-pid",
                str(os.getpid()),
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
    try:
        yield _wait_until_listening(server, log_path)
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


def _seed_once(folder: Path, db: Path) -> None:
    """Seed a new portal, unless a complete one is there (a seeding cut short starts over)."""
    if (folder / SEEDED).exists():
        return
    for leftover in folder.glob("portal.db*"):
        leftover.unlink()
    subprocess.run(_portal_command(db, "seed-demo"), check=True, capture_output=True)
    private_database(db)
    private_file(folder / SEEDED)


def _wait_until_listening(server: subprocess.Popen, log_path: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        found = LISTENING.search(log_path.read_text(errors="replace"))
        if found:
            return found.group(1)
        if server.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"the demo portal did not start; its log said:\n{log_path.read_text(errors='replace')[-2000:]}")


async def _run_app(url: str, folder: Path) -> int:
    from cache.mirror import Mirror
    from cache.sync import SyncEngine
    from tui.app import TicketsApp  # textual loads only once the portal is up
    from tui.config import UNDO_SECONDS_ENV, Profile, check_undo_seconds
    from tui.session import Identity, Session, session_paths
    from tui.theme_setting import saved_theme

    async with PortalClient(url) as client:
        answer = await client.login(DEMO_EMAIL, DEMO_PASSWORD)
    env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache"), "XDG_DATA_HOME": str(folder / "data")}
    identity = Identity(answer.user.id, answer.user.email)
    # The demo's own profile, in no config file: the environment's settings still apply to it.
    undo_seconds = check_undo_seconds(os.environ.get(UNDO_SECONDS_ENV), None, "demo")
    profile = Profile("demo", DEMO_FILES_URL, DEMO_EMAIL, undo_seconds=undo_seconds)
    mirror = Mirror.open(session_paths(profile, identity, env))
    client = PortalClient(url, answer.token)
    session = Session(mirror, client, SyncEngine(mirror, client, expected_email=DEMO_EMAIL))
    app = TicketsApp(
        session, profile=profile, close_session_on_exit=True, exit_on_signals=True, theme=saved_theme()
    )  # the theme shown, not saved
    await app.run_async()
    return app.return_code or 0


def run_demo(*, reset: bool = False) -> int:
    if reset:
        reset_demo()
    folder = private_folder(demo_folder())
    with demo_portal(folder) as url:
        return asyncio.run(_run_app(url, folder))


if __name__ == "__main__":
    sys.exit(run_demo())
