"""The portal API v1 over HTTP: the app factory, the routes, the caller's identity and budget.

Request and response models come from `portal.schema`, and every route declares the refusals
it can give, so `/openapi.json` describes exactly what is served. Refusals are shaped in
`error_handlers.py`.
"""

import asyncio
import contextlib
import hashlib
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from portal.schema import (
    API_PREFIX,
    PAGE_LIMIT_MAX,
    Category,
    ChangePage,
    CommentCreate,
    CompanyRef,
    ErrorBody,
    ErrorCode,
    Me,
    Meta,
    Priority,
    RatingPut,
    Status,
    SyncInfo,
    Ticket,
    TicketCreate,
    TicketDetail,
    TicketPage,
    TimelineEvent,
    TokenRequest,
    TokenResponse,
    build_meta,
)
from portal.server import error_handlers, psa, storage
from portal.server.auth import DEFAULT_TOKEN_TTL_SECONDS, Authenticator
from portal.server.errors import ApiError
from portal.server.feed import CHANGES_LIMIT_MAX, Feed
from portal.server.middleware import RATE_LIMIT_HEADERS_KEY, BodyLimit, RateLimitHeaders
from portal.server.office import Offices
from portal.server.ratelimit import DEFAULT_SIGN_IN_RATE_LIMIT, WINDOW_SECONDS, RateLimiter
from portal.server.storage import Storage, TicketFilter, User
from portal.server.throttle import Saturated, SignInQueue, SignInThrottle
from portal.server.tickets import (
    IDEMPOTENCY_KEY_PATTERN,
    Created,
    Tickets,
    check_idempotency_key,
)

log = logging.getLogger("portal.server")

_MAX_ID = 2**63 - 1
SIGN_INS_WAITING_MAX = 32
TENANT_SCOPE = "tenant"
RATE_LIMIT_SCOPES = ("company", TENANT_SCOPE)  # at ~0.1 s a check per worker: a wait of seconds at worst


def _default_sign_in_workers() -> int:
    # Half the cores: a flood of sign-ins leaves the other half to everyone else's requests.
    return max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class Settings:
    db_path: Path
    psa_interval: float = 300.0
    rate_limit: int = 100
    # "company": each client company has its own budget; "tenant": one budget for the whole
    # portal, all its companies together (the vendor's real limit).
    rate_limit_scope: str = "company"
    rate_limit_window: float = WINDOW_SECONDS
    sign_in_rate_limit: int = DEFAULT_SIGN_IN_RATE_LIMIT
    sign_in_workers: int = field(default_factory=_default_sign_in_workers)
    token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS
    psa_seed: int = 1
    run_psa_job: bool = True
    # The demo: colleagues at the client companies raise and answer tickets, and the technicians
    # work at a steady pace, so every status stays populated for hours.
    simulate_office: bool = False
    clock: Callable[[], float] = field(default=time.time)


@dataclass
class Portal:
    """The parts one app instance works with."""

    settings: Settings
    db: Storage
    auth: Authenticator
    limiter: RateLimiter
    sign_in_limiter: RateLimiter
    throttle: SignInThrottle
    sign_ins: SignInQueue
    tickets: Tickets
    feed: Feed
    started_at: float

    @classmethod
    def open(cls, settings: Settings) -> "Portal":
        db = Storage(settings.db_path)
        clock = settings.clock
        return cls(
            settings=settings,
            db=db,
            auth=Authenticator(db, token_ttl_seconds=settings.token_ttl_seconds, clock=clock),
            limiter=RateLimiter(settings.rate_limit, clock=clock, window=settings.rate_limit_window),
            sign_in_limiter=RateLimiter(settings.sign_in_rate_limit, clock=clock),
            throttle=SignInThrottle(clock=clock),
            sign_ins=SignInQueue(workers=settings.sign_in_workers, max_waiting=SIGN_INS_WAITING_MAX),
            tickets=Tickets(db, clock=clock),
            feed=Feed(db),
            started_at=clock(),
        )

    @property
    def interval_seconds(self) -> int:
        return max(1, math.ceil(self.settings.psa_interval))

    def next_psa_sync_at(self) -> datetime:
        last = psa.last_sync_at(self.db)
        start = last or datetime.fromtimestamp(self.started_at, UTC)
        return start + timedelta(seconds=self.settings.psa_interval)


