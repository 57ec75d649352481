"""The API's refusals: each carries the status, the code and a sentence a person can act on."""

from __future__ import annotations

from typing import Any

from portal.schema import ErrorBody, ErrorCode


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: ErrorCode,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}

    def body(self) -> ErrorBody:
        return ErrorBody(error=self.message, code=self.code, details=self.details)


def not_found(ticket_id: int) -> ApiError:
    # The same answer for "does not exist" and "not yours": never confirm existence.
    return ApiError(404, ErrorCode.NOT_FOUND, f"No ticket {ticket_id} is visible to you.")


def unauthorized(message: str) -> ApiError:
    return ApiError(401, ErrorCode.UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


def forbidden(message: str) -> ApiError:
    return ApiError(403, ErrorCode.FORBIDDEN, message)


def conflict(message: str, **details: Any) -> ApiError:
    return ApiError(409, ErrorCode.CONFLICT, message, details)


def invalid(field: str, problem: str) -> ApiError:
    return ApiError(
        422,
        ErrorCode.VALIDATION_ERROR,
        f"Some fields need fixing: {field}.",
        {field: problem},
    )


def idempotency_key_reused() -> ApiError:
    return ApiError(
        422,
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        "This Idempotency-Key was already used for a different request; send a new key for a new request.",
        {"Idempotency-Key": "already used for a different request"},
    )


def cursor_expired(reason: str = "expired") -> ApiError:
    return ApiError(
        410,
        ErrorCode.CURSOR_EXPIRED,
        "Your sync position is no longer valid; start again from the beginning.",
        {"cursor": reason},
    )
