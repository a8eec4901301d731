"""What sync keeps in the library: the outbox of local changes, and the
server's feeds, stories and states applied locally.

The outbox is written by `articles` in the transaction of each change
(`queue_flags`, mark-all-read); this module reads it for a push and drops
an entry only once the server has accepted it. A pull never overrides a
change still waiting in the outbox, so local state does not flip back.
Imports `database`, `articles`, `feeds` and the sync model only.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui_reader.enclosure import Enclosure
from tui_reader.feed_urls import normalise_feed_url
from tui_reader.library.articles import Flag, delete_articles, sort_key
from tui_reader.library.database import Database, now_iso
from tui_reader.library.enclosures import put_enclosures

# Rows per statement when matching many server ids.
_CHUNK = 10_000


@dataclass(frozen=True)
class FlagChange:
    """The latest local change of one synced story's flag, still to be pushed."""

    seq: int  # its outbox entry: entries up to it for this story and flag go once pushed
    item: int
    flag: Flag
    value: bool


@dataclass(frozen=True)
class MarkAll:
    """A local mark-all-read still to be pushed: the stream and the newest story's time."""

    seq: int
    stream: str
    ts_us: int


@dataclass(frozen=True)
class FeedChange:
    """A local change of a subscription, still to be pushed: subscribe (`stream`
    is the URL), unsubscribe, move (`label`: the folder) or rename (`label`: the title)."""

    seq: int
    kind: str
    stream: str
    label: str


@dataclass(frozen=True)
class SyncedFeed:
    """A subscription as the server lists it."""

    server_id: str
    url: str
    title: str
    folder: str


@dataclass(frozen=True)
class SyncedItem:
    """A story as the server sent it (text already sanitized)."""

    item: int
    server_feed: str
    title: str
    link: str
    author: str
    published: str | None
    crawled_us: int
    html: str
    read: bool
    starred: bool
    enclosures: tuple[Enclosure, ...] = ()


def synced_article_id(item: int) -> str:
    """The local id of a server's story: the same on every machine that syncs it."""
    return hashlib.sha256(f"greader\0{item}".encode()).hexdigest()[:16]


