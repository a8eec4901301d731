"""The local library: one SQLite database holding articles and the meter.

Every write is a transaction; the meter's check-and-record runs under
`BEGIN IMMEDIATE` so app instances and CLI calls sharing one data dir agree.
The schema carries its version in `PRAGMA user_version` and migrates forward.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui_reader.article import Article
from tui_reader.feeds import ParsedFeed
from tui_reader.importer import read_many
from tui_reader.locations import database_path

# How long a writer waits for another process's lock before giving up.
BUSY_TIMEOUT_MS = 15_000
# Search ranks title matches by relevance when there are fewer than this.
RANK_TITLES_UP_TO = 1_000


class StoreError(Exception):
    """The library cannot be opened or written; the message is one line."""


# Each entry upgrades the schema from version N to N + 1. Never edit a shipped
# migration: add a new one, so every older library walks the same path.
MIGRATIONS: list[str] = [
    # 0 -> 1: articles and settings.
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        origin TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        guid TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL,
        standfirst TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '[]',
        word_count INTEGER NOT NULL DEFAULT 0,
        published TEXT,
        added TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 1 -> 2: the free-article meter, and a sort key so the headline list is
    # read in index order instead of sorted on every start.
    """
    CREATE TABLE views (
        article_id TEXT PRIMARY KEY,
        counted_at REAL NOT NULL
    );
    ALTER TABLE articles ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
    UPDATE articles SET sort_key = COALESCE(published, added);
    CREATE INDEX articles_by_sort_key ON articles (sort_key DESC, id);
    """,
    # 2 -> 3: feed subscriptions; feed articles keep their entry HTML (turned
    # into blocks when opened) and a hash to tell an edited entry.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        site_url TEXT NOT NULL DEFAULT '',
        folder TEXT NOT NULL DEFAULT '',
        etag TEXT,
        last_modified TEXT,
        updated TEXT,
        error TEXT,
        added TEXT NOT NULL
    );
    ALTER TABLE articles ADD COLUMN feed_id INTEGER;
    ALTER TABLE articles ADD COLUMN author TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles ADD COLUMN html TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
    CREATE INDEX articles_by_feed ON articles (feed_id, sort_key DESC);
    """,
    # 3 -> 4: full-text search. The index is filled in a deferred pass
    # (`index_pending`), not during a refresh: turning HTML into words costs.
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body, tokenize='unicode61 remove_diacritics 2'
    );
    ALTER TABLE articles ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX articles_to_index ON articles (indexed) WHERE indexed = 0;
    """,
    # 4 -> 5: a feed article's full story, extracted from its web page.
    # `full_text` is 1 when `body` holds it in place of the feed's summary;
    # `full_text_error` says why the last try failed (a refresh won't retry).
    """
    ALTER TABLE articles ADD COLUMN full_text INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE articles ADD COLUMN full_text_error TEXT NOT NULL DEFAULT '';
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


# slots: a library of 100,000 headlines is held in memory; slots save a third.
@dataclass(frozen=True, slots=True)
class Headline:
    """One row of the headline list: no body, cheap to load in bulk."""

    id: str
    title: str
    source: str
    published: str | None
    url: str
    read: bool
    starred: bool


@dataclass
class StoredArticle:
    """An article with its library state."""

    id: str
    article: Article
    read: bool
    starred: bool
    added: str
    html: str = ""  # a feed entry's HTML, converted to blocks when opened
    feed_url: str = ""
    full_text: bool = False  # the body is the story from its web page


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
    unread: int = 0
    total: int = 0


