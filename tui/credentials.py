"""Where the portal token lives: MSP_TICKETS_TOKEN, else the OS keyring, else — only when the
user asked for it — a 0600 file in a 0700 folder. The token is never logged or printed."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from cache.private_files import write_private_text
from tui.config import Profile
from tui.paths import xdg_dir

KEYRING_SERVICE = "msp-tickets"
TOKEN_ENV = "MSP_TICKETS_TOKEN"


class CredentialError(Exception):
    """A token can't be stored or read safely; the message says what to do."""


class NoSecureStorage(CredentialError):
    pass


class TokenStore:
    def __init__(self, env: Mapping[str, str] = os.environ):
        self._env = env
        self.folder = xdg_dir("data", env) / "credentials"

    def get(self, profile: Profile) -> str | None:
        if self._env.get(TOKEN_ENV):
            return self._env[TOKEN_ENV]
        if self._keyring_available():
            keyring = _keyring()
            try:
                token = keyring.get_password(KEYRING_SERVICE, _account(profile))
            except keyring.errors.KeyringError:
                token = None
            if token:
                return token
        return self._read_file(profile)

    def set(self, profile: Profile, token: str, *, insecure_storage: bool = False) -> str:
        """Store the token; returns where, in words."""
        if self._keyring_available():
            keyring = _keyring()
            try:
                keyring.set_password(KEYRING_SERVICE, _account(profile), token)
                return "the system keyring"
            except keyring.errors.KeyringError:
                pass
        if not insecure_storage:
            raise NoSecureStorage(self.no_keyring_message())
        self._write_file(profile, token)
        return str(self._file(profile))

    def delete(self, profile: Profile) -> None:
        if self._keyring_available():
            keyring = _keyring()
            try:
                keyring.delete_password(KEYRING_SERVICE, _account(profile))
            except keyring.errors.KeyringError:
                pass
        self._file(profile).unlink(missing_ok=True)

    def no_keyring_message(self) -> str:
        return (
            "No system keyring is available here (usual in an SSH session), so the token was not "
            f"stored. Either set {TOKEN_ENV} in the environment, or log in again with "
            f"--insecure-storage to keep it in a file only you can read ({self.folder}, mode 0600)."
        )

    @staticmethod
    def _keyring_available() -> bool:
        from keyring.backends import fail

        return not isinstance(_keyring().get_keyring(), fail.Keyring)

    def _file(self, profile: Profile) -> Path:
        return self.folder / f"{_account_digest(profile)}.token"

    def _read_file(self, profile: Profile) -> str | None:
        path = self._file(profile)
        if not path.exists():
            return None
        for thing, allowed in ((self.folder, 0o700), (path, 0o600)):
            mode = stat.S_IMODE(thing.stat().st_mode)
            if mode & ~allowed:
                raise CredentialError(
                    f"{thing} can be read by others (mode {mode:o}); refusing to use the token in "
                    f"it. Run `chmod {allowed:o} {thing}` if you trust it, or log in again."
                )
        return path.read_text(encoding="utf-8").strip() or None

    def _write_file(self, profile: Profile, token: str) -> None:
        write_private_text(self._file(profile), token)


def _keyring():
    """The keyring library, loaded when a token is looked for there: a token from the
    environment never needs it, and loading it (and finding the backend) is a launch's cost."""
    import keyring
    import keyring.errors

    return keyring


def _account(profile: Profile) -> str:
    return f"{profile.name}|{profile.portal_url}|{profile.email}"


def _account_digest(profile: Profile) -> str:
    return hashlib.sha256(_account(profile).encode()).hexdigest()[:16]
