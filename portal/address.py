"""Where the client may send a token: https anywhere, plain http only to this machine.

The rule takes a scheme and a host, so that each side checks the address as it parses it: the
config file with the standard library when a profile is read (before the board's first paint,
without httpx), the client with httpx's own parse before each connection is made.
"""

from __future__ import annotations

import ipaddress

from portal.errors import InsecurePortalURL


def is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_scheme_and_host(scheme: str, host: str | None) -> None:
    """InsecurePortalURL unless the address is https, or http to loopback."""
    if scheme not in {"http", "https"} or not host:
        # Not echoed: a URL can carry a password (user:secret@host).
        raise InsecurePortalURL("The portal address must start with https:// (for example https://portal.example.com).")
    if scheme == "http" and not is_loopback(host):
        raise InsecurePortalURL(
            f"Refusing plain http:// to {host}: the token would travel unencrypted. "
            "Use https:// (plain http is allowed only to localhost)."
        )