_FEED_COLUMNS = "id, url, title, site_url, folder, etag, last_modified, updated, error"


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
        unread=unread,
        total=total,
    )


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """SQLITE_NOTADB or SQLITE_CORRUPT: the file is not (or no longer) a database."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return True
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def _move_aside(path: Path) -> Path:
    """Rename a damaged library (and its WAL files) with a timestamp; never delete it."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on a file (where the platform has flock)."""
    try:
        import fcntl
    except ImportError:  # Windows: SQLite's own locking still keeps data safe
        yield
        return
    try:
        handle = lock_path.open("a")
    except OSError:
        yield  # a read-only data dir: opening will fail with a clear message anyway
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _explain(exc: sqlite3.Error, path: Path) -> str:
    """Say in one line what a SQLite error means for the user."""
    text = _one_line(exc)
    if isinstance(exc, sqlite3.DatabaseError) and _is_corruption(exc):
        with suppress(OSError):
            path.with_name(path.name + ".damaged-flag").touch()
        return (
            f"the library {path} is damaged ({text}); start tui-reader again to set it"
            " aside and begin a fresh one"
        )
    if "locked" in text or "busy" in text:
        return f"the library {path} is busy (another tui-reader is writing); try again"
    if "readonly" in text:
        return f"the library {path} is read-only; check its permissions"
    if "disk is full" in text or "disk I/O" in text:
        return f"cannot write the library {path}: {text}; nothing already stored was lost"
    return f"library {path}: {text}"


Row = tuple[Any, ...]
_HEADLINE_COLUMNS = "id, title, source, published, url, read, starred"


def _headline(row: Row) -> Headline:
    # Sources repeat across a whole feed: one string each, not one per row.
    return Headline(row[0], row[1], sys.intern(row[2]), row[3], row[4], bool(row[5]), bool(row[6]))


