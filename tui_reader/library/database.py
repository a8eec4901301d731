"""The library's SQLite connection: opening, transactions, damage set-aside, the lock file.

Every write is a transaction; `BEGIN IMMEDIATE` takes the write lock first,
so app instances and CLI calls sharing one data dir agree (the meter's
check-and-record relies on it). A damaged file is moved aside with a
timestamp, never deleted. Each connection gets the SQL function filters
call (`filter_sql`). Imports `schema`, `filter_sql` and `errors` only.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from tui_reader.errors import ShownError, one_line
from tui_reader.filter_language import Filter
from tui_reader.library import schema
from tui_reader.library.filter_sql import FilterSQL, hidden_sql, register_filter_functions

# How long a writer waits for another process's lock before giving up.
BUSY_TIMEOUT_MS = 15_000

Row = tuple[Any, ...]


class StoreError(ShownError):
    """The library cannot be opened or written; the message is one line."""


def now_iso() -> str:
    """The time now, as stored: ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


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
    text = one_line(exc)
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


class Database:
    """One SQLite library file: the connection and its transactions."""

    # `hide` ignore rules: (feed pattern, filter) each, kept out of every view.
    hide_rules: tuple[tuple[str, Filter], ...] = ()

    def set_hidden(self, rules: Sequence[tuple[str, Filter]]) -> None:
        """Keep the stories these rules pick out of every list, search and count."""
        self.hide_rules = tuple(rules)

    def hidden(self, now: float | None = None) -> FilterSQL | None:
        """The condition the hidden stories meet (None: nothing is hidden)."""
        return hidden_sql(self.hide_rules, now) if self.hide_rules else None

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
                self._set_aside(one_line(exc))
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
            self._set_aside(one_line(result))

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
        reason = one_line(exc)
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
        register_filter_functions(self.db)
        # Check the version before anything writes (switching to WAL rewrites
        # the header): a newer program's library is left exactly as it was.
        schema.refuse_newer_schema(self.db, self.path, StoreError)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        schema.migrate(self.db, self.transaction)

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()

    def __enter__(self) -> Self:
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

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Hold the connection for a streamed read (row by row, not fetchall).

        Raises:
            StoreError: When SQLite fails; one line for the user.
        """
        with self.lock:
            try:
                yield self.db
            except sqlite3.Error as exc:
                raise StoreError(_explain(exc, self.path)) from None

    def schema_version(self) -> int:
        """The schema version the file is at."""
        return schema.schema_version(self.db)
