"""The sync engine: pull the portal's change feed into the mirror, push the outbox to the portal.

`sync_now` never raises for portal or network trouble: it records it (sync_status) and tells
its listeners. One process syncs a profile at a time (a file lock); another one that asks
waits briefly, then skips. Cadence follows the portal's PSA sync, once per cycle, never faster
than 30 s, backing off while offline.

The portal's budget is 100 requests a minute for the whole tenant (every board of every client
company): a periodic sync that finds nothing new is one request, `GET /changes` with the cursor
(its answer carries what `/sync` says). `/meta` (the portal's identity) and `/me` (whose token
this is) are asked on the first sync of a session, after a token change or a refused one, and
when the portal expires the cursor: every cursor names the portal and the user's access, so
another portal at this address, a restore from a backup or an access change all answer 410. And the
boards of a tenant spread their syncs over the PSA cycle: each syncs at its own phase of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from filelock import FileLock, Timeout

from cache.mirror import AppliedPage, Mirror, StalePage
from cache.model import NewsKind, SyncResult, TicketChange
from cache.outbox import HELD_WRITE_MARGIN, OutboxItem
from cache.private_files import FILE_MODE, private_folder
from portal.client import CHANGES_PAGE_LIMIT, PortalClient
from portal.errors import (
    AnswerTooLarge,
    Conflict,
    CursorExpired,
    PortalError,
    PortalUnavailable,
    RateLimited,
    Unauthorized,
)
from portal.schema import ChangePage, Me, SyncInfo, Ticket, TicketCreate, TicketDetail, TimelineEvent
from portal.sqlite import utc_text
from portal.vocabulary import AuthorRole, Status

log = logging.getLogger("msp_tickets.sync")

REBUILT_OTHER_PORTAL = (
    "The portal at this address is not the one this mirror was made from, so the mirror was "
    "rebuilt from it; queued writes to its tickets were checked first."
)
REBUILT_CURSOR_EXPIRED = (
    "The portal asked for a full resync (it may have been restored from a backup, or your "
    "access changed), so the mirror was rebuilt from it; queued writes were checked first."
)

# Pages of the change feed as large as the portal gives (1,000): a first sync of 100,000 tickets
# and their 540,000 events is then 640 requests, not 6,400 (over an hour of a tenant's budget of
# 100 a minute). Real tickets are a few KB, so such a page is a few MB; a page of huge ones is
# past the client's size cap, and is asked again in pages of CHANGES_PAGE_LIMIT, which always fit.
CHANGES_PAGE_SIZE = 1000
MIN_INTERVAL = 30.0
DEFAULT_INTERVAL = 300.0
MAX_OFFLINE_BACKOFF = 300.0
FAILURES_BEFORE_OFFLINE = 3
LOCK_WAIT_SECONDS = 5.0
JITTER_SECONDS = (2.0, 10.0)
# A board's phase in the PSA cycle is the fractional part of its user id times this (Fibonacci
# hashing): a tenant's users have neighbouring ids, and their phases then fall almost evenly
# over the cycle, however many there are. Random phases clump: 400 boards over 300 s average 80
# syncs a minute but some minute of a cycle often holds over 100, the tenant's whole budget.
GOLDEN_FRACTION = 0.6180339887498949


@dataclass(frozen=True)
class Cadence:
    """When to sync. `spread` false is the old way: every board just after the PSA cycle."""

    min_interval: float = MIN_INTERVAL
    default_interval: float = DEFAULT_INTERVAL
    max_offline_backoff: float = MAX_OFFLINE_BACKOFF
    jitter: tuple[float, float] = JITTER_SECONDS
    spread: bool = True

    def scaled(self, factor: float) -> Cadence:
        """Every duration divided by `factor` (a benchmark runs a day's cycles faster)."""
        return Cadence(
            self.min_interval / factor,
            self.default_interval / factor,
            self.max_offline_backoff / factor,
            (self.jitter[0] / factor, self.jitter[1] / factor),
            self.spread,
        )


# --- what listeners hear --------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncStarted:
    pass


@dataclass(frozen=True)
class SyncFinished:
    result: SyncResult


@dataclass(frozen=True)
class SyncFailed:
    message: str


@dataclass(frozen=True)
class WentOffline:
    since: datetime


SyncEvent = SyncStarted | SyncFinished | SyncFailed | WentOffline


class _Notes:
    """What others did, gathered while pulling (not during a first, full sync)."""

    def __init__(self, me: Me) -> None:
        self.me = me
        self.changes: list[TicketChange] = []
        self.pulled = 0

    def add(self, applied: AppliedPage, subject_of: Callable[[int], str]) -> None:
        for ticket in applied.new_tickets:
            if ticket.submitted_by.id != self.me.id:
                self.changes.append(
                    TicketChange(
                        ticket.id,
                        ticket.subject,
                        NewsKind.NEW_TICKET,
                        AuthorRole.CLIENT,
                        ticket.submitted_by.name,
                        ticket.created_at,
                        author_id=ticket.submitted_by.id,
                    )
                )
        for event in applied.new_events:
            if self._by_others(event):
                self.changes.append(_change(event, subject_of(event.ticket_id)))

    def _by_others(self, event: TimelineEvent) -> bool:
        """By user id: a colleague may have the user's name. Only a portal that sends no id
        leaves the name to go by."""
        if event.author_role is AuthorRole.MSP:
            return True
        if event.author_id is not None:
            return event.author_id != self.me.id
        return event.author_name != self.me.name


def _change(event: TimelineEvent, subject: str) -> TicketChange:
    return TicketChange(
        ticket_id=event.ticket_id,
        subject=subject,
        kind=NewsKind(event.kind.value),
        author_role=event.author_role,
        author_name=event.author_name,
        author_id=event.author_id,
        at=event.created_at,
        event_id=event.id,
        from_status=event.from_status,
        to_status=event.to_status,
        assignee=event.assignee,
        body=event.body,
        score=event.score,
    )


class _NextPage:
    """A page of the change feed asked for ahead, and the cursor it was asked with."""

    def __init__(self) -> None:
        self._task: asyncio.Task[ChangePage] | None = None
        self._cursor: str | None = None

    def ask(self, request: Awaitable[ChangePage], cursor: str) -> None:
        self.drop()
        self._task, self._cursor = asyncio.ensure_future(request), cursor

    async def take(self, cursor: str | None) -> ChangePage | None:
        """The page asked ahead, if it was asked with this cursor (else None: ask now)."""
        task, asked_with = self._task, self._cursor
        self._task = self._cursor = None
        if task is None:
            return None
        if asked_with != cursor:
            _forget(task)
            return None
        return await task

    def drop(self) -> None:
        if self._task is not None:
            _forget(self._task)
        self._task = self._cursor = None


def _forget(task: asyncio.Future) -> None:
    task.cancel()
    # Its failure, if it had one, is nobody's business now: retrieve it so none is logged.
    task.add_done_callback(lambda done: done.cancelled() or done.exception())


class SyncEngine:
    def __init__(
        self,
        mirror: Mirror,
        client: PortalClient,
        *,
        clock: Callable[[], float] = time.time,
        lock_wait: float = LOCK_WAIT_SECONDS,
        page_size: int = CHANGES_PAGE_SIZE,
        safe_page_size: int = CHANGES_PAGE_LIMIT,
        expected_email: str | None = None,
        cadence: Cadence = Cadence(),
    ) -> None:
        self.mirror = mirror
        self.client = client
        self.expected_email = expected_email  # whose mirror and outbox these files are
        self.clock = clock
        self.lock_wait = lock_wait
        self.page_size = page_size
        self.safe_page_size = safe_page_size  # a page this size always fits the client's cap
        self._listeners: list[Callable[[SyncEvent], None]] = []
        self.cadence = cadence
        self._jitter = random.uniform(*cadence.jitter)
        self._me: Me | None = None
        self._checked_token: str | None = None  # a digest of the token /me was checked for
        self._psa_interval: float | None = None
        # The file lock keeps other processes out; it is reentrant, so it cannot keep out a
        # second sync in this one: the asyncio lock does (made on first use, on the loop).
        self._lock = FileLock(str(mirror.paths.lock_file), mode=FILE_MODE)
        self._in_flight: asyncio.Lock | None = None

    def subscribe(self, listener: Callable[[SyncEvent], None]) -> None:
        self._listeners.append(listener)

    def _emit(self, event: SyncEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a listener's bug must not stop the sync
                log.exception("sync listener failed")

    # --- one sync -------------------------------------------------------------------------------

    async def sync_now(self) -> SyncResult:
        if self._in_flight is None:
            self._in_flight = asyncio.Lock()
        if self._in_flight.locked():
            # This engine is syncing already (a timer and a keypress): that sync answers both.
            async with self._in_flight:
                return SyncResult(skipped=True)
        async with self._in_flight:
            return await self._sync_once()

    async def _sync_once(self) -> SyncResult:
        self._emit(SyncStarted())
        if not await self._acquire_lock():
            result = SyncResult(skipped=True)
            self._emit(SyncFinished(result))
            return result
        try:
            result = await self._sync_locked()
        except PortalError as error:
            return await self._record_failure(error)
        except Exception as error:  # a bug or a broken answer must not end the app: it's a failed sync
            log.exception("sync failed unexpectedly")
            return await self._record_failure(
                PortalError(f"The sync failed unexpectedly ({type(error).__name__}); it will be tried again.")
            )
        finally:
            self._lock.release()
        await asyncio.to_thread(self._record_success)
        self._emit(SyncFinished(result))
        return result

    async def _acquire_lock(self) -> bool:
        private_folder(self.mirror.paths.lock_file.parent)
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                self._lock.acquire(timeout=0)
                return True
            except Timeout:
                if time.monotonic() >= deadline:
                    return False
                await asyncio.sleep(0.1)

    async def _sync_locked(self) -> SyncResult:
        self._rebuilt = None
        # A mirror made anew (rebuilt after damage, say) has lost who and where it is from.
        checked = self._checked_token == self._token_digest() and await asyncio.to_thread(self.mirror.me) is not None
        if not checked:
            await self._check_session()
        assert self._me is not None
        notes = _Notes(self._me)
        info = await self._pull(notes, checked_already=not checked)
        pushed, attention = await self._push()
        if pushed:
            info = await self._pull(notes, checked_already=True) or info
        await self._follow_psa_cycle(info or await self.client.sync_info())
        await asyncio.to_thread(self.mirror.record_activity, notes.changes)
        return SyncResult(
            pulled=notes.pulled,
            pushed=pushed,
            changes=tuple(notes.changes),
            needs_attention=tuple(attention),
            rebuilt=self._rebuilt,
        )

    async def _check_session(self) -> None:
        """Which portal this is (a mirror from another is rebuilt) and whose token we hold."""
        self._checked_token = None
        meta = await self.client.meta()
        if meta.portal_id and await asyncio.to_thread(self.mirror.adopt_portal, meta.portal_id):
            log.info("another portal at this address: mirror rebuilt")
            self._rebuilt = REBUILT_OTHER_PORTAL
        me = await self.client.me()
        await asyncio.to_thread(self._check_owner, me)
        await asyncio.to_thread(self.mirror.store_me, me)
        self._me = me
        self._checked_token = self._token_digest()

    def _token_digest(self) -> str:
        # A digest, not the token: nothing but the client's header holds the token itself.
        return hashlib.sha256((self.client.token or "").encode()).hexdigest()

    async def _follow_psa_cycle(self, info: SyncInfo) -> None:
        await asyncio.to_thread(self.mirror.update_sync_state, next_psa_sync_at=utc_text(info.next_psa_sync_at))
        # The portal's clock says how long until its next PSA sync; ours only counts it down.
        self._next_psa_local = self.clock() + (info.next_psa_sync_at - info.server_time).total_seconds()
        self._psa_interval = float(info.psa_sync_interval_seconds)

    def _check_owner(self, me: Me) -> None:
        """The token must be the login these files belong to: otherwise one user's queued
        writes would be sent as another's, and one user's tickets shown to another."""
        stored = self.mirror.me()
        owner = self.expected_email or (stored.email if stored else None)
        if (owner and me.email.lower() != owner.lower()) or (stored and stored.id != me.id):
            raise Unauthorized(
                f"The token is {me.email}'s, but this profile is {owner or 'someone else'}'s: "
                "nothing was synced. Log in again as that user, or use another profile."
            )

    def _subject_of(self, ticket_id: int) -> str:
        view = self.mirror.ticket(ticket_id)
        return view.row.subject if view else f"#{ticket_id}"

    # --- pull -----------------------------------------------------------------------------------

    async def _pull(self, notes: _Notes, *, checked_already: bool) -> SyncInfo | None:
        """Pull until the feed has no more; what the last page said about the PSA cycle."""
        restarted = False
        page_size = self.page_size
        ahead = _NextPage()
        try:
            while True:
                cursor = await asyncio.to_thread(self.mirror.cursor)
                notify = await asyncio.to_thread(self.mirror.full_sync_complete)
                try:
                    page: ChangePage = await ahead.take(cursor) or await self.client.changes(cursor, limit=page_size)
                except AnswerTooLarge:
                    if page_size <= self.safe_page_size:
                        raise
                    log.info("a page of %d changes was too large: asking for %d", page_size, self.safe_page_size)
                    page_size = self.safe_page_size
                    continue
                except CursorExpired:
                    if not checked_already:
                        # Another portal at this address, or our access changed: /meta and /me
                        # tell which, and adopting another portal's identity rebuilds the mirror.
                        checked_already = True
                        await self._check_session()
                        notes.me = self._me
                        if self._rebuilt:
                            continue
                    if restarted:
                        raise
                    restarted = True
                    log.info("change cursor expired: full resync")
                    await asyncio.to_thread(self.mirror.wipe)
                    self._rebuilt = self._rebuilt or REBUILT_CURSOR_EXPIRED
                    continue
                if page.has_more:
                    # The next page is asked for while this one is written: the portal's work
                    # and the mirror's overlap (a first sync of 100,000 tickets is 640 pages).
                    ahead.ask(self.client.changes(page.next_cursor, limit=page_size), page.next_cursor)
                try:
                    applied = await asyncio.to_thread(
                        self.mirror.apply_changes, page.changes, page.next_cursor, page.has_more, asked_with=cursor
                    )
                except StalePage:
                    log.info("the mirror was rebuilt during the pull: starting from its cursor")
                    ahead.drop()
                    continue
                notes.pulled += len(page.changes)
                if notify:
                    await asyncio.to_thread(notes.add, applied, self._subject_of)
                if not page.has_more:
                    return page.sync
        finally:
            ahead.drop()

    # --- push -----------------------------------------------------------------------------------

    async def _push(self) -> tuple[int, list[str]]:
        """Send the outbox in order; returns how many were acknowledged and new refusals."""
        pushed, attention = 0, []
        for item in await asyncio.to_thread(self.mirror.outbox.due_items):
            ticket_id = None
            if item.kind != "ticket":
                ticket_id = await asyncio.to_thread(self.mirror.outbox.resolve, item.ticket_ref)
                if ticket_id < 0:
                    refusal = await asyncio.to_thread(self.mirror.outbox.refusal_of, -ticket_id)
                    if refusal is not None:
                        message = f"Not sent, because the portal refused its ticket: {refusal}"
                        await asyncio.to_thread(self.mirror.outbox.mark_needs_attention, item.id, message)
                        attention.append(message)
                    continue  # otherwise it waits for its ticket's portal id
                # The mirror was just pulled: if the ticket with this id is gone, or is not the
                # one the user wrote to (a restored or different portal), never send it there.
                wrong = await asyncio.to_thread(self.mirror.outbox.not_the_ticket_written_to, item, ticket_id)
                if wrong is not None:
                    await asyncio.to_thread(self.mirror.outbox.set_aside, item.id, wrong)
                    attention.append(wrong)
                    continue
            try:
                await self._send(item, ticket_id)
                pushed += 1
            except RateLimited:
                break  # the rest would be refused too: next sync
            except Conflict as error:
                # In flight elsewhere (retry later), or a confirm/reopen whose lost response
                # the portal already acted on.
                if await self._conflict_settled(item, ticket_id, error):
                    pushed += 1
            except (PortalUnavailable, Unauthorized):
                raise  # the portal is away or we are not let in: the whole sync failed
            except PortalError as error:
                await asyncio.to_thread(self.mirror.outbox.mark_needs_attention, item.id, error.message)
                attention.append(error.message)
        return pushed, attention

    async def _send(self, item: OutboxItem, ticket_id: int | None) -> None:
        key, payload = item.idempotency_key, item.payload
        if item.kind == "ticket":
            created: Ticket = await self.client.create_ticket(TicketCreate(**payload), key)
            await asyncio.to_thread(self.mirror.outbox.acknowledge, item.id, ticket=created)
            return
        assert ticket_id is not None
        if item.kind == "comment":
            event = await self.client.add_comment(ticket_id, payload["body"], key)
            await asyncio.to_thread(self.mirror.outbox.acknowledge, item.id, events=[event])
            return
        if item.kind == "confirm":
            detail = await self.client.confirm(ticket_id)
        elif item.kind == "reopen":
            detail = await self.client.reopen(ticket_id)
        else:
            detail = await self.client.rate(ticket_id, payload["score"], payload.get("rating_comment"))
        await self._acknowledge_detail(item, detail)

    async def _acknowledge_detail(self, item: OutboxItem, detail: TicketDetail) -> None:
        ticket = Ticket.model_validate(detail.model_dump(exclude={"timeline"}))
        await asyncio.to_thread(self.mirror.outbox.acknowledge, item.id, ticket=ticket, events=detail.timeline)

    async def _conflict_settled(self, item: OutboxItem, ticket_id: int | None, error: Conflict) -> bool:
        """True when a 409 means the item is done; a refused transition needs attention."""
        if item.kind not in {"confirm", "reopen"}:
            return False  # the same key is still in flight: try again next sync
        try:
            detail = await self.client.ticket(ticket_id)
        except (PortalUnavailable, Unauthorized):
            raise
        except PortalError as lookup:  # e.g. the ticket left our view: this item can't settle
            await asyncio.to_thread(self.mirror.outbox.mark_needs_attention, item.id, lookup.message)
            return False
        target = Status.CLOSED if item.kind == "confirm" else Status.OPEN
        if detail.status is target:
            await self._acknowledge_detail(item, detail)
            return True
        # The ticket is no longer resolved: retrying could never succeed.
        await asyncio.to_thread(self.mirror.outbox.mark_needs_attention, item.id, error.message)
        return False

    # --- bookkeeping ------------------------------------------------------------------------------

    def _record_success(self) -> None:
        self.mirror.update_sync_state(
            last_synced_at=self._now_text(),
            consecutive_failures=0,
            offline_since=None,
            last_error=None,
            next_sync_at=self._now_text(self.seconds_until_next_sync(failures=0)),
        )

    async def _record_failure(self, error: PortalError) -> SyncResult:
        state = await asyncio.to_thread(self.mirror.sync_state)
        refused = isinstance(error, Unauthorized)
        # A refused token is not the portal being away: it never makes us "offline".
        failures = state["consecutive_failures"] + (0 if refused else 1)
        went_offline = failures >= FAILURES_BEFORE_OFFLINE and state["offline_since"] is None
        offline_since = self._now_text() if went_offline else state["offline_since"]
        await asyncio.to_thread(
            self.mirror.update_sync_state,
            consecutive_failures=failures,
            offline_since=offline_since,
            last_error=error.message,
            next_sync_at=self._now_text(self.seconds_until_next_sync(failures=failures)),
        )
        if refused:
            self._checked_token = None  # whoever signs in next is checked before anything else
        log.info("sync failed (%d in a row): %s", failures, error.code or type(error).__name__)
        self._emit(SyncFailed(error.message))
        if went_offline:
            self._emit(WentOffline(datetime.fromisoformat(offline_since)))
        return SyncResult(error=error.message, auth_failed=refused)

    def _now_text(self, plus: float = 0.0) -> str:
        return utc_text(datetime.fromtimestamp(self.clock() + plus, UTC))

    # --- cadence --------------------------------------------------------------------------------

    _next_psa_local: float | None = None
    _rebuilt: str | None = None  # why this sync rebuilt the mirror, in words

    def seconds_until_next_sync(self, failures: int | None = None) -> float:
        """The cadence's delay, or less when a write held back for its undo may go sooner: it
        goes when its hold ends (an app restarted during the hold too), not a cycle later."""
        delay = self._cadence_delay(failures)
        held_until = self.mirror.outbox.next_due()
        if held_until is None:
            return delay
        return min(delay, max(0.0, (held_until - datetime.now(UTC)).total_seconds()) + HELD_WRITE_MARGIN)

    def _cadence_delay(self, failures: int | None) -> float:
        cadence = self.cadence
        if failures is None:
            failures = self.mirror.sync_state()["consecutive_failures"]
        if failures:
            # A failure is retried soon; once offline, less and less often, up to 5 minutes.
            backoff = cadence.min_interval * 2 ** max(0, failures - FAILURES_BEFORE_OFFLINE)
            return min(cadence.max_offline_backoff, backoff) + self._jitter
        if self._next_psa_local is None:
            return cadence.default_interval + self._jitter
        delay = self._next_psa_local - self.clock() + self._offset_in_cycle()
        # Once per PSA cycle at most; and a portal that names a far-off cycle is still asked
        # within twice the usual cycle.
        return min(max(delay, cadence.min_interval), 2 * cadence.default_interval + cadence.jitter[1])

    def _offset_in_cycle(self) -> float:
        """How long after the PSA cycle this board syncs: its own phase of the cycle, so a
        tenant's boards take turns with its budget instead of all asking at once."""
        cadence = self.cadence
        if not cadence.spread or self._me is None or not self._psa_interval:
            return self._jitter
        phase = (self._me.id * GOLDEN_FRACTION) % 1.0
        return cadence.jitter[0] + phase * self._psa_interval
