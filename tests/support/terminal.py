"""The real `msp-tickets` process in a real terminal (tmux), driven as a terminal delivers input:
keys in one write, bracketed pastes, raw SGR mouse sequences, signals; read back with
capture-pane (the text, or the text with its escape codes), the scrollback, the pane's title and
paste buffers, and tmux's view of the terminal's modes.

Each Terminal is a tmux server of its own on a socket in the test's folder, so nothing is left
in /tmp and parallel tests never meet. The command runs from a shell, which stays once it ends:
the screen then shows its exit status, and the terminal's modes are what it left.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from portal.client import tls_context
from tests.support.portal import Account, RunningPortal, held_token

COMMAND = Path(sys.executable).with_name("msp-tickets")
WIDTH, HEIGHT = 120, 40
PANE = "app"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
CTRL_S = "\x13"
TAB = "\t"
ENTER = "\r"
SYNCED = re.compile(r"(?<!not )synced (just now|\d)")  # the status line after a sync


@dataclass(frozen=True)
class TerminalModes:
    """What the terminal is left in, as tmux sees the pane."""

    alternate_screen: bool
    mouse_reporting: bool
    cursor_shown: bool


class Terminal:
    def __init__(self, socket: Path) -> None:
        self.socket = socket
        self._lines_run = 0

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, check=True
        ).stdout

    def start(
        self,
        command: str,
        env: dict[str, str],
        size: tuple[int, int] = (WIDTH, HEIGHT),
        options: Mapping[str, str] | None = None,
    ) -> None:
        """Run `command` from a shell in a fresh pane, as a user would; the shell stays once it
        ends, so the terminal's modes are then what the command left and its exit status shows.
        The tmux server keeps `env`: a command started again (`respawn`) runs in it too. Its
        global `options` (set-clipboard, history-limit) are in place before the command starts."""
        width, height = size
        settings = [arg for name, value in (options or {}).items() for arg in ("set-option", "-g", name, value, ";")]
        subprocess.run(
            [
                "tmux",
                "-S",
                str(self.socket),
                "-f",
                "/dev/null",
                "start-server",
                ";",
                *settings,
                "new-session",
                "-d",
                "-s",
                PANE,
                "-x",
                str(width),
                "-y",
                str(height),
                _then_stay(command),
            ],
            check=True,
            env=env,
        )

    def respawn(self, command: str) -> None:
        """Run `command` in the same pane again, once the last one has ended."""
        self.tmux("respawn-pane", "-k", "-t", PANE, _then_stay(command))

    def close(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], capture_output=True)
        self.socket.unlink(missing_ok=True)

    def screen(self, *, escapes: bool = False) -> str:
        """The visible screen; with `escapes`, with the escape codes of its colours and styles."""
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", PANE)

    def history(self) -> str:
        """Everything the pane has shown, the scrollback included, wrapped lines joined."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", PANE)

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", PANE, "#{pane_title}").strip()

    def buffers(self) -> str:
        """tmux's paste buffers (where a clipboard write, OSC 52, lands)."""
        return self.tmux("list-buffers")

    def run(self, shell_line: str, timeout: float = 60) -> None:
        """Type a command line into the shell running in the pane, and wait until it has ended
        (its output may have scrolled: the scrollback is read)."""
        self._lines_run += 1
        done = f"done-{self._lines_run * 1000 + 7}"  # typed as arithmetic: only the output matches
        self.type(f"{shell_line}; echo done-$(({self._lines_run * 1000} + 7))")
        self.keys("Enter")
        self.wait_for(lambda _: done in self.history(), shell_line, timeout)

    def keys(self, *keys: str) -> None:
        """tmux key names (Tab, Escape, C-s), each sent as the terminal would encode it."""
        self.tmux("send-keys", "-t", PANE, *keys)

    def type(self, text: str) -> None:
        """`text` as literal characters (tmux sends each as a key)."""
        self.tmux("send-keys", "-t", PANE, "-l", text)

    def write(self, data: str) -> None:
        """`data` as raw bytes to the app in ONE write, as a burst over SSH or a paste arrives."""
        self.tmux("send-keys", "-t", PANE, "-H", *(f"{byte:02x}" for byte in data.encode()))

    def click(self, x: int, y: int, times: int = 1) -> None:
        """Left clicks at column x, row y (0-based), as SGR mouse reports in one write."""
        press, release = f"\x1b[<0;{x + 1};{y + 1}M", f"\x1b[<0;{x + 1};{y + 1}m"
        self.write((press + release) * times)

    def pid(self) -> int:
        """The command's process (the pane runs the shell that started it)."""
        shell = int(self.tmux("display-message", "-p", "-t", PANE, "#{pane_pid}").strip())
        (command,) = children(shell)
        return command

    def exit_status(self) -> int | None:
        """The command's exit status once it has ended, else None."""
        found = re.search(r"\[exited (\d+)\]", self.screen())
        return int(found.group(1)) if found else None

    def process_ended(self) -> bool:
        return self.exit_status() is not None

    def running(self) -> bool:
        return not self.process_ended()

    def modes(self) -> TerminalModes:
        shown = self.tmux(
            "display-message",
            "-p",
            "-t",
            PANE,
            "#{alternate_on} #{mouse_any_flag} #{mouse_sgr_flag} #{mouse_standard_flag} #{mouse_button_flag} #{cursor_flag}",
        ).split()
        alternate, any_motion, sgr, standard, button, cursor = (flag == "1" for flag in shown)
        return TerminalModes(alternate, any_motion or sgr or standard or button, cursor)

    def wait_for(self, test: Callable[[str], bool], what: str, timeout: float = 60, *, escapes: bool = False) -> str:
        """The screen once `test` holds for it (read with its escape codes if `escapes`)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(escapes=escapes)
            if test(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")
            time.sleep(0.1)


def _then_stay(command: str) -> str:
    return f'{command}; echo "[exited $?]"; exec sleep 3600'


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def paste(text: str) -> str:
    """`text` as a terminal sends a paste when the app asked for bracketed paste."""
    return PASTE_START + text + PASTE_END


def user_env(home: Path, **more: str) -> dict[str, str]:
    """An environment of the user's own: XDG folders in `home`, no system keyring, a 256-colour
    terminal."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MSP_TICKETS_", "TMUX"))}
    return {
        **keep,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "TERM": "xterm-256color",
        **more,
    }