class SyncStore(Database):
    """The outbox and the applying of the server's answers."""

    # The outbox ------------------------------------------------------------

    def pending_changes(self) -> tuple[list[FlagChange], list[MarkAll]]:
        """What waits to be pushed: each story's latest flag change, and every mark-all."""
        flags = [
            FlagChange(
                int(row[0]), int(row[1]), "read" if row[2] == "read" else "starred", bool(row[3])
            )
            for row in self.query(
                "SELECT o.seq, o.item, o.kind, o.value FROM sync_outbox o"
                " JOIN (SELECT max(seq) AS seq FROM sync_outbox"
                " WHERE kind IN ('read', 'starred') GROUP BY item, kind) latest"
                " ON latest.seq = o.seq ORDER BY o.seq"
            )
        ]
        marks = [
            MarkAll(int(row[0]), str(row[1]), int(row[2]))
            for row in self.query(
                "SELECT seq, stream, ts FROM sync_outbox WHERE kind = 'mark-all' ORDER BY seq"
            )
        ]
        return flags, marks

    def pending_feed_changes(self) -> list[FeedChange]:
        """The subscription changes waiting to be pushed, in the order they were made."""
        return [
            FeedChange(int(row[0]), str(row[1]), str(row[2]), str(row[3] or ""))
            for row in self.query(
                "SELECT seq, kind, stream, label FROM sync_outbox"
                " WHERE kind IN ('subscribe', 'unsubscribe', 'move', 'rename') ORDER BY seq"
            )
        ]

    def pushed_entry(self, seq: int) -> None:
        """The server accepted this outbox entry."""
        with self.transaction() as db:
            db.execute("DELETE FROM sync_outbox WHERE seq = ?", (seq,))

    def pending_count(self) -> int:
        """How many local changes wait for the server."""
        return int(self.query("SELECT count(*) FROM sync_outbox")[0][0])

    def pushed_flags(self, changes: Iterable[FlagChange]) -> None:
        """The server accepted these: drop them, and the older entries they replaced
        (a change made since, with a later entry, stays)."""
        with self.transaction() as db:
            db.executemany(
                "DELETE FROM sync_outbox WHERE kind = ? AND item = ? AND seq <= ?",
                [(c.flag, c.item, c.seq) for c in changes],
            )

    def pushed_mark_all(self, mark: MarkAll) -> None:
        """The server accepted this mark-all-read."""
        self.pushed_entry(mark.seq)

    # Feeds -----------------------------------------------------------------

    def apply_server_feeds(self, feeds: Sequence[SyncedFeed]) -> tuple[dict[str, int], int, int]:
        """Match the server's subscriptions to local feeds (by server id, then URL),
        add the new ones, file them in their folders, and remove the local feeds the
        server no longer has (their starred stories stay).

        Returns:
            (server feed id -> local feed id, feeds added, feeds removed).
        """
        added = removed = 0
        mapping: dict[str, int] = {}
        with self.transaction() as db:
            by_server = {
                str(row[1]): int(row[0])
                for row in db.execute("SELECT id, server_id FROM feeds WHERE server_id IS NOT NULL")
            }
            for feed in feeds:
                url = normalise_feed_url(feed.url)
                local = by_server.get(feed.server_id)
                if local is None:
                    row = db.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
                    if row is None:
                        cursor = db.execute(
                            "INSERT INTO feeds (url, title, folder, added) VALUES (?, ?, ?, ?)",
                            (url, feed.title, feed.folder, now_iso()),
                        )
                        local = int(cursor.lastrowid or 0)
                        added += 1
                    else:
                        local = int(row[0])
                # The server's title and folder: local renames and moves were
                # pushed before this pull.
                db.execute(
                    "UPDATE feeds SET server_id = ?, folder = ?,"
                    " title = CASE WHEN ? = '' THEN title ELSE ? END WHERE id = ?",
                    (feed.server_id, feed.folder, feed.title, feed.title, local),
                )
                db.execute(
                    "UPDATE articles SET source = ? WHERE feed_id = ? AND ? <> '' AND source <> ?",
                    (feed.title, local, feed.title, feed.title),
                )
                mapping[feed.server_id] = local
            for server_id, local in by_server.items():
                if server_id not in mapping:
                    delete_articles(db, "feed_id = ? AND starred = 0", (local,))
                    db.execute("UPDATE articles SET feed_id = NULL WHERE feed_id = ?", (local,))
                    db.execute("DELETE FROM feeds WHERE id = ?", (local,))
                    removed += 1
        return mapping, added, removed

    # Stories ---------------------------------------------------------------

    def holds_synced(self) -> bool:
        """Whether the library holds any of the server's stories (else: a first sync)."""
        return bool(self.query("SELECT 1 FROM articles WHERE server_item IS NOT NULL LIMIT 1"))

    def known_items(self, items: Sequence[int]) -> set[int]:
        """Which of these server stories the library holds already."""
        known: set[int] = set()
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.query(
                f"SELECT server_item FROM articles WHERE server_item IN ({marks})", chunk
            )
            known.update(int(row[0]) for row in rows)
        return known

    def store_synced_items(self, items: Sequence[SyncedItem], feeds: dict[str, int]) -> int:
        """Store the server's new stories, with their read and starred state.

        A story the library already has from refreshing the same feed itself
        (same feed, same link) takes the server's id instead of being stored twice.

        Returns:
            How many stories are new to the library.
        """
        added_at = now_iso()
        with self.transaction() as db:
            sources = {
                int(row[0]): str(row[1] or row[2])
                for row in db.execute("SELECT id, title, url FROM feeds")
            }
            # Only a feed with stories refreshed here before it was synced
            # needs each link looked up (a first sync of a new library: none).
            unsynced = {
                feed_id
                for feed_id in {feeds.get(item.server_feed) for item in items} - {None}
                if db.execute(
                    "SELECT 1 FROM articles INDEXED BY articles_unsynced_links"
                    " WHERE feed_id = ? AND server_item IS NULL LIMIT 1",
                    (feed_id,),
                ).fetchone()
            }
            rows, texts = [], []
            for item in items:
                feed_id = feeds.get(item.server_feed)
                if (
                    feed_id is not None
                    and feed_id in unsynced
                    and item.link
                    and _attach(db, item, feed_id)
                ):
                    continue
                texts.append((item.html, item.item))
                rows.append(
                    (
                        synced_article_id(item.item),
                        sources.get(feed_id, "") if feed_id is not None else "",
                        item.link,
                        str(item.item),
                        item.title,
                        item.published,
                        added_at,
                        sort_key(item.published, added_at),
                        feed_id,
                        item.author,
                        int(item.read),
                        int(item.starred),
                        item.item,
                        item.crawled_us,
                    )
                )
            # A story already held is left alone, texts too.
            held = {
                int(row[0])
                for row in db.execute(
                    "SELECT server_item FROM articles WHERE server_item IN"
                    " (SELECT value FROM json_each(?))",
                    (json.dumps([row[12] for row in rows]),),
                )
            }
            rows = [row for row in rows if row[12] not in held]
            texts = [text for text in texts if text[1] not in held]
            base = int(db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])
            before = db.total_changes
            _insert_rows(
                db,
                "INSERT OR IGNORE INTO articles (id, origin, source, url, guid, title,"
                " published, added, sort_key, feed_id, author, read, starred,"
                " server_item, server_time) VALUES ",
                "(?, 'feed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            new = db.total_changes - before
            last = int(db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])
            if new == len(rows) and last == base + new:
                # Every row went in, each numbered one past the last: in order.
                _insert_rows(
                    db,
                    "INSERT OR REPLACE INTO article_texts (article, body, html) VALUES ",
                    "(?, '[]', ?)",
                    [(base + n, html) for n, (html, _) in enumerate(texts, 1)],
                )
            else:  # some were refused (an id taken): find each one's row
                db.executemany(
                    "INSERT OR REPLACE INTO article_texts (article, body, html)"
                    " SELECT seq, '[]', ? FROM articles WHERE server_item = ?",
                    texts,
                )
            stored = {row[12] for row in rows}
            for item in items:  # podcasts: few stories have any
                if item.enclosures and item.item in stored:
                    found = db.execute(
                        "SELECT seq FROM articles WHERE server_item = ?", (item.item,)
                    ).fetchone()
                    if found is not None:
                        put_enclosures(db, int(found[0]), item.enclosures)
        return new

    def apply_server_states(self, unread: set[int], starred: set[int]) -> tuple[int, int]:
        """Take the server's read and starred state for every synced story,
        except where a local change still waits to be pushed.

        Args:
            unread: The server's unread stories (every other synced one is read).
            starred: The server's starred stories.

        Returns:
            (stories whose read state changed, stories whose star changed).
        """
        with self.transaction() as db:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS server_unread (item INTEGER PRIMARY KEY)")
            db.execute("CREATE TEMP TABLE IF NOT EXISTS server_starred (item INTEGER PRIMARY KEY)")
            db.execute("DELETE FROM server_unread")
            db.execute("DELETE FROM server_starred")
            db.executemany("INSERT INTO server_unread VALUES (?)", [(i,) for i in unread])
            db.executemany("INSERT INTO server_starred VALUES (?)", [(i,) for i in starred])
            read_changed = db.execute(
                "UPDATE articles SET read = (server_item NOT IN (SELECT item FROM server_unread))"
                " WHERE server_item IS NOT NULL"
                " AND read != (server_item NOT IN (SELECT item FROM server_unread))"
                " AND server_item NOT IN"
                " (SELECT item FROM sync_outbox WHERE kind = 'read' AND item IS NOT NULL)"
                " AND NOT EXISTS (SELECT 1 FROM sync_outbox m WHERE m.kind = 'mark-all'"
                "  AND articles.server_time <= m.ts AND (m.stream LIKE 'user/%'"
                "  OR m.stream = (SELECT server_id FROM feeds WHERE id = articles.feed_id)))"
            ).rowcount
            starred_changed = db.execute(
                "UPDATE articles SET starred = (server_item IN (SELECT item FROM server_starred))"
                " WHERE server_item IS NOT NULL"
                " AND starred != (server_item IN (SELECT item FROM server_starred))"
                " AND server_item NOT IN"
                " (SELECT item FROM sync_outbox WHERE kind = 'starred' AND item IS NOT NULL)"
            ).rowcount
            db.execute("DELETE FROM server_unread")
            db.execute("DELETE FROM server_starred")
        return int(read_changed), int(starred_changed)


