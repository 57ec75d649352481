"""Profiles: which portal and which account. Precedence: flag > env > config.toml > default.

`$XDG_CONFIG_HOME/msp-tickets/config.toml`:

    default_profile = "work"

    [profiles.work]
    portal = "https://portal.example.com"
    email = "ann@example.com"
    notify = "auto"   # off | bell | osc9 | osc777 | auto: see tui/notify.py

A profile needs only its portal (`MSP_TICKETS_PORTAL` will do) and a token; who the user is
comes from the portal. `email` is what `login` used: a token of someone else is then refused.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import tomli_w

from cache.private_files import write_private_text
from cache.profile import xdg_dir
from portal.client import InsecurePortalURL, api_base_url
from portal.schema import API_PREFIX
from tui.notify import NotifyMode

DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class Profile:
    name: str
    portal_url: str | None
    email: str | None
    notify: NotifyMode = NotifyMode.AUTO  # how a change reaches a terminal not in front (tui/notify.py)

    @property
    def complete(self) -> bool:
        """Enough to open a session with a token: the portal says who the token is."""
        return bool(self.portal_url)


class ConfigError(ValueError):
    """The config file or a setting is unusable; the message says how to fix it."""


def config_path(env: Mapping[str, str] = os.environ) -> Path:
    return xdg_dir("config", env) / "config.toml"


def _read_config(env: Mapping[str, str]) -> dict:
    path = config_path(env)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path} is not valid TOML ({error}); fix or remove it.") from None
    except OSError as error:
        raise ConfigError(f"{path} cannot be read ({error.strerror}); fix or remove it.") from None


def load_profile(name: str | None = None, env: Mapping[str, str] = os.environ) -> Profile:
    config = _read_config(env)
    chosen = name or env.get("MSP_TICKETS_PROFILE") or config.get("default_profile")
    chosen = check_profile_name(chosen or DEFAULT_PROFILE)
    stored = config.get("profiles", {}).get(chosen, {})
    portal = env.get("MSP_TICKETS_PORTAL") or stored.get("portal")
    return Profile(
        name=chosen,
        portal_url=check_portal_url(portal) if portal else None,
        email=stored.get("email"),
        notify=check_notify(stored.get("notify", NotifyMode.AUTO.value), chosen),
    )


def check_notify(value: object, profile: str) -> NotifyMode:
    try:
        return NotifyMode(value)
    except ValueError:
        choices = " | ".join(mode.value for mode in NotifyMode)
        raise ConfigError(f"notify = {value!r} in [profiles.{profile}] is not one of {choices}; fix or remove it.") from None


def save_profile(profile: Profile, env: Mapping[str, str] = os.environ) -> None:
    """Write the profile into config.toml (0600), keeping every other setting as it was."""
    config = _read_config(env)
    profiles = config.setdefault("profiles", {})
    entry = profiles.setdefault(check_profile_name(profile.name), {})
    entry.update({k: v for k, v in (("portal", profile.portal_url), ("email", profile.email)) if v})
    config.setdefault("default_profile", profile.name)
    write_private_text(config_path(env), tomli_w.dumps(config))


def check_profile_name(name: str) -> str:
    """The name, if a config file can hold it (TOML is UTF-8: any text but half a surrogate
    pair, which a mis-decoded command line makes); else ConfigError saying so."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(
            "The profile name is not valid text (it holds bytes that are not UTF-8); "
            "choose a name typed in a UTF-8 terminal."
        ) from None
    if not name.strip():
        raise ConfigError("The profile name is empty; give a name such as work.")
    return name


def check_portal_url(url: str) -> str:
    """The portal's base URL, normalised, without any user:password part; plain http is
    allowed only to this machine (the client's own rule). ValueError says what is wrong."""
    try:
        api_base_url(url.strip())
    except InsecurePortalURL as error:
        raise ConfigError(error.message) from None
    parts = urlsplit(url.strip())
    if parts.username or parts.password:
        raise ConfigError(
            "The portal address must not carry a user name or password; give only "
            "https://host, and log in with --email."
        )
    path = parts.path.rstrip("/").removesuffix(API_PREFIX)
    return f"{parts.scheme}://{parts.netloc}{path}"
