"""Stories' enclosures in the library: podcast episodes and other files, and where one was saved.

Keyed by the story's `seq` like its texts, in the feed's order. Storing a
story again (an edited entry, a sync) replaces its enclosures but keeps
`saved` for an address that stays, so a downloaded episode is still known
as downloaded. Imports `database` and the enclosure model.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from tui_reader.enclosure import Enclosure
from tui_reader.library.database import Database


def put_enclosures(db: sqlite3.Connection, seq: int, enclosures: Sequence[Enclosure]) -> None:
    """Store a story's enclosures (`seq`: its row), replacing any it had."""
    old = dict(
        db.execute(
            "SELECT url, saved FROM enclosures WHERE article = ? AND saved IS NOT NULL", (seq,)
        ).fetchall()
    )
    db.execute("DELETE FROM enclosures WHERE article = ?", (seq,))
    if not enclosures:
        return
    db.executemany(
        "INSERT INTO enclosures (article, position, url, type, length, duration, saved)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (seq, n, e.url, e.type, e.length, e.duration, old.get(e.url))
            for n, e in enumerate(enclosures)
        ],
    )


class EnclosureStore(Database):
    """The enclosures of stories, for the article view, `list --json`, play and download."""

    def enclosures(self, article_id: str) -> list[Enclosure]:
        """A story's enclosures in the feed's order (none for an unknown id)."""
        rows = self.query(
            "SELECT e.url, e.type, e.length, e.duration FROM enclosures e"
            " JOIN articles a ON a.seq = e.article WHERE a.id = ? ORDER BY e.position",
            (article_id,),
        )
        return [Enclosure(*row) for row in rows]

    def enclosures_of(self, article_ids: Sequence[str]) -> dict[str, list[Enclosure]]:
        """The enclosures of many stories at once (`list --json`), by story id.

        Few stories carry any, so for a long list the whole table is read
        once and picked from, rather than asked of id by id.
        """
        sql = (
            "SELECT a.id, e.url, e.type, e.length, e.duration FROM enclosures e"
            " JOIN articles a ON a.seq = e.article"
        )
        order = " ORDER BY e.article, e.position"
        if len(article_ids) > 500:
            wanted = set(article_ids)
            rows = [row for row in self.query(sql + order) if row[0] in wanted]
        elif article_ids:
            marks = ", ".join("?" * len(article_ids))
            rows = self.query(f"{sql} WHERE a.id IN ({marks}){order}", article_ids)
        else:
            rows = []
        found: dict[str, list[Enclosure]] = {}
        for article_id, *fields in rows:
            found.setdefault(article_id, []).append(Enclosure(*fields))
        return found

    def saved_enclosure(self, article_id: str, url: str) -> str | None:
        """Where `download` saved this enclosure of the story, if it did."""
        rows = self.query(
            "SELECT e.saved FROM enclosures e JOIN articles a ON a.seq = e.article"
            " WHERE a.id = ? AND e.url = ? AND e.saved IS NOT NULL",
            (article_id, url),
        )
        return str(rows[0][0]) if rows else None

    def record_saved(self, article_id: str, url: str, path: str | None) -> None:
        """Remember where the enclosure was saved (None: it is no longer there)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE enclosures SET saved = ? WHERE url = ?"
                " AND article = (SELECT seq FROM articles WHERE id = ?)",
                (path, url, article_id),
            )
