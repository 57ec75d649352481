"""`msp-tickets --demo`: the reference portal with demo data on a loopback port, a fast PSA
cadence so tickets move while you watch, and the TUI logged in as the first demo company's
admin. Everything lives in a temporary folder. However the app ends (quit, a signal, a crash,
SIGKILL), the portal stops and removes that folder: it runs in a session of its own, so a
terminal's hangup or ctrl+c reaches only the app, and it watches its parent (`--parent-pid`),
so it stops within a fraction of a second of the app's death."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from portal.client import PortalClient

DEMO_EMAIL = "admin@acme.example"
DEMO_PASSWORD = "demo-password"
DEMO_PSA_INTERVAL_SECONDS = 15
START_TIMEOUT_SECONDS = 30
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


def _portal_command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "portal.server.cli", "--db", str(db), *args]


@contextmanager
def demo_portal(folder: Path) -> Iterator[str]:
    """A seeded reference portal serving on 127.0.0.1; yields its URL, stops it at the end."""
    db = folder / "portal.db"
    log_path = folder / "portal.log"
    subprocess.run(_portal_command(db, "seed-demo"), check=True, capture_output=True)
    with log_path.open("wb") as log:
        # All output goes to the file: a pipe nobody reads would fill and stall the server.
        server = subprocess.Popen(
            _portal_command(
                db, "serve", "--host", "127.0.0.1", "--port", "0",
                "--psa-interval", str(DEMO_PSA_INTERVAL_SECONDS), "--simulate-office",
                "--log-level", "warning",
                "--parent-pid", str(os.getpid()), "--remove-on-exit", str(folder),
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
    from tui.app import TicketsApp  # textual loads only once the portal is up
    from tui.config import Profile
    from tui.session import Identity, open_session
    from tui.theme_setting import saved_theme

    async with PortalClient(url) as client:
        answer = await client.login(DEMO_EMAIL, DEMO_PASSWORD)
    env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache"), "XDG_DATA_HOME": str(folder / "data")}
    identity = Identity(answer.user.id, answer.user.email)
    session = open_session(Profile("demo", url, DEMO_EMAIL), identity, answer.token, env)
    app = TicketsApp(session, close_session_on_exit=True, exit_on_signals=True, theme=saved_theme())  # shown, not saved
    await app.run_async()
    return app.return_code or 0


def run_demo() -> int:
    folder = Path(tempfile.mkdtemp(prefix="msp-tickets-demo-"))
    try:
        with demo_portal(folder) as url:
            return asyncio.run(_run_app(url, folder))
    finally:
        # The portal removes the folder as it stops; this covers a portal that never started.
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run_demo())