def create_app(settings: Settings) -> FastAPI:
    portal = Portal.open(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        job = asyncio.create_task(_psa_job(portal)) if settings.run_psa_job else None
        try:
            yield
        finally:
            if job is not None:
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job
            portal.sign_ins.close()
            portal.db.close()

    app = FastAPI(
        title="MSP client portal API",
        version="1",
        summary="Tickets of an MSP's clients, mirrored from the PSA every few minutes.",
        lifespan=lifespan,
    )
    app.state.portal = portal
    app.include_router(_routes(portal), prefix=API_PREFIX)
    error_handlers.install(app)
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(BodyLimit)
    return app


async def _psa_job(portal: Portal) -> None:
    """Run a PSA cycle whenever one is due. The due time comes from the database, so a
    `psa-sync-now` from another process moves it too."""
    settings = portal.settings
    pace = psa.STEADY if settings.simulate_office else psa.BRISK
    adapter = psa.SimulatedPsa(settings.psa_seed, pace=pace)
    offices = Offices(portal.db, portal.tickets, seed=settings.psa_seed) if settings.simulate_office else None
    while True:
        due = await anyio.to_thread.run_sync(portal.next_psa_sync_at)
        wait = (due - datetime.now(UTC)).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)
            continue
        try:
            report = await anyio.to_thread.run_sync(psa.run_cycle, portal.db, adapter, settings.clock)
            if offices is not None:
                await anyio.to_thread.run_sync(offices.work, report.cycle)
        except Exception:
            log.exception("PSA sync cycle failed; retrying at the next interval")
            await asyncio.sleep(settings.psa_interval)


# --- routes ---------------------------------------------------------------------------------


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody} for status in statuses}


_AUTHED = (401, 429)
_NOT_MODIFIED = {304: {"description": "Not modified: the copy named in If-None-Match is current."}}
TicketId = Annotated[int, PathParam(ge=1, le=_MAX_ID)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="A fresh key per new request (e.g. a UUID); reuse it only to retry.",
        json_schema_extra={"pattern": IDEMPOTENCY_KEY_PATTERN},
    ),
]


def _known_query_only(request: Request) -> None:
    """Unknown query parameters are refused, like unknown body fields: a misspelt filter
    (`?stauts=open`) must not silently list everything."""
    known = _query_names(request.scope["route"].dependant)
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        details = {name or "(no name)": "unknown query parameter" for name in unknown}
        raise ApiError(
            422,
            ErrorCode.VALIDATION_ERROR,
            f"Some fields need fixing: {', '.join(details)}.",
            details,
        )


