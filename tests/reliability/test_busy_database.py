"""Two `msp-portal` commands on a database at once: the second waits its turn (busy_timeout),
it does not fail. The test harness makes its world with concurrent `add-company` runs on a new
database, and about one pair in six failed with "database is locked" on this machine."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

HOLD_SECONDS = 1.5


def test_a_command_waits_for_a_busy_new_database(tmp_path: Path):
    db = tmp_path / "portal.db"
    # Another process is writing to the brand-new file (as a concurrent first command would).
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE someone_elses_write (x)")
    release = threading.Timer(HOLD_SECONDS, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "portal.server.cli", "--db", str(db), "add-company", "Gamma Ltd"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        release.join()
        holder.close()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().isdigit()
