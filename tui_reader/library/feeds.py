"""Feed subscriptions in the library: adding, finding, removing, and storing a refresh.

`resolve_feed` is the one way a user's feed reference (an id, a URL, a
title or a title's start) becomes a feed: the CLI's `remove`, `refresh
FEED` and `list --feed` and the app's feed picker all go through it, so a
reference naming several feeds never acts on one of them. Imports
`database`, `articles` and the parsed-feed model; never a parser.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

from tui_reader import APP_NAME
from tui_reader.errors import ShownError
from tui_reader.feed_urls import normalise_feed_url
from tui_reader.library.articles import delete_articles, put_texts, sort_key
from tui_reader.library.database import Database, Row, now_iso
from tui_reader.library.enclosures import put_enclosures
from tui_reader.parsed_feed import ParsedFeed


@dataclass(frozen=True)
class Feed:
    """A subscription and how its last refresh went."""

    id: int
    url: str
    title: str
    site_url: str
    folder: str
    etag: str | None
    last_modified: str | None
    updated: str | None  # last successful update, ISO 8601
    error: str | None  # last error, one line; None after a success
    server_id: str | None = None  # what the sync server calls it ("feed/12"), if synced
    checked: str | None = None  # last tried, ISO 8601 (success or not)
    failures: int = 0  # tries in a row that failed
    wait_until: str | None = None  # left alone until then, ISO 8601 (see sources/politeness)
    wait_kind: str | None = None  # "retry-after", "fresh" or "backoff"
    wait_reason: str | None = None  # why, for people
    unread: int = 0
    total: int = 0

    def label(self) -> str:
        """How the feed is named to the user: its id, title and URL."""
        return f"{self.id} {self.title or '(untitled)'!r} <{self.url}>"


@dataclass(frozen=True)
class FeedOverview:
    """The feeds with their counts, and the counts of the whole library."""

    feeds: list[Feed]
    unread: int  # every unread story, in a feed or not
    total: int
    starred_unread: int
    starred: int


class FeedNotFound(ShownError):
    """No subscription matches the reference."""


class AmbiguousFeed(ShownError):
    """The reference names more than one subscription; the message lists them."""

    def __init__(self, ref: str, candidates: list[Feed], count: int) -> None:
        listed = "; ".join(feed.label() for feed in candidates)
        if count > len(candidates):
            listed += f"; and {count - len(candidates)} more"
        super().__init__(f"{ref!r} names {count} feeds: {listed}; give its id or URL instead")
        self.candidates = candidates
        self.count = count


# An ambiguous reference lists at most this many of the feeds it names.
LISTED_CANDIDATES = 20

_FEED_COLUMNS = (
    "id, url, title, site_url, folder, etag, last_modified, updated, error, server_id,"
    " checked, failures, wait_until, wait_kind, wait_reason"
)


def _feed(row: Row, unread: int = 0, total: int = 0) -> Feed:
    return Feed(
        id=int(row[0]),
        url=row[1],
        title=row[2],
        site_url=row[3],
        folder=row[4],
        etag=row[5],
        last_modified=row[6],
        updated=row[7],
        error=row[8],
        server_id=row[9],
        checked=row[10],
        failures=int(row[11] or 0),
        wait_until=row[12],
        wait_kind=row[13],
        wait_reason=row[14],
        unread=unread,
        total=total,
    )


def feed_article_id(feed_id: int, entry_key: str) -> str:
    """The stable id of a feed entry: its feed and its guid, link or content."""
    return hashlib.sha256(f"feed:{feed_id}\0{entry_key}".encode()).hexdigest()[:16]


def queue_feed_change(
    db: sqlite3.Connection, feed_id: int, kind: str, label: str | None = None
) -> None:
    """Keep a change of a synced feed (one the server lists) for the next sync,
    in the transaction that makes it; a local-only feed queues nothing."""
    db.execute(
        "INSERT INTO sync_outbox (kind, stream, label, added)"
        " SELECT ?, server_id, ?, ? FROM feeds WHERE id = ? AND server_id IS NOT NULL",
        (kind, label, now_iso(), feed_id),
    )


def _move_feed(db: sqlite3.Connection, feed_id: int, new_url: str) -> None:
    """Follow a permanent redirect, unless another subscription has that URL."""
    new_url = normalise_feed_url(new_url)
    taken = db.execute(
        "SELECT 1 FROM feeds WHERE url = ? AND id != ?", (new_url, feed_id)
    ).fetchone()
    if not taken:
        db.execute("UPDATE feeds SET url = ? WHERE id = ?", (new_url, feed_id))


class FeedStore(Database):
    """The feeds table, and the articles a refresh brings."""

    def add_feed(self, url: str, *, title: str = "", folder: str = "") -> tuple[Feed, bool]:
        """Subscribe to a feed URL (already sanitized), stored in its normal spelling.

        `HTTP://Host:80/rss.xml` finds the subscription to `http://host/rss.xml`
        (see `normalise_feed_url`) instead of making a second feed that would
        store every article again.

        Returns:
            The feed, and whether it is new (False: already subscribed).
        """
        url = normalise_feed_url(url)
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO feeds (url, title, folder, added) VALUES (?, ?, ?, ?)",
                (url, title, folder, now_iso()),
            )
            row = db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)).fetchone()
        return _feed(row), cursor.rowcount == 1

    def feeds(self) -> list[Feed]:
        """All subscriptions with their unread and total counts, by folder and title."""
        return self.feed_overview().feeds

    def feed_overview(self) -> FeedOverview:
        """Every feed with its counts, and the library's totals, from one pass
        over the articles (the feed list's rows: 40-70 ms for 100,000 stories,
        read ahead by the app). A covering index made it 22 ms but made
        marking 100,000 read twice as slow (0.57 -> 1.2 s): every mark
        rewrote an index entry too."""
        hidden = self.hidden()
        visible = f" WHERE NOT ({hidden.where})" if hidden else ""
        with self.reading() as db:
            counts = {
                row[0]: row[1:]
                for row in db.execute(
                    "SELECT feed_id, SUM(read = 0), count(*), SUM(starred),"
                    f" SUM(starred AND read = 0) FROM articles{visible} GROUP BY feed_id",
                    hidden.params if hidden else (),
                )
            }
            rows = db.execute(
                f"SELECT {_FEED_COLUMNS} FROM feeds ORDER BY folder, lower(title), url"
            ).fetchall()
        feeds = []
        for row in rows:
            unread, total, _, _ = counts.get(row[0], (0, 0, 0, 0))
            feeds.append(_feed(row, int(unread), int(total)))
        return FeedOverview(
            feeds,
            unread=sum(int(c[0]) for c in counts.values()),
            total=sum(int(c[1]) for c in counts.values()),
            starred_unread=sum(int(c[3]) for c in counts.values()),
            starred=sum(int(c[2]) for c in counts.values()),
        )

    def feed(self, feed_id: int) -> Feed | None:
        """One subscription by id."""
        rows = self.query(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE id = ?", (feed_id,))
        return _feed(rows[0]) if rows else None

    def resolve_feed(self, ref: str) -> Feed:
        """Find the one subscription a user's reference names.

        Tried in order, the first step with any match deciding: an exact id,
        a URL as given, a URL in its normal spelling, an exact title (ignoring
        case), the start of a title (ignoring case).

        Raises:
            FeedNotFound: Nothing matches.
            AmbiguousFeed: The deciding step matches several feeds; they are
                listed (id, title, URL) and nothing is chosen.
        """
        ref = ref.strip()
        steps: list[tuple[str, tuple[object, ...]]] = [
            ("url = ?", (ref,)),
            ("url = ?", (normalise_feed_url(ref),)),
            ("lower(title) = lower(?)", (ref,)),
            # instr, not LIKE: a reference may hold % or _.
            ("title <> '' AND instr(lower(title), lower(?)) = 1", (ref,)),
        ]
        if ref.isascii() and ref.isdecimal():
            steps.insert(0, ("CAST(id AS TEXT) = ?", (ref,)))  # "007" is no id
        for where, params in steps if ref else []:
            rows = self.query(
                f"SELECT {_FEED_COLUMNS} FROM feeds WHERE {where} ORDER BY id LIMIT ?",
                (*params, LISTED_CANDIDATES + 1),
            )
            if len(rows) == 1:
                return _feed(rows[0])
            if rows:
                count = self.query(f"SELECT count(*) FROM feeds WHERE {where}", params)[0][0]
                raise AmbiguousFeed(ref, [_feed(row) for row in rows[:LISTED_CANDIDATES]], count)
        raise FeedNotFound(f"no feed {ref!r} (see `{APP_NAME} feeds`)")

    def remove_feed(self, feed_id: int) -> tuple[int, int]:
        """Unsubscribe; starred articles stay in the library, the rest go.

        Returns:
            (articles deleted, starred articles kept).
        """
        with self.transaction() as db:
            queue_feed_change(db, feed_id, "unsubscribe")
            deleted = delete_articles(db, "feed_id = ? AND starred = 0", (feed_id,))
            kept = db.execute(
                "UPDATE articles SET feed_id = NULL WHERE feed_id = ?", (feed_id,)
            ).rowcount
            db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return deleted, kept

    def rename_feed(self, feed_id: int, title: str) -> None:
        """Give a feed the user's own title; refreshes keep it, and its stories show it.

        An empty title gives the feed back its own, from the next refresh: the
        ETag and Last-Modified are forgotten so the server cannot answer 304
        (which carries no title), and the stories keep their name until then.
        """
        with self.transaction() as db:
            if title:
                queue_feed_change(db, feed_id, "rename", title)
            if not title:
                db.execute(
                    "UPDATE feeds SET title = '', etag = NULL, last_modified = NULL WHERE id = ?",
                    (feed_id,),
                )
                return
            db.execute("UPDATE feeds SET title = ? WHERE id = ?", (title, feed_id))
            db.execute("UPDATE articles SET source = ? WHERE feed_id = ?", (title, feed_id))

    def set_feed_folder(self, feed_id: int, folder: str) -> None:
        """File a feed under a folder ("" for none)."""
        with self.transaction() as db:
            queue_feed_change(db, feed_id, "move", folder)
            db.execute("UPDATE feeds SET folder = ? WHERE id = ?", (folder, feed_id))

    def queue_subscribe(self, url: str, folder: str = "") -> None:
        """Keep a subscription for the sync server to make on the next round."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sync_outbox (kind, stream, label, added)"
                " VALUES ('subscribe', ?, ?, ?)",
                (normalise_feed_url(url), folder, now_iso()),
            )

    def record_check(
        self,
        feed_id: int,
        checked: str,
        failures: int,
        wait: tuple[str, str, str] | None,
    ) -> None:
        """Remember a try: when, the failures in a row, and (until, kind, reason) to wait."""
        until, kind, reason = wait if wait is not None else (None, None, None)
        with self.transaction() as db:
            db.execute(
                "UPDATE feeds SET checked = ?, failures = ?, wait_until = ?, wait_kind = ?,"
                " wait_reason = ? WHERE id = ?",
                (checked, failures, until, kind, reason, feed_id),
            )

    def record_feed_error(self, feed_id: int, error: str) -> None:
        """Remember why the last refresh of a feed failed (one line)."""
        with self.transaction() as db:
            db.execute("UPDATE feeds SET error = ? WHERE id = ?", (error, feed_id))

    def record_feed_unchanged(self, feed_id: int, new_url: str | None = None) -> None:
        """The server said 304: the feed is up to date (and maybe moved for good)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE feeds SET updated = ?, error = NULL WHERE id = ?", (now_iso(), feed_id)
            )
            if new_url:
                _move_feed(db, feed_id, new_url)

    def store_feed(
        self,
        feed: Feed,
        parsed: ParsedFeed,
        *,
        etag: str | None,
        last_modified: str | None,
        new_url: str | None = None,
    ) -> tuple[int, int]:
        """Store a refreshed feed and its entries in one transaction.

        Entries are matched by guid, then link, then content; an edited
        entry is updated in place and keeps its read and starred state.

        Args:
            feed: The subscription.
            parsed: What the server sent, parsed.
            etag: The response's ETag, for the next conditional GET.
            last_modified: The response's Last-Modified.
            new_url: Where a permanent redirect says the feed now lives.

        Returns:
            (new articles, updated articles).
        """
        added_at = now_iso()
        new = updated = 0
        seen: set[str] = set()
        with self.transaction() as db:
            # The title as it is now: the user may have renamed the feed
            # while it was being fetched.
            row = db.execute("SELECT title FROM feeds WHERE id = ?", (feed.id,)).fetchone()
            if row is None:
                # Unsubscribed while it was being fetched: storing its entries
                # would bring back stories no feed lists and nothing removes.
                return 0, 0
            title = row[0] or parsed.title
            if row[0] != title:
                # The feed's own title again (after a rename to ""): its stories show it.
                db.execute("UPDATE articles SET source = ? WHERE feed_id = ?", (title, feed.id))
            for entry in parsed.entries:
                key = entry.key()
                qualified = f"{key}#{entry.content_hash()}"
                if qualified in seen:
                    continue  # the very same entry twice
                seen.add(qualified)
                if key in seen:
                    # Two entries of one document share a guid (or, without
                    # guids, a link): tell them apart by content, so neither
                    # is lost and neither overwrites the other every refresh.
                    key = qualified
                seen.add(key)
                article_id = feed_article_id(feed.id, key)
                content_hash = entry.content_hash()
                row = db.execute(
                    "SELECT seq, content_hash FROM articles WHERE id = ?", (article_id,)
                ).fetchone()
                if row is not None and row[1] == content_hash:
                    continue
                values = (
                    title,
                    entry.link,
                    entry.guid,
                    entry.title,
                    entry.published,
                    entry.author,
                    content_hash,
                )
                if row is None:
                    new += 1
                    cursor = db.execute(
                        "INSERT INTO articles (source, url, guid, title, published, author,"
                        " content_hash, id, origin, added, sort_key, feed_id)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'feed', ?, ?, ?)",
                        (
                            *values,
                            article_id,
                            added_at,
                            sort_key(entry.published, added_at),
                            feed.id,
                        ),
                    )
                    put_texts(db, int(cursor.lastrowid or 0), html=entry.html)
                    if entry.enclosures:
                        put_enclosures(db, int(cursor.lastrowid or 0), entry.enclosures)
                else:
                    updated += 1
                    db.execute(
                        "UPDATE articles SET source = ?, url = ?, guid = ?, title = ?,"
                        " published = ?, author = ?, content_hash = ?, indexed = 0,"
                        # A future date sorts as first seen (see `sort_key`).
                        " sort_key = COALESCE(MIN(?, added), sort_key) WHERE id = ?",
                        (*values, entry.published, article_id),
                    )
                    # The feed's new HTML; a full story fetched before stays the body.
                    db.execute(
                        "UPDATE article_texts SET html = ? WHERE article = ?", (entry.html, row[0])
                    )
                    put_enclosures(db, row[0], entry.enclosures)
            db.execute(
                "UPDATE feeds SET title = ?, site_url = ?, etag = ?, last_modified = ?,"
                " updated = ?, error = NULL WHERE id = ?",
                (title, parsed.site_url, etag, last_modified, added_at, feed.id),
            )
            if new_url:
                _move_feed(db, feed.id, new_url)
        return new, updated
