"""Issue 9, items 2, 3, 5 and 7: the real `msp-tickets` in a real terminal (tmux) over the real
portal, while another process holds the mirror's write lock, deletes the mirror, spoils the
outbox, or kills the app with SIGKILL in the middle of a submit."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cache.profile import ProfilePaths
from tests.support.portal import Account, RunningPortal, held_token, start_portal
from tests.support.terminal import COMMAND, TAB, terminal
from tests.support.terminal import Board as BoardInTerminal
from tui.config import check_portal_url
from tui.demo import DEMO_EMAIL, DEMO_PASSWORD
from tui.paths import profile_paths

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

ADMIN = Account(DEMO_EMAIL, DEMO_PASSWORD, "Acme admin", "Acme Corp", "company_admin")
KILL_TRIALS = 20
KILL_LANES = 4
BOARD = re.compile(r"1 All ([1-9]\d*)")
SYNCED = re.compile(r"(?<!not )synced ")
HELP = "Keys — the mouse works too"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPortal]:
    running = start_portal(tmp_path_factory.mktemp("tmux-portal"), seed_demo=True)
    try:
        yield running
    finally:
        running.stop()


@dataclass
class Board(BoardInTerminal):
    paths: ProfilePaths

    def start(self) -> int:
        """Wait for the board with its tickets; their number."""
        screen = self.terminal.wait_for(
            lambda s: BOARD.search(s) is not None and SYNCED.search(s) is not None, "the synced board"
        )
        return int(BOARD.search(screen).group(1))


@contextmanager
def board_in(portal: RunningPortal, folder: Path) -> Iterator[Board]:
    """The app as ADMIN with folders of its own in `folder`, in a terminal of its own."""
    token = held_token(portal, ADMIN)
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_STATE_HOME": str(folder / "state"),
        "MSP_TICKETS_TOKEN": token,
        "TERM": "xterm-256color",
    }
    env.pop("MSP_TICKETS_PROFILE", None)
    env.pop("MSP_TICKETS_PORTAL", None)
    portal_url = check_portal_url(portal.url)
    config = folder / "config" / "msp-tickets" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        f'default_profile = "test"\n\n[profiles.test]\nportal = "{portal_url}"\nemail = "{ADMIN.email}"\n'
    )
    with terminal(folder) as term:
        term.start(str(COMMAND), env)
        # The files are keyed by the portal's id of the user (who the token is, per /me).
        me = httpx.get(f"{portal.api}/me", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
        yield Board(term, portal, token, profile_paths("test", portal_url, me["id"], env))


@pytest.fixture
def board(portal: RunningPortal, tmp_path: Path) -> Iterator[Board]:
    with board_in(portal, tmp_path) as opened:
        yield opened


def query(path: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def first_row_id(screen: str) -> int:
    """The ticket on the table's first line (under the heading line)."""
    lines = screen.splitlines()
    heading = next(i for i, line in enumerate(lines) if "Subject" in line and "Status" in line)
    return int(re.search(r"#(\d+)", lines[heading + 1]).group(1))


def test_a_busy_mirror_shows_busy_then_the_ticket_is_marked_opened(board: Board) -> None:
    board.start()
    terminal, paths = board.terminal, board.paths
    ticket_id = first_row_id(terminal.screen())
    query(paths.cache_db, "UPDATE tickets SET opened_at = 'not yet' WHERE id = ?", ticket_id)
    holder = sqlite3.connect(paths.cache_db, isolation_level=None, timeout=30)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the mirror's write lock
        terminal.keys("Enter")
        screen = terminal.wait_for(
            lambda s: "busy — retrying" in s and f"#{ticket_id} · " in s, "the ticket, and busy in the status line"
        )
        assert "Timeline" in screen
        time.sleep(1.5)  # held for a while: the app still answers keys, and still says busy
        terminal.type("?")
        terminal.wait_for(lambda s: HELP in s, "help, while busy")
        terminal.keys("Escape")
        terminal.wait_for(lambda s: HELP not in s and "busy — retrying" in s, "the ticket again, still busy")
        assert query(paths.cache_db, "SELECT opened_at FROM tickets WHERE id = ?", ticket_id) == [("not yet",)]
        holder.execute("COMMIT")
    finally:
        holder.close()
    terminal.wait_for(lambda s: "busy" not in s and f"#{ticket_id} · " in s, "busy to go")
    deadline = time.monotonic() + 30
    while query(paths.cache_db, "SELECT opened_at FROM tickets WHERE id = ?", ticket_id) == [("not yet",)]:
        assert time.monotonic() < deadline, "the ticket was never marked as opened"
        time.sleep(0.1)
    assert terminal.running()


