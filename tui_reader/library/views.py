"""The meter's counted views, as SQL: what the meter's policy (`tui_reader.meter`) reads and writes.

A view is one article counted at one time. The ledger is used inside one
`BEGIN IMMEDIATE` transaction, so the check and the record of an opening
are atomic across processes. Imports `database` and `settings` only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from tui_reader.library.settings import SettingsStore, put_setting, read_setting

_CLOCK_KEY = "meter.clock_high_water"


class ViewLedger:
    """The counted views inside a transaction the caller holds."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def clock_high_water(self) -> float:
        """The latest clock reading the meter has seen (0 when none, or unreadable)."""
        try:
            return float(read_setting(self.db, _CLOCK_KEY) or 0.0)
        except ValueError:
            return 0.0

    def advance_clock(self, now: float) -> None:
        """Remember `now` as the latest clock reading seen."""
        put_setting(self.db, _CLOCK_KEY, repr(now))

    def used_since(self, since: float) -> int:
        """How many views were counted after `since` (seconds since the epoch)."""
        return int(
            self.db.execute("SELECT count(*) FROM views WHERE counted_at > ?", (since,)).fetchone()[
                0
            ]
        )

    def counted_since(self, article_id: str, since: float) -> bool:
        """Whether this article's view was counted after `since`."""
        row = self.db.execute(
            "SELECT 1 FROM views WHERE article_id = ? AND counted_at > ?", (article_id, since)
        ).fetchone()
        return row is not None

    def record(self, article_id: str, now: float) -> None:
        """Count a view of the article at `now` (a re-count moves its time)."""
        self.db.execute(
            "INSERT INTO views (article_id, counted_at) VALUES (?, ?) "
            "ON CONFLICT (article_id) DO UPDATE SET counted_at = excluded.counted_at",
            (article_id, now),
        )


class ViewsStore(SettingsStore):
    """Reading and writing the meter's views."""

    @contextmanager
    def counting(self) -> Iterator[ViewLedger]:
        """The view ledger inside one write transaction (check-and-record is atomic)."""
        with self.transaction(immediate=True) as db:
            yield ViewLedger(db)

    @contextmanager
    def peeking(self) -> Iterator[ViewLedger]:
        """The view ledger for reads only (no write lock taken)."""
        with self.reading() as db:
            yield ViewLedger(db)

    def forget_views(self) -> None:
        """Forget every counted view."""
        with self.transaction() as db:
            db.execute("DELETE FROM views")
