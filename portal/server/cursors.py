"""Opaque cursors: urlsafe base64 of a small JSON object. Clients must not look inside."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from portal.server.errors import cursor_expired, invalid

_MALFORMED = "is not a cursor this portal issued; start without one"


def encode(fields: dict[str, Any]) -> str:
    raw = json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, types: dict[str, type], *, issuer: tuple[str, str] | None = None) -> dict[str, Any]:
    """The cursor's fields, each of the given type, or 422 naming `cursor`.

    With `issuer` (field name, this portal's identity), a cursor that names another portal, or
    none (one from before cursors carried it), has expired (410): it was not issued here."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        fields = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise invalid("cursor", _MALFORMED) from None
    if not isinstance(fields, dict):
        raise invalid("cursor", _MALFORMED)
    if issuer is not None and fields.get(issuer[0]) != issuer[1]:
        raise cursor_expired("was issued by another portal, or before this portal had an identity")
    if set(fields) != set(types):
        raise invalid("cursor", _MALFORMED)
    for name, kind in types.items():
        value = fields[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise invalid("cursor", _MALFORMED)
        if isinstance(value, int) and not 0 <= value < 2**63:  # SQLite's integer range
            raise invalid("cursor", _MALFORMED)
    return fields
