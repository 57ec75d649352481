"""`msp-portal serve --parent-pid PID --remove-on-exit FOLDER`, as the demo runs it: the server
stops when the process that started it dies (SIGKILL included) or is told to (SIGTERM), and then
removes FOLDER."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.terminal import running, wait_until

STARTER = """
import os, subprocess, sys
command = [os.getpid() if arg == "PARENT" else arg for arg in sys.argv[1:]]
server = subprocess.Popen([str(arg) for arg in command], stdout=open(sys.argv[-1] + ".log", "wb"), stderr=subprocess.STDOUT)
print(server.pid, flush=True)
server.wait()
"""


def _serve_command(folder: Path, parent: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "portal.server.cli",
        "--db",
        str(folder / "portal.db"),
        "serve",
        "--port",
        "0",
        "--log-level",
        "warning",
        "--parent-pid",
        parent,
        "--remove-on-exit",
        str(folder),
    ]


def _listening(log: Path) -> bool:
    return log.exists() and "listening on" in log.read_text(errors="replace")


def test_the_server_stops_and_removes_its_folder_when_its_parent_is_killed(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    log = Path(str(folder) + ".log")
    # The last argument doubles as the log's name for the starter (the folder is removed).
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, *_serve_command(folder, "PARENT")], stdout=subprocess.PIPE, text=True
    )
    try:
        server = int(starter.stdout.readline())
        wait_until(lambda: _listening(log), "the server to listen")
        os.kill(starter.pid, signal.SIGKILL)
        starter.wait()
        wait_until(lambda: not running(server), "the server to stop", timeout=10)
        assert not folder.exists()
    finally:
        if starter.poll() is None:
            starter.kill()


def test_the_server_removes_its_folder_when_terminated(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "something the app wrote").write_text("x")
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(_serve_command(folder, str(os.getpid())), stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _listening(log), "the server to listen")
        server.terminate()
        # uvicorn stops gracefully, then ends by the signal it caught (as a shell expects).
        assert server.wait(timeout=30) == -signal.SIGTERM
        assert not folder.exists()
    finally:
        if server.poll() is None:
            server.kill()


def test_a_server_whose_parent_is_already_gone_stops_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a parent that died before the server got going
    server = subprocess.run(_serve_command(folder, str(gone.pid)), capture_output=True, timeout=60)
    assert server.returncode == 0
    assert not folder.exists()