@contextmanager
def terminal(folder: Path) -> Iterator[Terminal]:
    term = Terminal(folder / "tmux")
    try:
        yield term
    finally:
        term.close()


@dataclass
class Board:
    """`msp-tickets` on the board, logged in to `portal` as `account`, in `terminal`."""

    terminal: Terminal
    portal: RunningPortal
    token: str

    def api(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs) -> httpx.Response:
        """The portal's own answer, as the same user: what it stored."""
        response = httpx.request(
            method,
            f"{self.portal.api}{path}",
            headers={"Authorization": f"Bearer {self.token}", **(headers or {})},
            timeout=30,
            verify=tls_context(),  # tests poll with this: a new TLS context per call costs ~40 ms
            **kwargs,
        )
        response.raise_for_status()
        return response


def start_board(
    term: Terminal,
    home: Path,
    portal: RunningPortal,
    account: Account,
    *,
    more_config: str = "",
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> Board:
    """The board as a logged-in user opens it, in a terminal of `size`: a profile in config.toml
    (and `more_config` after it), the token in the environment (no keyring in a test)."""
    token = held_token(portal, account)
    config = home / "config" / "msp-tickets"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(
        f'default_profile = "test"\n\n[profiles.test]\nportal = "{portal.url}"\nemail = "{account.email}"\n{more_config}',
        encoding="utf-8",
    )
    term.start(str(COMMAND), user_env(home, MSP_TICKETS_TOKEN=token), size)
    # The board paints what its mirror holds at once and syncs after: wait for the first sync.
    term.wait_for(lambda s: "1 All" in s and SYNCED.search(s) is not None, "the board, synced")
    return Board(term, portal, token)


def wait_until(condition: Callable[[], object], what: str, timeout: float = 30) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
