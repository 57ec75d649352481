"""Every refusal in the `ErrorBody` shape: the portal's own `ApiError`s, FastAPI's validation
errors (one message per field, named by the last element of pydantic's `loc`), Starlette's
404/405/413, a busy database and anything unexpected (never a bare 500 page)."""

import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from portal.schema import ErrorCode
from portal.server.errors import ApiError

log = logging.getLogger("portal.server")

MAX_BODY_BYTES = 2 * 1024 * 1024


def install(app: FastAPI) -> None:
    """Every refusal in the ErrorBody shape, whoever raised it."""

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        details: dict[str, str] = {}
        for problem in error.errors():
            details.setdefault(_field_name(problem), _problem_text(problem))
        return error_response(
            ApiError(
                422,
                ErrorCode.VALIDATION_ERROR,
                f"Some fields need fixing: {', '.join(details)}.",
                details,
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return error_response(_from_http_exception(request, error))

    @app.exception_handler(sqlite3.OperationalError)
    async def busy(_request: Request, error: sqlite3.OperationalError) -> JSONResponse:
        # Typically "database is locked" past busy_timeout: a long PSA cycle or a bulk load.
        log.warning("database busy: %s", error)
        return error_response(
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
        return error_response(
            ApiError(
                500,
                ErrorCode.INTERNAL_ERROR,
                "The portal failed to handle this request; try again, and tell your MSP if it keeps happening.",
            )
        )


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body().model_dump(mode="json"), status_code=error.status, headers=error.headers)


def _from_http_exception(request: Request, error: StarletteHTTPException) -> ApiError:
    headers = dict(error.headers or {})
    if error.status_code == 404:
        return ApiError(
            404,
            ErrorCode.NOT_FOUND,
            f"There is no {request.url.path}; see /openapi.json.",
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
        return too_large()
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


def too_large() -> ApiError:
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
