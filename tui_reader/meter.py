"""The free-article meter: a local imitation of a metered paywall.

It works like the WordPress view-limit plugins the seed site uses (Leaky
Paywall works the same way): a number of free articles per period, each
counted view expiring `period_days` after it was counted (a rolling window per
article), re-reads free while the view is inside the window, and a teaser once
none is left. Subscribing is a local switch.

Exactness: the check and the record happen in one `BEGIN IMMEDIATE`
transaction, so concurrent app instances and CLI calls never count a view
twice nor lose one. The clock is never trusted to go backwards: the meter keeps
the latest time it has seen and uses that when the clock reads earlier, so
setting the clock back neither unlocks articles nor wipes the count. The
price: after a clock that ran far ahead is corrected, views counted meanwhile
stay counted until the corrected clock passes the time they were recorded at
plus the period; `tui-reader quota reset` clears them.

This module holds the policy only; the views' SQL is `library.views`.
Imports the library, never a source or the UI.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from tui_reader.library.store import Store
from tui_reader.library.views import ViewLedger

DEFAULT_LIMIT = 5
DEFAULT_PERIOD_DAYS = 30
# Bounds on the settings: past these a value is a typo, and a period of
# millions of days would overflow the date arithmetic.
LIMIT_RANGE = (0, 100_000)
PERIOD_DAYS_RANGE = (1, 36_500)
SECONDS_PER_DAY = 86_400

Clock = Callable[[], float]


@dataclass(frozen=True)
class MeterState:
    """The meter as the user sees it."""

    limit: int
    period_days: int
    used: int
    remaining: int
    subscribed: bool

    def to_json(self) -> dict[str, Any]:
        """The `quota --json` object."""
        return asdict(self)

    def message(self) -> str:
        """The header text, e.g. "You have 3 free articles remaining"."""
        message = remaining_message(self.remaining)
        if self.subscribed:
            # Nothing is counted while subscribed, but the count stays in view.
            message += " · Subscribed: unlimited access"
        return message

    def short_message(self) -> str:
        """The header text where the full one does not fit: "3 free left · subscribed"."""
        return f"{self.remaining} free left" + (" · subscribed" if self.subscribed else "")


def remaining_message(remaining: int) -> str:
    """Say how many free articles are left, in the site's words."""
    noun = "article" if remaining == 1 else "articles"
    return f"You have {remaining} free {noun} remaining"


PAYWALL_MESSAGE = "You have 0 free articles remaining. Subscribe for unlimited access."


@dataclass(frozen=True)
class Access:
    """The meter's answer to opening an article."""

    allowed: bool  # False: show only the teaser
    counted: bool  # True: this opening used up a free article
    state: MeterState  # the meter after the decision


class Meter:
    """Counts article views in the store.

    Args:
        store: The library.
        limit: The config file's limit, which overrides the stored one.
        period_days: The config file's period, which overrides the stored one.
        clock: Seconds since the epoch; injected by tests.
    """

    def __init__(
        self,
        store: Store,
        *,
        limit: int | None = None,
        period_days: int | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.store = store
        self.limit_override = limit
        self.period_override = period_days
        self.clock = clock

    # Settings -------------------------------------------------------------

    def _int_setting(
        self, key: str, override: int | None, default: int, bounds: tuple[int, int]
    ) -> int:
        if override is not None:
            return override
        value = self.store.get_setting(key)
        try:
            number = int(value) if value is not None else default
        except ValueError:
            return default
        # A value out of bounds (written by hand, or by an older version) must
        # not break every later call: fall back to the default.
        return number if bounds[0] <= number <= bounds[1] else default

    @property
    def limit(self) -> int:
        """Free articles per period."""
        return self._int_setting("meter.limit", self.limit_override, DEFAULT_LIMIT, LIMIT_RANGE)

    @property
    def period_days(self) -> int:
        """Days a counted view stays counted."""
        return self._int_setting(
            "meter.period_days", self.period_override, DEFAULT_PERIOD_DAYS, PERIOD_DAYS_RANGE
        )

    @property
    def subscribed(self) -> bool:
        """Whether the local subscription switch is on."""
        return self.store.get_setting("meter.subscribed") == "1"

    def set_limit(self, limit: int) -> None:
        """Store a new limit.

        Raises:
            ValueError: Outside `LIMIT_RANGE`; the message is for the user.
        """
        low, high = LIMIT_RANGE
        if not low <= limit <= high:
            raise ValueError(f"the limit must be a whole number from {low} to {high:,}")
        self.store.set_setting("meter.limit", str(limit))

    def set_period(self, days: int) -> None:
        """Store a new period in days.

        Raises:
            ValueError: Outside `PERIOD_DAYS_RANGE`; the message is for the user.
        """
        low, high = PERIOD_DAYS_RANGE
        if not low <= days <= high:
            raise ValueError(f"the period must be a whole number of days from {low} to {high:,}")
        self.store.set_setting("meter.period_days", str(days))

    def set_subscribed(self, subscribed: bool) -> None:
        """Turn the local subscription on or off."""
        self.store.set_setting("meter.subscribed", "1" if subscribed else "0")

    def reset(self) -> None:
        """Forget every counted view."""
        self.store.forget_views()

    # Counting -------------------------------------------------------------

    def _now(self, ledger: ViewLedger, *, advance: bool) -> float:
        """The clock, never earlier than the latest time already seen."""
        seen = ledger.clock_high_water()
        now = max(self.clock(), seen)
        if advance and now > seen:
            ledger.advance_clock(now)
        return now

    def _state_at(self, ledger: ViewLedger, now: float) -> MeterState:
        limit = self.limit
        period = self.period_days
        used = ledger.used_since(now - period * SECONDS_PER_DAY)
        return MeterState(limit, period, used, max(0, limit - used), self.subscribed)

    def state(self) -> MeterState:
        """The meter now, without changing anything."""
        with self.store.peeking() as ledger:
            return self._state_at(ledger, self._now(ledger, advance=False))

    def open(self, article_id: str, *, exempt: bool = False) -> Access:
        """Open an article: count it if it is new and a free article is left.

        The check and the record are one `BEGIN IMMEDIATE` transaction.

        Args:
            article_id: The article being opened.
            exempt: Its feed is exempt from the meter (config `exempt_feeds`),
                like Leaky Paywall's exempt categories: shown, never counted.

        Returns:
            Whether to show it in full, whether it was counted, and the meter
            after the decision.
        """
        with self.store.counting() as ledger:
            now = self._now(ledger, advance=True)
            state = self._state_at(ledger, now)
            if state.subscribed or exempt:
                return Access(True, False, state)
            since = now - state.period_days * SECONDS_PER_DAY
            if ledger.counted_since(article_id, since):
                return Access(True, False, state)
            if state.remaining <= 0:
                return Access(False, False, state)
            ledger.record(article_id, now)
            return Access(True, True, self._state_at(ledger, now))
