"""Async client of the portal API v1: typed results, typed errors, retries that never duplicate.

One `httpx.AsyncClient` per `PortalClient`. The token lives only in the `Authorization` header:
it is never in a repr, a log line or an exception. Requests are retried on transport errors,
timeouts and 429/502/503/504 with capped exponential backoff and full jitter; a POST is retried
only when it carries an idempotency key, so a retry can never create a second ticket.

The client paces itself by the portal's budget (`X-RateLimit-Remaining` and `X-RateLimit-Reset`
on every answer): when little is left it spreads its requests until the reset, and with nothing
left it waits for the reset rather than be refused with 429.

Answers are bounded, so a broken or hostile portal cannot take the memory or the time of the
machine: each exchange must finish within `deadline` seconds (the whole answer, not each chunk
as httpx's read timeout counts), its body may not exceed `max_answer_bytes` (counted while it
streams in, after decompression), and a value over the contract's limits fails the answer's
validation (portal.schema) so it is never stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from portal.address import check_scheme_and_host
from portal.errors import (
    ERRORS_BY_STATUS,
    AnswerRefused,
    AnswerTooLarge,
    IdempotencyKeyReused,
    PortalError,
    PortalUnavailable,
    RateLimited,
    ValidationFailed,
)
from portal.schema import (
    ChangePage,
    CommentCreate,
    ErrorBody,
    Me,
    Meta,
    RatingPut,
    SyncInfo,
    Ticket,
    TicketCreate,
    TicketDetail,
    TicketPage,
    TimelineEvent,
    TokenRequest,
    TokenResponse,
)
from portal.vocabulary import (
    API_PREFIX,
    DESCRIPTION_MAX_LENGTH,
    RATING_COMMENT_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    ErrorCode,
)

log = logging.getLogger("msp_tickets.client")

KEEPALIVE_EXPIRY_SECONDS = 4.0
DEFAULT_TIMEOUT = httpx.Timeout(connect=5, read=15, write=15, pool=5)
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})

# The page of the change feed the size cap is made for: a page of this many changes always fits,
# whatever the changes (the contract allows pages of up to 1,000: see cache.sync).
CHANGES_PAGE_LIMIT = 100
# The largest change the contract allows, in characters: a ticket with a full description,
# subject and rating comment, plus ~2,000 for its names, ids, dates and JSON keys (a comment
# event is smaller: 100,000 + the same overhead).
LARGEST_CHANGE_CHARACTERS = DESCRIPTION_MAX_LENGTH + SUBJECT_MAX_LENGTH + RATING_COMMENT_MAX_LENGTH + 2_000
# The cap: 4 x the largest legitimate page in plain ASCII (100 x 104,500 B = 10.45 MB), i.e.
# 41.8 MB -- which is also that page with every character 4 bytes of UTF-8. A full page is
# already absurd for a real ticket system; an answer past this is broken or hostile.
MAX_ANSWER_BYTES = 4 * CHANGES_PAGE_LIMIT * LARGEST_CHANGE_CHARACTERS
# One exchange, start to last byte: ~40 MB at 1 MB/s fits, a byte a second never does.
REQUEST_DEADLINE_SECONDS = 60.0
# Below this share of the budget left, requests are spread until the reset.
LOW_BUDGET_FRACTION = 0.1
# The portal's clock is trusted for the reset unless the Date header says ours is this far off.
CLOCK_SKEW_TOLERANCE_SECONDS = 2.0

Model = TypeVar("Model", bound=BaseModel)


# --- retry policy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_total: float = 30.0
    retry_after_cap: float = 60.0

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**n)]."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2**retry_number))

    def wait_before_retry(self, retry_number: int, retry_after: float | None, rng: random.Random) -> float:
        wait = self.backoff(retry_number, rng)
        if retry_after is not None:
            # The server said when; never sooner than that.
            wait = max(wait, min(max(retry_after, 0.0), self.retry_after_cap))
        return wait


# Every client's policy unless it is given its own.
DEFAULT_RETRY = RetryPolicy()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds from now: either delay-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


# --- pacing ---------------------------------------------------------------------------------------


@dataclass
class Budget:
    """The portal's rate limit as its last answer told it."""

    limit: int
    remaining: int
    resets_at: float  # time.monotonic()

    @classmethod
    def from_headers(cls, headers: httpx.Headers, now: float, wall_now: float) -> Budget | None:
        try:
            limit = int(headers["X-RateLimit-Limit"])
            remaining = int(headers["X-RateLimit-Remaining"])
            reset = float(headers["X-RateLimit-Reset"])  # epoch seconds, by the portal's clock
        except (KeyError, ValueError):
            return None
        skew = 0.0
        with contextlib.suppress(KeyError, TypeError, ValueError):  # no Date, or unreadable
            skew = wall_now - parsedate_to_datetime(headers["Date"]).timestamp()
        if abs(skew) < CLOCK_SKEW_TOLERANCE_SECONDS:
            skew = 0.0  # the Date header counts whole seconds: within that, our clock is better
        seconds = min(max(reset + skew - wall_now, 0.0), 3600.0)
        return cls(limit, remaining, now + seconds)

    def wait_before_next(self, now: float) -> float:
        """Nothing while plenty is left; the rest spread until the reset; the reset at zero."""
        until_reset = self.resets_at - now
        if until_reset <= 0 or self.remaining >= max(1, self.limit * LOW_BUDGET_FRACTION):
            return 0.0
        if self.remaining <= 0:
            return until_reset
        return until_reset / (self.remaining + 1)


