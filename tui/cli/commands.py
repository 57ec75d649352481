"""What each `msp-tickets` sub-command does. Writes go through the mirror's outbox, exactly as
in the TUI, so a write made while the portal is away is queued and sent once, later."""

from __future__ import annotations

import asyncio
import getpass
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from cache.mirror import Mirror
from cache.model import Pill, SyncResult, SyncStatus, TicketQuery
from cache.outbox import InvalidInput
from cache.profile import ProfilePaths
from cache.store import OutboxUnusable, moved_aside_files
from cache.views import DESCENDING_FIRST
from portal.client import PortalClient
from portal.errors import PortalError, Unauthorized
from portal.schema import TicketCreate
from portal.sqlite import is_busy
from portal.vocabulary import AccessLevel, Status
from tui.choices import label
from tui.cli import exit_codes, output, stats_report
from tui.config import (
    ConfigError,
    Profile,
    UnknownName,
    check_portal_url,
    load_profile,
    load_view,
)
from tui.credentials import CredentialError, TokenStore
from tui.login import LoginFailed, Why, log_in
from tui.paths import xdg_dir
from tui.session import (
    Identity,
    Session,
    WrongAccount,
    forget_identity,
    identify,
    open_session,
    remembered_identity,
    session_paths,
)


class CommandFailed(Exception):
    """Ends a command: `message` to stderr, `code` as the exit status."""

    def __init__(self, message: str, code: int = exit_codes.ERROR):
        super().__init__(message)
        self.code = code


_say = output.say


def _guarded(command: Callable[[Any], int]) -> Callable[[Any], int]:
    def run(args: Any) -> int:
        try:
            return command(args)
        except CommandFailed as failure:
            _say(str(failure))
            return failure.code
        except UnknownName as error:  # a mistyped --profile or --view: a usage error
            _say(str(error))
            return exit_codes.USAGE
        except (ConfigError, CredentialError, OutboxUnusable) as error:
            _say(str(error))
            return exit_codes.ERROR
        except sqlite3.OperationalError as error:
            _say(_sqlite_trouble(error))
            return exit_codes.ERROR
        except KeyboardInterrupt:
            return 130

    run.__name__ = command.__name__
    return run


def _sqlite_trouble(error: sqlite3.OperationalError) -> str:
    """What to do about it: wait only if waiting helps (busy); else fix the files' modes."""
    words = str(error)
    if is_busy(error):
        return f"The local mirror is busy ({words}); try again in a moment."
    folders = f"{xdg_dir('cache')} and {xdg_dir('data')}"
    return (
        f"The local mirror could not be used ({words}). Check that the files in {folders} are "
        "yours and writable (`chmod 600` each, `chmod 700` the folders), then run the command again."
    )


# --- sessions -----------------------------------------------------------------------------------


def _logged_in(args: Any) -> tuple[Profile, str]:
    profile = load_profile(args.profile)
    token = TokenStore().get(profile) if profile.complete else None
    if not token:
        raise CommandFailed(
            f"Not logged in (profile {profile.name!r}). Run `msp-tickets login` first.",
            exit_codes.NOT_LOGGED_IN,
        )
    return profile, token


async def _identity(profile: Profile, token: str) -> Identity:
    """Whose the token is (remembered, else `GET /me`), or the command ends saying why."""
    try:
        return await identify(profile, token)
    except Unauthorized as error:
        raise CommandFailed(
            f"The portal refused the token ({error.message}). Run `msp-tickets login` again.",
            exit_codes.NOT_LOGGED_IN,
        ) from None
    except PortalError as error:
        raise CommandFailed(
            f"Could not ask the portal whose the token is: {error.message}", exit_codes.UNREACHABLE
        ) from None


def _in_session(args: Any, work: Callable[[Session], Awaitable[int]]) -> int:
    profile, token = _logged_in(args)

    async def main() -> int:
        identity = await _identity(profile, token)
        try:
            session = open_session(profile, identity, token)
        except WrongAccount as error:
            raise CommandFailed(str(error), exit_codes.NOT_LOGGED_IN) from None
        try:
            return await work(session)
        finally:
            await session.aclose()

    return asyncio.run(main())


