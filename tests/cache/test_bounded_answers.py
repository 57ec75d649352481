"""Bounded answers (issue 10, item 5): a portal that answers too much, too slowly or past the
contract's limits gets a failed sync with a sentence, and the mirror keeps what it had.

Against a hostile fake portal on loopback (tests/support/hostile_portal.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cache.mirror import Mirror
from cache.model import TicketQuery
from cache.sync import SyncEngine
from portal.client import MAX_ANSWER_BYTES, PortalClient
from portal.errors import AnswerRefused, PortalError, PortalUnavailable
from portal.schema import DESCRIPTION_MAX_LENGTH
from tests.cache.helpers import FAST_RETRY
from tests.support.hostile_portal import TOKEN, HostilePortal
from tui.paths import profile_paths


@pytest.fixture
def hostile() -> Iterator[HostilePortal]:
    with HostilePortal() as portal:
        yield portal


def mirror_in(tmp_path: Path, portal: HostilePortal) -> Mirror:
    return Mirror.open(profile_paths("hostile", portal.url, 7, {"HOME": str(tmp_path)}))


def test_the_cap_is_several_times_the_largest_legitimate_page() -> None:
    # 100 changes, each at most a 100,000-character description + 500 subject + 2,000 rating
    # comment + ~2,000 of names and keys, at 1 byte a character, times 4.
    assert MAX_ANSWER_BYTES == 4 * 100 * 104_500


async def test_a_huge_changes_answer_is_refused_while_it_streams(hostile: HostilePortal) -> None:
    hostile.behaviour.changes_bytes = 10 * MAX_ANSWER_BYTES  # chunked: no length to judge by
    async with PortalClient(hostile.url, TOKEN, retry=FAST_RETRY) as client:
        with pytest.raises(AnswerRefused) as refused:
            await client.changes(None, limit=100)
    assert "larger than 41.8 MB" in refused.value.message and "nothing of it was stored" in refused.value.message
    assert hostile.behaviour.requests.count("GET /changes") == 1  # the same answer is not asked for again


async def test_a_portal_that_drips_a_byte_a_second_hits_the_deadline(hostile: HostilePortal) -> None:
    hostile.behaviour.drip_seconds = 1.0  # each byte well inside httpx's 15 s read timeout
    async with PortalClient(hostile.url, TOKEN, retry=FAST_RETRY, deadline=2.5) as client:
        with pytest.raises(PortalUnavailable) as late:
            await client.changes(None, limit=100)
    assert "did not finish answering GET /changes within 2.5 s" in late.value.message


async def test_an_over_long_description_is_a_failed_sync_and_never_stored(
    hostile: HostilePortal, tmp_path: Path
) -> None:
    mirror = mirror_in(tmp_path, hostile)
    client = PortalClient(hostile.url, TOKEN, retry=FAST_RETRY)
    try:
        engine = SyncEngine(mirror, client)
        assert (await engine.sync_now()).error is None
        assert mirror.total(TicketQuery()) == 1
        before = mirror.ticket(1)

        hostile.behaviour.description_length = DESCRIPTION_MAX_LENGTH + 1
        mirror.wipe()  # a full sync again: the over-long ticket is the first thing it would store
        mirror.update_sync_state(cursor=None)
        result = await engine.sync_now()
        assert result.error and "description is longer than the contract's limit of 100,000 characters" in result.error
        assert mirror.total(TicketQuery()) == 0
        assert mirror.sync_status().last_error == result.error

        hostile.behaviour.description_length = DESCRIPTION_MAX_LENGTH  # at the limit: fine
        assert (await engine.sync_now()).error is None
        assert len(mirror.ticket(1).description) == DESCRIPTION_MAX_LENGTH
        assert before is not None
    finally:
        mirror.close()
        await client.aclose()


async def test_a_huge_answer_fails_the_sync_and_the_mirror_keeps_its_tickets(
    hostile: HostilePortal, tmp_path: Path
) -> None:
    mirror = mirror_in(tmp_path, hostile)
    client = PortalClient(hostile.url, TOKEN, retry=FAST_RETRY)
    try:
        engine = SyncEngine(mirror, client)
        assert (await engine.sync_now()).error is None
        hostile.behaviour.changes_bytes = 2 * MAX_ANSWER_BYTES
        result = await engine.sync_now()
        assert result.error and "larger than 41.8 MB" in result.error and not result.auth_failed
        assert mirror.total(TicketQuery()) == 1 and mirror.ticket(1) is not None
    finally:
        mirror.close()
        await client.aclose()


async def test_a_portals_error_sentence_is_shown_as_a_sentence_not_a_document(hostile: HostilePortal) -> None:
    hostile.behaviour.status = 422
    hostile.behaviour.error_length = 5_000_000
    async with PortalClient(hostile.url, TOKEN, retry=FAST_RETRY) as client:
        with pytest.raises(PortalError) as refused:
            await client.me()
    assert len(refused.value.message) == 1_000 and refused.value.message.endswith("…")