def _query_names(dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _routes(portal: Portal) -> APIRouter:
    router = APIRouter(dependencies=[Depends(_known_query_only)])
    bearer = HTTPBearer(auto_error=False)

    def caller(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> User:
        user = portal.auth.user_for(credentials.credentials if credentials else None)
        tenant_wide = portal.settings.rate_limit_scope == TENANT_SCOPE
        decision = portal.limiter.hit(TENANT_SCOPE if tenant_wide else user.company_id)
        setattr(request.state, RATE_LIMIT_HEADERS_KEY, decision.headers())
        if not decision.allowed:
            who = "All companies of this portal have used their" if tenant_wide else "Your company has used its"
            raise ApiError(
                429,
                ErrorCode.RATE_LIMIT_EXCEEDED,
                f"{who} {decision.limit} requests this minute; try again in {decision.retry_after} seconds.",
                headers={"Retry-After": str(decision.retry_after)},
            )
        return user

    Caller = Annotated[User, Depends(caller)]

    @router.post("/auth/token", response_model=TokenResponse, responses=_errors(401, 413, 422, 429))
    async def login(request: Request, body: TokenRequest) -> TokenResponse:
        # The socket's peer: X-Forwarded-For is not trusted (uvicorn's proxy headers are off),
        # or every guess could claim an address of its own.
        address = request.client.host if request.client else "unknown"
        _admit_sign_in(request, portal, address, body.email)
        try:
            issued = await portal.sign_ins.run(portal.auth.login, body.email, body.password)
        except Saturated:
            portal.throttle.withdraw(body.email, address)
            raise _too_many("The portal is busy checking other sign-ins", 1) from None
        portal.throttle.forgive(body.email, address)
        return TokenResponse(token=issued.token, user=_me(issued.user))

    @router.delete("/auth/token", status_code=204, responses=_errors(*_AUTHED))
    def logout(
        _user: Caller,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Response:
        portal.auth.revoke(credentials.credentials)
        return Response(status_code=204)

    @router.get("/me", response_model=Me, responses=_errors(*_AUTHED))
    def me(user: Caller) -> Me:
        return _me(user)

    @router.get("/meta", response_model=Meta)
    def meta() -> Meta:
        with portal.db.read() as db:
            portal_id = storage.portal_id(db)
        return build_meta(portal.interval_seconds, portal_id)

    @router.get("/sync", response_model=SyncInfo, responses=_errors(*_AUTHED))
    def sync(_user: Caller) -> SyncInfo:
        return _sync_info(portal)

    @router.get(
        "/tickets",
        response_model=TicketPage,
        responses={**_NOT_MODIFIED, **_errors(*_AUTHED, 422)},
    )
    def list_tickets(
        request: Request,
        user: Caller,
        status: Status | None = None,
        priority: Priority | None = None,
        category: Category | None = None,
        q: Annotated[str | None, Query(max_length=1000)] = None,
        limit: Annotated[int | None, Query(ge=1, le=PAGE_LIMIT_MAX)] = None,
        cursor: Annotated[str | None, Query(max_length=1000)] = None,
    ) -> Response:
        where = TicketFilter(status=status, priority=priority, category=category, text=q)
        return _etagged(request, user, portal.tickets.page(user, where, cursor, limit))

    @router.post(
        "/tickets",
        status_code=201,
        response_model=Ticket,
        responses=_errors(*_AUTHED, 413, 422),
    )
    def create_ticket(request: Request, user: Caller, body: TicketCreate, key: IdempotencyKey = None) -> Response:
        created = portal.tickets.create(user, body, check_idempotency_key(key), request.url.path)
        return _created(created)

    @router.get(
        "/tickets/{ticket_id}",
        response_model=TicketDetail,
        responses={**_NOT_MODIFIED, **_errors(*_AUTHED, 404, 422)},
    )
    def ticket(request: Request, user: Caller, ticket_id: TicketId) -> Response:
        return _etagged(request, user, portal.tickets.detail(user, ticket_id))

    @router.post(
        "/tickets/{ticket_id}/comments",
        status_code=201,
        response_model=TimelineEvent,
        responses=_errors(*_AUTHED, 404, 413, 422),
    )
    def comment(
        request: Request,
        user: Caller,
        ticket_id: TicketId,
        body: CommentCreate,
        key: IdempotencyKey = None,
    ) -> Response:
        created = portal.tickets.comment(user, ticket_id, body, check_idempotency_key(key), request.url.path)
        return _created(created)

    acting = _errors(*_AUTHED, 403, 404, 409, 422)

    @router.post("/tickets/{ticket_id}/confirm", response_model=TicketDetail, responses=acting)
    def confirm(user: Caller, ticket_id: TicketId) -> TicketDetail:
        return portal.tickets.confirm(user, ticket_id)

    @router.post("/tickets/{ticket_id}/reopen", response_model=TicketDetail, responses=acting)
    def reopen(user: Caller, ticket_id: TicketId) -> TicketDetail:
        return portal.tickets.reopen(user, ticket_id)

    @router.put(
        "/tickets/{ticket_id}/rating",
        response_model=TicketDetail,
        responses=_errors(*_AUTHED, 403, 404, 409, 413, 422),
    )
    def rate(user: Caller, ticket_id: TicketId, body: RatingPut) -> TicketDetail:
        return portal.tickets.rate(user, ticket_id, body)

    @router.get("/changes", response_model=ChangePage, responses=_errors(*_AUTHED, 410, 422))
    def changes(
        user: Caller,
        cursor: Annotated[str | None, Query(max_length=1000)] = None,
        limit: Annotated[int | None, Query(ge=1, le=CHANGES_LIMIT_MAX)] = None,
    ) -> ChangePage:
        page = portal.feed.page(user, cursor, limit)
        return page.model_copy(update={"sync": _sync_info(portal)})

    return router


def _sync_info(portal: Portal) -> SyncInfo:
    return SyncInfo(
        psa_sync_interval_seconds=portal.interval_seconds,
        last_psa_sync_at=psa.last_sync_at(portal.db),
        next_psa_sync_at=portal.next_psa_sync_at(),
        server_time=datetime.now(UTC),
    )


def _admit_sign_in(request: Request, portal: Portal, address: str, email: str) -> None:
    """429 when this address has spent its sign-in budget, or must still wait after failed
    attempts at this email. Neither depends on whether the email has an account."""
    decision = portal.sign_in_limiter.hit(address)
    setattr(request.state, RATE_LIMIT_HEADERS_KEY, decision.headers())
    if not decision.allowed:
        raise _too_many(
            f"Your address has made {decision.limit} sign-in attempts this minute",
            decision.retry_after,
        )
    wait = portal.throttle.admit(email, address)
    if wait:
        raise _too_many("Sign-ins to this email from your address have failed several times", wait)


def _too_many(what: str, retry_after: int) -> ApiError:
    return ApiError(
        429,
        ErrorCode.RATE_LIMIT_EXCEEDED,
        f"{what}; try again in {retry_after} second{'' if retry_after == 1 else 's'}.",
        headers={"Retry-After": str(retry_after)},
    )


def _me(user: User) -> Me:
    return Me(
        id=user.id,
        name=user.name,
        email=user.email,
        company=CompanyRef(id=user.company_id, name=user.company_name),
        access_level=user.access_level,
    )


def _created(created: Created) -> Response:
    return Response(created.body, status_code=created.status_code, media_type="application/json")


def _etagged(request: Request, user: User, model: BaseModel) -> Response:
    """The body with a strong ETag of (user, body); 304 when the caller already has it."""
    body = model.model_dump_json().encode()
    tag = '"' + hashlib.sha256(f"{user.id}:".encode() + body).hexdigest() + '"'
    wanted = request.headers.get("if-none-match", "")
    # If-None-Match compares weakly (RFC 9110 §13.1.2): W/"x" matches "x".
    candidates = {candidate.strip().removeprefix("W/") for candidate in wanted.split(",")}
    if tag in candidates or "*" in candidates:
        return Response(status_code=304, headers={"ETag": tag})
    return Response(body, media_type="application/json", headers={"ETag": tag})