# --- URL safety -----------------------------------------------------------------------------------


def api_base_url(portal_url: str) -> httpx.URL:
    """The API base for a portal URL; refuses `http://` except to loopback."""
    url = httpx.URL(portal_url)
    check_scheme_and_host(url.scheme, url.host)
    path = url.path.rstrip("/")
    if not path.endswith(API_PREFIX):
        path += API_PREFIX
    return url.copy_with(path=path + "/", query=None, fragment=None)


# --- the client -----------------------------------------------------------------------------------


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The certificate checks of every client in this process (httpx's own: the CA bundle, or
    SSL_CERT_FILE / SSL_CERT_DIR as the process started). Made once: loading the CA bundle
    takes tens of milliseconds, which each new client would otherwise spend again."""
    return httpx.create_ssl_context()


class PortalClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        deadline: float = REQUEST_DEADLINE_SECONDS,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        pace: bool = True,
    ) -> None:
        self._base = api_base_url(base_url)
        self.pace = pace  # off only for a benchmark's baseline
        self.budget: Budget | None = None
        self.retry = retry or DEFAULT_RETRY
        self.deadline = deadline
        self.max_answer_bytes = max_answer_bytes
        self._rng = random.Random()
        self._http = httpx.AsyncClient(
            base_url=self._base,
            transport=transport,
            timeout=timeout or DEFAULT_TIMEOUT,
            # Drop idle connections before a server's usual 5 s keep-alive does, so a request
            # never goes out on a connection the server is closing at that moment.
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS),
            headers={"Accept": "application/json", "User-Agent": "msp-tickets"},
            follow_redirects=False,
            verify=tls_context(),
        )
        if token:
            self.token = token

    # The token is write-mostly: it lives in the header only.
    @property
    def has_token(self) -> bool:
        return "Authorization" in self._http.headers

    @property
    def token(self) -> str | None:
        header = self._http.headers.get("Authorization")
        return header.removeprefix("Bearer ") if header else None

    @token.setter
    def token(self, value: str | None) -> None:
        if value:
            self._http.headers["Authorization"] = f"Bearer {value}"
        else:
            self._http.headers.pop("Authorization", None)

    def __repr__(self) -> str:
        state = "with token" if self.has_token else "no token"
        return f"PortalClient({str(self._base)!r}, {state})"

    async def __aenter__(self) -> PortalClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- API ------------------------------------------------------------------------------------

    async def login(self, email: str, password: str) -> TokenResponse:
        body = _request_body(TokenRequest, email=email, password=password)
        # Not retried: each failed sign-in makes the portal slow the next, so one per keypress.
        result = await self._call("POST", "auth/token", TokenResponse, json=body)
        self.token = result.token
        return result

    async def logout(self) -> None:
        await self._send("DELETE", "auth/token", retryable=True)
        self.token = None

    async def me(self) -> Me:
        return await self._call("GET", "me", Me)

    async def meta(self) -> Meta:
        return await self._call("GET", "meta", Meta)

    async def sync_info(self) -> SyncInfo:
        return await self._call("GET", "sync", SyncInfo)

    async def list_tickets(
        self,
        *,
        status: str | None = None,
        priority: str | None = None,
        category: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> TicketPage:
        params = _params(status=status, priority=priority, category=category, q=q, limit=limit, cursor=cursor)
        return await self._call("GET", "tickets", TicketPage, params=params)

    async def ticket(self, ticket_id: int) -> TicketDetail:
        return await self._call("GET", f"tickets/{int(ticket_id)}", TicketDetail)

    async def create_ticket(self, draft: TicketCreate, idempotency_key: str) -> Ticket:
        return await self._call(
            "POST",
            "tickets",
            Ticket,
            json=draft.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    async def add_comment(self, ticket_id: int, body: str, idempotency_key: str) -> TimelineEvent:
        return await self._call(
            "POST",
            f"tickets/{int(ticket_id)}/comments",
            TimelineEvent,
            json=_request_body(CommentCreate, body=body),
            idempotency_key=idempotency_key,
        )

    async def confirm(self, ticket_id: int) -> TicketDetail:
        # A state transition: repeating it cannot do it twice (a repeat gets 409).
        return await self._call("POST", f"tickets/{int(ticket_id)}/confirm", TicketDetail, retryable=True)

    async def reopen(self, ticket_id: int) -> TicketDetail:
        return await self._call("POST", f"tickets/{int(ticket_id)}/reopen", TicketDetail, retryable=True)

    async def rate(self, ticket_id: int, score: int, rating_comment: str | None) -> TicketDetail:
        body = _request_body(RatingPut, score=score, rating_comment=rating_comment)
        return await self._call("PUT", f"tickets/{int(ticket_id)}/rating", TicketDetail, json=body, retryable=True)

    async def changes(self, cursor: str | None = None, limit: int | None = None) -> ChangePage:
        return await self._call("GET", "changes", ChangePage, params=_params(cursor=cursor, limit=limit))

    # --- transport ------------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        model: type[Model],
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
        retryable: bool | None = None,
    ) -> Model:
        response = await self._send(
            method,
            path,
            params=params,
            json=json,
            idempotency_key=idempotency_key,
            retryable=retryable,
        )
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            raise _contract_breach(method, path, error, response.status_code) from None

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
        retryable: bool | None = None,
    ) -> Answer:
        if retryable is None:
            retryable = method in {"GET", "HEAD", "DELETE"} or idempotency_key is not None
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            await self._wait_for_budget()
            try:
                response = await self._exchange(method, path, params=params, json=json, headers=headers)
            except httpx.RequestError as error:  # transport trouble, or a body that won't decode
                failure: PortalError = _transport_failure(error, self._base.host)
                retry_after = None
            else:
                _log_response(method, path, response, started)
                self.budget = Budget.from_headers(response.headers, time.monotonic(), time.time()) or self.budget
                if response.status_code < 400:
                    return response
                failure = _error_from_response(response)
                if response.status_code not in RETRYABLE_STATUSES:
                    raise failure
                retry_after = getattr(failure, "retry_after", None)
            wait = self.retry.wait_before_retry(attempt - 1, retry_after, self._rng)
            elapsed = time.monotonic() - started
            if not retryable or attempt >= self.retry.max_attempts or elapsed + wait > self.retry.max_total:
                raise failure
            log.debug("%s /%s retry %d in %.2f s", method, path, attempt, wait)
            await asyncio.sleep(wait)

    async def _wait_for_budget(self) -> None:
        budget = self.budget
        if not self.pace or budget is None:
            return
        wait = min(budget.wait_before_next(time.monotonic()), self.retry.retry_after_cap)
        # Counted now, so requests sent at once by this client spread among themselves too.
        budget.remaining -= 1
        if wait > 0:
            log.debug("rate limit: %d left, waiting %.2f s", budget.remaining + 1, wait)
            await asyncio.sleep(wait)

    async def _exchange(self, method: str, path: str, **request: Any) -> Answer:
        """One request and its whole answer, within the deadline and the size cap."""
        try:
            async with asyncio.timeout(self.deadline):
                async with self._http.stream(method, path, **request) as response:
                    return Answer(response.status_code, response.headers, await self._body(response, method, path))
        except TimeoutError:
            raise PortalUnavailable(
                f"The portal at {self._base.host} did not finish answering {method} /{path} within "
                f"{self.deadline:g} s; nothing of it was used. Check your connection, or try again later."
            ) from None

    async def _body(self, response: httpx.Response, method: str, path: str) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_answer_bytes:
            raise self._too_large(method, path)
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():  # decoded: a compressed bomb counts in full
            size += len(chunk)
            if size > self.max_answer_bytes:
                raise self._too_large(method, path)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, method: str, path: str) -> AnswerTooLarge:
        limit = self.max_answer_bytes / 1_000_000
        return AnswerTooLarge(
            f"The portal's answer to {method} /{path} was larger than {limit:,.1f} MB, far more than "
            "any page of tickets can be; it was refused and nothing of it was stored. The portal "
            "may be broken: tell your MSP if this goes on."
        )


@dataclass(frozen=True)
class Answer:
    """A whole answer, read within the bounds."""

    status_code: int
    headers: httpx.Headers
    content: bytes


def _contract_breach(method: str, path: str, error: ValidationError, status: int) -> AnswerRefused:
    """The first thing wrong with an answer, in words (a value is never echoed: it may be huge
    or hostile)."""
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "the answer"
    limit = (problem.get("ctx") or {}).get("max_length")
    if problem["type"] == "string_too_long" and limit is not None:
        what = f"{where} is longer than the contract's limit of {limit:,} characters"
    else:
        what = f"{where} is not what the contract says ({problem['msg']})"
    return AnswerRefused(
        f"The portal's answer to {method} /{path} broke the contract: {what}. Nothing of it was "
        "stored; check that the portal address is right and the portal up to date.",
        status=status,
    )


def _request_body(model: type[BaseModel], **fields: Any) -> dict[str, Any]:
    """The request as JSON, or ValidationFailed naming the field, before anything is sent."""
    try:
        return model(**fields).model_dump(mode="json")
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "request"
        reason = first["msg"].removeprefix("Value error, ")
        raise ValidationFailed(
            f"The {field} {reason[0].lower() + reason[1:]}.",
            ErrorCode.VALIDATION_ERROR.value,
            None,
            {field: reason},
        ) from None


def _params(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _log_response(method: str, path: str, response: Answer, started: float) -> None:
    # Method, path, status and time only: never headers, query or bodies.
    log.debug(
        "%s /%s -> %d in %.0f ms",
        method,
        path,
        response.status_code,
        (time.monotonic() - started) * 1000,
    )


def _transport_failure(error: httpx.RequestError, host: str) -> PortalUnavailable:
    # Only the exception's type: its text could echo the request, and the request has the token.
    if isinstance(error, httpx.TimeoutException):
        what = "did not answer in time"
    else:
        what = "could not be reached"
    return PortalUnavailable(
        f"The portal at {host} {what} ({type(error).__name__}); check your network connection, or try again later.",
        status=None,
    )


def _error_from_response(response: Answer) -> PortalError:
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    try:
        body = ErrorBody.model_validate_json(response.content)
        message, code, details = _shortened(body.error), body.code.value, body.details
    except ValidationError:
        message, code, details = _generic_sentence(status), None, {}
    if status == 429:
        return RateLimited(message, code, status, details, retry_after=retry_after)
    if status >= 500:
        return PortalUnavailable(message, code, status, details)
    if code == ErrorCode.IDEMPOTENCY_KEY_REUSED:
        return IdempotencyKeyReused(message, code, status, details)
    return ERRORS_BY_STATUS.get(status, PortalError)(message, code, status, details)


# A sentence, not a document: a portal's error text is shown in a status line and on stderr.
ERROR_SENTENCE_MAX_CHARACTERS = 1_000


def _shortened(sentence: str) -> str:
    if len(sentence) <= ERROR_SENTENCE_MAX_CHARACTERS:
        return sentence
    return sentence[: ERROR_SENTENCE_MAX_CHARACTERS - 1] + "…"


def _generic_sentence(status: int) -> str:
    if status == 429:
        return "The portal is busy (HTTP 429); wait a moment and try again."
    if status >= 500:
        return f"The portal had a problem (HTTP {status}); try again in a few minutes."
    return f"The portal refused the request (HTTP {status}); check the input and try again."
