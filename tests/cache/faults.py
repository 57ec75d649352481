"""Fault injection between the client and the real portal: a transport that delegates to a real
`httpx.AsyncHTTPTransport` and, for the requests a rule picks, breaks the exchange on purpose.
It never answers in the portal's place except with the failure being injected."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from portal.client import tls_context


@dataclass
class Fault:
    kind: str  # "drop" | "lose_response" | "status" | "delay" | "timeout"
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    query: str
    status: int | None  # None: the exchange failed
    headers: dict[str, str]


class FaultyTransport(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport(verify=tls_context())
        self.rules: list[tuple[Callable[[httpx.Request], bool], list[Fault]]] = []
        self.seen: list[Seen] = []

    def inject(self, matches: Callable[[httpx.Request], bool], *faults: Fault) -> None:
        """The next requests that match get these faults, one each, in order."""
        self.rules.append((matches, list(faults)))

    def _next_fault(self, request: httpx.Request) -> Fault | None:
        for matches, faults in self.rules:
            if faults and matches(request):
                return faults.pop(0)
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._next_fault(request)
        note = Seen(
            request.method,
            request.url.path,
            request.url.query.decode(),
            None,
            {k.lower(): v for k, v in request.headers.items() if k.lower() != "authorization"},
        )
        self.seen.append(note)
        if fault and fault.kind == "drop":
            raise httpx.ConnectError("injected: connection dropped", request=request)
        if fault and fault.kind == "status":
            note.status = fault.status
            return httpx.Response(
                fault.status,
                headers=fault.headers,
                json={"error": "injected failure", "code": "INTERNAL_ERROR", "details": {}}
                if fault.status >= 500
                else {"error": "Too many requests; wait and retry.", "code": "RATE_LIMIT_EXCEEDED", "details": {}},
                request=request,
            )
        if fault and fault.kind == "timeout":
            await asyncio.sleep(fault.seconds)  # the portal is too slow to answer
            raise httpx.ReadTimeout("injected: read timed out", request=request)
        if fault and fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
        response = await self.real.handle_async_request(request)
        await response.aread()
        if fault and fault.kind == "lose_response":
            # The portal did the work and answered; the answer never arrives.
            raise httpx.ReadError("injected: response lost", request=request)
        note.status = response.status_code
        return response

    async def aclose(self) -> None:
        await self.real.aclose()


def path_is(method: str, suffix: str, *, after: int = 0) -> Callable[[httpx.Request], bool]:
    """Requests with this method and path ending, from the (after + 1)-th one on."""
    count = 0

    def matches(request: httpx.Request) -> bool:
        nonlocal count
        if request.method != method or not request.url.path.endswith(suffix):
            return False
        count += 1
        return count > after

    return matches
