"""One gate to the terminal (issue 10, item 4), tested as a terminal delivers it: the real
`msp-tickets` commands and the real board in tmux, against a hostile portal on loopback whose
every field and every error sentence carries OSC 52 (clipboard), OSC 0 (title), OSC 8 (link),
CSI and C1 sequences. Afterwards tmux holds no paste buffer, the pane's title is its own, and
the screen shows the sequences spelt out (`\\x1b]52;…`) instead of obeying them.

The first test proves the harness can see an effect: the same bytes printed raw do set the
clipboard and the title."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.hostile_portal import CLIPBOARD_PAYLOAD, EVIL, TITLE_PAYLOAD, TOKEN, HostilePortal

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

COMMAND = Path(sys.executable).with_name("msp-tickets")
SPELT_OUT = "\\x1b]52;c;" + CLIPBOARD_PAYLOAD + "\\x07"


class Terminal:
    """A tmux server of our own, one pane running a plain shell, clipboard writes allowed."""

    def __init__(self, socket: str, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env
        self._done = 0

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True).stdout

    def start(self, command: str) -> None:
        subprocess.run(
            [
                "tmux",
                "-L",
                self.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                "200",
                "-y",
                "50",
                command,
            ],
            check=True,
            env=self.env,
        )
        self.tmux("set-option", "-g", "set-clipboard", "on")
        self.tmux("set-option", "-g", "history-limit", "10000")

    def run(self, shell_line: str, timeout: float = 60) -> None:
        """Type a command into the shell and wait until it has finished."""
        self._done += 1
        marker = f"done-{self._done * 1000 + 7}"  # typed as arithmetic: only the output matches
        self.tmux("send-keys", "-t", "t", "-l", f"{shell_line}; echo done-$(({self._done * 1000} + 7))")
        self.tmux("send-keys", "-t", "t", "Enter")
        self.wait_for(lambda screen: marker in screen, shell_line, timeout)

    def history(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "t")

    def wait_for(self, test: Callable[[str], bool], what: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.history()
            if test(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")
            time.sleep(0.1)

    def buffers(self) -> str:
        return self.tmux("list-buffers")

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", "t", "#{pane_title}").strip()


@pytest.fixture
def hostile() -> Iterator[HostilePortal]:
    with HostilePortal() as portal:
        yield portal


@pytest.fixture
def terminal(tmp_path: Path, hostile: HostilePortal) -> Iterator[Terminal]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MSP_TICKETS_", "TMUX"))}
    env = {
        **keep,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "MSP_TICKETS_PORTAL": hostile.url,
        "MSP_TICKETS_TOKEN": TOKEN,
        "TERM": "xterm-256color",
        "PS1": "$ ",
    }
    term = Terminal(f"i10-client-hostile-{os.getpid()}", env)
    try:
        yield term
    finally:
        subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True)
        # tmux 3.3 leaves its socket file behind; nothing of a test may stay in /tmp.
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / term.socket).unlink(missing_ok=True)


def test_the_harness_sees_what_raw_sequences_do(terminal: Terminal, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.write_text(EVIL)  # typed into the shell, readline would eat the escapes first
    terminal.start("bash --norc --noprofile")
    terminal.run(f"cat {raw}")
    assert CLIPBOARD_PAYLOAD in terminal.buffers() or "rm -rf ~" in terminal.tmux("show-buffer")
    assert terminal.title() == TITLE_PAYLOAD


def test_every_command_shows_the_portals_sequences_and_obeys_none(
    terminal: Terminal, hostile: HostilePortal, tmp_path: Path
) -> None:
    terminal.start("bash --norc --noprofile")
    title = terminal.title()
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
        terminal.run(line)
    for status in (401, 503):  # error sentences: a refused token, a portal in trouble
        hostile.behaviour.status = status
        terminal.run(f"{mt} sync")
    hostile.behaviour.status = None
    terminal.run(  # the user's and company's names, as login greets them
        f"{mt} --profile elsewhere login --portal {hostile.url} --email eve@hostile.example "
        f"--password-stdin --insecure-storage < {password}"
    )

    screen = terminal.history()
    assert terminal.buffers() == "", "a paste buffer was set"
    assert terminal.title() == title
    # status names the mirror's file, which the README shows how to look into
    assert f"Mirror: {tmp_path / 'cache' / 'msp-tickets'}/" in screen
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


def test_json_output_stays_valid_json_with_every_sequence_escaped(terminal: Terminal, hostile: HostilePortal) -> None:
    env = terminal.env
    for args in (["list", "--json"], ["show", "1", "--json"], ["status", "--json"]):
        run = subprocess.run([str(COMMAND), *args], capture_output=True, text=True, env=env, timeout=60)
        assert run.returncode == 0, run.stderr
        assert not any(character in run.stdout for character in "\x1b\x07\x9b")
        document = json.loads(run.stdout)
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


def test_the_board_shows_the_portals_sequences_and_obeys_none(terminal: Terminal) -> None:
    terminal.start(f"{COMMAND}")
    terminal.wait_for(lambda screen: "Subject" in screen and "\\x1b" in screen, "the board with the hostile ticket", 60)
    terminal.tmux("send-keys", "-t", "t", "Enter")  # open the ticket: description, timeline
    screen = terminal.wait_for(lambda s: "Description" in s and "Comment" in s, "the detail", 30)
    assert SPELT_OUT in screen.replace("\n", "") or "\\x1b]52" in screen
    assert terminal.buffers() == ""
    assert TITLE_PAYLOAD not in terminal.title()
    terminal.tmux("send-keys", "-t", "t", "C-q")


def test_the_board_stays_on_its_mirror_when_an_answer_is_too_large(terminal: Terminal, hostile: HostilePortal) -> None:
    terminal.start(f"{COMMAND}")
    # "synced just now", not "not synced yet" or "syncing…": the first sync is over.
    first_sync_over = lambda s: "Subject" in s and "synced" in s and "not synced" not in s and "syncing" not in s  # noqa: E731
    terminal.wait_for(first_sync_over, "the synced board", 60)
    hostile.behaviour.changes_bytes = 10**9  # a gigabyte, chunked
    terminal.tmux("send-keys", "-t", "t", "r")
    screen = terminal.wait_for(lambda s: "last sync failed" in s and "41.8 MB" in s, "the failed sync, in words", 60)
    assert "Subject" in screen  # the ticket from the mirror is still on the board
    terminal.tmux("send-keys", "-t", "t", "C-q")
