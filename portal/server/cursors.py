"""Opaque cursors: urlsafe base64 of a small JSON object. Clients must not look inside."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from portal.server.errors import invalid

_MALFORMED = "is not a cursor this portal issued; start without one"


def encode(fields: dict[str, Any]) -> str:
    raw = json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, types: dict[str, type]) -> dict[str, Any]:
    """The cursor's fields, each of the given type, or 422 naming `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        fields = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise invalid("cursor", _MALFORMED) from None
    if not isinstance(fields, dict) or set(fields) != set(types):
        raise invalid("cursor", _MALFORMED)
    for name, kind in types.items():
        value = fields[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise invalid("cursor", _MALFORMED)
        if isinstance(value, int) and not 0 <= value < 2**63:  # SQLite's integer range
            raise invalid("cursor", _MALFORMED)
    return fields