def _flag(kind: str) -> Flag:
    return "read" if kind == "read" else "starred"


# Rows per INSERT statement: 500 x 14 values stays under SQLite's 32,766.
ROWS_PER_STATEMENT = 500


def _insert_rows(
    db: sqlite3.Connection, head: str, row: str, rows: Sequence[tuple[object, ...]]
) -> None:
    """Insert rows a few hundred to a statement (`head` + `row`, `row`, ...).

    Not executemany: that takes the interpreter back after every row, and
    with another thread busy (a first sync parses the next page meanwhile)
    each of those waits its turn, so 10,000 rows took 1.8 s instead of 0.13.
    One statement binds its values at once and writes with the lock let go.
    """
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        db.execute(head + ",".join([row] * len(chunk)), [v for r in chunk for v in r])


def _attach(db: sqlite3.Connection, item: SyncedItem, feed_id: int) -> bool:
    """Give a story refreshed locally before the server's id; True if there was one."""
    cursor = db.execute(
        "UPDATE articles SET server_item = ?, server_time = ?, read = ?, starred = ?"
        " WHERE seq = (SELECT seq FROM articles INDEXED BY articles_unsynced_links"
        " WHERE feed_id = ? AND url = ? AND server_item IS NULL LIMIT 1)",
        (item.item, item.crawled_us, int(item.read), int(item.starred), feed_id, item.link),
    )
    return cursor.rowcount == 1
