"""While searching, the pills count the matches, and a pill that hides some says "N more under
All"; a ticket is found by its number or its PSA id. The board against the real portal."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from cache.model import Pill
from tests.tui.conftest import Running, running_tui, screen_text
from widgets.pills import PILLS, PillBar
from widgets.ticket_table import TicketTable


def portal_tickets(running: Running) -> list[dict]:
    items, cursor = [], None
    while True:
        page = running.api("GET", "/tickets", params={"limit": 500, **({"cursor": cursor} if cursor else {})}).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def pill_counts(running: Running) -> dict[Pill, int]:
    return {pill: running.app.screen.query_one(PillBar).count(pill) for pill in PILLS}


def shown_ids(running: Running) -> list[int]:
    table = running.app.screen.query_one(TicketTable)
    return [table.row_at(i).id for i in range(table.total)]


async def search(running: Running, text: str) -> None:
    await running.press("slash", *text, "enter")
    # The pills count the matches after a pause in the typing.
    board = running.app.screen
    await running.until(lambda: board._counted is not None and board._counted[0][1] == text, what="the matches counted")


async def test_a_psa_id_search_counts_one_ticket_and_other_pills_point_to_all(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        everything = pill_counts(running)
        target = next(t for t in portal_tickets(running) if t["psa_ticket_id"] and t["status"] == "in_progress")
        await search(running, target["psa_ticket_id"].lower())
        assert shown_ids(running) == [target["id"]]
        counts = pill_counts(running)
        assert counts[Pill.ALL] == 1 and counts[Pill.IN_PROGRESS] == 1
        assert sum(counts.values()) == 2  # All and its own pill; the others 0
        assert "more under All" not in screen_text(running.app)

        await running.press("2")  # Open: the match is not here
        assert shown_ids(running) == []
        assert "No tickets here — 1 more under All." in screen_text(running.app)

        await running.press("escape")  # the search is cleared: the counts are the board's again
        assert pill_counts(running) == everything
        assert "more under All" not in screen_text(running.app)


async def test_a_word_search_counts_each_pill_as_it_lists(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        tickets = portal_tickets(running)
        words = Counter(w.lower() for t in tickets for w in set(t["subject"].split()) if w.isalpha() and len(w) > 3)
        word = next(w for w, n in words.most_common() if 1 < n < len(tickets))
        await search(running, word)
        counts = pill_counts(running)
        everything = shown_ids(running)
        assert counts[Pill.ALL] == len(everything) > 1
        for key, pill in enumerate(PILLS, 1):
            await running.press(str(key))
            listed = shown_ids(running)
            assert counts[pill] == len(listed), pill
            hidden = len(everything) - len(listed)
            text = screen_text(running.app)
            if pill is not Pill.ALL and hidden:
                assert f"{hidden} more under All" in text, pill
            else:
                assert "more under All" not in text, pill


async def test_a_ticket_number_finds_the_ticket(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        target = max(t["id"] for t in portal_tickets(running))
        await search(running, f"#{target}")
        assert target in shown_ids(running)
