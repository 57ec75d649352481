"""Files only their owner can read: every folder this app makes is 0700 and every file 0600,
whatever the umask. On a shared server the mirror holds a whole company's tickets and the
outbox the user's unsent words; a 0644 file in a 0755 folder would hand both to every account.

SQLite creates a database's `-wal` and `-shm` with the database file's own mode, so a database
created here 0600 keeps its companions 0600 too; `tighten` repairs files made by older versions.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_folder(path: Path) -> Path:
    """`path` as a folder only its owner can enter: made if missing, each missing parent too
    (the XDG spec: create a missing base directory 0700); tightened if it was not."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        _chmod_if_not(folder, FOLDER_MODE)
    _chmod_if_not(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """`path` as an existing file only its owner can read and write (created empty if missing).

    An existing file only loses bits: one its owner made read-only stays read-only."""
    private_folder(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    except FileExistsError:
        tighten(path)
    else:
        os.close(descriptor)
        _chmod_if_not(path, FILE_MODE)
    return path


def private_database(path: Path) -> Path:
    """A SQLite file and its companions, 0600. The companions are SQLite's own scratch files,
    so they are set to exactly 0600: a `-shm` left 0444 (copied from a database that was
    read-only for a while) would otherwise keep the database unusable after its mode is back."""
    private_file(path)
    for suffix in SQLITE_COMPANIONS:
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            _chmod_if_not(companion, FILE_MODE)
    return path


def tighten(path: Path) -> None:
    """Take the group's and others' bits off `path`, if it exists."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        os.chmod(path, mode & 0o700)


def write_private_text(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically, the new file 0600 from its first byte."""
    private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, FILE_MODE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        _chmod_if_not(temporary, FILE_MODE)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _chmod_if_not(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.stat().st_mode) != mode:
        os.chmod(path, mode)
