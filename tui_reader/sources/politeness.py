"""When a feed may be fetched again: the fetcher's manners, as pure functions.

A feed says how often it changes (`<ttl>` minutes, `<sy:updatePeriod>` with
`<sy:updateFrequency>`), its server says how long an answer stays fresh
(`Cache-Control: max-age`) or how long to stay away (`Retry-After` on 429
and 503), and a feed that keeps failing is tried less and less often. Each
of these becomes one "not before" time with its reason, which the library
keeps on the feed (`wait_until`, `wait_reason`) and the feed list shows.

Automatic refreshes honour every wait; a refresh the user asks for honours
only the server's explicit Retry-After. Imports nothing of the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

# Why a feed waits: the server asked (Retry-After), the feed or its answer
# said it stays fresh (ttl, updatePeriod, max-age), or it keeps failing.
WaitKind = Literal["retry-after", "fresh", "backoff"]

MAX_WAIT = timedelta(days=1)  # no hint keeps a feed away longer than a day
BACKOFF_AFTER = 3  # failures in a row before the retries slow down
BACKOFF_BASE = timedelta(minutes=30)
# How much of a feed's head is searched for its hints: they sit in the
# channel, before the first item.
HEAD_BYTES = 65_536

_TTL = re.compile(rb"<ttl>\s*(\d{1,7})\s*</ttl>", re.IGNORECASE)
_PERIOD = re.compile(rb"<sy:updatePeriod>\s*([a-z]+)\s*</sy:updatePeriod>", re.IGNORECASE)
_FREQUENCY = re.compile(rb"<sy:updateFrequency>\s*(\d{1,6})\s*</sy:updateFrequency>", re.IGNORECASE)
_PERIODS = {
    b"hourly": timedelta(hours=1),
    b"daily": timedelta(days=1),
    b"weekly": timedelta(weeks=1),
    b"monthly": timedelta(days=30),
    b"yearly": timedelta(days=365),
}
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d{1,10})\"?", re.IGNORECASE)


@dataclass(frozen=True)
class Wait:
    """Not before `until` (UTC), because of `kind`; `reason` is for people."""

    until: datetime
    kind: WaitKind
    reason: str


def feed_hint(body: bytes) -> timedelta | None:
    """How long the feed says it stays unchanged: `<ttl>` or `<sy:updatePeriod>`.

    Only the channel is searched (up to the first item), so an item that
    quotes a `<ttl>` in its text is not taken for the feed's.
    """
    head = body[:HEAD_BYTES]
    for marker in (b"<item", b"<entry"):
        at = head.find(marker)
        if at >= 0:
            head = head[:at]
    hints: list[timedelta] = []
    if match := _TTL.search(head):
        hints.append(timedelta(minutes=int(match.group(1))))
    if match := _PERIOD.search(head):
        period = _PERIODS.get(match.group(1).lower())
        frequency = _FREQUENCY.search(head)
        times = max(1, int(frequency.group(1))) if frequency else 1
        if period is not None:
            hints.append(period / times)
    hints = [hint for hint in hints if hint > timedelta(0)]
    return max(hints) if hints else None


def max_age(cache_control: str | None) -> timedelta | None:
    """`Cache-Control: max-age=N` as a span; None without one, or with no-store/no-cache."""
    if not cache_control:
        return None
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return None
    match = _MAX_AGE.search(cache_control)
    return timedelta(seconds=int(match.group(1))) if match else None


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A `Retry-After` header (seconds or an HTTP date) as a span from `now`."""
    if not value:
        return None
    text = value.strip()
    if text.isdecimal():
        return timedelta(seconds=int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


def after_success(
    now: datetime, hint: timedelta | None, fresh_for: timedelta | None
) -> Wait | None:
    """The wait after a good fetch: the longer of the feed's hint and max-age."""
    spans = [span for span in (hint, fresh_for) if span is not None and span > timedelta(0)]
    if not spans:
        return None
    span = min(max(spans), MAX_WAIT)
    feed_said = hint is not None and (fresh_for is None or hint >= fresh_for)
    source = "the feed's update hint" if feed_said else "Cache-Control: max-age"
    return Wait(now + span, "fresh", f"fresh for {_span(span)} ({source})")


def after_failure(
    now: datetime, failures: int, asked: timedelta | None, status: str | None = None
) -> Wait | None:
    """The wait after a failed fetch: Retry-After when the server asked, else a
    back-off that doubles from the third failure in a row (capped at a day)."""
    if asked is not None:
        span = min(asked, MAX_WAIT)
        said = f" ({status})" if status else ""
        return Wait(now + span, "retry-after", f"the server asked to wait{said}")
    if failures < BACKOFF_AFTER:
        return None
    span = min(BACKOFF_BASE * 2 ** (failures - BACKOFF_AFTER), MAX_WAIT)
    return Wait(now + span, "backoff", f"failed {failures} times in a row")


def _span(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes / 60:.0f} h"
