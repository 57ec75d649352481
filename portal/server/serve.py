"""Run the app under uvicorn and say where it listens once it accepts connections."""

from __future__ import annotations

import uvicorn

from portal.server.app import Settings, create_app


class _AnnouncingServer(uvicorn.Server):
    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            # Tests and `msp-tickets --demo` wait for this exact line: flush it at once.
            print(f"listening on http://{_url_host(host)}:{port}", flush=True)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def serve(settings: Settings, *, host: str, port: int, log_level: str) -> None:
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
    _AnnouncingServer(config).run()
