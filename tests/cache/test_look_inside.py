"""The README's way to look into a mirror: the `sqlite-utils` command, read-only, works on the
app's own file while the app is writing to it (WAL: a reader sees the last commit and waits for
nobody), and leaves every file private."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

from cache.mirror import ANY_CURSOR, Mirror
from tests.cache.factories import ticket, ticket_change
from tui.paths import profile_paths

SQLITE_UTILS = str(Path(sys.executable).with_name("sqlite-utils"))


def _sqlite_utils(*args: str) -> list[dict]:
    done = subprocess.run([SQLITE_UTILS, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_sqlite_utils_reads_the_mirror_while_the_app_writes_to_it(tmp_path):
    paths = profile_paths("work", "https://portal.example.com", 1, {"HOME": str(tmp_path)})
    mirror = Mirror.open(paths)
    try:
        mirror.apply_changes(
            [ticket_change(n, ticket(n)) for n in (1, 2, 3)], "c1", has_more=False, asked_with=ANY_CURSOR
        )
        writing = mirror._conn
        writing.execute("BEGIN IMMEDIATE")  # the app in the middle of a sync: the write lock held
        writing.execute("DELETE FROM tickets")
        mirror_file = str(paths.cache_db)

        counts = {row["table"]: row["count"] for row in _sqlite_utils("tables", mirror_file, "--counts")}
        rows = _sqlite_utils("rows", mirror_file, "tickets", "--limit", "2")
        writing.execute("ROLLBACK")
    finally:
        mirror.close()
    assert counts["tickets"] == 3 and counts["sync_state"] == 1  # the last commit, not the write under way
    assert [row["id"] for row in rows] == [1, 2]
    for path in paths.cache_db.parent.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