def _reached_portal(result: SyncResult) -> bool:
    return result.error is None and not result.skipped


async def _sync(session: Session, *, strict: bool, warn: bool = True) -> SyncResult:
    """One sync. A refused token always ends the command; an unreachable portal only if strict,
    else a warning (unless the caller says it in its own words)."""
    result = await session.engine.sync_now()
    if result.auth_failed:
        raise CommandFailed(
            f"The portal refused the stored token ({result.error}). Run `msp-tickets login` again.",
            exit_codes.NOT_LOGGED_IN,
        )
    if result.error and strict:
        raise CommandFailed(f"Could not sync: {result.error}", exit_codes.UNREACHABLE)
    if not warn:
        return result
    if result.error:
        _say(f"warning: could not sync ({result.error}); showing cached data.")
    if result.skipped:
        _say("warning: another msp-tickets is syncing this profile; showing cached data.")
    return result


def _print(document: Any, text: str, as_json: bool) -> None:
    output.write(output.to_json(document) if as_json else text)


# --- login / logout -------------------------------------------------------------------------------


def _ask(prompt: str, given: str | None) -> str:
    if given:
        return given
    if not sys.stdin.isatty():
        raise CommandFailed(f"{prompt.rstrip(': ')} is needed; give it as a flag.", exit_codes.USAGE)
    return input(prompt).strip()


_LOGIN_EXIT_CODES = {
    Why.BAD_ADDRESS: exit_codes.USAGE,
    Why.REFUSED: exit_codes.NOT_LOGGED_IN,
    Why.UNREACHABLE: exit_codes.UNREACHABLE,
}


@_guarded
def cmd_login(args: Any) -> int:
    profile = load_profile(args.profile, new=True)
    try:
        portal_url = check_portal_url(_ask("Portal address: ", args.portal or profile.portal_url))
    except ValueError as error:
        raise CommandFailed(str(error), exit_codes.USAGE) from None
    email = _ask("Email: ", args.email or profile.email)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
    else:
        raise CommandFailed("No terminal to ask for the password: use --password-stdin.", exit_codes.USAGE)
    login = log_in(
        profile.name, portal_url, email, password, tokens=TokenStore(), insecure_storage=args.insecure_storage
    )
    try:
        done = asyncio.run(login)
    except LoginFailed as failure:
        raise CommandFailed(failure.message, _LOGIN_EXIT_CODES.get(failure.reason, exit_codes.ERROR)) from None
    user = done.user
    _say(
        f"Logged in to {done.profile.portal_url} as {user.name} ({user.company.name}, "
        f"{user.access_level.value.replace('_', ' ')}). Token kept in {done.kept_in}."
    )
    return exit_codes.OK


@_guarded
def cmd_logout(args: Any) -> int:
    """Revoke the token and forget it; remove the mirror, and the outbox unless it holds work."""
    profile = load_profile(args.profile)
    tokens = TokenStore()
    token = tokens.get(profile) if profile.complete else None
    identity = asyncio.run(_identity_if_known(profile, token)) if token else None
    paths = session_paths(profile, identity) if identity else None
    left = _work_left(paths) if paths else None
    if left and (left.waiting or left.refused) and not args.discard_unsent:
        raise CommandFailed(
            f"Not logged out: {_unsent_words(left)} in this profile's outbox ({paths.outbox_db}). "
            "Run `msp-tickets sync` to send what waits, or log out with --discard-unsent to drop it all."
        )
    if token:
        asyncio.run(_revoke(profile, token))
    tokens.delete(profile)
    forget_identity(profile)
    removed_outbox = _remove_files(paths, left, discard=args.discard_unsent) if paths else False
    kept = "" if removed_outbox or not paths else f" The outbox is kept: it holds a draft ({paths.outbox_db})."
    _say(f"Logged out (profile {profile.name!r}).{kept}")
    return exit_codes.OK


async def _identity_if_known(profile: Profile, token: str) -> Identity | None:
    try:
        return await identify(profile, token)
    except PortalError:  # revoked, expired or unreachable: whose the files were last, if known
        return remembered_identity(profile, None)


