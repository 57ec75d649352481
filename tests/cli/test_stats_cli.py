"""`msp-tickets stats` against the reference portal, run as a real process."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.cache.test_stats import portal_figures
from tests.cli.conftest import Cli
from tests.support.portal import Account, RunningPortal, start_portal, token_for
from tui.cli import exit_codes

DEMO_ADMIN = Account("admin@acme.example", "demo-password", "", "Acme Corp", "company_admin")
# A colleague whose name carries a terminal escape: the report must show it, not obey it.
HOSTILE = Account("eve@acme.example", "eve-password-123", "Eve \x1b[2J\x9b31m Intruder", "Acme Corp", "own")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> RunningPortal:
    running = start_portal(tmp_path_factory.mktemp("stats-demo"), seed_demo=True)
    running.cli(
        "add-user",
        "--company",
        HOSTILE.company,
        "--email",
        HOSTILE.email,
        "--name",
        HOSTILE.name,
        "--access-level",
        HOSTILE.access_level,
        "--password-stdin",
        input=HOSTILE.password + "\n",
    )
    headers = {"Authorization": f"Bearer {token_for(running, HOSTILE)}", "Idempotency-Key": "stats-cli-eve-1"}
    ticket = {"subject": "Screen goes dark", "category": "hardware", "priority": "high", "description": "Since Monday."}
    httpx.post(f"{running.api}/tickets", json=ticket, headers=headers, timeout=30).raise_for_status()
    yield running
    running.stop()


def test_stats_json_is_the_portals_figures(cli: Cli, demo: RunningPortal):
    assert cli.login(demo, DEMO_ADMIN).code == exit_codes.OK
    run = cli("stats", "--json")
    assert run.code == exit_codes.OK, run.err
    document = run.json()
    now = datetime.fromisoformat(document["as_of"])
    expected = portal_figures(demo.api, token_for(demo, DEMO_ADMIN), now)

    assert set(document) == {"as_of", "weeks", "open", "first_response", "resolution", "by_submitter", "stale"}
    assert document["stale"] is False and now.tzinfo is not None
    assert [w["opened"] for w in document["weeks"]] == expected["opened"]
    assert [w["resolved"] for w in document["weeks"]] == expected["resolved"]
    assert all(re.fullmatch(r"\d{4}-W\d{2}", w["week"]) for w in document["weeks"])
    assert datetime.fromisoformat(document["weeks"][-1]["start"]).date() <= now.date()
    assert {s: n for s, n in document["open"]["by_status"].items() if n} == expected["open_by_status"]
    assert list(document["open"]["by_priority"]) == ["critical", "high", "medium", "low"]
    assert document["open"]["total"] == sum(expected["open_by_status"].values())
    assert sum(document["open"]["by_priority"].values()) == document["open"]["total"]
    for figure in ("first_response", "resolution"):
        assert document[figure]["tickets"] > 0 and document[figure]["median_seconds"] > 0
    # An admin sees everyone who raised tickets, with the same figures each.
    submitters = {row["id"]: row for row in document["by_submitter"]}
    assert set(submitters) == expected["submitters"]
    assert sum(row["opened"] for row in submitters.values()) == sum(expected["opened"])
    assert sum(row["open"] for row in submitters.values()) == document["open"]["total"]
    eve = next(row for row in submitters.values() if row["name"] == HOSTILE.name)
    assert (eve["open"], eve["opened"], eve["resolved"]) == (1, 1, 0)
    assert eve["first_response"] == {"median_seconds": None, "tickets": 0}


def test_stats_text_says_the_same_and_shows_control_characters(cli: Cli, demo: RunningPortal):
    assert cli.login(demo, DEMO_ADMIN).code == exit_codes.OK
    document = cli("stats", "--json").json()
    run = cli("stats", "--no-sync")
    assert run.code == exit_codes.OK, run.err
    lines = run.out.splitlines()
    assert lines[0].startswith(f"The 12 weeks {document['weeks'][0]['week']} to {document['weeks'][-1]['week']}")
    assert f"Open now: {document['open']['total']} (Critical {document['open']['by_priority']['critical']}," in run.out
    week_rows = {line.split()[0]: line.split()[2:] for line in lines if re.match(r"\d{4}-W\d{2} ", line)}
    assert week_rows == {w["week"]: [str(w["opened"]), str(w["resolved"])] for w in document["weeks"]}
    assert re.search(r"^First MSP response: \d+ (d|h|min|s)\b.* median, over \d+ tickets$", run.out, re.M)
    # The name is written out with its escapes spelled, never sent raw to the terminal.
    assert "\x1b" not in run.out and "\x9b" not in run.out
    assert "Eve \\x1b[2J\\x9b31m Intruder" in run.out


def test_stats_for_a_user_who_sees_only_their_own(cli: Cli, demo: RunningPortal):
    assert cli.login(demo, HOSTILE).code == exit_codes.OK
    document = cli("stats", "--json").json()
    assert document["by_submitter"] is None and document["open"]["total"] == 1
    assert sum(w["opened"] for w in document["weeks"]) == 1
    assert "SUBMITTED BY" not in cli("stats", "--no-sync").out


def test_stats_with_the_portal_away_shows_the_local_copy(cli: Cli, tmp_path: Path):
    portal = start_portal(tmp_path, seed_demo=True)
    try:
        assert cli.login(portal, DEMO_ADMIN).code == exit_codes.OK
        before = cli("stats", "--json").json()
    finally:
        portal.stop()
    after = cli("stats", "--json")
    assert after.code == exit_codes.OK and "could not be reached" in after.err and "showing cached data" in after.err
    assert after.json()["stale"] is True
    assert after.json()["weeks"] == before["weeks"] and after.json()["open"] == before["open"]


def test_stats_needs_a_login(cli: Cli):
    run = cli("stats")
    assert run.code == exit_codes.NOT_LOGGED_IN and "msp-tickets login" in run.err
