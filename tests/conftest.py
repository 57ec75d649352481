"""Fixtures shared by every test group: a real reference portal, and a world of users on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.portal import RunningPortal, World, make_world, start_portal


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
