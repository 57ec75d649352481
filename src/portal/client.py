"""Async client of the portal API v1 (built in issue 3)."""