@dataclass(frozen=True)
class _WorkLeft:
    waiting: int  # to be sent
    refused: int  # refused by the portal, never sent: "needs attention"
    drafts: int


def _unsent_words(left: _WorkLeft) -> str:
    parts = []
    if left.waiting:
        parts.append(f"{left.waiting} {'item waits' if left.waiting == 1 else 'items wait'} to be sent")
    if left.refused:
        parts.append(f"{left.refused} refused by the portal {'needs' if left.refused == 1 else 'need'} attention")
    return " and ".join(parts)


def _work_left(paths: ProfilePaths) -> _WorkLeft | None:
    if not paths.outbox_db.exists():
        return None
    mirror = Mirror.open(paths)
    try:
        status = mirror.sync_status()
        return _WorkLeft(status.waiting_to_send, status.needs_attention, mirror.drafts.count())
    finally:
        mirror.close()


def _remove_files(paths: ProfilePaths, left: _WorkLeft | None, *, discard: bool) -> bool:
    """Remove the mirror (a copy of the portal: moved-aside ones too); the outbox too unless it
    keeps a draft. Returns whether the outbox went."""
    for path in paths.cache_files + moved_aside_files(paths.cache_db):
        path.unlink(missing_ok=True)
    if left and left.drafts and not discard:
        return False
    for path in paths.outbox_files:
        path.unlink(missing_ok=True)
    return True


async def _revoke(profile: Profile, token: str) -> None:
    try:
        async with PortalClient(profile.portal_url, token) as client:
            await client.logout()
    except Unauthorized:
        pass  # already revoked or expired: nothing to undo
    except PortalError as error:
        _say(f"warning: could not revoke the token on the portal ({error.message}); forgetting it here.")


# --- reading ------------------------------------------------------------------------------------


@_guarded
def cmd_sync(args: Any) -> int:
    async def work(session: Session) -> int:
        result = await _sync(session, strict=True)
        changes = [
            {
                "ticket_id": change.ticket_id,
                "subject": change.subject,
                "kind": change.kind.value,
                "what": change.what,
                "at": change.at.isoformat(),
                "author": change.author_name,
                "from_status": change.from_status,
                "to_status": change.to_status,
            }
            for change in result.changes
        ]
        document = {
            "pulled": result.pulled,
            "pushed": result.pushed,
            "changes": changes,
            "needs_attention": list(result.needs_attention),
            "rebuilt": result.rebuilt,
        }
        lines = [f"Synced: {result.pulled} changes pulled, {result.pushed} sent."]
        if result.rebuilt:
            lines.insert(0, output.one_line(result.rebuilt))
        lines += [f"  #{c['ticket_id']} {output.one_line(c['subject'])}: {output.one_line(c['what'])}" for c in changes]
        lines += [f"  needs attention: {output.one_line(m)}" for m in result.needs_attention]
        _print(document, "\n".join(lines), args.json)
        return exit_codes.OK

    return _in_session(args, work)


def _list_query(args: Any, view) -> TicketQuery:
    """The saved view (if any), then each flag given, which wins over the view."""
    query = view.applied_to(TicketQuery()) if view else TicketQuery()
    flags = {name: getattr(args, name) for name in ("search", "status", "priority", "category")}
    query = query._replace(**{name: value for name, value in flags.items() if value is not None})
    if args.status is not None:
        query = query._replace(pill=Pill.ALL)  # the flag's status, not the view's pill
    if args.sort is not None:
        query = query._replace(sort=args.sort, descending=args.sort in DESCENDING_FIRST)
    return query


@_guarded
def cmd_list(args: Any) -> int:
    view = load_view(args.view) if args.view else None

    async def work(session: Session) -> int:
        stale = False
        if not args.no_sync:
            stale = not _reached_portal(await _sync(session, strict=False))
        mirror = session.mirror
        query = _list_query(args, view)
        total = await asyncio.to_thread(mirror.total, query)
        rows = await asyncio.to_thread(mirror.page, query, 0, total)
        me = mirror.me()
        company_wide = bool(me and me.access_level is not AccessLevel.OWN)
        document = {"tickets": [output.row_document(row) for row in rows], "stale": stale}
        text = output.rows_table(rows, with_submitter=company_wide, sort=query.sort) if rows else "No tickets."
        _print(document, text, args.json)
        return exit_codes.OK

    return _in_session(args, work)


