"""The portal API v1 over HTTP: routes, the caller's identity and budget, and error bodies.

Every refusal has the `ErrorBody` shape, including FastAPI's own validation errors and
Starlette's 404/405. Request and response models come from `portal.schema`, so
`/openapi.json` describes exactly what is served.
"""

import asyncio
import contextlib
import hashlib
import logging
import math
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Header, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from portal.schema import (
    API_PREFIX,
    PAGE_LIMIT_MAX,
    Category,
    CommentCreate,
    ChangePage,
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
    CompanyRef,
    build_meta,
)
from portal.server import psa
from portal.server.auth import DEFAULT_TOKEN_TTL_SECONDS, Authenticator
from portal.server.errors import ApiError
from portal.server.feed import CHANGES_LIMIT_MAX, Feed
from portal.server.ratelimit import RateLimiter
from portal.server.storage import Storage, TicketFilter, User
from portal.server.tickets import (
    IDEMPOTENCY_KEY_PATTERN,
    Created,
    Tickets,
    check_idempotency_key,
)

log = logging.getLogger("portal.server")

MAX_BODY_BYTES = 2 * 1024 * 1024
_MAX_ID = 2**63 - 1
_RATE_HEADERS_KEY = "rate_limit_headers"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    psa_interval: float = 300.0
    rate_limit: int = 100
    token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS
    psa_seed: int = 1
    run_psa_job: bool = True
    clock: Callable[[], float] = field(default=time.time)


@dataclass
class Portal:
    """The parts one app instance works with."""

    settings: Settings
    db: Storage
    auth: Authenticator
    limiter: RateLimiter
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
            limiter=RateLimiter(settings.rate_limit, clock=clock),
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
            portal.db.close()

    app = FastAPI(
        title="MSP client portal API",
        version="1",
        summary="Tickets of an MSP's clients, mirrored from the PSA every few minutes.",
        lifespan=lifespan,
    )
    app.state.portal = portal
    app.include_router(_routes(portal), prefix=API_PREFIX)
    _install_error_handlers(app)
    app.add_middleware(_RateLimitHeaders)
    app.add_middleware(_BodyLimit)
    return app


async def _psa_job(portal: Portal) -> None:
    """Run a PSA cycle whenever one is due. The due time comes from the database, so a
    `psa-sync-now` from another process moves it too."""
    adapter = psa.SimulatedPsa(portal.settings.psa_seed)
    while True:
        due = await anyio.to_thread.run_sync(portal.next_psa_sync_at)
        wait = (due - datetime.now(UTC)).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)
            continue
        try:
            await anyio.to_thread.run_sync(psa.run_cycle, portal.db, adapter, portal.settings.clock)
        except Exception:
            log.exception("PSA sync cycle failed; retrying at the next interval")
            await asyncio.sleep(portal.settings.psa_interval)


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
        decision = portal.limiter.hit(user.company_id)
        request.state.rate_limit_headers = decision.headers()
        if not decision.allowed:
            raise ApiError(
                429,
                ErrorCode.RATE_LIMIT_EXCEEDED,
                f"Your company has used its {decision.limit} requests this minute; "
                f"try again in {decision.retry_after} seconds.",
                headers={"Retry-After": str(decision.retry_after)},
            )
        return user

    Caller = Annotated[User, Depends(caller)]

    @router.post("/auth/token", response_model=TokenResponse, responses=_errors(401, 413, 422))
    def login(body: TokenRequest) -> TokenResponse:
        issued = portal.auth.login(body.email, body.password)
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
        return build_meta(portal.interval_seconds)

    @router.get("/sync", response_model=SyncInfo, responses=_errors(*_AUTHED))
    def sync(_user: Caller) -> SyncInfo:
        return SyncInfo(
            psa_sync_interval_seconds=portal.interval_seconds,
            last_psa_sync_at=psa.last_sync_at(portal.db),
            next_psa_sync_at=portal.next_psa_sync_at(),
            server_time=datetime.now(UTC),
        )

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
    def create_ticket(
        request: Request, user: Caller, body: TicketCreate, key: IdempotencyKey = None
    ) -> Response:
        created = portal.tickets.create(
            user, body, check_idempotency_key(key), request.url.path
        )
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
        created = portal.tickets.comment(
            user, ticket_id, body, check_idempotency_key(key), request.url.path
        )
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
        return portal.feed.page(user, cursor, limit)

    return router


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


