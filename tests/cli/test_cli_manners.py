"""The CLI's manners (issue 13): choices in any case by value or label, labels in messages, exit
codes as the README says, one message per thing on stderr and the data on stdout, an unknown
profile or view named as such; searches by ticket number and PSA id; saved views."""

from __future__ import annotations

import importlib
import re
import stat
import tomllib
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from cache.model import Scope, SortColumn
from portal import client
from portal.client import RetryPolicy
from portal.schema import Category, Priority, Status
from tests.cli.conftest import Cli
from tests.cli.test_cli import DEMO_ADMIN, server_tickets
from tests.support.portal import RunningPortal, start_portal, token_for
from tui.cli import exit_codes
from tui.config import ConfigError, Profile, View, load_view, load_views, save_profile, save_view

SEVERITY = {p.value: i for i, p in enumerate(Priority)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> RunningPortal:
    running = start_portal(tmp_path_factory.mktemp("demo"), seed_demo=True)
    yield running
    running.stop()


@pytest.fixture
def signed_in(cli: Cli, demo: RunningPortal) -> Cli:
    assert cli.login(demo, DEMO_ADMIN).code == exit_codes.OK
    assert cli("sync").code == exit_codes.OK
    return cli


def listed(cli: Cli, *flags: str) -> list[dict]:
    run = cli("list", "--no-sync", "--json", *flags)
    assert run.code == exit_codes.OK, run.err
    return run.json()["tickets"]


def ids(tickets: list[dict]) -> set[int]:
    return {t["id"] for t in tickets}


def test_choices_are_taken_by_value_or_label_in_any_case(signed_in: Cli, demo: RunningPortal):
    cli = signed_in
    hardware = ids(server_tickets(demo, DEMO_ADMIN, category="hardware"))
    assert hardware and ids(listed(cli, "--category", "Hardware")) == hardware
    assert ids(listed(cli, "--category", "HARDWARE")) == hardware
    assert ids(listed(cli, "--priority", "HIGH")) == ids(server_tickets(demo, DEMO_ADMIN, priority="high"))
    in_progress = ids(server_tickets(demo, DEMO_ADMIN, status="in_progress"))
    for spelling in ("In Progress", "in_progress", "IN-PROGRESS"):
        assert ids(listed(cli, "--status", spelling)) == in_progress, spelling
    waiting = ids(server_tickets(demo, DEMO_ADMIN, status="waiting_on_client"))
    assert waiting and ids(listed(cli, "--status", "waiting on you")) == waiting

    refused = cli("list", "--status", "urgent")
    assert refused.code == exit_codes.USAGE and refused.out == ""
    assert "'urgent' is not a status" in refused.err and "Waiting on you" in refused.err

    made = cli(
        "new",
        "--subject",
        "Dock flickers",
        "--category",
        "Hardware",
        "--priority",
        "HIGH",
        "--description",
        "Every morning.",
        "--json",
    )
    assert made.code == exit_codes.OK, made.err
    assert (made.json()["ticket"]["category"], made.json()["ticket"]["priority"]) == ("hardware", "high")


def test_a_refusal_names_labels_and_exits_2_with_nothing_sent(signed_in: Cli, demo: RunningPortal):
    cli = signed_in
    ticket = server_tickets(demo, DEMO_ADMIN, status="in_progress")[0]
    refused = cli("confirm", str(ticket["id"]))
    assert refused.code == exit_codes.USAGE, refused.err
    assert f"Ticket {ticket['id']} is In Progress; only a Resolved ticket can be confirmed." in refused.err
    assert "in_progress" not in refused.err and refused.out == ""
    rated = cli("rate", str(ticket["id"]), "4")
    assert rated.code == exit_codes.USAGE and "only a Closed or Resolved ticket can be rated" in rated.err
    assert cli("status", "--json").json()["waiting_to_send"] == 0


def test_an_offline_comment_says_queued_once_on_stderr_and_prints_the_ticket(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The production policy's attempts before the write is queued, with waits of hundredths of
    # a second instead of its backoff (a second or two a request).
    monkeypatch.setattr(client, "DEFAULT_RETRY", RetryPolicy(base_delay=0.01, max_delay=0.04))
    portal = start_portal(tmp_path, seed_demo=True)
    try:
        assert cli.login(portal, DEMO_ADMIN).code == 0
        assert cli("sync").code == 0
        ticket_id = server_tickets(portal, DEMO_ADMIN, status="open")[0]["id"]
    finally:
        portal.stop()
    queued = cli("comment", str(ticket_id), "Still broken after the reboot")
    assert queued.code == exit_codes.UNREACHABLE, queued.err
    messages = queued.err.strip().splitlines()
    assert len(messages) == 1 and messages[0].startswith("Queued: the portal could not be reached"), queued.err
    assert "Queued" not in queued.out
    assert queued.out.splitlines()[0].split() == ["Ticket", str(ticket_id)]
    assert "Still broken after the reboot" in queued.out and "[pending]" in queued.out

    as_json = cli("comment", str(ticket_id), "And again", "--json")
    assert as_json.code == exit_codes.UNREACHABLE and as_json.json()["queued"] is True
    assert len(as_json.err.strip().splitlines()) == 1


def test_an_unknown_profile_is_named_as_unknown(signed_in: Cli, demo: RunningPortal):
    cli = signed_in
    config = cli.home / "config" / "msp-tickets" / "config.toml"
    for run in (
        cli("list", "--profile", "nosuch"),
        cli("--profile", "nosuch", "status"),
        cli("list", env={"MSP_TICKETS_PROFILE": "nosuch"}),
    ):
        assert run.code == exit_codes.USAGE, run.err
        assert f"There is no profile 'nosuch' in {config}; known: default." in run.err
        assert "Not logged in" not in run.err
    # login makes a new profile: it is not refused as unknown
    assert cli.login(demo, DEMO_ADMIN, "--profile", "second").code == exit_codes.OK
    assert cli("list", "--profile", "second", "--no-sync").code == exit_codes.OK


def test_an_env_only_profile_works_without_a_config_file(cli: Cli, demo: RunningPortal):
    cli.extra_env.update(MSP_TICKETS_PORTAL=demo.url, MSP_TICKETS_TOKEN=token_for(demo, DEMO_ADMIN))
    for run in (cli("list", "--json"), cli("list", "--profile", "nosuch", "--json")):
        assert run.code == exit_codes.OK, run.err
        assert ids(run.json()["tickets"]) == ids(server_tickets(demo, DEMO_ADMIN))
    assert not (cli.home / "config" / "msp-tickets" / "config.toml").exists()


def test_search_by_ticket_number_and_psa_id(signed_in: Cli, demo: RunningPortal):
    cli = signed_in
    target = next(t for t in server_tickets(demo, DEMO_ADMIN) if t["psa_ticket_id"])
    assert ids(listed(cli, "--search", target["psa_ticket_id"].lower())) == {target["id"]}
    assert ids(listed(cli, "--search", target["psa_ticket_id"].upper())) == {target["id"]}
    assert target["id"] in ids(listed(cli, "--search", f"#{target['id']}"))
    assert target["id"] in ids(listed(cli, "--search", str(target["id"])))


def test_list_sorts_by_a_column_given_by_label(signed_in: Cli):
    priorities = [SEVERITY[t["priority"]] for t in listed(signed_in, "--sort", "Priority")]
    assert priorities == sorted(priorities, reverse=True)  # the most urgent first, as the board


# --- saved views ------------------------------------------------------------------------------


def config_env(home: Path) -> dict[str, str]:
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config")}


def test_views_round_trip_through_the_config_file_keeping_the_rest(tmp_path: Path):
    env = config_env(tmp_path)
    save_profile(Profile("work", "https://portal.example.com", "ann@example.com"), env)
    urgent = View(
        status=Status.IN_PROGRESS,
        search="printer",
        priority=Priority.HIGH,
        category=Category.HARDWARE,
        sort=SortColumn.UPDATED,
        descending=False,
        scope=Scope.MINE,
    )
    save_view("urgent", urgent, env)
    save_view("all open", View(status=Status.OPEN), env)
    assert load_views(env) == {"urgent": urgent, "all open": View(status=Status.OPEN)}
    assert load_view("urgent", env) == urgent

    path = tmp_path / "config" / "msp-tickets" / "config.toml"
    written = tomllib.loads(path.read_text(encoding="utf-8"))
    assert written["views"]["urgent"] == {
        "status": "in_progress",
        "search": "printer",
        "priority": "high",
        "category": "hardware",
        "sort": "updated",
        "descending": False,
        "scope": "mine",
    }
    assert written["profiles"]["work"]["portal"] == "https://portal.example.com"  # kept
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    save_view("urgent", View(search="vpn"), env)  # replaced whole
    assert load_view("urgent", env) == View(search="vpn")
    with pytest.raises(ConfigError, match="There is no view 'nosuch'.*known: all open, urgent"):
        load_view("nosuch", env)


def test_a_hand_written_view_takes_labels_and_bad_keys_are_named(tmp_path: Path):
    env = config_env(tmp_path)
    path = tmp_path / "config" / "msp-tickets" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[views.mine]\nstatus = "Waiting on you"\npriority = "HIGH"\nsort = "Submitted by"\n')
    assert load_view("mine", env) == View(
        status=Status.WAITING_ON_CLIENT, priority=Priority.HIGH, sort=SortColumn.SUBMITTED_BY
    )
    path.write_text('[views.bad]\nstatus = "urgent"\n')
    with pytest.raises(ConfigError, match="'urgent' is not a status"):
        load_views(env)
    path.write_text('[views.bad]\ncolour = "red"\n')
    with pytest.raises(ConfigError, match="colour"):
        load_views(env)


def test_list_uses_a_saved_view_and_flags_override_it(signed_in: Cli, demo: RunningPortal):
    cli = signed_in
    env = config_env(cli.home)
    everything = server_tickets(demo, DEMO_ADMIN)
    # a priority with tickets both in progress and resolved, so neither list is trivially empty
    priority = next(
        p for p in Priority if {"in_progress", "resolved"} <= {t["status"] for t in everything if t["priority"] == p}
    )
    save_view("hot", View(status=Status.IN_PROGRESS, priority=priority, sort=SortColumn.ID, descending=False), env)
    expected = [t for t in everything if (t["status"], t["priority"]) == ("in_progress", priority)]
    shown = listed(cli, "--view", "hot")
    assert shown and [t["id"] for t in shown] == sorted(t["id"] for t in expected)

    overridden = listed(cli, "--view", "hot", "--status", "Resolved", "--sort", "created")
    assert overridden
    assert ids(overridden) == {t["id"] for t in everything if (t["status"], t["priority"]) == ("resolved", priority)}
    created = [t["created_at"] for t in overridden]
    assert created == sorted(created, reverse=True)

    unknown = cli("list", "--view", "nosuch")
    assert (
        unknown.code == exit_codes.USAGE and "There is no view 'nosuch'" in unknown.err and "known: hot" in unknown.err
    )


def test_list_sorts_by_age_what_has_waited_longest_first(signed_in: Cli, demo: RunningPortal):
    cli = signed_in
    waiting = listed(cli, "--status", "waiting on you", "--sort", "Age")
    assert len(waiting) > 1
    headers = {"Authorization": f"Bearer {token_for(demo, DEMO_ADMIN)}"}

    def turned_waiting(ticket_id: int) -> str:
        timeline = httpx.get(f"{demo.api}/tickets/{ticket_id}", headers=headers, timeout=30).json()["timeline"]
        return max(e["created_at"] for e in timeline if e["to_status"] == "waiting_on_client")

    since = [datetime.fromisoformat(turned_waiting(t["id"])) for t in waiting]
    assert since == sorted(since), "the longest waiting first"
    assert ids(listed(cli, "--sort", "age")) == ids(listed(cli))


def test_the_list_shows_what_it_is_sorted_by(signed_in: Cli):
    """Sorted by age or by the last update, the list has that column too (the others show it
    anyway: the ID, the status, the priority, the category, the date created)."""
    cli = signed_in
    shown = {
        sort: cli("list", "--no-sync", "--status", "waiting on you", "--sort", sort).out.splitlines()
        for sort in ("age", "updated", "created")
    }
    assert shown["age"][0].split()[:6] == ["ID", "STATUS", "PRIORITY", "CATEGORY", "CREATED", "AGE"]
    assert shown["updated"][0].split()[:6] == ["ID", "STATUS", "PRIORITY", "CATEGORY", "CREATED", "UPDATED"]
    assert "AGE" not in shown["created"][0] and "UPDATED" not in shown["created"][0]
    ages = [re.search(r"\b(\d+ ?(min|h|d|w|mo|y)|now)\b", line) for line in shown["age"][1:]]
    assert all(ages), shown["age"]


def test_the_commands_entry_is_its_function_whatever_was_imported_before():
    """`msp-tickets` calls `tui.cli:main`: no module of the package may take that name over once
    imported (a submodule `tui.cli.main` did, for whatever imported it first)."""
    import pkgutil

    import tui.cli

    for module in pkgutil.iter_modules(tui.cli.__path__):
        if module.name != "__main__":  # that one runs the command
            importlib.import_module(f"tui.cli.{module.name}")
    from tui.cli import main

    assert callable(main) and main.__module__ == "tui.cli"


def test_no_argument_is_the_board_as_the_parser_would_read_it():
    """`msp-tickets` alone skips building the parser of every command (bench/launch.py): what it
    uses instead is what the parser makes of no argument, top-level option added or not."""
    main_module = importlib.import_module("tui.cli.command_line")
    assert main_module.build_parser().parse_args([]) == main_module.NO_ARGUMENTS