def test_the_mirror_deleted_under_a_running_board_is_rebuilt(board: Board) -> None:
    total = board.start()
    terminal, paths = board.terminal, board.paths
    query(
        paths.outbox_db,
        "INSERT INTO drafts (name, fields, saved_at) VALUES ('new-ticket', ?, 'now')",
        json.dumps({"subject": "Survives the rebuild"}),
    )
    outbox_inode = paths.outbox_db.stat().st_ino
    for suffix in ("", "-wal", "-shm"):
        Path(f"{paths.cache_db}{suffix}").unlink(missing_ok=True)
    terminal.keys("r")
    terminal.wait_for(lambda s: "rebuilt" in s, "the notice of the rebuild")
    terminal.wait_for(
        lambda s: (m := BOARD.search(s)) is not None and int(m.group(1)) == total and SYNCED.search(s) is not None,
        "the board filled again",
    )
    assert terminal.running()
    assert paths.cache_db.exists() and paths.outbox_db.stat().st_ino == outbox_inode
    terminal.keys("n")
    terminal.wait_for(lambda s: "Survives the rebuild" in s, "the draft, kept in the outbox")


def test_a_spoiled_outbox_is_a_notice_naming_it_and_the_board_goes_on(board: Board) -> None:
    board.start()
    terminal, paths = board.terminal, board.paths
    for suffix in ("-wal", "-shm"):
        Path(f"{paths.outbox_db}{suffix}").unlink(missing_ok=True)
    paths.outbox_db.write_bytes(b"not a database " * 1000)
    for suffix in ("", "-wal", "-shm"):  # and the mirror gone, so that new connections are made
        Path(f"{paths.cache_db}{suffix}").unlink(missing_ok=True)
    terminal.keys("r")
    screen = terminal.wait_for(lambda s: "Outbox failed" in s, "a notice naming the outbox")
    assert "cannot be read" in screen
    assert paths.outbox_db.read_bytes() == b"not a database " * 1000, "the outbox is left as it was"
    terminal.type("?")
    terminal.wait_for(lambda s: HELP in s, "help: the app still answers")
    assert terminal.running()


def _tickets_with_subject_prefix(board: Board, prefix: str) -> list[str]:
    subjects, cursor = [], None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = board.api("GET", "/tickets", params=params).json()
        subjects += [t["subject"] for t in page["items"] if t["subject"].startswith(prefix)]
        cursor = page["next_cursor"]
        if not cursor:
            return subjects


def _draft(paths: ProfilePaths) -> dict[str, str]:
    rows = query(paths.outbox_db, "SELECT fields FROM drafts WHERE name = 'new-ticket'")
    return json.loads(rows[0][0]) if rows else {}


def _draft_subject(paths: ProfilePaths) -> str | None:
    return _draft(paths).get("subject")


def _queued_subjects(paths: ProfilePaths) -> list[str]:
    return [
        json.loads(p)["subject"] for (p,) in query(paths.outbox_db, "SELECT payload FROM outbox WHERE kind = 'ticket'")
    ]


def _send_the_draft_back(board: Board, prefix: str) -> None:
    """After a restart: a draft left by the last kill is sent, as the user would."""
    terminal = board.terminal
    terminal.keys("n")
    # "Submit ticket" is on the form only (the board's footer says "New ticket" too).
    terminal.wait_for(
        lambda s: prefix in s and "Submit ticket" in s and re.search(r" [1-9]\d*/500", s) is not None,
        "the draft in the form",
    )
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "Timeline" in s, "the sent ticket's detail")
    terminal.keys("Escape")
    board.start()


