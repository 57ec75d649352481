"""Run `msp-tickets` as a user would: its own XDG folders, no system keyring, stdin given or
empty (never a terminal), stdout and stderr captured.

By default the command runs in this process, through `tui.cli.main(argv)`, with the environment,
stdin, stdout, stderr, logging and keyring of a fresh process put in place for the call and put
back after: a Python process start costs more than most commands. `Cli(home, real_process=True)`
(or the `cli_process` fixture) runs the real `msp-tickets` command instead, for the tests where
the process itself is what is tested."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import keyring.core
import pytest

from tests.support.portal import Account, RunningPortal
from tui.cli import main

COMMAND = Path(sys.executable).with_name("msp-tickets")


@dataclass
class CliRun:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@dataclass
class Cli:
    home: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    umask: int | None = None  # the process's umask, when a test needs a particular one
    real_process: bool = False

    @property
    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MSP_TICKETS_"))}
        return {
            **keep,
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_STATE_HOME": str(self.home / "state"),
            # The tests must never touch a developer's real keyring.
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            **self.extra_env,
        }

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> CliRun:
        environment = {**self.env, **(env or {})}
        if self.real_process:
            return _in_a_process(list(args), input, environment, self.umask)
        return _in_this_process(list(args), input, environment, self.umask)

    def login(self, portal: RunningPortal, account: Account, *more: str) -> CliRun:
        return self(
            "login",
            "--portal",
            portal.url,
            "--email",
            account.email,
            "--password-stdin",
            "--insecure-storage",
            *more,
            input=account.password + "\n",
        )

    def written_files(self) -> list[Path]:
        return [path for path in self.home.rglob("*") if path.is_file()]


def _in_a_process(argv: list[str], input: str | None, env: dict[str, str], umask: int | None = None) -> CliRun:
    result = subprocess.run(
        [str(COMMAND), *argv],
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        preexec_fn=None if umask is None else (lambda: os.umask(umask)),
    )
    return CliRun(result.returncode, result.stdout, result.stderr)


# One command at a time: the process-wide state below is swapped for the call.
_ONE_AT_A_TIME = threading.Lock()


def _in_this_process(argv: list[str], input: str | None, env: dict[str, str], umask: int | None) -> CliRun:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_main(argv, input, env, umask)
    # Called from an async test: the command runs its own event loop, so it needs a thread.
    outcome: list[CliRun | BaseException] = []

    def work() -> None:
        try:
            outcome.append(_run_main(argv, input, env, umask))
        except BaseException as error:  # handed back to the test below
            outcome.append(error)

    thread = threading.Thread(target=work, name="msp-tickets-cli")
    thread.start()
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _run_main(argv: list[str], input: str | None, env: dict[str, str], umask: int | None) -> CliRun:
    stdin = _text_stream((input or "").encode())
    stdout, stderr = _text_stream(), _text_stream()
    with _ONE_AT_A_TIME, _process_state(env, stdin, stdout, stderr, umask):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except BaseException:
            # What a real process would print before exiting 1; the test sees it in `err`.
            import traceback

            traceback.print_exc(file=sys.stderr)
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
    return CliRun(code, _text_of(stdout), _text_of(stderr))


def _text_stream(data: bytes = b"") -> io.TextIOWrapper:
    # What a pipe gives a Python process: UTF-8 text over a byte buffer, not a terminal.
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict", newline=None)


def _text_of(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8").replace("\r\n", "\n")


@contextmanager
def _process_state(env: dict[str, str], stdin, stdout, stderr, umask: int | None) -> Iterator[None]:
    """For the call: exactly `env` as os.environ; the given std streams; a root logger with no
    handlers (so `main` configures logging to this stderr, as in a fresh process); the keyring
    backend that `env` names; `umask` when given. All put back afterwards."""
    saved_env = dict(os.environ)
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_keyring = keyring.get_keyring()
    os.environ.clear()
    os.environ.update(env)
    sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
    root.handlers = []
    keyring.set_keyring(keyring.core.load_keyring(env["PYTHON_KEYRING_BACKEND"]))
    saved_umask = os.umask(umask) if umask is not None else None
    try:
        yield
    finally:
        if saved_umask is not None:
            os.umask(saved_umask)
        keyring.set_keyring(saved_keyring)
        for handler in root.handlers:
            handler.close()
        root.handlers, root.level = saved_handlers, saved_level
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.environ.clear()
        os.environ.update(saved_env)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    return Cli(home)


@pytest.fixture
def cli_process(tmp_path: Path) -> Cli:
    """The real `msp-tickets` process, for tests about the process itself."""
    home = tmp_path / "home"
    home.mkdir()
    return Cli(home, real_process=True)
