"""The real `msp-tickets` at 80×24 in tmux (issue 13 items 3 and 7): the board shows Category
and at least 30 cells of a subject, and its status line keeps " · " before the markers' legend;
a filter and "Save view…" typed in one burst land in config.toml, `msp-tickets list --view`
lists what the board showed, and `v1` in one burst brings the view back."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.support.terminal import CTRL_S, ENTER, TAB, start_board, terminal, wait_until
from tests.tui.conftest import DEMO_ADMIN
from tui.config import config_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

SIZE = (80, 24)
LONG_SUBJECT = "Printer on the third floor jams on every duplex job"


def test_at_80x24_category_and_a_30_cell_subject_are_on_screen(demo_portal, tmp_path: Path) -> None:
    with terminal(tmp_path) as term:
        home = tmp_path / "home"
        board = start_board(term, home, demo_portal, DEMO_ADMIN, size=SIZE)
        draft = {"subject": LONG_SUBJECT, "category": "hardware", "priority": "high", "description": "Each time."}
        created = board.api("POST", "/tickets", json=draft, headers={"Idempotency-Key": f"layout-{tmp_path.name}"})
        ticket = created.json()["id"]
        term.write("r")
        screen = term.wait_for(lambda s: f"#{ticket} " in s, "the new ticket on the board")

        lines = screen.splitlines()
        header = next(line for line in lines if " Subject " in line)
        assert "Category" in header and "Status" in header
        assert header.index("Category") - header.index("Subject") - 1 >= 30, header
        row = next(line for line in lines if f"#{ticket} " in line)
        assert LONG_SUBJECT[:29] in row and "Hardware" in row, row
        assert all(len(line) <= SIZE[0] for line in lines)

        status = term.wait_for(  # whole: a notice may cover its end for a while
            lambda s: "● changed  ! waiting on you" in s, "the markers' legend on the status line"
        ).splitlines()
        legend = next(line for line in status if "● changed" in line)
        assert re.search(r"\S · ● changed  ! waiting on you", legend), legend


def test_a_view_saved_in_one_burst_is_listed_by_the_cli_and_recalled_by_v1(demo_portal, tmp_path: Path) -> None:
    with terminal(tmp_path) as term:
        home = tmp_path / "home"
        board = start_board(term, home, demo_portal, DEMO_ADMIN, size=SIZE)
        everything = board.api("GET", "/tickets", params={"limit": 500}).json()["items"]
        priority = next(p for p in ("low", "medium", "high", "critical") if any(t["priority"] == p for t in everything))
        expected = sorted(
            (t for t in everything if t["status"] == "in_progress" and t["priority"] == priority),
            key=lambda t: t["created_at"],
            reverse=True,
        )

        # the In Progress pill, the filter dialog, tab to the priority, its name typed, apply,
        # then "Save view…" and its name: one write, as a fast typist or a paste sends it
        term.write(f"3f{TAB}{priority}{CTRL_S}Vhot{ENTER}")
        path = config_path({"XDG_CONFIG_HOME": str(home / "config")})
        saved = wait_until(
            lambda: tomllib.loads(path.read_text(encoding="utf-8")).get("views", {}).get("hot"), "the view saved"
        )
        assert saved == {
            "status": "in_progress",
            "priority": priority,
            "sort": "created",
            "descending": True,
            "scope": "company",
        }
        assert path.stat().st_mode & 0o777 == 0o600
        assert tomllib.loads(path.read_text(encoding="utf-8"))["profiles"]["test"]["portal"] == demo_portal.url

        listed = Cli(home, extra_env={"MSP_TICKETS_TOKEN": board.token})("list", "--view", "hot", "--json")
        assert listed.code == 0, listed.err
        assert [t["id"] for t in listed.json()["tickets"]] == [t["id"] for t in expected]

        # away from it: any status and any priority, and the All pill
        term.write(f"fany{TAB}any{ENTER}1")
        term.wait_for(lambda s: "Filtered:" not in s and f"1 All {len(everything)}" in s, "the board unfiltered")
        term.write("v1")
        label = priority.capitalize()
        wanted_ids = {str(t["id"]) for t in expected}

        def rows_shown(screen: str) -> set[str]:
            return {match.group(1) for line in screen.splitlines() if (match := re.match(r"^.\s+#(\d+)\s", line))}

        # The pills and the filters line may show the view a frame before its rows do.
        screen = term.wait_for(
            lambda s: (
                f"Filtered: Priority {label}" in s
                and f"3 In Progress {len(expected)}" in s
                and rows_shown(s) == wanted_ids
            ),
            "the view recalled, its rows and nothing else",
        )
        assert rows_shown(screen) == wanted_ids