async def _view_or_fail(session: Session, ticket_id: int, *, sync_first: bool, warn: bool = True):
    unreachable = None
    if sync_first or session.mirror.ticket(ticket_id) is None:
        result = await _sync(session, strict=False, warn=warn)
        unreachable = result.error
    view = await asyncio.to_thread(session.mirror.ticket, session.mirror.outbox.resolve(ticket_id))
    if view is None:
        ref = output.ticket_ref(ticket_id)
        if unreachable and not warn:  # not said yet: why the local copy is all there is
            raise CommandFailed(
                f"No ticket {ref} in the local copy, and the portal could not be reached ({unreachable}).",
                exit_codes.NOT_FOUND,
            )
        raise CommandFailed(f"No ticket {ref} is visible to you.", exit_codes.NOT_FOUND)
    return view


@_guarded
def cmd_show(args: Any) -> int:
    async def work(session: Session) -> int:
        view = await _view_or_fail(session, args.ticket_id, sync_first=not args.no_sync)
        _print(output.view_document(view), output.view_text(view), args.json)
        return exit_codes.OK

    return _in_session(args, work)


@_guarded
def cmd_status(args: Any) -> int:
    profile = load_profile(args.profile)
    token = TokenStore().get(profile) if profile.complete else None
    # Whose the token is only if already known: status reads local files and asks no portal.
    identity = remembered_identity(profile, token) if token else None
    paths = session_paths(profile, identity) if identity else None
    mirror = paths.cache_db if paths is not None and paths.cache_db.exists() else None
    document: dict[str, Any] = {
        "profile": profile.name,
        "portal": profile.portal_url,
        "email": identity.email if identity else profile.email,
        "logged_in": bool(token),
        "mirror": str(mirror) if mirror else None,  # the file to look into (README, "Looking inside")
    }
    document.update(output.status_document(_local_status(paths if mirror else None)))
    _print(document, _status_text(document), args.json)
    return exit_codes.OK


def _local_status(paths: ProfilePaths | None) -> SyncStatus:
    if paths is None:
        return SyncStatus(None, None, None, 0, 0, None)
    mirror = Mirror.open(paths)
    try:
        return mirror.sync_status()
    finally:
        mirror.close()


def _status_text(document: dict[str, Any]) -> str:
    if not document["logged_in"]:
        return f"Profile {document['profile']}: not logged in. Run `msp-tickets login`."
    lines = [
        f"Profile {document['profile']}: {document['email'] or 'not synced yet'} on {document['portal']}",
        f"Last sync: {output.when(document['last_synced_at'])}   next: {output.when(document['next_sync_at'])}",
    ]
    if document["offline_since"]:
        lines.append(f"Offline since {output.when(document['offline_since'])}: showing cached data.")
    lines.append(f"Waiting to send: {document['waiting_to_send']}   needs attention: {document['needs_attention']}")
    if document["last_error"]:
        lines.append(f"Last error: {output.one_line(document['last_error'])}")
    if document["mirror"]:
        lines.append(f"Mirror: {output.one_line(document['mirror'])}")
    return "\n".join(lines)


@_guarded
def cmd_stats(args: Any) -> int:
    async def work(session: Session) -> int:
        stale = False
        if not args.no_sync:
            stale = not _reached_portal(await _sync(session, strict=False))
        now = datetime.now(UTC).astimezone()  # local: weeks start on the user's Monday
        stats = await asyncio.to_thread(session.mirror.stats, now)
        _print(stats_report.stats_document(stats, stale=stale), stats_report.stats_text(stats), args.json)
        return exit_codes.OK

    return _in_session(args, work)


# --- writing --------------------------------------------------------------------------------------


def _read_stdin(what: str) -> str:
    if sys.stdin.isatty():
        _say(f"Type the {what}, then Ctrl-D:")
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CommandFailed(
            f"The {what} on stdin is not valid UTF-8 (byte {error.start}); nothing was sent.",
            exit_codes.USAGE,
        ) from None


