"""The library as one object: `Store`, every concern of `library` on one connection.

Each concern lives in its own module (articles, enclosures, feeds, search,
settings, sync, views); `Store` joins them so callers hold one handle. Imports the
`library` modules and `locations` (where the file lives) only.
"""

from __future__ import annotations

from pathlib import Path

from tui_reader.library.articles import ArticleStore
from tui_reader.library.enclosures import EnclosureStore
from tui_reader.library.feeds import FeedStore
from tui_reader.library.search import SearchIndex
from tui_reader.library.sync import SyncStore
from tui_reader.library.views import ViewsStore
from tui_reader.locations import database_path


class Store(ArticleStore, EnclosureStore, FeedStore, SearchIndex, SyncStore, ViewsStore):
    """The SQLite library in one data directory."""

    @classmethod
    def open(cls, data_dir: Path) -> Store:
        """Open the library inside `data_dir`."""
        return cls(database_path(data_dir))
