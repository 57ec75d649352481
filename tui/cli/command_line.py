"""The `msp-tickets` command: the board with no sub-command, and every action for scripts.

Data goes to stdout, messages to stderr. Exit codes are part of the interface (design §7).
"""

from __future__ import annotations

import argparse
import sys

from cache.model import SortColumn
from portal.vocabulary import Category, Priority, Status
from tui.choices import known_labels, parse_choice
from tui.cli import board
from tui.cli.exit_codes import USAGE
from tui.cli.logs import log_to_stderr
from tui.cli.output import visible


class ArgumentParser(argparse.ArgumentParser):
    """argparse's own messages quote what was typed (`'\x1b[2J' is not a ticket number`):
    they go out through the same gate as everything else."""

    def _print_message(self, message: str, file=None) -> None:
        if message:
            (file or sys.stderr).write(visible(message))


EXAMPLES = {
    "login": "msp-tickets login --portal https://portal.example.com --email ann@example.com",
    "logout": "msp-tickets logout",
    "sync": "msp-tickets sync",
    "list": "msp-tickets list --status 'Waiting on you' --json | jq '.tickets[].id'",
    "show": "msp-tickets show 1042",
    "new": "echo 'Outlook asks for the password every hour' | msp-tickets new "
    "--subject 'Outlook password prompts' --category email --priority medium",
    "comment": "msp-tickets comment 1042 'Rebooted, still failing'",
    "confirm": "msp-tickets confirm 1042",
    "reopen": "msp-tickets reopen 1042",
    "rate": "msp-tickets rate 1042 5 --comment 'Quick and friendly'",
    "status": "msp-tickets status --json",
    "stats": "msp-tickets stats --json | jq '.weeks[] | [.week, .opened, .resolved]'",
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # costs every start ~10 ms: only for --version

    try:
        return version("msp-tickets")
    except PackageNotFoundError:
        return "unknown"


class VersionAction(argparse.Action):
    """`--version`: the installed version, looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        parser._print_message(f"msp-tickets {_version()}\n", sys.stdout)
        parser.exit()


def _common_options() -> argparse.ArgumentParser:
    # Accepted before or after the sub-command; SUPPRESS keeps the later one from resetting it.
    common = ArgumentParser(add_help=False)
    common.add_argument(
        "--profile", default=argparse.SUPPRESS, help="which profile of config.toml (env MSP_TICKETS_PROFILE)"
    )
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help="log more to stderr")
    return common


def _command(subparsers, name: str, help_text: str) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        parents=[_common_options()],
        help=help_text,
        description=help_text,
        epilog=f"example:\n  {EXAMPLES[name]}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=f"cmd_{name}")  # in tui.cli.commands, loaded only to run one
    return parser


def ticket_ref(text: str) -> int:
    """A ticket's number, or `pN` for one still waiting in the outbox (shown as such by `list`)."""
    pending = text.lower().startswith("p")
    try:
        number = int(text[1:] if pending else text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a ticket number") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a ticket number")
    return -number if pending else number


def choice(kind):
    """An argparse type: the value or the board's label, any case (`Hardware`, `in progress`)."""

    def parse(text: str):
        try:
            return parse_choice(kind, text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = kind.__name__.lower()
    return parse


def _choice_flag(parser: argparse.ArgumentParser, flag: str, kind, *, required: bool = False) -> None:
    parser.add_argument(
        flag,
        type=choice(kind),
        required=required,
        metavar=flag.lstrip("-").upper(),
        help=f"one of: {known_labels(kind)} (any case; or the value, e.g. {max(kind, key=len).value})",
    )


def _ticket_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ticket_id", type=ticket_ref, metavar="ID", help="the ticket's number (or pN while pending)")


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="msp-tickets",
        description="Your MSP's support tickets, in the terminal. With no command: the board.",
        epilog="example:\n  msp-tickets --demo        # try it against a built-in demo portal",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=VersionAction, help="show the version and exit")
    parser.add_argument("--profile", default=None, help="which profile of config.toml (env MSP_TICKETS_PROFILE)")
    parser.add_argument(
        "--demo", action="store_true", help="open the board on a built-in demo portal (kept between runs)"
    )
    parser.add_argument("--demo-reset", action="store_true", help="the demo, started afresh: forget its tickets")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    login = _command(sub, "login", "log in to the portal and store the token")
    login.add_argument("--portal", help="the portal's address, e.g. https://portal.example.com")
    login.add_argument("--email")
    login.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    login.add_argument(
        "--insecure-storage",
        action="store_true",
        help="if no system keyring exists, keep the token in a 0600 file",
    )
    logout = _command(sub, "logout", "revoke the token, forget it, remove this profile's local files")
    logout.add_argument(
        "--discard-unsent", action="store_true", help="log out even if writes wait in the outbox (they are lost)"
    )
    _json(_command(sub, "sync", "sync now: pull changes, push what waits to be sent"))

    listing = _command(sub, "list", "list tickets from the mirror (after a sync)")
    _choice_flag(listing, "--status", Status)
    _choice_flag(listing, "--priority", Priority)
    _choice_flag(listing, "--category", Category)
    listing.add_argument(
        "--search",
        metavar="TEXT",
        help="words in subject, description, comments; or a ticket number (143, #143) or PSA id",
    )
    _choice_flag(listing, "--sort", SortColumn)
    listing.add_argument(
        "--view", metavar="NAME", help="a saved view of config.toml ([views.NAME]); flags given override it"
    )
    listing.add_argument("--no-sync", action="store_true", help="don't contact the portal")
    _json(listing)

    show = _command(sub, "show", "a ticket with its timeline")
    _ticket_id(show)
    show.add_argument("--no-sync", action="store_true", help="don't contact the portal")
    _json(show)

    new = _command(sub, "new", "submit a ticket (description from the flag or stdin)")
    new.add_argument("--subject", required=True)
    _choice_flag(new, "--category", Category, required=True)
    _choice_flag(new, "--priority", Priority, required=True)
    new.add_argument("--description", help="if absent, read from stdin")
    _json(new)

    comment = _command(sub, "comment", "add a comment (text from the argument or stdin)")
    _ticket_id(comment)
    comment.add_argument("text", nargs="?", help="if absent, read from stdin")
    _json(comment)

    for name, text in (("confirm", "confirm a resolved ticket (closes it)"), ("reopen", "reopen a resolved ticket")):
        action = _command(sub, name, text)
        _ticket_id(action)
        _json(action)

    rate = _command(sub, "rate", "rate the service on a resolved or closed ticket (1-5)")
    _ticket_id(rate)
    rate.add_argument("score", type=int, choices=range(1, 6), metavar="SCORE", help="1 to 5")
    rate.add_argument("--comment", help="an optional comment")
    _json(rate)

    _json(_command(sub, "status", "profile, last and next sync, what waits to be sent"))

    stats = _command(sub, "stats", "tickets opened and resolved per week, open tickets, response and resolution times")
    stats.add_argument("--no-sync", action="store_true", help="don't contact the portal")
    _json(stats)
    return parser


# `msp-tickets` with no argument: the board, without building the parser of every command for
# scripts (5 ms of every launch, bench/launch.py). The command itself does not come here for it
# (tui/cli/__init__.py); a call with no argument from this process (a test, a bench) does.
NO_ARGUMENTS = argparse.Namespace(profile=None, verbose=0, demo=False, demo_reset=False, command=None)


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    try:
        args = build_parser().parse_args(given) if given else NO_ARGUMENTS
    except SystemExit as exit_:
        return USAGE if exit_.code not in (0, None) else 0
    log_to_stderr(args.verbose)
    if args.demo or args.demo_reset:
        return board.run_demo(reset=args.demo_reset)
    if args.command is None:
        return board.run_board(args.profile)
    from tui.cli import commands

    return getattr(commands, args.handler)(args)