def _kill_trials(board: Board, prefix: str, trials: range) -> tuple[list[float], int]:
    """Each trial: the form filled, ctrl+s, SIGKILL at a random moment, the app started again.
    The kill moments, and how many kills left the text as the draft."""
    terminal, paths = board.terminal, board.paths
    chance = random.Random()
    moments, left_as_draft = [], 0
    for trial in trials:
        board.start()
        if _draft_subject(paths) is not None:
            _send_the_draft_back(board, prefix)
        subject = f"{prefix} {trial}"
        terminal.keys("n")
        terminal.wait_for(lambda s: "Submit ticket" in s and " 0/500" in s, "the empty form")
        description = f"Description of {subject}."
        terminal.write(subject + TAB * 3 + description)  # subject, category, priority, description
        deadline = time.monotonic() + 10
        while (_draft(paths).get("subject"), _draft(paths).get("description")) != (subject, description):
            # The whole draft is on disk: from now on the text is never lost.
            assert time.monotonic() < deadline, "the draft was never saved"
            time.sleep(0.05)
        # Half of the kills land while the key is still on its way or being written, half
        # while the ticket is being sent to the portal.
        moment = chance.uniform(0, 0.01) if trial % 2 else chance.uniform(0.01, 0.3)
        moments.append(round(moment, 3))
        terminal.keys("C-s")
        time.sleep(moment)
        os.kill(terminal.pid(), signal.SIGKILL)
        deadline = time.monotonic() + 10
        while terminal.running():
            assert time.monotonic() < deadline, "SIGKILL did not end the app"
            time.sleep(0.05)
        # Killed: the text is queued or still the draft, never both and never neither.
        draft, queued = _draft_subject(paths), _queued_subjects(paths)
        assert (draft == subject) != (subject in queued), f"trial {trial}: draft {draft!r}, queued {queued[-3:]!r}"
        assert queued.count(subject) <= 1
        left_as_draft += draft == subject
        terminal.respawn(str(COMMAND))
    board.start()
    if _draft_subject(paths) is not None:
        _send_the_draft_back(board, prefix)
    deadline = time.monotonic() + 60
    while query(paths.outbox_db, "SELECT count(*) FROM outbox WHERE state != 'done'") != [(0,)]:
        assert time.monotonic() < deadline, "the outbox never emptied"
        time.sleep(0.5)
    return moments, left_as_draft


def test_sigkill_during_a_submit_never_sends_a_ticket_twice_or_loses_it(portal: RunningPortal, tmp_path: Path) -> None:
    """KILL_TRIALS kills, shared by KILL_LANES apps side by side (each in its own terminal, with
    its own mirror and outbox, as the same user): a trial waits mostly on the app's start, so
    the lanes' starts overlap instead of queueing."""
    prefix = f"Kill trial {random.randrange(10**6)}:"
    lanes = [range(lane, KILL_TRIALS, KILL_LANES) for lane in range(KILL_LANES)]
    with ExitStack() as stack:
        boards = [stack.enter_context(board_in(portal, tmp_path / f"lane-{n}")) for n in range(KILL_LANES)]
        with ThreadPoolExecutor(KILL_LANES) as pool:
            done = list(pool.map(_kill_trials, boards, [prefix] * KILL_LANES, lanes))
        on_portal = _tickets_with_subject_prefix(boards[0], prefix)
    moments = [moment for lane_moments, _ in done for moment in lane_moments]
    assert sorted(on_portal) == sorted(f"{prefix} {n}" for n in range(KILL_TRIALS)), f"kill moments {moments}"
    left_as_draft = sum(drafts for _, drafts in done)
    print(f"{KILL_TRIALS} kills at {moments} s after ctrl+s; {left_as_draft} left the text as the draft")
