"""Run the app under uvicorn and say where it listens once it accepts connections; optionally
stop when the process that started it is gone, and remove a folder once stopped."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from portal.server.app import Settings, create_app


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, *, remove_on_exit: Path | None) -> None:
        super().__init__(config)
        self.remove_on_exit = remove_on_exit

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                # Before uvicorn re-raises the signal that stopped it (which ends the process).
                _remove(self.remove_on_exit)

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            # Tests and `msp-tickets --demo` wait for this exact line: flush it at once.
            print(f"listening on http://{_url_host(host)}:{port}", flush=True)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


PARENT_POLL_SECONDS = 0.1


def _remove(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _stop_when_orphaned(server: uvicorn.Server, parent: int) -> None:
    """When the parent dies (SIGKILL included) this process is handed to another one: stop.
    (Also when it died before this started: the parent is then another one already.)"""
    while not server.should_exit:
        if os.getppid() != parent:
            server.should_exit = True
            return
        time.sleep(PARENT_POLL_SECONDS)


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    log_level: str,
    parent_pid: int | None = None,
    remove_on_exit: Path | None = None,
) -> None:
    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        log_level=log_level,
        # The access log shows method, path and query only: never headers, so never a token.
        access_log=True,
        server_header=False,
        # The client's address is the socket's peer: sign-in limits are per address, and a
        # forwarded-for header is whatever the caller wants it to be.
        proxy_headers=False,
    )
    server = _AnnouncingServer(config, remove_on_exit=remove_on_exit)
    if parent_pid is not None:
        threading.Thread(
            target=_stop_when_orphaned, args=(server, parent_pid), name="parent watch", daemon=True
        ).start()
    try:
        server.run()
    finally:
        _remove(remove_on_exit)  # also when it never got to serve