class Store:
    """The SQLite library in one data directory."""

    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the library at `path` and migrate it.

        Args:
            path: The database file.

        Raises:
            StoreError: When the file cannot be opened, is not a library, or
                was written by a newer tui-reader.
        """
        self.path = path
        # One connection is shared by the app's worker threads; the lock keeps
        # one thread's transaction from interleaving with another's.
        self.lock = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create data directory {path.parent}: {exc.strerror}"
            ) from None
        # Set when a damaged library was moved aside: say so to the user.
        self.notice: str | None = None
        # Detecting damage and moving the file aside happen under a lock file,
        # so two programs starting at once cannot both move it (the second
        # would move the fresh library the first just made).
        with _exclusive(path.with_name(path.name + ".lock")):
            try:
                self._connect()
                if self._damage_flag.exists():
                    self._check_flagged_damage()
            except sqlite3.DatabaseError as exc:
                if not _is_corruption(exc):
                    raise self._open_failure(exc) from None
                self._set_aside(_one_line(exc))
            except sqlite3.Error as exc:
                raise self._open_failure(exc) from None

    @property
    def _damage_flag(self) -> Path:
        """Left by a program that met damage mid-use; checked at the next open."""
        return self.path.with_name(self.path.name + ".damaged-flag")

    def _check_flagged_damage(self) -> None:
        # A full check costs a read of the whole file, so it runs only when an
        # earlier run met damage, not on every start.
        result = self.db.execute("PRAGMA quick_check(1)").fetchone()[0]
        if result == "ok":
            self._damage_flag.unlink(missing_ok=True)
        else:
            self._set_aside(_one_line(result))

    def _set_aside(self, reason: str) -> None:
        if hasattr(self, "db"):
            self.db.close()
        try:
            moved = _move_aside(self.path)
        except OSError as exc:
            raise StoreError(
                f"the library {self.path} is damaged ({reason}) and cannot be moved aside:"
                f" {exc.strerror}"
            ) from None
        self._damage_flag.unlink(missing_ok=True)
        self.notice = (
            f"the library {self.path} was damaged ({reason}); moved it to {moved}"
            " and started a fresh one"
        )
        try:
            self._connect()
        except sqlite3.Error as again:
            raise self._open_failure(again) from None

    def _open_failure(self, exc: sqlite3.Error) -> StoreError:
        reason = _one_line(exc)
        if not os.access(self.path.parent, os.W_OK):
            reason = f"the data directory {self.path.parent} is not writable ({reason})"
        return StoreError(f"cannot open library {self.path}: {reason}")

    def _connect(self) -> None:
        # isolation_level=None: we issue BEGIN ourselves, so each
        # transaction's extent (and its lock mode) is explicit.
        self.db = sqlite3.connect(
            self.path,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Check the version before anything writes (switching to WAL rewrites
        # the header): a newer program's library is left exactly as it was.
        self._refuse_newer_schema()
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    @classmethod
    def open(cls, data_dir: Path) -> Store:
        """Open the library inside `data_dir`."""
        return cls(database_path(data_dir))

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        """Run a block in one transaction, committed on success.

        Args:
            immediate: Take the write lock at the start (`BEGIN IMMEDIATE`), so
                a read-then-write cannot race another process.

        Raises:
            StoreError: When SQLite fails (busy, read-only, disk full); the
                transaction is rolled back and nothing is half-written.
        """
        with self.lock:
            try:
                self.db.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            except sqlite3.Error as exc:
                raise StoreError(_explain(exc, self.path)) from None
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(_explain(exc, self.path)) from None
                raise

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Run a read and return all its rows.

        Raises:
            StoreError: When SQLite fails; one line for the user.
        """
        with self.lock:
            try:
                return self.db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(_explain(exc, self.path)) from None

    def schema_version(self) -> int:
        """The schema version the file is at."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _refuse_newer_schema(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            self.db.close()
            raise StoreError(
                f"library {self.path} has schema version {version}, newer than this "
                f"tui-reader knows ({SCHEMA_VERSION}); upgrade tui-reader (nothing was changed)"
            )

    def _migrate(self) -> None:
        version = self.schema_version()
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                # Another process may have migrated while we waited for the lock.
                if self.schema_version() >= target:
                    continue
                for statement in MIGRATIONS[target - 1].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target}")

    # Settings -------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        """Return a stored setting, or None."""
        rows = self.query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        with self.transaction() as db:
            put_setting(db, key, value)

    # Articles -------------------------------------------------------------

    def add_articles(self, articles: Iterable[Article]) -> list[tuple[str, bool]]:
        """Add articles in one transaction; ones already there are left alone.

        Args:
            articles: Parsed articles (their text already sanitized).

        Returns:
            (id, added) for each article; added is False for a duplicate.
        """
        with self.transaction() as db:
            return [_insert_article(db, article) for article in articles]

    def headlines(
        self,
        *,
        unread_only: bool = False,
        starred_only: bool = False,
        feed_id: int | None = None,
        limit: int | None = None,
    ) -> list[Headline]:
        """List headlines, newest first.

        Args:
            unread_only: Only articles not marked read.
            starred_only: Only starred articles.
            feed_id: Only this feed's articles.
            limit: At most this many (the first screenful, say).

        Returns:
            Headlines in display order.
        """
        where = []
        if unread_only:
            where.append("read = 0")
        if starred_only:
            where.append("starred = 1")
        if feed_id is not None:
            where.append(f"feed_id = {int(feed_id)}")
        sql = f"SELECT {_HEADLINE_COLUMNS} FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY sort_key DESC, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        # Row by row, not fetchall(): 100,000 rows held twice (as tuples and as
        # headlines) would double the peak memory of loading a large library.
        with self.lock:
            try:
                return [_headline(row) for row in self.db.execute(sql)]
            except sqlite3.Error as exc:
                raise StoreError(_explain(exc, self.path)) from None

    def headline(self, article_id: str) -> Headline | None:
        """Load one headline (after its state changed), or None."""
        rows = self.query(f"SELECT {_HEADLINE_COLUMNS} FROM articles WHERE id = ?", (article_id,))
        return _headline(rows[0]) if rows else None

    def count(self) -> int:
        """Number of articles in the library."""
        return int(self.query("SELECT count(*) FROM articles")[0][0])

    def find_ids(self, prefix: str) -> list[str]:
        """Find articles whose id starts with `prefix`.

        Args:
            prefix: A full id or a prefix of at least 4 hex digits.

        Returns:
            Up to two matching ids: none, the one, or two when it is ambiguous.
        """
        prefix = prefix.strip().lower()
        if len(prefix) < 4 or not all(c in "0123456789abcdef" for c in prefix):
            return []
        rows = self.query(
            "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
            (prefix, prefix + "g"),
        )
        return [str(row[0]) for row in rows]

    def get(self, article_id: str) -> StoredArticle | None:
        """Load one article with its body, or None if there is no such id."""
        rows = self.query(
            "SELECT a.id, a.origin, a.source, a.url, a.title, a.standfirst, a.body, a.published,"
            " a.read, a.starred, a.added, a.html, a.author, COALESCE(f.url, ''), a.full_text"
            " FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?",
            (article_id,),
        )
        if not rows:
            return None
        row = rows[0]
        article = Article(
            title=row[4],
            standfirst=row[5],
            blocks=Article.blocks_from_json(row[6]),
            source=row[2],
            url=row[3],
            published=row[7],
            origin=row[1],
            author=row[12],
        )
        return StoredArticle(
            row[0],
            article,
            bool(row[8]),
            bool(row[9]),
            row[10],
            html=row[11],
            feed_url=row[13],
            full_text=bool(row[14]),
        )

    def set_flag(self, article_id: str, flag: str, value: bool) -> None:
        """Set an article's `read` or `starred` flag."""
        if flag not in ("read", "starred"):
            raise ValueError(flag)
        with self.transaction() as db:
            db.execute(f"UPDATE articles SET {flag} = ? WHERE id = ?", (int(value), article_id))

    def set_read(self, article_id: str, read: bool) -> None:
        """Mark an article read or unread."""
        self.set_flag(article_id, "read", read)

    def set_starred(self, article_id: str, starred: bool) -> None:
        """Star or unstar an article."""
        self.set_flag(article_id, "starred", starred)

    # Search ---------------------------------------------------------------

    def index_pending(self, limit: int = 2_000) -> int:
        """Add not-yet-indexed articles to the full-text index.

        Args:
            limit: At most this many in one call (one transaction).

        Returns:
            How many were indexed; 0 when the index is up to date.
        """
        from tui_reader.html_convert import html_text

        if not self.query("SELECT 1 FROM articles WHERE indexed = 0 LIMIT 1"):
            return 0  # up to date: no write lock taken (a read-only library still searches)
        # Read, convert and write in one transaction: an article rewritten in
        # between (a refresh, `f`, `save`) would otherwise be marked indexed
        # with its old words. Converting a batch takes a few milliseconds.
        with self.transaction() as db:
            rows = db.execute(
                "SELECT rowid, title, standfirst, body, html FROM articles"
                " WHERE indexed = 0 LIMIT ?",
                (limit,),
            ).fetchall()
            documents = []
            for rowid, title, standfirst, body, html in rows:
                blocks = " ".join(b.text for b in Article.blocks_from_json(body))
                text = " ".join(part for part in (standfirst, blocks, html_text(html)) if part)
                documents.append((rowid, title, text))
            # An edited entry is indexed again: drop its old words first.
            db.executemany(
                "DELETE FROM articles_fts WHERE rowid = ?", [(doc[0],) for doc in documents]
            )
            db.executemany(
                "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", documents
            )
            db.executemany(
                "UPDATE articles SET indexed = 1 WHERE rowid = ?", [(doc[0],) for doc in documents]
            )
        return len(documents)

    def unindexed_count(self) -> int:
        """How many articles the search index does not cover yet."""
        return int(self.query("SELECT count(*) FROM articles WHERE indexed = 0")[0][0])

    def index_all(self, cancel: threading.Event | None = None, *, batch: int = 500) -> int:
        """Index every pending article, a batch per transaction, until done or cancelled.

        Small batches keep each transaction (and the shared connection's lock)
        short, so the app's reads and meter writes slip in between them.

        Args:
            cancel: Stops the pass between batches when set.
            batch: Articles per transaction.

        Returns:
            How many were indexed.
        """
        total = 0
        while cancel is None or not cancel.is_set():
            done = self.index_pending(batch)
            if not done:
                break
            total += done
        return total

    def search(self, query: str, *, limit: int = 500) -> list[Headline]:
        """Find articles by the words of `query`, best matches first.

        Every word must occur (in the title or the text); a word ending in
        `*` matches as a prefix. Only headlines come back: search shows no
        article text, so it never shows more of a withheld article.

        Args:
            query: Words as the user typed them (no FTS syntax needed).
            limit: At most this many results.

        Returns:
            Matching headlines: title matches by relevance, then the rest
            newest first.
        """
        terms = []
        for word in query.split():
            prefix = word.endswith("*")
            word = word.rstrip("*").replace('"', '""')
            if word:
                terms.append(f'"{word}"' + ("*" if prefix else ""))
        if not terms:
            return []
        match = " ".join(terms)
        # Title matches first, by relevance; then the other matches, newest
        # first. Scoring every body match (bm25) costs 170 ms when a word is in
        # 100,000 articles; walking the index by rowid costs under 1 ms. Title
        # matches are scored too, unless there are thousands of them (a
        # common word): then scoring cost 35-80 ms and told nothing (every
        # short title scores alike), so the newest come first there as well.
        in_titles = self.query(
            "SELECT rowid, bm25(articles_fts, 5.0, 1.0) FROM articles_fts"
            " WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (f"title : ({match})", RANK_TITLES_UP_TO),
        )
        if len(in_titles) < RANK_TITLES_UP_TO:
            in_titles.sort(key=lambda row: row[1])  # bm25: lower is better
        in_titles = in_titles[:limit]
        anywhere = self.query(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (match, limit + len(in_titles)),
        )
        order = list(dict.fromkeys(row[0] for row in [*in_titles, *anywhere]))[:limit]
        if not order:
            return []
        marks = ",".join("?" * len(order))
        rows = self.query(
            f"SELECT rowid, {_HEADLINE_COLUMNS} FROM articles WHERE rowid IN ({marks})", order
        )
        by_rowid = {row[0]: _headline(row[1:]) for row in rows}
        return [by_rowid[rowid] for rowid in order if rowid in by_rowid]

    # Feeds ----------------------------------------------------------------

    def add_feed(self, url: str, *, title: str = "", folder: str = "") -> tuple[Feed, bool]:
        """Subscribe to a feed URL (already sanitized).

        Returns:
            The feed, and whether it is new (False: already subscribed).
        """
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO feeds (url, title, folder, added) VALUES (?, ?, ?, ?)",
                (url, title, folder, _now_iso()),
            )
            row = db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)).fetchone()
        return _feed(row), cursor.rowcount == 1

    def feeds(self) -> list[Feed]:
        """All subscriptions with their unread and total counts, by folder and title."""
        rows = self.query(
            f"SELECT {', '.join('f.' + c.strip() for c in _FEED_COLUMNS.split(','))},"
            " COALESCE(SUM(a.read = 0), 0), COUNT(a.id)"
            " FROM feeds f LEFT JOIN articles a ON a.feed_id = f.id"
            " GROUP BY f.id ORDER BY f.folder, lower(f.title), f.url"
        )
        return [_feed(row, int(row[9]), int(row[10])) for row in rows]

    def feed(self, feed_id: int) -> Feed | None:
        """One subscription by id."""
        rows = self.query(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE id = ?", (feed_id,))
        return _feed(rows[0]) if rows else None

    def find_feed(self, ref: str) -> Feed | None:
        """Find a subscription by id, URL or exact title (case-insensitive)."""
        ref = ref.strip()
        rows = self.query(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE CAST(id AS TEXT) = ? OR url = ?"
            " OR lower(title) = lower(?) ORDER BY id LIMIT 1",
            (ref, ref, ref),
        )
        return _feed(rows[0]) if rows else None

    def remove_feed(self, feed_id: int) -> tuple[int, int]:
        """Unsubscribe; starred articles stay in the library, the rest go.

        Returns:
            (articles deleted, starred articles kept).
        """
        with self.transaction() as db:
            db.execute(
                "DELETE FROM articles_fts WHERE rowid IN"
                " (SELECT rowid FROM articles WHERE feed_id = ? AND starred = 0)",
                (feed_id,),
            )
            deleted = db.execute(
                "DELETE FROM articles WHERE feed_id = ? AND starred = 0", (feed_id,)
            ).rowcount
            kept = db.execute(
                "UPDATE articles SET feed_id = NULL WHERE feed_id = ?", (feed_id,)
            ).rowcount
            db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return deleted, kept

    def set_feed_folder(self, feed_id: int, folder: str) -> None:
        """File a feed under a folder ("" for none)."""
        with self.transaction() as db:
            db.execute("UPDATE feeds SET folder = ? WHERE id = ?", (folder, feed_id))

    def record_feed_error(self, feed_id: int, error: str) -> None:
        """Remember why the last refresh of a feed failed (one line)."""
        with self.transaction() as db:
            db.execute("UPDATE feeds SET error = ? WHERE id = ?", (error, feed_id))

    def record_feed_unchanged(self, feed_id: int, new_url: str | None = None) -> None:
        """The server said 304: the feed is up to date (and maybe moved for good)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE feeds SET updated = ?, error = NULL WHERE id = ?", (_now_iso(), feed_id)
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
        title = feed.title or parsed.title
        added_at = _now_iso()
        new = updated = 0
        seen: set[str] = set()
        with self.transaction() as db:
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
                    "SELECT content_hash FROM articles WHERE id = ?", (article_id,)
                ).fetchone()
                if row is not None and row[0] == content_hash:
                    continue
                values = (
                    title,
                    entry.link,
                    entry.guid,
                    entry.title,
                    entry.html,
                    entry.published,
                    entry.author,
                    content_hash,
                )
                if row is None:
                    new += 1
                    db.execute(
                        "INSERT INTO articles (source, url, guid, title, html, published, author,"
                        " content_hash, id, origin, added, sort_key, feed_id)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'feed', ?, ?, ?)",
                        (*values, article_id, added_at, entry.published or added_at, feed.id),
                    )
                else:
                    updated += 1
                    db.execute(
                        "UPDATE articles SET source = ?, url = ?, guid = ?, title = ?, html = ?,"
                        " published = ?, author = ?, content_hash = ?, indexed = 0,"
                        " sort_key = COALESCE(?, sort_key) WHERE id = ?",
                        (*values, entry.published, article_id),
                    )
            db.execute(
                "UPDATE feeds SET title = ?, site_url = ?, etag = ?, last_modified = ?,"
                " updated = ?, error = NULL WHERE id = ?",
                (title, parsed.site_url, etag, last_modified, added_at, feed.id),
            )
            if new_url:
                _move_feed(db, feed.id, new_url)
        return new, updated

    # Web pages --------------------------------------------------------------

    def save_page(self, article: Article) -> tuple[str, bool]:
        """Store an article extracted from a web page (fetched or a saved file).

        The id comes from the page's URL when it has one, so saving a page
        again updates it (keeping its read and starred state) instead of
        adding a copy.

        Args:
            article: The extracted article, already sanitized.

        Returns:
            (article id, whether it is new to the library).
        """
        article_id = page_article_id(article.url) if article.url else article.content_id()
        values = _article_values(article)
        with self.transaction() as db:
            exists = db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
            if exists:
                assignments = ", ".join(f"{column} = ?" for column in _ARTICLE_COLUMNS)
                db.execute(
                    f"UPDATE articles SET {assignments}, indexed = 0 WHERE id = ?",
                    (*values, article_id),
                )
            else:
                _insert_article(db, article, article_id)
        return article_id, not exists

    def set_full_text(self, article_id: str, article: Article) -> None:
        """Keep a feed article's full story in place of the feed's summary.

        Args:
            article_id: The feed article.
            article: What was extracted from its page; its blocks become the
                body, and its byline fills in a missing author.
        """
        with self.transaction() as db:
            db.execute(
                "UPDATE articles SET body = ?, word_count = ?, full_text = 1,"
                " full_text_error = '', indexed = 0,"
                " author = CASE WHEN author = '' THEN ? ELSE author END WHERE id = ?",
                (article.body_json(), article.word_count, article.author, article_id),
            )

    def record_full_text_error(self, article_id: str, error: str) -> None:
        """Remember why fetching an article's full story failed (one line)."""
        with self.transaction() as db:
            db.execute("UPDATE articles SET full_text_error = ? WHERE id = ?", (error, article_id))

    def wanting_full_text(self, feed_id: int, limit: int) -> list[tuple[str, str]]:
        """A feed's newest articles never tried for full text: (id, link) pairs."""
        rows = self.query(
            "SELECT id, url FROM articles WHERE feed_id = ? AND full_text = 0"
            " AND full_text_error = '' AND url <> '' ORDER BY sort_key DESC LIMIT ?",
            (feed_id, limit),
        )
        return [(row[0], row[1]) for row in rows]

    # Seeds ----------------------------------------------------------------

    def sync_seeds(self, seeds_dir: Path) -> int:
        """Import the bundled seeds on first start and whenever they change.

        A fingerprint of the seed files is kept in the settings, so an
        unchanged `seeds/` costs one stat per file and no parsing. Each seed
        file remembers the id it produced: when a file is edited, its new
        version replaces the old one (keeping read and starred) instead of
        standing beside it.

        Args:
            seeds_dir: The bundled seeds directory.

        Returns:
            How many new articles were added.
        """
        files = sorted(seeds_dir.glob("*.txt")) if seeds_dir.is_dir() else []
        fingerprint = hashlib.sha256()
        for file in files:
            stat = file.stat()
            fingerprint.update(f"{file.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        digest = fingerprint.hexdigest()
        if self.get_setting("seeds_fingerprint") == digest:
            return 0
        results = [r for r in read_many(files, origin="seed") if r.article is not None]
        added = 0
        with self.transaction() as db:
            for result in results:
                assert result.article is not None
                key = f"seed_file:{result.path.name}"
                old = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
                new_id, is_new = _insert_article(db, result.article)
                added += is_new
                if old and old[0] != new_id:
                    db.execute(
                        "UPDATE articles SET (read, starred) ="
                        " (SELECT read, starred FROM articles WHERE id = ?) WHERE id = ?"
                        " AND EXISTS (SELECT 1 FROM articles WHERE id = ?)",
                        (old[0], new_id, old[0]),
                    )
                    db.execute(
                        "DELETE FROM articles_fts WHERE rowid IN"
                        " (SELECT rowid FROM articles WHERE id = ? AND origin = 'seed')",
                        (old[0],),
                    )
                    db.execute("DELETE FROM articles WHERE id = ? AND origin = 'seed'", (old[0],))
                put_setting(db, key, new_id)
            put_setting(db, "seeds_fingerprint", digest)
        return added


def _move_feed(db: sqlite3.Connection, feed_id: int, new_url: str) -> None:
    """Follow a permanent redirect, unless another subscription has that URL."""
    taken = db.execute(
        "SELECT 1 FROM feeds WHERE url = ? AND id != ?", (new_url, feed_id)
    ).fetchone()
    if not taken:
        db.execute("UPDATE feeds SET url = ? WHERE id = ?", (new_url, feed_id))


def page_article_id(url: str) -> str:
    """The id of a page saved from `url` (saving it again finds the same one)."""
    return hashlib.sha256(b"page\0" + url.encode()).hexdigest()[:16]


def feed_article_id(feed_id: int, entry_key: str) -> str:
    """The stable id of a feed entry: its feed and its guid, link or content."""
    return hashlib.sha256(f"feed:{feed_id}\0{entry_key}".encode()).hexdigest()[:16]


def put_setting(db: sqlite3.Connection, key: str, value: str) -> None:
    """Write a setting inside a transaction the caller holds."""
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# The columns an Article fills, in `_article_values` order.
_ARTICLE_COLUMNS = (
    "source",
    "url",
    "title",
    "standfirst",
    "body",
    "word_count",
    "published",
    "author",
)


def _article_values(article: Article) -> tuple[object, ...]:
    return (
        article.source,
        article.url,
        article.title,
        article.standfirst,
        article.body_json(),
        article.word_count,
        article.published,
        article.author,
    )


def _insert_article(
    db: sqlite3.Connection, article: Article, article_id: str | None = None
) -> tuple[str, bool]:
    """Insert one article unless its id is there; say whether it was new."""
    article_id = article_id or article.content_id()
    added_at = _now_iso()
    columns = ", ".join(_ARTICLE_COLUMNS)
    marks = ", ".join("?" * (len(_ARTICLE_COLUMNS) + 4))
    cursor = db.execute(
        f"INSERT OR IGNORE INTO articles (id, origin, added, sort_key, {columns}) VALUES ({marks})",
        (
            article_id,
            article.origin,
            added_at,
            article.published or added_at,
            *_article_values(article),
        ),
    )
    return article_id, cursor.rowcount == 1


def open_library(data_dir: Path, seeds_dir: Path | None = None) -> Store:
    """Open the library and bring the bundled seeds in.

    Args:
        data_dir: The data directory.
        seeds_dir: Where the seeds are; None skips them.

    Returns:
        The open store.
    """
    store = Store.open(data_dir)
    if seeds_dir is not None:
        store.sync_seeds(seeds_dir)
    return store
