"""What every screen shares: the app's services they need, and the messages they send up."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, NamedTuple, Protocol, TypeVar

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker

from cache.mirror import Mirror
from cache.outbox import Held
from cache.views import View
from portal.sqlite import is_busy

T = TypeVar("T")

# A UI call waits this long for another process's lock, then lets the loop say "busy" and
# tries again: the user sees why nothing happens instead of a frozen screen.
LOCK_WAIT_MS = 200
RETRY_AFTER_SECONDS = 0.25
REBUILDS_PER_CALL = 2


class MirrorDamaged(Exception):
    """The cache file was deleted, replaced, truncated or overwritten, or SQLite cannot read it."""


def _damage(error: sqlite3.Error) -> bool:
    if isinstance(error, sqlite3.OperationalError):
        # A new connection to a deleted or emptied file finds no tables at all.
        return "no such table" in str(error)
    return isinstance(error, sqlite3.DatabaseError)


class LocalFiles:
    """The one path by which the screens and the app read and write the mirror and the outbox.

    Each call runs on a thread (one for reads, one for writes, so writes keep their order),
    never on the event loop. A busy file (another process holding the write lock) is tried
    again until it is free, with `busy` naming what waits; a damaged or vanished mirror is
    rebuilt once for everyone and the call made again on the new file. Anything else goes to
    the app's one error path (`report`), which shows it as a notice: it never ends the app."""

    def __init__(
        self,
        mirror: Mirror,
        *,
        report: Callable[[str, BaseException], None],
        busy_changed: Callable[[], None] = lambda: None,
        rebuilt: Callable[[], None] = lambda: None,
    ) -> None:
        self.mirror = mirror
        self._report = report
        self._busy_changed = busy_changed
        self._rebuilt = rebuilt
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-files-read")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-files-write")
        self._aside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-files-aside")
        self._waiting: list[str] = []
        self._rebuilding: asyncio.Task[None] | None = None
        self._write_turn = asyncio.Lock()
        self._asked: dict[tuple[int, str], int] = {}  # calls made per (node, group), for `latest`

    @property
    def busy(self) -> str | None:
        """What is waiting for a busy file, if anything is."""
        return self._waiting[-1] if self._waiting else None

    async def call(self, job: Callable[..., T], *args: Any, what: str, write: bool = False, aside: bool = False) -> T:
        """`job(*args)` on a thread; its result, or its exception (never a busy one). `aside`:
        a long read (a check of the whole file) on a thread of its own, so that the screens'
        reads are not queued behind it."""
        if aside:
            return await self._call(job, args, what, self._aside)
        if write:
            # Writes keep the order they were asked in, retries of a busy file included.
            async with self._write_turn:
                return await self._call(job, args, what, self._writer)
        return await self._call(job, args, what, self._reader)

    async def _call(self, job: Callable[..., T], args: tuple[Any, ...], what: str, executor: ThreadPoolExecutor) -> T:
        loop = asyncio.get_running_loop()
        rebuilds = 0
        waiting = False
        try:
            while True:
                try:
                    return await loop.run_in_executor(executor, self._attempt, job, args)
                except sqlite3.OperationalError as error:
                    if not is_busy(error):
                        raise
                    if not waiting:
                        waiting = True
                        self._waiting.append(what)
                        self._busy_changed()
                    await asyncio.sleep(RETRY_AFTER_SECONDS)
                except MirrorDamaged:
                    rebuilds += 1
                    if rebuilds > REBUILDS_PER_CALL:
                        raise
                    await self.rebuild()
        finally:
            if waiting:
                self._waiting.remove(what)
                self._busy_changed()

    def _attempt(self, job: Callable[..., T], args: tuple[Any, ...]) -> T:
        if not self.mirror.file_intact():
            raise MirrorDamaged("the local mirror file was deleted, replaced or cut short")
        try:
            with self.mirror.waiting_at_most(LOCK_WAIT_MS):
                return job(*args)
        except sqlite3.Error as error:
            if _damage(error):
                raise MirrorDamaged(f"the local mirror cannot be read ({error})") from error
            raise

    async def rebuild(self) -> None:
        """Move the damaged mirror aside and make a new one; callers at the same moment share
        one rebuild. The outbox is not touched (if it is the file in trouble, this fails)."""
        if self._rebuilding is None or self._rebuilding.done():
            self._rebuilding = asyncio.ensure_future(self._rebuild())
        await asyncio.shield(self._rebuilding)

    async def _rebuild(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer, self.mirror.rebuild)
        self._rebuilt()

    def run(
        self,
        node: DOMNode,
        job: Callable[..., T],
        *args: Any,
        then: Callable[[T], object] | None = None,
        what: str,
        write: bool = False,
        group: str = "local-files",
        latest: bool = False,
    ) -> Worker[None]:
        """`call` in a worker of `node` (cancelled with it), then `then(result)` on the UI.
        With `latest`, only the newest call of this node's `group` gets its result shown (an
        older one that finishes later is dropped). A failure is reported, named by `what`."""
        key = (id(node), group)
        self._asked[key] = ticket = self._asked.get(key, 0) + 1

        async def work() -> None:
            result = await self.call(job, *args, what=what, write=write)
            if then is not None and not (latest and self._asked.get(key) != ticket):
                then(result)

        return self.spawn(node, work, what=what, group=group)

    def spawn(
        self, node: DOMNode, work: Callable[[], Awaitable[None]], *, what: str, group: str, exclusive: bool = False
    ) -> Worker[None]:
        """`work` in a worker of `node`; its failure goes to the app's error path, named by `what`."""

        async def reported() -> None:
            try:
                await work()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._report(what, error)

        return node.run_worker(reported, name=what, group=group, exclusive=exclusive, exit_on_error=False)

    def close(self) -> None:
        self._writer.shutdown(wait=True)  # what the user wrote and is already on its way is kept
        # A read under way (a count of 100,000 rows, the quick check) ends now, and its thread
        # has left the files before they are closed.
        self.mirror.interrupt()
        for reads in (self._reader, self._aside):
            reads.shutdown(wait=True, cancel_futures=True)


class ViewShelf(Protocol):
    """Where the saved views are kept (the config file: tui/config.py `ConfigViews`). Both read
    or write a file: never on the event loop."""

    def load(self) -> dict[str, View]: ...
    def save(self, name: str, view: View) -> None: ...


class Services(NamedTuple):
    """Handed to each screen by the app: what the screens read and write (the app, not the
    screens, talks to the portal)."""

    files: LocalFiles
    undo_window: timedelta  # how long a confirm or a reopen waits in the outbox for `u`
    views: ViewShelf | None = None  # None: no config file to keep views in (a test's app)

    @property
    def mirror(self) -> Mirror:
        """For building calls to `files`; never to be called on the event loop."""
        return self.files.mirror


class SyncRequested(Message):
    """A screen wants a sync now: after `r`, or to push what the user just wrote."""


class HeldWrite(Message):
    """A write waits in the outbox until `held.until`, for the user to take back (`u`); `said`
    names it ("Confirmed #12"). The app sends it once the hold ends."""

    def __init__(self, held: Held, said: str) -> None:
        self.held = held
        self.said = said
        super().__init__()


class MirrorChanged(Message):
    """The app tells the screens on the stack that the mirror has new data."""


class ActivityRead(Message):
    """Lines of the activity were marked read: the counts in the status line and title change."""
