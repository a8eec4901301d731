"""Dates as the reader shows them: "2024-05-17" in full, "14:05" / "Dec 01" in a list.

Apart from `render` so that `list` and `feeds` format their dates without
importing Rich. Imports nothing of the package.
"""

from __future__ import annotations

from datetime import UTC, datetime


def format_date(iso: str | None) -> str:
    """Show an ISO 8601 date as "2024-05-17", or "" when unknown or unreadable."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).date().isoformat()
    except ValueError:
        return ""


def short_date(iso: str | None, now: float) -> str:
    """A date as a list shows it: "14:05" today, "Dec 01" this year, "2024-12-01" before.

    Args:
        iso: An ISO 8601 time (UTC when it names no zone), or None.
        now: Seconds since the epoch: what "today" and "this year" mean.

    Returns:
        The date in local time, or "" when unknown or unreadable.
    """
    if not iso:
        return ""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone()
    today = datetime.fromtimestamp(now).astimezone()
    if when.date() == today.date():
        return when.strftime("%H:%M")
    if when.year == today.year:
        return when.strftime("%b %d")
    return when.date().isoformat()
