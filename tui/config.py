"""Profiles: which portal and which account. Precedence: flag > env > config.toml > default.

`$XDG_CONFIG_HOME/msp-tickets/config.toml`:

    default_profile = "work"

    [profiles.work]
    portal = "https://portal.example.com"
    email = "ann@example.com"
    notify = "auto"   # off | bell | osc9 | osc777 | auto: see tui/notify.py
    undo_seconds = 5  # how long a confirm or a reopen waits for `u` before it goes (1-60)

    [keymap]            # optional: binding ids to keys, for every profile
    sync = "f5"
    "board.quit" = "x"

The ids are listed by `?` in the app and in the README. A profile needs only its portal (`MSP_TICKETS_PORTAL` will do) and a token; who the user is
comes from the portal. `email` is what `login` used: a token of someone else is then refused.
A profile named on the command line or in `MSP_TICKETS_PROFILE` must be in the file, unless
the environment gives the portal (an env-only profile): a mistyped name is named as unknown.

Saved views are top-level, shared by every profile (an env-only profile has no table of its
own to hold them), one table each:

    [views.urgent]
    status = "in_progress"      # a status (a pill) or absent for All; value or label, any case
    search = "printer"
    priority = "high"
    category = "hardware"
    sort = "updated"            # a sort column
    descending = true
    scope = "mine"              # mine | company

Every key is optional. `load_views`, `load_view` and `save_view` read and write them (no
Textual here, so the board's "Save view…" and `msp-tickets list --view` share them).
"""

from __future__ import annotations

import math
import os
import threading
import tomllib
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from cache.model import Scope, SortColumn
from cache.private_files import write_private_text
from cache.views import View, check_view_name
from portal.address import check_scheme_and_host
from portal.errors import InsecurePortalURL
from portal.vocabulary import API_PREFIX, Category, Priority, Status
from tui.choices import parse_choice
from tui.notify import NotifyMode
from tui.paths import xdg_dir

DEFAULT_PROFILE = "default"
MIN_SYNC_INTERVAL_ENV = "MSP_TICKETS_MIN_SYNC_INTERVAL"
UNDO_SECONDS_ENV = "MSP_TICKETS_UNDO_SECONDS"
DEFAULT_UNDO_SECONDS = 5.0
UNDO_SECONDS_RANGE = (1.0, 60.0)  # long enough to press `u`; short enough that a confirm still goes soon
_ONE_WRITER = threading.Lock()  # config.toml is read, changed and written back whole


class Profile(NamedTuple):
    name: str
    portal_url: str | None
    email: str | None
    notify: NotifyMode = NotifyMode.AUTO  # how a change reaches a terminal not in front (tui/notify.py)
    # The board's own syncs are never closer together than this (seconds). None: the sync
    # engine's 30 s, which keeps a tenant's boards within the portal's budget.
    min_sync_interval: float | None = None
    # A confirm or a reopen waits this long in the outbox (seconds), for `u` to take it back.
    undo_seconds: float = DEFAULT_UNDO_SECONDS

    @property
    def complete(self) -> bool:
        """Enough to open a session with a token: the portal says who the token is."""
        return bool(self.portal_url)


class ConfigError(ValueError):
    """The config file or a setting is unusable; the message says how to fix it."""


class UnknownName(ConfigError):
    """A profile or view named by the user that the config file does not hold."""


def _known(names) -> str:
    return ", ".join(sorted(names)) or "none"


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


def write_config(config: dict, env: Mapping[str, str] = os.environ) -> None:
    """The whole file, written anew (0600) from `config` as `_read_config` read it."""
    import tomli_w  # only to write: a start that just reads the file does without it

    write_private_text(config_path(env), tomli_w.dumps(config))


def load_profile(name: str | None = None, env: Mapping[str, str] = os.environ, *, new: bool = False) -> Profile:
    """The profile to use. One named by the flag or `MSP_TICKETS_PROFILE` that the file does
    not hold is UnknownName, unless `new` (login makes it) or the environment gives the portal."""
    config = _read_config(env)
    named = name or env.get("MSP_TICKETS_PROFILE")
    chosen = check_profile_name(named or config.get("default_profile") or DEFAULT_PROFILE)
    profiles = config.get("profiles", {})
    stored = profiles.get(chosen, {})
    portal = env.get("MSP_TICKETS_PORTAL") or stored.get("portal")
    if named and chosen not in profiles and not portal and not new:
        raise UnknownName(
            f"There is no profile {chosen!r} in {config_path(env)}; known: {_known(profiles)}. "
            f"`msp-tickets login --profile {chosen}` makes it."
        )
    return Profile(
        name=chosen,
        portal_url=check_portal_url(portal) if portal else None,
        email=stored.get("email"),
        notify=check_notify(stored.get("notify", NotifyMode.AUTO.value), chosen),
        min_sync_interval=check_min_sync_interval(env.get(MIN_SYNC_INTERVAL_ENV)),
        undo_seconds=check_undo_seconds(env.get(UNDO_SECONDS_ENV), stored.get("undo_seconds"), chosen),
    )


def load_keymap(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The top-level [keymap] table: a person's keys, whichever portal they use."""
    keymap = _read_config(env).get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) and v.strip() for v in keymap.values()):
        raise ConfigError(f'[keymap] in {config_path(env)} must map binding ids to keys, such as sync = "f5".')
    return {binding_id: keys.replace(" ", "") for binding_id, keys in keymap.items()}


def check_notify(value: object, profile: str) -> NotifyMode:
    try:
        return NotifyMode(value)
    except ValueError:
        choices = " | ".join(mode.value for mode in NotifyMode)
        raise ConfigError(
            f"notify = {value!r} in [profiles.{profile}] is not one of {choices}; fix or remove it."
        ) from None


