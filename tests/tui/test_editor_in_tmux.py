"""`ctrl+e` in a real terminal (the real `msp-tickets` in tmux): $EDITOR is a script (at a path
with a space, with an argument: the shell splits the value, as git does) that adds a line to the
file; the text comes back into the comment form, the new ticket's description and the reopen
reason, and reaches the portal as the form sends it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.portal import RunningPortal, start_portal, token_for
from tests.support.terminal import COMMAND, CTRL_S, ENTER, TAB, Board, start_board, terminal, user_env, wait_until
from tests.tui.conftest import DEMO_ADMIN

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

CTRL_E = "\x05"
ADDED = "Added in the editor"
EDITOR_SCRIPT = f"""#!/bin/sh
[ "$1" = "--append" ] || exit 3
printf '\\n%s' '{ADDED}' >> "$2"
"""


@pytest.fixture
def board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Board]:
    portal: RunningPortal = start_portal(tmp_path, seed_demo=True)
    folder = tmp_path / "my editors"
    folder.mkdir()
    script = folder / "append"
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    script.chmod(0o700)
    # start_board starts the board with the environment user_env gives: EDITOR goes in there.
    monkeypatch.setenv("EDITOR", f'"{script}" --append')
    monkeypatch.delenv("VISUAL", raising=False)
    try:
        with terminal(tmp_path) as term:
            # The reopen is held for `u` a second, not five: the test waits for it on the portal.
            yield start_board(term, tmp_path / "home", portal, DEMO_ADMIN, more_config="undo_seconds = 1\n")
    finally:
        portal.stop()


def comments(board: Board, ticket_id: int) -> list[str]:
    timeline = board.api("GET", f"/tickets/{ticket_id}").json()["timeline"]
    return [e["body"] for e in timeline if e["kind"] == "comment"]


def test_ctrl_e_in_the_comment_the_description_and_the_reason(board: Board) -> None:
    term = board.terminal
    tickets = board.api("GET", "/tickets", params={"limit": 500}).json()["items"]

    # A comment: typed, then finished in the editor, then sent.
    some = tickets[0]["id"]
    term.write(f"#{some}{ENTER}")
    term.wait_for(lambda s: f"#{some} · " in s and "Timeline" in s, "the ticket")
    term.write("c" + "Typed in the form" + CTRL_E)
    term.wait_for(lambda s: ADDED in s and "Typed in the form" in s, "the editor's text in the form")
    term.write(CTRL_S)
    wait_until(lambda: f"Typed in the form\n{ADDED}" in comments(board, some), "the comment at the portal")
    term.write("q")
    term.wait_for(lambda s: "1 All" in s and "Timeline" not in s, "the board")

    # A new ticket's description.
    term.write("n" + "Scanner offline" + TAB * 3 + "It says E42" + CTRL_E)
    term.wait_for(lambda s: ADDED in s, "the editor's text in the description")
    term.write(CTRL_S)
    newest = wait_until(
        lambda: next((t for t in board.api("GET", "/tickets", params={"q": "Scanner"}).json()["items"]), None),
        "the ticket at the portal",
    )
    assert newest["description"] == f"It says E42\n{ADDED}"
    term.write("q")
    term.wait_for(lambda s: "1 All" in s and "Timeline" not in s, "the board again")

    # The reason of a reopen: empty in the form, written in the editor.
    resolved = next(t["id"] for t in tickets if t["status"] == "resolved")
    term.write(f"#{resolved}{ENTER}")
    term.wait_for(lambda s: f"#{resolved} · " in s and "Reopen" in s, "the resolved ticket")
    term.write("o" + CTRL_E)
    term.wait_for(lambda s: ADDED in s and "Reopen #" in s, "the editor's text as the reason")
    term.write(ENTER)
    wait_until(lambda: board.api("GET", f"/tickets/{resolved}").json()["status"] == "open", "reopened")
    # The reason goes as the reopen's comment, the request after the reopen's own.
    wait_until(lambda: comments(board, resolved)[-1] == ADDED, "the reason at the portal")
    assert re.search(r"exited", term.screen()) is None, "the app is still running"


def test_a_missing_editor_says_so_and_keeps_the_text(tmp_path: Path) -> None:
    portal = start_portal(tmp_path, seed_demo=True)
    home = tmp_path / "home"
    try:
        with terminal(tmp_path) as term:
            config = home / "config" / "msp-tickets"
            config.mkdir(parents=True)
            (config / "config.toml").write_text(
                f'default_profile = "test"\n\n[profiles.test]\nportal = "{portal.url}"\nemail = "{DEMO_ADMIN.email}"\n',
                encoding="utf-8",
            )
            env = user_env(home, MSP_TICKETS_TOKEN=token_for(portal, DEMO_ADMIN), VISUAL="no-such-editor-here")
            term.start(str(COMMAND), env)
            term.wait_for(lambda s: re.search(r"#\d+ ", s) is not None, "the board")
            term.write("n" + "Half a subject" + TAB * 3 + "Kept words" + CTRL_E)
            screen = term.wait_for(lambda s: "not found: set" in s, "the notice")
            assert "Kept words" in screen and "Half a subject" in screen
    finally:
        portal.stop()
