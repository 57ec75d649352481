"""A portal and world shared by the tests of one module, for tests that only add their own
tickets and compare before/after states (starting a portal per test costs about a second)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.portal import World, make_world, start_portal


@pytest.fixture(scope="module")
def module_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    portal = start_portal(tmp_path_factory.mktemp("module-portal"))
    try:
        yield make_world(portal)
    finally:
        portal.stop()
