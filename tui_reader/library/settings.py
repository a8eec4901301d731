"""Settings kept in the library: small named values (the meter's, the seeds' fingerprint).

Imports `database` only.
"""

from __future__ import annotations

import sqlite3

from tui_reader.library.database import Database


def put_setting(db: sqlite3.Connection, key: str, value: str) -> None:
    """Write a setting inside a transaction the caller holds."""
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def read_setting(db: sqlite3.Connection, key: str) -> str | None:
    """Read a setting inside a transaction the caller holds."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


class SettingsStore(Database):
    """Get and set settings, each in its own transaction."""

    def get_setting(self, key: str) -> str | None:
        """Return a stored setting, or None."""
        rows = self.query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        with self.transaction() as db:
            put_setting(db, key, value)
