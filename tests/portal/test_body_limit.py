"""The body limit judges bodies, not headers: a request whose `Content-Length` is empty or not a
number (which a proxy or a fuzzer may pass on) is answered on its merits — 401 unsigned, 200
signed in — and a body streamed past 2 MB under such a header is still refused with 413. Run
in process (ASGI), since a real HTTP server refuses such a header before the app sees it."""

from __future__ import annotations

import httpx
import pytest

from portal.server.error_handlers import MAX_BODY_BYTES
from tests.portal.test_openapi_fuzz import portal_app as app  # noqa: F401  (the fixture: a seeded app)


async def _call(app, method: str, path: str, **kwargs) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test/api/v1") as client:
        return await client.request(method, path, **kwargs)


@pytest.mark.parametrize("length", ["", "x", "-1"])
async def test_a_malformed_length_on_a_get_is_judged_on_the_rest(app, length: str) -> None:
    unsigned = await _call(app, "GET", "/sync", headers={"Content-Length": length})
    assert unsigned.status_code == 401, unsigned.text
    token = app.state.portal.auth.login(email="admin@acme.example", password="demo-password").token
    signed = await _call(app, "GET", "/sync", headers={"Content-Length": length, "Authorization": f"Bearer {token}"})
    assert signed.status_code == 200, signed.text


async def test_a_body_streamed_past_the_limit_under_a_malformed_length_is_refused(app) -> None:
    async def body():
        chunk = b"x" * 65536
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    token = app.state.portal.auth.login(email="admin@acme.example", password="demo-password").token
    headers = {"Content-Length": "x", "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = await _call(app, "POST", "/tickets", headers=headers, content=body())
    assert response.status_code == 413, response.text
    assert response.json()["details"] == {"body": "is too large"}
