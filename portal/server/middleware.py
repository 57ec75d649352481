"""ASGI middleware of the portal: the request-body limit and the X-RateLimit-* headers."""

from starlette.exceptions import HTTPException as StarletteHTTPException

from portal.server.error_handlers import MAX_BODY_BYTES, error_response, too_large

# Where the `caller` dependency leaves the headers for this response, in the request state.
RATE_LIMIT_HEADERS_KEY = "rate_limit_headers"


class RateLimitHeaders:
    """Adds the caller's X-RateLimit-* headers (left in the request state by `caller`) to
    whatever response goes out, errors included."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            extra = scope.get("state", {}).get(RATE_LIMIT_HEADERS_KEY)
            if message["type"] == "http.response.start" and extra:
                encoded = [(k.lower().encode(), v.encode()) for k, v in extra.items()]
                message = {**message, "headers": [*message.get("headers", []), *encoded]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over MAX_BODY_BYTES, declared or streamed, with an ErrorBody."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await error_response(too_large())(scope, receive, send)
            return
        # No length, or one that is not a number (an empty `Content-Length:`): the body is
        # counted as it arrives, and the request is judged on the rest (a 413 here would answer
        # a GET without a body, signed in or not, with "too large").
        trusted = declared.isdigit() and declared != b"0"
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                # Raised inside FastAPI's body reading, which hands HTTPExceptions on as they are.
                raise StarletteHTTPException(413)
            return message

        await self.app(scope, receive if trusted else counting_receive, send)
