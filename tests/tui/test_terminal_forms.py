"""Reopened drafts and the rating dialog in a real terminal (the real `msp-tickets` in tmux): a
draft comes back with the cursor at its end, so what is typed continues it; the rating dialog
highlights the score chosen; nothing typed right after `tab` is lost. Checked against what the
portal stored."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.portal import Account, RunningPortal, start_portal
from tests.support.terminal import CTRL_S, TAB, Board, Terminal, start_board, terminal, wait_until
from tui.demo import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

DEMO_ADMIN = Account(DEMO_EMAIL, DEMO_PASSWORD, "Acme admin", "Acme Corp", "company_admin")


@pytest.fixture(scope="module")
def demo_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPortal]:
    running = start_portal(tmp_path_factory.mktemp("portal"), seed_demo=True)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def board(demo_portal: RunningPortal, tmp_path: Path) -> Iterator[Board]:
    with terminal(tmp_path) as term:
        yield start_board(term, tmp_path / "home", demo_portal, DEMO_ADMIN)


def _newest_ticket(board: Board) -> dict:
    return max(board.api("GET", "/tickets", params={"limit": 100}).json()["items"], key=lambda t: t["id"])


def test_a_reopened_new_ticket_draft_is_continued_not_replaced(board: Board) -> None:
    term = board.terminal
    term.write("n" + "Printer jams" + TAB * 3 + "It jams on page two")
    term.wait_for(lambda s: "It jams on page two" in s, "the draft typed")
    term.keys("Escape")  # back to the board; the draft is kept
    term.wait_for(lambda s: "1 All" in s, "the board")
    known = _newest_ticket(board)["id"]
    # Reopened: the first key typed into each field continues the draft.
    term.write("n" + " again" + TAB * 3 + ", every time." + CTRL_S)
    newest = wait_until(lambda: (t := _newest_ticket(board))["id"] > known and t, "the ticket at the portal")
    assert (newest["subject"], newest["description"]) == ("Printer jams again", "It jams on page two, every time.")


def test_a_reopened_comment_draft_is_continued_with_the_cursor_at_its_end(board: Board) -> None:
    term = board.terminal
    term.wait_for(lambda s: re.search(r"#\d+ ", s) is not None, "the tickets synced")
    term.keys("Enter")
    detail = term.wait_for(lambda s: "Timeline" in s, "a ticket's detail")
    ticket_id = int(detail.split("#", 1)[1].split(" ", 1)[0])
    term.write("c" + "First line of the draft")
    term.wait_for(lambda s: "First line of the draft" in s, "the draft typed")
    term.keys("Escape")
    term.wait_for(lambda s: "Send comment" not in s, "the detail")
    term.write("c" + ", then more." + CTRL_S)

    def last_comment() -> str | None:
        comments = [
            e["body"] for e in board.api("GET", f"/tickets/{ticket_id}").json()["timeline"] if e["kind"] == "comment"
        ]
        return comments[-1] if comments else None

    wait_until(lambda: last_comment() == "First line of the draft, then more.", "the comment at the portal")
    assert last_comment() == "First line of the draft, then more."


def test_rating_highlights_the_chosen_score_and_keeps_the_comment_typed_after_tab(board: Board) -> None:
    term = board.terminal
    term.write("5")  # the Resolved pill
    term.wait_for(lambda s: re.search(r"#\d+ .* Resolved ", s) is not None, "resolved tickets")
    term.keys("Enter")
    detail = term.wait_for(lambda s: "Timeline" in s and "Rate" in s, "a resolved ticket's detail")
    ticket_id = int(detail.split("#", 1)[1].split(" ", 1)[0])
    term.write("t" + "4")
    dialog = term.wait_for(lambda s: "4/5" in s, "the score chosen")
    assert _highlighted_scores(term) == ["4 ★"]
    # From 4: tab to 5, tab to the comment; the first letter right after the tab must land.
    term.write(TAB * 2 + "Quick and friendly" + CTRL_S)
    wait_until(lambda: board.api("GET", f"/tickets/{ticket_id}").json()["rating"] == 4, "the rating at the portal")
    stored = board.api("GET", f"/tickets/{ticket_id}").json()
    assert (stored["rating"], stored["rating_comment"]) == (4, "Quick and friendly")
    assert "Rate the service" in dialog


def _highlighted_scores(term: Terminal) -> list[str]:
    """The score buttons drawn in the highlight (primary) colours, read from the pane's styled
    capture."""
    styled = term.tmux("capture-pane", "-p", "-e", "-t", "app")
    line = next(line for line in styled.splitlines() if "1 ★" in line)
    cells = re.split(r"(\x1b\[[0-9;]*m)", line)
    style, spans = "", []
    for cell in cells:
        if cell.startswith("\x1b["):
            style = cell
        elif "★" in cell:
            spans.extend((label.strip(), style) for label in re.findall(r"\d ★", cell))
    styles = {label: style for label, style in spans}
    common = max(set(styles.values()), key=list(styles.values()).count)
    return [label for label, style in styles.items() if style != common]
