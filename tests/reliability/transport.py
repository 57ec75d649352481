"""The fault transport of the mirror's tests, with one more fault: a slow answer. The request
reaches the real portal, which commits and answers; the answer arrives only after the client
has stopped waiting (its read timeout), so the client sees a timeout for work that was done."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from tests.cache.faults import FaultyTransport, Seen


class SlowAnswers(FaultyTransport):
    def __init__(self, read_timeout: float) -> None:
        super().__init__()
        self.read_timeout = read_timeout
        self._slow: list[Callable[[httpx.Request], bool]] = []

    def answer_slowly(self, matches: Callable[[httpx.Request], bool]) -> None:
        """The next request that matches is answered after the read timeout."""
        self._slow.append(matches)

    def clear(self) -> None:
        self.rules.clear()
        self._slow.clear()

    def armed(self) -> int:
        return sum(len(faults) for _, faults in self.rules) + len(self._slow)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        rule = next((m for m in self._slow if m(request)), None)
        if rule is None:
            return await super().handle_async_request(request)
        self._slow.remove(rule)
        self.seen.append(Seen(request.method, request.url.path, request.url.query.decode(), None, {}))
        try:
            async with asyncio.timeout(self.read_timeout):
                response = await self.real.handle_async_request(request)
                await response.aread()
                await asyncio.sleep(2 * self.read_timeout)  # the answer is still on its way
        except TimeoutError:
            raise httpx.ReadTimeout("injected: the answer came after the read timeout", request=request) from None
        raise AssertionError("unreachable: the slow answer always outlasts the timeout")
