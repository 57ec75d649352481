"""What the portal client raises: a sentence a person can act on, and the kind of refusal.

Kept apart from the client (portal.client re-exports them) so that the board can name these
errors without loading httpx and the wire format's models before its first paint.
"""

from __future__ import annotations

from typing import Any


class PortalError(Exception):
    """The portal refused or could not answer. `message` is a sentence a person can act on."""

    def __init__(
        self,
        message: str,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details = details or {}


class Unauthorized(PortalError): ...


class Forbidden(PortalError): ...


class NotFound(PortalError): ...


class Conflict(PortalError): ...


class ValidationFailed(PortalError): ...


class IdempotencyKeyReused(PortalError): ...


class CursorExpired(PortalError): ...


class RateLimited(PortalError):
    def __init__(self, message: str, *args: Any, retry_after: float | None = None, **kw: Any):
        super().__init__(message, *args, **kw)
        self.retry_after = retry_after


class PortalUnavailable(PortalError):
    """Network error, timeout, or 5xx after the retries ran out."""


class AnswerRefused(PortalError):
    """The answer broke the contract (too large, over a field's limit, not the expected shape):
    nothing of it was used. Not retried: the same request would get the same answer."""


class AnswerTooLarge(AnswerRefused):
    """Past the size cap. A smaller page of the change feed may still fit: the cap is made for
    pages of CHANGES_PAGE_LIMIT changes at their largest."""


class InsecurePortalURL(PortalError):
    """`http://` to a host that is not this machine: the token would cross the network in clear."""


ERRORS_BY_STATUS: dict[int, type[PortalError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: CursorExpired,
    422: ValidationFailed,
}
