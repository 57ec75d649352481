"""Private files (issue 10, item 2) at the mirror's level: old moved-aside mirrors go away at
open, SQLite's companions are repaired, folders made on the way are 0700."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cache.mirror import Mirror
from cache.private_files import private_database, private_folder
from cache.store import MOVED_ASIDE_STAMP, moved_aside_files
from tui.paths import profile_paths


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def aside(cache_db: Path, days_ago: float) -> list[Path]:
    stamp = (datetime.now(UTC) - timedelta(days=days_ago)).strftime(MOVED_ASIDE_STAMP)
    made = [Path(f"{cache_db}.corrupt-{stamp}{suffix}") for suffix in ("", "-wal", "-shm")]
    for path in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"old")
    return made


def test_moved_aside_mirrors_older_than_a_week_are_removed_at_open(tmp_path: Path) -> None:
    paths = profile_paths("t", "http://127.0.0.1:9", 1, {"HOME": str(tmp_path)})
    old = aside(paths.cache_db, days_ago=8)
    recent = aside(paths.cache_db, days_ago=6)
    stranger = paths.cache_db.with_name(paths.cache_db.name + ".corrupt-by-hand")
    stranger.write_bytes(b"not ours to judge")

    Mirror.open(paths).close()
    assert not any(path.exists() for path in old)
    assert all(path.exists() for path in recent) and stranger.exists()

    paths.cache_db.write_bytes(b"corrupt" * 1000)
    mirror = Mirror.open(paths)
    mirror.close()
    assert mirror.moved_aside is not None and mode(mirror.moved_aside) == 0o600
    assert len(moved_aside_files(paths.cache_db)) == len(recent) + 2  # + the new one, + the stranger


def test_companions_left_read_only_are_repaired_and_the_file_keeps_its_owners_choice(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    database.write_bytes(b"")
    database.chmod(0o644)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").write_bytes(b"")
        Path(f"{database}{suffix}").chmod(0o444)
    private_database(database)
    assert mode(database) == 0o600
    assert mode(Path(f"{database}-wal")) == mode(Path(f"{database}-shm")) == 0o600

    database.chmod(0o444)  # made read-only by its owner: loses others' bits only, gains nothing
    private_database(database)
    assert mode(database) == 0o400


def test_every_missing_folder_on_the_way_is_made_private(tmp_path: Path) -> None:
    deep = tmp_path / "xdg-cache" / "msp-tickets"
    private_folder(deep)
    assert mode(deep) == mode(deep.parent) == 0o700
