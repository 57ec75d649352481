"""Demo data: companies, their users and tickets with believable timelines in every status.

Written in bulk (executemany, one transaction) so that 100 000 tickets take seconds. Timelines
follow the same path the PSA simulator takes: assigned, worked on, maybe a question for the
client or a vendor wait, resolved, closed, and sometimes rated.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from portal.schema import AccessLevel, Category, Priority, Status
from portal.server import storage
from portal.server.auth import hash_password
from portal.server.psa import TECHNICIANS
from portal.server.storage import Storage

DEMO_PASSWORD = "demo-password"
DEMO_COMPANIES = ("Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay Industries")
_PEOPLE = (
    ("admin", "Alex Morgan", AccessLevel.COMPANY_ADMIN),
    ("jordan", "Jordan Lee", AccessLevel.COMPANY),
    ("sam", "Sam Taylor", AccessLevel.OWN),
)
# Each ticket's final status; open and closed tickets are the commonest, as on a real board.
_STATUS_WEIGHTS = {
    Status.OPEN: 3,
    Status.IN_PROGRESS: 4,
    Status.WAITING_ON_CLIENT: 2,
    Status.WAITING_ON_VENDOR: 1,
    Status.RESOLVED: 2,
    Status.CLOSED: 6,
}
_PRIORITY_WEIGHTS = {Priority.LOW: 4, Priority.MEDIUM: 5, Priority.HIGH: 2, Priority.CRITICAL: 1}
_ISSUES: dict[Category, tuple[tuple[str, str], ...]] = {
    Category.HARDWARE: (
        (
            "Laptop will not charge",
            "The charger light is on but the battery stays at 3 %. Tried another socket. Device: {device}.",
        ),
        (
            "Printer on 2nd floor jams on every job",
            "Paper jam error E-104 after the first page. Affects everyone on the floor.",
        ),
        (
            "Monitor flickers after docking",
            "External screen flickers every few seconds when the laptop is docked. {device}.",
        ),
    ),
    Category.SOFTWARE: (
        (
            "Excel crashes when opening the budget workbook",
            'Error: "Microsoft Excel has stopped working". Steps: open Budget-2026.xlsx from SharePoint, wait 10 s.',
        ),
        (
            "Accounting app asks for a licence again",
            "After this morning's update it says the licence key is invalid. Affects {person}.",
        ),
        ("Need Adobe Acrobat installed", "New starter needs Acrobat Pro on {device}."),
    ),
    Category.NETWORK: (
        (
            "Wi-Fi drops in the meeting room",
            "Connection drops every 10–15 minutes on the 5 GHz network. Wired is fine.",
        ),
        (
            "VPN disconnects every hour",
            "The VPN client shows 'Reconnecting…' and drops RDP sessions. Affects {person}.",
        ),
        ("Slow internet at the branch office", "Speed tests show 4 Mbit/s instead of 100."),
    ),
    Category.EMAIL: (
        ("Emails to a client bounce", "Bounce message: 550 5.7.1 Message rejected by policy. Only to one domain."),
        ("Shared mailbox missing in Outlook", "The support@ shared mailbox disappeared from {person}'s Outlook."),
        ("Calendar invites arrive twice", "Every invite shows up twice since Monday."),
    ),
    Category.SECURITY: (
        (
            "Suspicious login alert",
            "Got an alert about a sign-in from another country for {person}. Password not shared.",
        ),
        (
            "Phishing email received",
            "Several people got an email asking to 'verify payroll'. Nobody clicked, as far as we know.",
        ),
        ("Lost phone with company email", "{person} lost their phone on the train; it has company email on it."),
    ),
    Category.GENERAL: (
        (
            "New starter next Monday",
            "Please set up an account, laptop and email for our new colleague starting Monday.",
        ),
        (
            "Question about our backup schedule",
            "How often are the file server backups taken, and how long are they kept?",
        ),
    ),
    Category.OTHER: (
        ("Office move next month", "We're moving desks to the 3rd floor; need network points and phones moved."),
        ("Conference room screen 📺 shows no signal", "HDMI input shows 'No signal' with every laptop we tried."),
    ),
}
_DEVICES = ("PC-0423", "LT-1187", "LT-2050", "PC-0031", "MAC-0007")
_CLIENT_REPLIES = (
    "Thanks, here are the details you asked for. It happens on {device}.",
    "It still happens after a restart, I'm afraid.",
    "Any time after 2 pm works for me.",
)
_RATING_COMMENTS = (None, "Quick and friendly, thank you!", "Took a while, but sorted.", None)


@dataclass(frozen=True)
class Login:
    email: str
    access_level: AccessLevel
    company: str

    def line(self) -> str:
        return f"login: {self.email}  password: {DEMO_PASSWORD}  ({self.access_level.value}, {self.company})"


def company_name(index: int) -> str:
    return DEMO_COMPANIES[index] if index < len(DEMO_COMPANIES) else f"Demo Company {index + 1}"


def psa_prefix(name: str) -> str:
    """Three upper-case letters for PSA ids, e.g. Acme Corp -> ACM."""
    letters = re.sub(r"[^A-Za-z]", "", name).upper()
    return (letters + "XXX")[:3]


def _domain(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower().split()[0] if name.split() else "demo") + ".example"


def seed(
    db: Storage,
    *,
    companies: int = 3,
    tickets: int = 200,
    seed: int = 1,
    clock: Callable[[], float],
) -> list[Login]:
    rng = random.Random(seed)
    now = datetime.fromtimestamp(clock(), UTC)
    password_hash = hash_password(DEMO_PASSWORD)
    logins: list[Login] = []
    users: list[tuple[int, int, str]] = []  # (user id, company id, name)
    with db.write() as conn:
        for index in range(companies):
            name = company_name(index)
            company_id = storage.add_company(conn, name, psa_prefix(name))
            for handle, person, level in _PEOPLE:
                email = f"{handle}@{_domain(name)}"
                user_id = storage.add_user(
                    conn,
                    company_id=company_id,
                    email=email,
                    name=person,
                    access_level=level,
                    password_hash=password_hash,
                )
                users.append((user_id, company_id, person))
                logins.append(Login(email, level, name))
        _write_tickets(conn, _ticket_plans(rng, users, tickets, now), now)
    return logins


def made_up_issue(rng: random.Random, person: str) -> tuple[Category, str, str]:
    """A believable problem: its category, subject and description."""
    category = rng.choice(list(_ISSUES))
    subject, description = rng.choice(_ISSUES[category])
    return category, subject, description.format(device=rng.choice(_DEVICES), person=person)


def made_up_priority(rng: random.Random) -> Priority:
    return rng.choices(list(_PRIORITY_WEIGHTS), list(_PRIORITY_WEIGHTS.values()))[0]


def made_up_reply(rng: random.Random) -> str:
    """A client's answer to a technician's question."""
    return rng.choice(_CLIENT_REPLIES).format(device=rng.choice(_DEVICES))


@dataclass
class _Plan:
    company_id: int
    user_id: int
    user_name: str
    subject: str
    description: str
    category: Category
    priority: Priority
    status: Status
    created: datetime


def _ticket_plans(rng: random.Random, users, count: int, now: datetime) -> list[_Plan]:
    statuses = list(_STATUS_WEIGHTS)
    plans = []
    for index in range(count):
        user_id, company_id, user_name = users[index % len(users)]
        category, subject, description = made_up_issue(rng, user_name)
        # The first tickets walk through every status, so even a tiny demo shows them all.
        status = (
            statuses[index % len(statuses)]
            if index < len(statuses) * 2
            else rng.choices(statuses, weights=list(_STATUS_WEIGHTS.values()))[0]
        )
        age = timedelta(minutes=rng.uniform(30, 28 * 24 * 60))
        if status is Status.OPEN:
            age = timedelta(minutes=rng.uniform(5, 3 * 24 * 60))
        plans.append(
            _Plan(
                company_id=company_id,
                user_id=user_id,
                user_name=user_name,
                subject=subject,
                description=description,
                category=category,
                priority=made_up_priority(rng),
                status=status,
                created=now - age,
            )
        )
    plans.sort(key=lambda plan: plan.created)
    return plans


def _write_tickets(conn, plans: list[_Plan], now: datetime) -> None:
    prefixes = dict(conn.execute("SELECT id, psa_prefix FROM companies").fetchall())
    next_ticket = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tickets").fetchone()[0]
    next_event = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0]
    ticket_rows, event_rows, change_rows = [], [], []
    for ticket_id, plan in enumerate(plans, start=next_ticket):
        rng = random.Random(ticket_id)
        events, assignee, rating = _timeline(rng, plan, now)
        updated = events[-1][-1] if events else plan.created
        psa_id = f"{prefixes[plan.company_id]}-{1000 + ticket_id}" if events or rng.random() < 0.5 else None
        ticket_rows.append(
            (
                ticket_id,
                plan.company_id,
                plan.user_id,
                plan.subject,
                plan.category.value,
                plan.priority.value,
                plan.description,
                plan.status.value,
                _stamp(plan.created),
                _stamp(updated),
                assignee,
                psa_id,
                rating[0],
                rating[1],
            )
        )
        for kind, role, author, author_id, body, old, new, who, score, at in events:
            event_rows.append(
                (
                    next_event,
                    ticket_id,
                    plan.company_id,
                    kind,
                    role,
                    author,
                    author_id,
                    body,
                    old,
                    new,
                    who,
                    score,
                    _stamp(at),
                )
            )
            change_rows.append(("event", ticket_id, next_event))
            next_event += 1
        change_rows.append(("ticket", ticket_id, None))
    conn.executemany(
        "INSERT INTO tickets(id, company_id, submitted_by, subject, category, priority, "
        "description, status, created_at, updated_at, assignee, psa_ticket_id, rating, "
        "rating_comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ticket_rows,
    )
    conn.executemany(
        "INSERT INTO events(id, ticket_id, company_id, kind, author_role, author_name, author_id, "
        "body, from_status, to_status, assignee, score, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        event_rows,
    )
    conn.executemany("INSERT INTO changes(kind, ticket_id, event_id) VALUES (?, ?, ?)", change_rows)


def _stamp(moment: datetime) -> str:
    # utc_text() without its time-zone conversion: demo times are made in UTC already, and
    # this runs a million times for a 100 000-ticket benchmark.
    return moment.isoformat(timespec="microseconds")


def _timeline(rng: random.Random, plan: _Plan, now: datetime):
    """Events leading from open to the plan's status: (kind, role, author, author id, body,
    from, to, assignee, score, at) each; and the assignee and (rating, rating comment)."""
    if plan.status is Status.OPEN:
        return [], None, (None, None)
    span = (now - plan.created) / 8
    at = plan.created
    events = []

    def later() -> datetime:
        nonlocal at
        at = min(now, at + span * rng.uniform(0.3, 1.0))
        return at

    tech = rng.choice(TECHNICIANS)

    def msp(kind, body=None, old=None, new=None, who=None):
        events.append((kind, "msp", tech, None, body, old, new, who, None, later()))

    def client(kind, body=None, old=None, new=None, score=None):
        events.append((kind, "client", plan.user_name, plan.user_id, body, old, new, None, score, later()))

    msp("assignment", who=tech)
    msp("status_change", old="open", new="in_progress")
    msp("comment", body=f"Hi, this is {tech.split()[0]}. I'm looking into this now.")
    if plan.status is Status.WAITING_ON_CLIENT:
        msp("comment", body="Could you send us the exact error message and the device name?")
        msp("status_change", old="in_progress", new="waiting_on_client")
        return events, tech, (None, None)
    if rng.random() < 0.4 or plan.status is Status.WAITING_ON_VENDOR:
        msp("comment", body="We've opened a case with the vendor and are waiting on them.")
        msp("status_change", old="in_progress", new="waiting_on_vendor")
        if plan.status is Status.WAITING_ON_VENDOR:
            return events, tech, (None, None)
        msp("status_change", old="waiting_on_vendor", new="in_progress")
    if rng.random() < 0.5:
        client("comment", body=made_up_reply(rng))
    if plan.status is Status.IN_PROGRESS:
        return events, tech, (None, None)
    msp("comment", body="Fixed and tested on our side. Please confirm it works for you.")
    msp("status_change", old="in_progress", new="resolved")
    if plan.status is Status.RESOLVED:
        return events, tech, (None, None)
    client("status_change", old="resolved", new="closed")
    if rng.random() < 0.6:
        score = rng.choices([5, 4, 3, 2, 1], weights=[6, 3, 1, 1, 1])[0]
        comment = rng.choice(_RATING_COMMENTS)
        client("rating", body=comment, score=score)
        return events, tech, (score, comment)
    return events, tech, (None, None)
