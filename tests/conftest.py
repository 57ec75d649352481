"""Fixtures shared by every test group: a real reference portal, and a world of users on it."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.portal import RunningPortal, World, add_world, make_world, start_portal


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files with a slow test run first: with pytest-xdist, whose workers take whole files,
    the long ones then run beside each other and the many short ones fill in after, instead of
    one long file running alone at the end. (xdist keeps this order only with
    `--no-loadscope-reorder`, as `make test` runs it: by default it puts the files with the
    most tests first, and a long file of one test last.)"""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)


@pytest.fixture(autouse=True, scope="session")
def _terminal_size_from_the_terminal() -> None:
    """A pytest-xdist worker runs with COLUMNS=80 and LINES=24 in its environment; a program a
    test starts in a terminal (the app in tmux) would take them for its size, which the terminal
    gives it."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.pop("COLUMNS", None)
        os.environ.pop("LINES", None)


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[RunningPortal]:
    running = start_portal(tmp_path)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def world(portal: RunningPortal) -> World:
    return make_world(portal)


@pytest.fixture(scope="session")
def shared_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPortal]:
    """One portal for the tests of this process that need accounts of their own but not a
    portal of their own: they never stop it, run its PSA cycle or change its settings."""
    running = start_portal(tmp_path_factory.mktemp("shared-portal"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def fresh_world(shared_portal: RunningPortal) -> World:
    """The `world`'s two companies and six users, new, on the shared portal (a portal start
    per test costs more than the test itself for many)."""
    return add_world(shared_portal)


@pytest.fixture(autouse=True)
def _collectable_after_the_test() -> Iterator[None]:
    """An app frozen for the garbage collector (tui/app.py `gc.freeze`) lives as long as the
    process does in a real run; in one test among hundreds it is given back to the collector."""
    yield
    gc.unfreeze()
