"""A real terminal for the benches that time what a person sees: a tmux server of its own (its
socket in the bench's folder), one 120x40 pane, and a control-mode client on it through which
the screen is read every millisecond or two without starting a process per look (`capture-pane`
through a control client costs the tmux server tens of microseconds).

Each run of a command respawns the pane; `remain-on-exit` keeps it when the command ends, so the
next run starts in the same pane, at the same size. Raw output as the terminal receives it can be
copied to a file with `pipe-pane` (the bytes the program wrote, escape sequences included).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

WIDTH, HEIGHT = 120, 40
PANE = "bench"
POLL_SECONDS = 0.001
# A ticket row of the board: its ID column, `#` and the number.
TICKET_ROW = re.compile(r"#\d+ ")


class Terminal:
    def __init__(self, folder: Path, env: Mapping[str, str], size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.socket = str(folder / "tmux.sock")
        width, height = size
        self._tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            PANE,
            "-x",
            str(width),
            "-y",
            str(height),
            "exec sleep 3600",
            env=dict(env),
        )
        for option in (("remain-on-exit", "on"), ("default-shell", "/bin/sh")):
            self._tmux("set-option", "-g", *option)
        self._control = subprocess.Popen(
            ["tmux", "-S", self.socket, "-C", "attach-session", "-f", "no-output,ignore-size,read-only", "-t", PANE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._answer()  # the attach's own

    def _tmux(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        return subprocess.run(
            ["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=True, env=env
        ).stdout

    def command(self, *args: str) -> list[str]:
        """A tmux command through the control client: its output's lines."""
        assert self._control.stdin is not None
        self._control.stdin.write(shlex.join(args) + "\n")
        self._control.stdin.flush()
        return self._answer()

    def _answer(self) -> list[str]:
        assert self._control.stdout is not None
        lines: list[str] | None = None
        for line in self._control.stdout:
            if line.startswith("%begin"):
                lines = []
            elif line.startswith(("%end", "%error")) and lines is not None:
                if line.startswith("%error"):
                    raise RuntimeError(f"tmux: {''.join(lines)}")
                return lines
            elif lines is not None:
                lines.append(line.rstrip("\n"))
        raise RuntimeError("the tmux control client ended")

    def run(self, argv: list[str], env: Mapping[str, str], cwd: Path | None = None) -> float:
        """Start `argv` in the pane (the last command must have ended); returns when, by
        `time.perf_counter()`, just before tmux was asked."""
        env_flags = [flag for name, value in env.items() for flag in ("-e", f"{name}={value}")]
        command = shlex.join(argv)
        if cwd is not None:
            command = f"cd {shlex.quote(str(cwd))} && exec {command}"
        started = time.perf_counter()
        self.command("respawn-pane", "-k", *env_flags, "-t", PANE, command)
        return started

    def screen(self) -> str:
        return "\n".join(self.command("capture-pane", "-p", "-t", PANE))

    def wait_for(self, test: Callable[[str], bool], what: str, timeout: float = 60) -> float:
        """Polls the screen until `test` holds; returns when it was first seen (perf_counter)."""
        deadline = time.perf_counter() + timeout
        while True:
            screen = self.screen()
            seen = time.perf_counter()
            if test(screen):
                return seen
            if seen > deadline:
                raise TimeoutError(f"timed out waiting for {what}; the screen was:\n{screen}")
            time.sleep(POLL_SECONDS)

    def pid(self) -> int:
        """The process the pane runs (the command is started with `exec`)."""
        return int(self.command("display-message", "-p", "-t", PANE, "#{pane_pid}")[0])

    def keys(self, *keys: str) -> None:
        """tmux key names (Down, PageDown, C-q), each sent as the terminal encodes it."""
        self.command("send-keys", "-t", PANE, *keys)

    def type(self, text: str) -> None:
        self.command("send-keys", "-t", PANE, "-l", text)

    def ended(self) -> bool:
        return self.command("display-message", "-p", "-t", PANE, "#{pane_dead}") == ["1"]

    def stop(self, timeout: float = 30) -> None:
        """Quit with ctrl+q (as a person would), then wait for the process to end."""
        self.keys("C-q")
        deadline = time.perf_counter() + timeout
        while not self.ended():
            if time.perf_counter() > deadline:
                self.command("respawn-pane", "-k", "-t", PANE, "exec true")
            time.sleep(0.01)

    def record(self, path: Path | None) -> None:
        """From now on, copy what the program writes to the terminal to `path` (None: stop)."""
        if path is None:
            self.command("pipe-pane", "-t", PANE)
        else:
            self.command("pipe-pane", "-o", "-t", PANE, f"exec cat >> {shlex.quote(str(path))}")

    def close(self) -> None:
        if self._control.stdin is not None:
            self._control.stdin.close()
        self._control.wait(timeout=10)
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)
        Path(self.socket).unlink(missing_ok=True)
