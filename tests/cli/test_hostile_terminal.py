"""One gate to the terminal (issue 10, item 4), tested as a terminal delivers it: the real
`msp-tickets` commands and the real board in tmux, against a hostile portal on loopback whose
every field and every error sentence carries OSC 52 (clipboard), OSC 0 (title), OSC 8 (link),
CSI and C1 sequences. Afterwards tmux holds no paste buffer, the pane's title is its own, and
the screen shows the sequences spelt out (`\\x1b]52;…`) instead of obeying them.

The first test proves the harness can see an effect: the same bytes printed raw do set the
clipboard and the title."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.support.hostile_portal import CLIPBOARD_PAYLOAD, EVIL, TITLE_PAYLOAD, TOKEN, HostilePortal
from tests.support.terminal import COMMAND, Terminal, terminal, user_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

SPELT_OUT = "\\x1b]52;c;" + CLIPBOARD_PAYLOAD + "\\x07"
SIZE = (200, 50)
# Clipboard writes (OSC 52) allowed, as in a terminal that honours them: a paste buffer would show one.
OPTIONS = {"set-clipboard": "on", "history-limit": "10000"}
SHELL = "bash --norc --noprofile"


@pytest.fixture
def hostile() -> Iterator[HostilePortal]:
    with HostilePortal() as portal:
        yield portal


@pytest.fixture
def env(tmp_path: Path, hostile: HostilePortal) -> dict[str, str]:
    home = tmp_path / "home"
    return user_env(
        home,
        MSP_TICKETS_PORTAL=hostile.url,
        MSP_TICKETS_TOKEN=TOKEN,
        PS1="$ ",
    )


@pytest.fixture
def term(tmp_path: Path) -> Iterator[Terminal]:
    with terminal(tmp_path) as running:
        yield running


def test_the_harness_sees_what_raw_sequences_do(term: Terminal, env: dict[str, str], tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.write_text(EVIL)  # typed into the shell, readline would eat the escapes first
    term.start(SHELL, env, SIZE, OPTIONS)
    term.run(f"cat {raw}")
    assert CLIPBOARD_PAYLOAD in term.buffers() or "rm -rf ~" in term.tmux("show-buffer")
    assert term.title() == TITLE_PAYLOAD


def test_every_command_shows_the_portals_sequences_and_obeys_none(
    term: Terminal, env: dict[str, str], hostile: HostilePortal, tmp_path: Path
) -> None:
    term.start(SHELL, env, SIZE, OPTIONS)
    title = term.title()
    password = tmp_path / "password"
    password.write_text("anything\n")
    typed = tmp_path / "typed"
    typed.write_text(f"p1{EVIL}")
    mt = str(COMMAND)
    for line in [
        f"{mt} list",
        f"{mt} show 1",
        f"{mt} sync",
        f"{mt} status",
        f"{mt} comment 1 'a reply'",  # the portal refuses it: "needs attention" with its sentence
        f'{mt} show "$(cat {typed})"',  # the user's own input, quoted back by argparse
    ]:
        term.run(line)
    for status in (401, 503):  # error sentences: a refused token, a portal in trouble
        hostile.behaviour.status = status
        term.run(f"{mt} sync")
    hostile.behaviour.status = None
    term.run(  # the user's and company's names, as login greets them
        f"{mt} --profile elsewhere login --portal {hostile.url} --email eve@hostile.example "
        f"--password-stdin --insecure-storage < {password}"
    )

    screen = term.history()
    assert term.buffers() == "", "a paste buffer was set"
    assert term.title() == title
    # status names the mirror's file, which the README shows how to look into
    assert f"Mirror: {Path(env['XDG_CACHE_HOME']) / 'msp-tickets'}/" in screen
    for shown in (
        "Subject",
        "Description",
        "PSA-1",
        "Comment",
        "Eve",
        "Evil Corp",
        "Error 422",
        "Error 401",
        "Error 503",
    ):
        line = next((line for line in screen.splitlines() if shown in line and "\\x1b" in line), None)
        assert line is not None, f"{shown!r} is not shown with its sequences spelt out:\n{screen}"
    assert screen.count(SPELT_OUT) >= 9 and "\\x9b31m" in screen


def test_json_output_stays_valid_json_with_every_sequence_escaped(cli: Cli, hostile: HostilePortal) -> None:
    cli.extra_env.update(MSP_TICKETS_PORTAL=hostile.url, MSP_TICKETS_TOKEN=TOKEN)
    for args in (["list", "--json"], ["show", "1", "--json"], ["status", "--json"]):
        run = cli(*args)
        assert run.code == 0, run.err
        assert not any(character in run.out for character in "\x1b\x07\x9b")
        document = run.json()
        assert any(EVIL in text for text in strings_in(document)), args  # the data is kept exactly


def strings_in(document: object) -> Iterator[str]:
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from strings_in(value)
    elif isinstance(document, list):
        for value in document:
            yield from strings_in(value)


def test_the_board_shows_the_portals_sequences_and_obeys_none(term: Terminal, env: dict[str, str]) -> None:
    term.start(str(COMMAND), env, SIZE, OPTIONS)
    term.wait_for(lambda screen: "Subject" in screen and "\\x1b" in screen, "the board with the hostile ticket", 60)
    term.keys("Enter")  # open the ticket: description, timeline
    screen = term.wait_for(lambda s: "Description" in s and "Comment" in s, "the detail", 30)
    assert SPELT_OUT in screen.replace("\n", "") or "\\x1b]52" in screen
    assert term.buffers() == ""
    assert TITLE_PAYLOAD not in term.title()
    term.keys("C-q")


def test_the_board_stays_on_its_mirror_when_an_answer_is_too_large(
    term: Terminal, env: dict[str, str], hostile: HostilePortal
) -> None:
    term.start(str(COMMAND), env, SIZE, OPTIONS)
    # "synced just now", not "not synced yet" or "syncing…": the first sync is over.
    first_sync_over = lambda s: "Subject" in s and "synced" in s and "not synced" not in s and "syncing" not in s  # noqa: E731
    term.wait_for(first_sync_over, "the synced board", 60)
    hostile.behaviour.changes_bytes = 10**9  # a gigabyte, chunked
    term.keys("r")
    screen = term.wait_for(lambda s: "last sync failed" in s and "41.8 MB" in s, "the failed sync, in words", 60)
    assert "Subject" in screen  # the ticket from the mirror is still on the board
    term.keys("C-q")