def _field_problems(error: ValidationError) -> str:
    return "\n".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg'].removeprefix('Value error, ')}"
        for problem in error.errors()
    )


async def _send(session: Session, ticket_id: int, as_json: bool) -> int:
    """Push what was queued; print the ticket (stdout) and, if it stays queued, one sentence
    saying so (stderr) and exit 4; exit 1 if refused."""
    result = await _sync(session, strict=False, warn=False)
    view = await asyncio.to_thread(session.mirror.ticket, session.mirror.outbox.resolve(ticket_id))
    queued = not _reached_portal(result)
    document = {"ticket": output.view_document(view) if view else None, "queued": queued}
    if result.needs_attention:
        _say("The portal refused it: " + " ".join(result.needs_attention))
        return exit_codes.ERROR
    if queued:
        why = result.error or "another msp-tickets is syncing this profile"
        _say(f"Queued: the portal could not be reached ({why}); it will be sent at the next sync.")
    _print(document, output.view_text(view) if view else "Sent.", as_json)
    return exit_codes.UNREACHABLE if queued else exit_codes.OK


@_guarded
def cmd_new(args: Any) -> int:
    description = args.description if args.description is not None else _read_stdin("description")
    try:
        draft = TicketCreate(
            subject=args.subject, category=args.category, priority=args.priority, description=description
        )
    except ValidationError as error:
        raise CommandFailed("Nothing was sent:\n" + _field_problems(error), exit_codes.USAGE) from None

    async def work(session: Session) -> int:
        pending_id = await asyncio.to_thread(session.mirror.outbox.submit_ticket, draft)
        return await _send(session, pending_id, args.json)

    return _in_session(args, work)


def _acting_on(args: Any, act: Callable[[Session, Any], None], allowed: Callable[[Any], str | None]) -> int:
    async def work(session: Session) -> int:
        # Judge by the portal's latest state where it can be reached, else by the mirror's.
        view = await _view_or_fail(session, args.ticket_id, sync_first=True, warn=False)
        refusal = allowed(view)
        if refusal:  # the portal would refuse it: nothing was sent (README: exit 2)
            raise CommandFailed(refusal, exit_codes.USAGE)
        try:
            await asyncio.to_thread(act, session, view)
        except InvalidInput as error:
            raise CommandFailed(str(error), exit_codes.USAGE) from None
        return await _send(session, view.row.id, args.json)

    return _in_session(args, work)


def _status_refusal(action: str, needs: set[Status], may: str):
    """Refuse locally, with the reason, what the portal would refuse: nothing is queued."""

    def check(view) -> str | None:
        ref = output.ticket_ref(view.row.id)
        if view.row.status not in needs:
            words = " or ".join(sorted(label(s) for s in needs))
            return f"Ticket {ref} is {label(view.row.status)}; only a {words} ticket can be {action}."
        if not getattr(view, may):
            return f"Only the person who submitted ticket {ref} or a company admin may do that."
        return None

    return check


@_guarded
def cmd_comment(args: Any) -> int:
    text = args.text if args.text is not None else _read_stdin("comment")
    return _acting_on(args, lambda s, v: s.mirror.outbox.add_comment(v.row.id, text), lambda v: None)


@_guarded
def cmd_confirm(args: Any) -> int:
    return _acting_on(
        args,
        lambda s, v: s.mirror.outbox.confirm(v.row.id),
        _status_refusal("confirmed", {Status.RESOLVED}, "can_confirm"),
    )


@_guarded
def cmd_reopen(args: Any) -> int:
    return _acting_on(
        args,
        lambda s, v: s.mirror.outbox.reopen(v.row.id),
        _status_refusal("reopened", {Status.RESOLVED}, "can_reopen"),
    )


@_guarded
def cmd_rate(args: Any) -> int:
    return _acting_on(
        args,
        lambda s, v: s.mirror.outbox.rate(v.row.id, args.score, args.comment),
        _status_refusal("rated", {Status.RESOLVED, Status.CLOSED}, "can_rate"),
    )
