"""A hostile portal on loopback, for fault injection only: it speaks the API's shapes, but every
string it sends — each field, each error sentence — carries terminal control sequences, and it
can be told to answer too much, too slowly, or past the contract's limits.

The sequences are the ones that do harm when printed raw: OSC 52 (writes the clipboard: here
`rm -rf ~`), OSC 0 (sets the window title), OSC 8 (a hidden link), CSI (clears the screen) and a
C1 CSI (`\\x9b`, the same in one byte). The reference portal (tests/support/portal.py) is the
honest one; this is a small `http.server`, so it needs none of the server's packages.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from portal.schema import API_PREFIX

CLIPBOARD_PAYLOAD = "cm0gLXJmIH4="  # base64 of "rm -rf ~"
TITLE_PAYLOAD = "pwned-title"
EVIL = (
    f"\x1b]52;c;{CLIPBOARD_PAYLOAD}\x07"
    f"\x1b]0;{TITLE_PAYLOAD}\x07"
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
    "\x1b[2J\x1b[H"
    "\x9b31m"
)
TOKEN = "hostile-token-0123456789"
EMAIL = f"evil{EVIL}@hostile.example"
NOW = "2026-01-01T10:00:00Z"


def evil(label: str) -> str:
    """A field's value: a readable label with every hostile sequence inside it."""
    return f"{label} {EVIL} {label}"


@dataclass
class Behaviour:
    """What the portal does to each request; tests change it between runs."""

    status: int | None = None  # answer every API request with this error status
    changes_bytes: int | None = None  # /changes streams this many bytes (None: a proper page)
    drip_seconds: float | None = None  # /changes sends one byte every this many seconds, forever
    description_length: int | None = None  # the ticket's description, this long (a-s)
    error_length: int | None = None  # error sentences padded to this length
    requests: list[str] = field(default_factory=list)


def me() -> dict[str, Any]:
    return {
        "id": 7,
        "name": evil("Eve"),
        "email": EMAIL,
        "company": {"id": 3, "name": evil("Evil Corp")},
        "access_level": "company_admin",
    }


def ticket(description: str | None = None) -> dict[str, Any]:
    return {
        "id": 1,
        "subject": evil("Subject"),
        "category": "general",
        "priority": "high",
        "description": description if description is not None else evil("Description"),
        "status": "resolved",
        "created_at": NOW,
        "updated_at": NOW,
        "submitted_by": {"id": 7, "name": evil("Submitter")},
        "company_id": 3,
        "assignee": evil("Assignee"),
        "psa_ticket_id": evil("PSA-1"),
        "rating": 2,
        "rating_comment": evil("Rating comment"),
        "client_ref": evil("ref"),
    }


def events() -> list[dict[str, Any]]:
    common = {"ticket_id": 1, "author_role": "msp", "author_name": evil("Tech"), "created_at": NOW}
    empty = {"body": None, "from_status": None, "to_status": None, "assignee": None, "score": None}
    return [
        {**common, **empty, "id": 1, "kind": "comment", "body": evil("Comment")},
        {**common, **empty, "id": 2, "kind": "status_change", "from_status": "open", "to_status": "resolved"},
        {**common, **empty, "id": 3, "kind": "assignment", "assignee": evil("Assignee")},
    ]


def meta() -> dict[str, Any]:
    def choices(values: list[str]) -> list[dict[str, str]]:
        return [{"value": value, "label": evil(value), "meaning": evil("meaning")} for value in values]

    return {
        "categories": choices(["general", "hardware", "software", "network", "email", "security", "other"]),
        "priorities": choices(["low", "medium", "high", "critical"]),
        "statuses": choices(["open", "in_progress", "waiting_on_client", "waiting_on_vendor", "resolved", "closed"]),
        "limits": {
            "subject_max_length": 500,
            "description_max_length": 100_000,
            "comment_max_length": 100_000,
            "rating_comment_max_length": 2_000,
            "page_limit_max": 500,
        },
        "psa_sync_interval_seconds": 300,
        "portal_id": evil("portal"),
    }


def error_body(status: int) -> dict[str, Any]:
    code = {401: "UNAUTHORIZED", 404: "NOT_FOUND", 422: "VALIDATION_ERROR"}.get(status, "INTERNAL_ERROR")
    return {"error": evil(f"Error {status}"), "code": code, "details": {"body": evil("detail")}}


class HostilePortal:
    def __init__(self) -> None:
        self.behaviour = Behaviour()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> HostilePortal:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, path: str) -> tuple[int, Any]:
        """The status and JSON of a normal (if hostile) answer."""
        description = None
        if self.behaviour.description_length:
            description = "a" * self.behaviour.description_length
        if (method, path) == ("POST", "/auth/token"):
            return 200, {"token": TOKEN, "user": me()}
        if (method, path) == ("DELETE", "/auth/token"):
            return 204, None
        if (method, path) == ("GET", "/me"):
            return 200, me()
        if (method, path) == ("GET", "/meta"):
            return 200, meta()
        if (method, path) == ("GET", "/sync"):
            return 200, {
                "psa_sync_interval_seconds": 300,
                "last_psa_sync_at": NOW,
                "next_psa_sync_at": "2026-01-01T10:05:00Z",
                "server_time": NOW,
            }
        if (method, path) == ("GET", "/changes"):
            changes = [{"seq": 1, "kind": "ticket", "ticket_id": 1, "ticket": ticket(description), "event": None}]
            changes += [
                {"seq": 2 + i, "kind": "event", "ticket_id": 1, "ticket": None, "event": event}
                for i, event in enumerate(events())
            ]
            return 200, {"changes": changes, "next_cursor": "c-1", "has_more": False}
        if method == "GET" and path == "/tickets/1":
            return 200, {**ticket(description), "timeline": events()}
        if method == "POST" and path.endswith("/comments"):
            return 422, error_body(422)
        return 404, error_body(404)


def _handler_for(portal: HostilePortal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = urlsplit(self.path).path.removeprefix(API_PREFIX)
            behaviour = portal.behaviour
            behaviour.requests.append(f"{method} {path}")
            if behaviour.status and path != "/auth/token":
                body = error_body(behaviour.status)
                if behaviour.error_length:
                    body["error"] = body["error"].ljust(behaviour.error_length, "!")
                return self._json(behaviour.status, body)
            if path == "/changes" and behaviour.changes_bytes is not None:
                return self._stream_junk(behaviour.changes_bytes)
            if path == "/changes" and behaviour.drip_seconds is not None:
                return self._drip(behaviour.drip_seconds)
            self._json(*portal.answer(method, path))

        def _json(self, status: int, document: Any) -> None:
            body = b"" if document is None else json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _stream_junk(self, size: int) -> None:
            # Chunked, no Content-Length: only counting the bytes as they come can stop it.
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b'{"changes": [' + b" " * (1024 * 1024 - 14)
            sent = 0
            try:
                while sent < size:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client hung up, as it should

        def _drip(self, every: float) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(every)
            except OSError:
                pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

    return Handler
