"""A profile's files as the mirror sees them: its cache, its outbox and its sync lock.

Where they are is the app's choice (tui/paths.py, per XDG); the mirror only uses them.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from cache.private_files import SQLITE_COMPANIONS


class ProfilePaths(NamedTuple):
    cache_db: Path
    outbox_db: Path
    lock_file: Path

    @property
    def cache_files(self) -> list[Path]:
        """The cache, its SQLite companions and the lock: what `logout` removes."""
        return [*_with_companions(self.cache_db), self.lock_file]

    @property
    def outbox_files(self) -> list[Path]:
        return _with_companions(self.outbox_db)


def _with_companions(database: Path) -> list[Path]:
    return [database, *(Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS)]