# --- errors ---------------------------------------------------------------------------------


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, error: ApiError) -> JSONResponse:
        return _error_response(error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        details: dict[str, str] = {}
        for problem in error.errors():
            details.setdefault(_field_name(problem), _problem_text(problem))
        return _error_response(
            ApiError(
                422,
                ErrorCode.VALIDATION_ERROR,
                f"Some fields need fixing: {', '.join(details)}.",
                details,
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return _error_response(_from_http_exception(request, error))

    @app.exception_handler(sqlite3.OperationalError)
    async def busy(_request: Request, error: sqlite3.OperationalError) -> JSONResponse:
        # Typically "database is locked" past busy_timeout: a long PSA cycle or a bulk load.
        log.warning("database busy: %s", error)
        return _error_response(
            ApiError(
                503,
                ErrorCode.INTERNAL_ERROR,
                "The portal is busy; try again in a few seconds.",
                headers={"Retry-After": "5"},
            )
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.error("unhandled %s", type(error).__name__, exc_info=error)
        return _error_response(
            ApiError(
                500,
                ErrorCode.INTERNAL_ERROR,
                "The portal failed to handle this request; try again, and tell your MSP if "
                "it keeps happening.",
            )
        )


def _error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(
        error.body().model_dump(mode="json"), status_code=error.status, headers=error.headers
    )


def _from_http_exception(request: Request, error: StarletteHTTPException) -> ApiError:
    headers = dict(error.headers or {})
    if error.status_code == 404:
        return ApiError(
            404, ErrorCode.NOT_FOUND, f"There is no {request.url.path}; see /openapi.json.",
            headers=headers,
        )
    if error.status_code == 405:
        allowed = _allowed_methods(request)
        return ApiError(
            405,
            ErrorCode.METHOD_NOT_ALLOWED,
            f"{request.method} is not allowed on {request.url.path}; use {allowed}.",
            headers={"Allow": allowed},
        )
    if error.status_code == 413:
        return _too_large()
    return ApiError(
        422,
        ErrorCode.VALIDATION_ERROR,
        f"The request could not be read ({error.detail}); send a JSON object.",
        {"body": str(error.detail)},
        headers,
    )


def _allowed_methods(request: Request) -> str:
    """Every method some route serves on this path (Starlette names only the first route's)."""
    probe = {**request.scope, "method": "\x00"}
    methods: set[str] = set()
    for route in request.app.router.routes:
        if route.matches(probe)[0] is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def _too_large() -> ApiError:
    return ApiError(
        413,
        ErrorCode.VALIDATION_ERROR,
        f"The request body is over {MAX_BODY_BYTES // (1024 * 1024)} MB; send less.",
        {"body": "is too large"},
    )


def _field_name(problem: dict[str, Any]) -> str:
    loc = problem.get("loc") or ()
    last = loc[-1] if loc else "body"
    if problem.get("type") == "json_invalid" or not isinstance(last, str):
        return "body"
    return last


def _problem_text(problem: dict[str, Any]) -> str:
    kind = problem.get("type", "")
    context = problem.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "is required"
    if kind == "json_invalid":
        return f"is not valid JSON ({context.get('error', 'cannot be parsed')}); send a JSON object"
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return "must be a JSON object"
    if kind == "enum":
        return f"must be one of {context.get('expected')}"
    message = str(problem.get("msg", "is not valid"))
    message = message.removeprefix("Value error, ")
    return message.replace("Input should", "should", 1)


class _RateLimitHeaders:
    """Adds the caller's X-RateLimit-* headers (left in the request state by `caller`) to
    whatever response goes out, errors included."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            extra = scope.get("state", {}).get(_RATE_HEADERS_KEY)
            if message["type"] == "http.response.start" and extra:
                encoded = [(k.lower().encode(), v.encode()) for k, v in extra.items()]
                message = {**message, "headers": [*message.get("headers", []), *encoded]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyLimit:
    """Refuses request bodies over MAX_BODY_BYTES, declared or streamed, with an ErrorBody."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
            await _error_response(_too_large())(scope, receive, send)
            return
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                # Raised inside FastAPI's body reading, which hands HTTPExceptions on as they are.
                raise StarletteHTTPException(413)
            return message

        await self.app(scope, receive if declared != b"0" else counting_receive, send)
