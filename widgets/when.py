"""Times as people read them: local dates, and "2 min ago" relative to an injected now."""

from __future__ import annotations

import math
from datetime import datetime


def local(moment: datetime) -> datetime:
    return moment.astimezone()


def date_only(moment: datetime) -> str:
    return local(moment).strftime("%Y-%m-%d")


def short_date(moment: datetime, now: datetime) -> str:
    """A date in 7 cells, the way the full one reads: `11-30` this year, `2025-11` before."""
    day = local(moment)
    return day.strftime("%m-%d") if day.year == local(now).year else day.strftime("%Y-%m")


def date_and_time(moment: datetime) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M")


def clock_time(moment: datetime) -> str:
    return local(moment).strftime("%H:%M")


def duration(seconds: float) -> str:
    """A rough, readable span: "just now", "40 s", "2 min", "3 h", "2 days"."""
    seconds = max(0.0, seconds)
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    days = int(seconds // 86400)
    return f"{days} day" if days == 1 else f"{days} days"


def age(seconds: float) -> str:
    """A compact age in its largest unit, for a narrow column: "now", "12 min", "5 h", "3 d"."""
    whole = int(max(0.0, seconds))
    if whole < 60:
        return "now"
    if whole < 3600:
        return f"{whole // 60} min"
    if whole < 86400:
        return f"{whole // 3600} h"
    return f"{whole // 86400} d"


def span(seconds: float) -> str:
    """A measured span to its two largest units: "2 d 4 h", "3 h 5 min", "35 min", "40 s"."""
    whole = int(max(0.0, seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{secs} s"


def ago(moment: datetime, now: datetime) -> str:
    span = duration((now - moment).total_seconds())
    return span if span == "just now" else f"{span} ago"


def ago_by_minute(moment: datetime, now: datetime) -> str:
    """`ago` that changes at most once a minute: "just now" for the first minute."""
    return "just now" if (now - moment).total_seconds() < 60 else ago(moment, now)


def until_ago_changes(moment: datetime, now: datetime) -> float:
    """Seconds until `ago_by_minute` says something else: its unit's next boundary."""
    elapsed = max(0.0, (now - moment).total_seconds())
    unit = 60 if elapsed < 3600 else 3600 if elapsed < 86400 else 86400
    return unit - elapsed % unit


def countdown(moment: datetime, now: datetime) -> str:
    """A countdown that changes every second: "in 2 min 59 s", "in 59 s", "in 1 h 5 min", "now"."""
    whole = math.ceil((moment - now).total_seconds())
    if whole <= 0:
        return "now"
    minutes, secs = divmod(whole, 60)
    if whole < 60:
        return f"in {secs} s"
    if whole < 3600:
        return f"in {minutes} min {secs} s" if secs else f"in {minutes} min"
    return f"in {span(whole)}"


def within(moment: datetime, now: datetime) -> str:
    span = duration((moment - now).total_seconds())
    return "now" if span == "just now" else f"in {span}"
