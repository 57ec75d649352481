"""Run `msp-tickets` as a user would: a real process, its own XDG folders, no system keyring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.portal import Account, RunningPortal


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
        result = subprocess.run(
            [sys.executable, "-m", "tui.cli", *args],
            input=input,
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            timeout=120,
            preexec_fn=None if self.umask is None else (lambda: os.umask(self.umask)),
        )
        return CliRun(result.returncode, result.stdout, result.stderr)

    def login(self, portal: RunningPortal, account: Account, *more: str) -> CliRun:
        return self(
            "login", "--portal", portal.url, "--email", account.email, "--password-stdin",
            "--insecure-storage", *more, input=account.password + "\n",
        )

    def written_files(self) -> list[Path]:
        return [path for path in self.home.rglob("*") if path.is_file()]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    return Cli(home)
