"""`msp-portal`: run the reference portal and manage its companies, users and demo data.

Every command takes `--db PATH` before the sub-command. Errors are one sentence on stderr and a
non-zero exit: 2 for bad usage, 1 for anything else.
"""

from __future__ import annotations

import argparse
import ipaddress
import sqlite3
import sys
import time
from pathlib import Path

from portal.schema import DEFAULT_PSA_SYNC_INTERVAL_SECONDS, AccessLevel
from portal.server import demo, psa, storage
from portal.server.auth import PASSWORD_MIN_LENGTH, hash_password
from portal.server.ratelimit import DEFAULT_SIGN_IN_RATE_LIMIT
from portal.server.storage import Storage


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="msp-portal", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the portal's SQLite database file")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the API over plain HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    serve.add_argument("--psa-interval", type=float, default=DEFAULT_PSA_SYNC_INTERVAL_SECONDS)
    serve.add_argument("--rate-limit", type=int, default=100, help="API requests per minute, per --rate-limit-scope")
    serve.add_argument(
        "--rate-limit-scope",
        choices=["company", "tenant"],
        default="company",
        help="whose budget --rate-limit is: each company's, or the whole portal's (the vendor's)",
    )
    serve.add_argument(
        "--rate-limit-window",
        type=float,
        default=60.0,
        help="seconds the budget counts over; shorter only to run a benchmark's day faster",
    )
    serve.add_argument(
        "--sign-in-rate-limit",
        type=int,
        default=DEFAULT_SIGN_IN_RATE_LIMIT,
        help="sign-in attempts per client address per minute",
    )
    serve.add_argument(
        "--sign-in-workers",
        type=int,
        default=None,
        help="password checks at once (default: half the cores); each takes about 64 MB",
    )
    serve.add_argument("--psa-seed", type=int, default=1)
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="listen on a non-loopback address (the portal speaks plain HTTP: put TLS in front)",
    )
    serve.add_argument(
        "--simulate-office",
        action="store_true",
        help="the demo: colleagues raise and answer tickets, technicians work at a steady pace",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.add_argument(
        "--parent-pid",
        type=int,
        metavar="PID",
        help="stop when process PID, which started this one, ends, however it ends (the demo passes its own)",
    )
    serve.add_argument(
        "--remove-on-exit",
        type=Path,
        metavar="FOLDER",
        help="delete FOLDER and everything in it once the server has stopped (a demo's temporary folder)",
    )

    company = commands.add_parser("add-company", help="add a company; prints its id")
    company.add_argument("name")

    user = commands.add_parser("add-user", help="add a user; the password comes from stdin")
    user.add_argument("--company", required=True, help="the company's name")
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--access-level", required=True, choices=[a.value for a in AccessLevel])
    user.add_argument("--password-stdin", action="store_true", required=True)

    access = commands.add_parser("set-access", help="change a user's access level")
    access.add_argument("--email", required=True)
    access.add_argument("--access-level", required=True, choices=[a.value for a in AccessLevel])

    seed = commands.add_parser("seed-demo", help="demo companies, users and tickets")
    seed.add_argument("--companies", type=int, default=3)
    seed.add_argument("--tickets", type=int, default=200)
    seed.add_argument("--seed", type=int, default=1)

    sync = commands.add_parser("psa-sync-now", help="run one PSA sync cycle now")
    sync.add_argument("--psa-seed", type=int, default=1)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except CliError as error:
        print(f"msp-portal: {error}", file=sys.stderr)
        return error.exit_code
    except sqlite3.DatabaseError as error:
        print(f"msp-portal: the database {args.db} cannot be used: {error}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _open(args) -> Storage:
    try:
        return Storage(args.db)
    except RuntimeError as error:
        raise CliError(str(error)) from None


def _serve(args) -> int:
    if not _is_loopback(args.host) and not args.allow_remote:
        raise CliError(
            f"--host {args.host} is not a loopback address; the portal speaks plain HTTP, so "
            "serving it to a network needs --allow-remote (and TLS in front of it).",
            2,
        )
    limits = (args.rate_limit, args.sign_in_rate_limit, args.sign_in_workers or 1)
    if args.psa_interval <= 0 or args.rate_limit_window <= 0 or min(limits) < 1:
        raise CliError(
            "--psa-interval and --rate-limit-window must be above 0 seconds, --rate-limit, "
            "--sign-in-rate-limit and "
            "--sign-in-workers at least 1.",
            2,
        )
    # Imported here so the management commands start quickly.
    from portal.server.app import Settings
    from portal.server.serve import serve

    _open(args).close()  # create or migrate the database before the first request
    settings = Settings(
        db_path=args.db,
        psa_interval=args.psa_interval,
        rate_limit=args.rate_limit,
        rate_limit_scope=args.rate_limit_scope,
        rate_limit_window=args.rate_limit_window,
        sign_in_rate_limit=args.sign_in_rate_limit,
        psa_seed=args.psa_seed,
        simulate_office=args.simulate_office,
        **({"sign_in_workers": args.sign_in_workers} if args.sign_in_workers else {}),
    )
    serve(
        settings,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        parent_pid=args.parent_pid,
        remove_on_exit=args.remove_on_exit,
    )
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _add_company(args) -> int:
    name = args.name.strip()
    if not name:
        raise CliError('The company name is empty; give a name, e.g. add-company "Acme Ltd".', 2)
    db = _open(args)
    with db.write() as conn:
        if storage.company_id_by_name(conn, name) is not None:
            raise CliError(f"A company named {name!r} already exists.")
        company_id = storage.add_company(conn, name, demo.psa_prefix(name))
    print(company_id)
    return 0


def _add_user(args) -> int:
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise CliError(
            f"The password on stdin is {len(password)} characters; use at least {PASSWORD_MIN_LENGTH}.",
            2,
        )
    if "@" not in args.email or not args.name.strip():
        raise CliError("--email needs an address with '@' and --name must not be empty.", 2)
    password_hash = hash_password(password)
    db = _open(args)
    with db.write() as conn:
        company_id = storage.company_id_by_name(conn, args.company)
        if company_id is None:
            raise CliError(f"There is no company named {args.company!r}; add it first with add-company.")
        if storage.user_by_email(conn, args.email) is not None:
            raise CliError(f"A user with the email {args.email} already exists.")
        user_id = storage.add_user(
            conn,
            company_id=company_id,
            email=args.email,
            name=args.name.strip(),
            access_level=AccessLevel(args.access_level),
            password_hash=password_hash,
        )
    print(user_id)
    return 0


def _set_access(args) -> int:
    db = _open(args)
    with db.write() as conn:
        user = storage.user_by_email(conn, args.email)
        if user is None:
            raise CliError(f"There is no user with the email {args.email}.")
        removed = storage.set_access_level(conn, user, AccessLevel(args.access_level))
    print(f"{args.email}: {user.access_level.value} -> {args.access_level} ({len(removed)} tickets no longer visible)")
    return 0


def _seed_demo(args) -> int:
    if args.companies < 1 or args.tickets < 0:
        raise CliError("--companies must be at least 1 and --tickets at least 0.", 2)
    db = _open(args)
    try:
        logins = demo.seed(db, companies=args.companies, tickets=args.tickets, seed=args.seed, clock=time.time)
    except sqlite3.IntegrityError:
        raise CliError(f"{args.db} already has demo companies; use a new --db file.") from None
    for login in logins:
        print(login.line())
    return 0


def _psa_sync_now(args) -> int:
    report = psa.run_cycle(_open(args), psa.SimulatedPsa(args.psa_seed), time.time)
    print(f"PSA sync cycle {report.cycle}: {report.pushed} new tickets pushed, {report.updated} tickets updated")
    return 0


_COMMANDS = {
    "serve": _serve,
    "add-company": _add_company,
    "add-user": _add_user,
    "set-access": _set_access,
    "seed-demo": _seed_demo,
    "psa-sync-now": _psa_sync_now,
}


if __name__ == "__main__":
    sys.exit(main())