def check_min_sync_interval(value: str | None) -> float | None:
    """`MSP_TICKETS_MIN_SYNC_INTERVAL`, in seconds: at least one, so a board never asks in a loop."""
    if value is None or not value.strip():
        return None
    return _seconds(value, f"{MIN_SYNC_INTERVAL_ENV}={value!r}", "unset", low=1)


def check_undo_seconds(from_env: str | None, from_file: object, profile: str) -> float:
    """`MSP_TICKETS_UNDO_SECONDS`, else `undo_seconds` in the profile, else 5."""
    low, high = UNDO_SECONDS_RANGE
    if from_env is not None and from_env.strip():
        return _seconds(from_env, f"{UNDO_SECONDS_ENV}={from_env!r}", "remove", low=low, high=high)
    if from_file is not None:
        where = f"undo_seconds = {from_file!r} in [profiles.{profile}]"
        return _seconds(from_file, where, "remove", low=low, high=high)
    return DEFAULT_UNDO_SECONDS


def _seconds(value: object, where: str, undo: str, *, low: float, high: float = math.inf) -> float:
    """`value` as a number of seconds from `low` to `high`; else a sentence naming `where` and
    saying to fix or `undo` (unset, remove) it."""
    try:
        seconds = math.nan if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not low <= seconds <= high:  # NaN too
        span = f"of at least {low:g}" if high == math.inf else f"from {low:g} to {high:g}"
        raise ConfigError(f"{where} is not a number of seconds {span}; fix or {undo} it.")
    return seconds


def update_config(change: Callable[[dict], object], env: Mapping[str, str] = os.environ) -> None:
    """Read config.toml, `change` it, write it back whole (0600, atomically), keeping every
    setting `change` leaves alone. One at a time: the board saves a view on a thread while the
    theme may be saved on another."""
    with _ONE_WRITER:
        config = _read_config(env)
        change(config)
        write_config(config, env)


def save_profile(profile: Profile, env: Mapping[str, str] = os.environ) -> None:
    """Write the profile into config.toml (0600), keeping every other setting as it was."""
    name = check_profile_name(profile.name)

    def change(config: dict) -> None:
        entry = config.setdefault("profiles", {}).setdefault(name, {})
        entry.update({k: v for k, v in (("portal", profile.portal_url), ("email", profile.email)) if v})
        config.setdefault("default_profile", profile.name)

    update_config(change, env)


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
        parts = urlsplit(url.strip())
        check_scheme_and_host(parts.scheme, parts.hostname)
    except InsecurePortalURL as error:
        raise ConfigError(error.message) from None
    except ValueError:  # urlsplit's own refusal: an unclosed [ of an IPv6 address, say
        raise ConfigError("The portal address is not a web address (for example https://portal.example.com).") from None
    if parts.username or parts.password:
        raise ConfigError(
            "The portal address must not carry a user name or password; give only "
            "https://host, and log in with --email."
        )
    path = parts.path.rstrip("/").removesuffix(API_PREFIX)
    return f"{parts.scheme}://{parts.netloc}{path}"


# --- saved views ----------------------------------------------------------------------------------


_VIEW_CHOICES = {"status": Status, "priority": Priority, "category": Category, "sort": SortColumn, "scope": Scope}


def _view_from_table(name: str, table: object, path: Path) -> View:
    if not isinstance(table, dict):
        raise ConfigError(f"The view {name!r} in {path} is not a table; write it as [views.{name}].")
    known = set(View._fields)
    unknown = set(table) - known
    if unknown:
        raise ConfigError(
            f"The view {name!r} in {path} has keys it does not know: {_known(unknown)} (known: {_known(known)})."
        )
    values: dict = {}
    try:
        for key, value in table.items():
            if key in _VIEW_CHOICES:
                values[key] = parse_choice(_VIEW_CHOICES[key], str(value))
            elif key == "descending":
                if not isinstance(value, bool):
                    raise ValueError("descending must be true or false")
                values[key] = value
            else:
                values[key] = str(value)
    except ValueError as error:
        raise ConfigError(f"The view {name!r} in {path}: {error}") from None
    return View(**values)


def load_views(env: Mapping[str, str] = os.environ) -> dict[str, View]:
    """Every saved view, by name, in the file's order."""
    config = _read_config(env)
    tables = config.get("views", {})
    path = config_path(env)
    if not isinstance(tables, dict):
        raise ConfigError(f"`views` in {path} is not a table; write each view as [views.NAME].")
    return {name: _view_from_table(name, table, path) for name, table in tables.items()}


def load_view(name: str, env: Mapping[str, str] = os.environ) -> View:
    views = load_views(env)
    if name not in views:
        raise UnknownName(f"There is no view {name!r} in {config_path(env)}; known: {_known(views)}.")
    return views[name]


def save_view(name: str, view: View, env: Mapping[str, str] = os.environ) -> None:
    """Write (or replace, in its place) the view in config.toml (0600), keeping every other
    setting. A name that cannot name a view (empty, too long, control characters) is
    ConfigError saying why."""
    try:
        name = check_view_name(name)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    table = {
        key: (value.value if isinstance(value, Enum) else value)
        for key, value in ((name, getattr(view, name)) for name in View._fields)
        if value is not None and value != ""
    }
    update_config(lambda config: config.setdefault("views", {}).__setitem__(name, table), env)


class ConfigViews(NamedTuple):
    """The saved views of the config file `env` names, for the board (which calls these off
    the event loop: they read and write a file)."""

    env: Mapping[str, str]

    def load(self) -> dict[str, View]:
        return load_views(self.env)

    def save(self, name: str, view: View) -> None:
        save_view(name, view, self.env)
