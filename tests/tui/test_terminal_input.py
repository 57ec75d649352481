"""What a terminal really delivers reaches the portal exactly as typed: the real `msp-tickets`
in tmux, keys in one write (as over SSH), bracketed pastes, raw SGR mouse double-clicks. What
the portal stored is read back through its API and compared exactly.

Each test keeps one app and one portal across its tries: the tries are the point, not startup.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.portal import World, make_world, start_portal
from tests.support.terminal import CTRL_S, ENTER, TAB, Board, paste, start_board, terminal, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

TRIES = 20


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    portal = start_portal(tmp_path_factory.mktemp("portal"))
    try:
        yield make_world(portal)
    finally:
        portal.stop()


@pytest.fixture
def board(world: World, tmp_path: Path) -> Iterator[Board]:
    home = tmp_path / "home"
    with terminal(tmp_path) as term:
        yield start_board(term, home, world.portal, world.accounts["a_own"])


@pytest.fixture
def two_boards(world: World, tmp_path: Path) -> Iterator[list[Board]]:
    """Two users who see only their own tickets, each on the board in a terminal of their own."""
    with ExitStack() as stack:
        boards = []
        for user in ("a_own", "b_own"):
            folder = tmp_path / user
            folder.mkdir()
            term = stack.enter_context(terminal(folder))
            boards.append(start_board(term, folder / "home", world.portal, world.accounts[user]))
        yield boards


def _typed_text(n: int) -> tuple[str, str]:
    """(what the keys say, what the portal must store): letters the screens bind to actions
    (c f o t n s m r / ? 1–6), punctuation, non-ASCII, and on some tries an Enter (a new line)."""
    text = f"Try {n}: cfotnsmrq/?123456 — é ✓{'x' * (n * 7 % 20)} end {n}"
    if n % 3 == 0:
        return text.replace(" end", ENTER + "end"), text.replace(" end", "\nend")
    return text, text


def _pasted_text(n: int) -> tuple[str, str]:
    """(what a terminal sends inside a bracketed paste, what the portal must store): several
    lines, as terminals send them (CR between lines), a blank line, tabs and key-like letters."""
    lines = [
        f"Pasted {n}: first line c f o t",
        "\tindented second line ? / 1 2",
        "",
        f"last line {'y' * (n * 5 % 30)} {n}",
    ]
    return "\r".join(lines), "\n".join(lines)


def _comments(board: Board, ticket_id: int) -> list[str]:
    timeline = board.api("GET", f"/tickets/{ticket_id}").json()["timeline"]
    return [event["body"] for event in timeline if event["kind"] == "comment"]


def _open_new_ticket(board: Board, subject: str) -> int:
    """A ticket of the user's, created through the API, opened from the board by a
    double-click on its row (raw SGR mouse reports, both clicks in one write)."""
    ticket = board.api(
        "POST",
        "/tickets",
        json={"subject": subject, "category": "general", "priority": "low", "description": "Made by the test."},
    ).json()
    board.terminal.write("r")  # sync now
    screen = board.terminal.wait_for(lambda s: subject in s, "the ticket on the board")
    lines = screen.splitlines()
    y = next(i for i, line in enumerate(lines) if subject in line)
    board.terminal.click(lines[y].index(subject) + 2, y, times=2)
    detail = board.terminal.wait_for(lambda s: "Timeline" in s, "the ticket's detail")
    assert f"#{ticket['id']} · {subject}" in detail
    return ticket["id"]


@pytest.mark.parametrize("delivery", ["typed", "pasted"])
def test_a_comment_sent_in_one_burst_is_stored_exactly(board: Board, delivery: str) -> None:
    ticket_id = _open_new_ticket(board, f"A ticket to comment on, {delivery}")
    expected: list[str] = []
    for n in range(TRIES):
        sent, stored = _typed_text(n) if delivery == "typed" else _pasted_text(n)
        # `c` opens the comment form, the text follows before it has mounted, ctrl+s sends:
        # all in one write.
        board.terminal.write("c" + (sent if delivery == "typed" else paste(sent)) + CTRL_S)
        expected.append(stored)
        wait_until(lambda: len(_comments(board, ticket_id)) >= len(expected), f"comment {n} at the portal")
        assert _comments(board, ticket_id) == expected
        board.terminal.wait_for(lambda s: "Send comment" not in s, "the form closed")


def _newest_ticket(board: Board) -> dict | None:
    items = board.api("GET", "/tickets", params={"limit": 100}).json()["items"]
    return max(items, key=lambda t: t["id"], default=None)


def _send_new_tickets(board: Board, delivery: str, tries: range) -> int:
    """Each try a new ticket in one write, compared with what the portal stored; how many the
    user has at the end."""
    known = (_newest_ticket(board) or {"id": 0})["id"]
    for n in tries:
        subject = f"Subject {n}, {delivery}: cnsmr/?123 é"
        description_sent, description = _typed_text(n) if delivery == "typed" else _pasted_text(n)
        if delivery == "pasted":
            if n % 2:  # a paste of two lines into the one-line subject goes in whole
                subject += "\nand its second line"
            subject_sent, description_sent = paste(subject.replace("\n", "\r")), paste(description_sent)
        else:
            subject_sent = subject
        # Subject, tab to category, priority, description, then send: one write.
        board.terminal.write("n" + subject_sent + TAB * 3 + description_sent + CTRL_S)
        newest = wait_until(lambda: (t := _newest_ticket(board)) and t["id"] > known and t, f"ticket {n} at the portal")
        assert (newest["subject"], newest["description"], newest["category"], newest["priority"]) == (
            subject,
            description,
            "general",
            "medium",
        )
        known = newest["id"]
        board.terminal.wait_for(lambda s: "Timeline" in s, "the new ticket's detail")
        board.terminal.keys("Escape")
        board.terminal.wait_for(lambda s: "1 All" in s, "the board again")
    tickets = board.api("GET", "/tickets", params={"limit": 100}).json()["items"]
    return sum(t["subject"].startswith("Subject ") and delivery in t["subject"] for t in tickets)


@pytest.mark.parametrize("delivery", ["typed", "pasted"])
def test_a_new_ticket_sent_in_one_burst_is_stored_exactly(two_boards: list[Board], delivery: str) -> None:
    """The tries shared by two users' apps side by side (each its own terminal and tickets): a
    try waits mostly on its app, so the two apps' waits overlap."""
    lanes = [range(lane, TRIES, len(two_boards)) for lane in range(len(two_boards))]
    with ThreadPoolExecutor(len(two_boards)) as pool:
        stored = list(pool.map(_send_new_tickets, two_boards, [delivery] * len(two_boards), lanes))
    assert stored == [len(lane) for lane in lanes]  # one per try


def test_a_double_click_on_a_row_opens_its_ticket(board: Board) -> None:
    _open_new_ticket(board, "Double-click me")
    assert not board.terminal.process_ended()
    # A double-click on the detail's text (Textual selects it all) does no harm either.
    board.terminal.click(10, 10, times=2)
    board.terminal.write("c")
    board.terminal.wait_for(lambda s: "Send comment" in s, "the comment form")
    assert not board.terminal.process_ended()
