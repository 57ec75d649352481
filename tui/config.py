"""Profiles: which portal and which account. Precedence: flag > env > config.toml > default.

`$XDG_CONFIG_HOME/msp-tickets/config.toml`:

    default_profile = "work"

    [profiles.work]
    portal = "https://portal.example.com"
    email = "ann@example.com"
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cache.profile import xdg_dir
from portal.client import InsecurePortalURL, api_base_url
from portal.schema import API_PREFIX

DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class Profile:
    name: str
    portal_url: str | None
    email: str | None

    @property
    def complete(self) -> bool:
        return bool(self.portal_url and self.email)


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


def load_profile(name: str | None = None, env: Mapping[str, str] = os.environ) -> Profile:
    config = _read_config(env)
    chosen = name or env.get("MSP_TICKETS_PROFILE") or config.get("default_profile")
    chosen = chosen or DEFAULT_PROFILE
    stored = config.get("profiles", {}).get(chosen, {})
    portal = env.get("MSP_TICKETS_PORTAL") or stored.get("portal")
    return Profile(
        name=chosen,
        portal_url=check_portal_url(portal) if portal else None,
        email=stored.get("email"),
    )


def save_profile(profile: Profile, env: Mapping[str, str] = os.environ) -> None:
    config = _read_config(env)
    profiles = config.setdefault("profiles", {})
    entry = profiles.setdefault(profile.name, {})
    entry.update({k: v for k, v in (("portal", profile.portal_url), ("email", profile.email)) if v})
    config.setdefault("default_profile", profile.name)
    path = config_path(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".toml.tmp")
    temporary.write_text(_to_toml(config), encoding="utf-8")
    temporary.replace(path)


def _to_toml(config: dict) -> str:
    # Only strings and one level of tables live here; JSON string escapes are valid TOML.
    lines = [f"{key} = {json.dumps(value)}" for key, value in config.items() if isinstance(value, str)]
    for name, entry in config.get("profiles", {}).items():
        lines += ["", f"[profiles.{json.dumps(name)}]"]
        lines += [f"{key} = {json.dumps(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"


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
