"""The SQLite library: everything tui-reader keeps, readable with no network.

`database` holds the connection and its transactions, `schema` the
migrations; `articles`, `feeds`, `search`, `settings` and `views` one
concern each; `store` joins them into `Store`. The library imports no
parser, no source and no UI: callers hand it values already parsed.
"""

from tui_reader.library.articles import Headline, StoredArticle
from tui_reader.library.database import StoreError
from tui_reader.library.feeds import AmbiguousFeed, Feed, FeedNotFound
from tui_reader.library.store import Store

__all__ = [
    "AmbiguousFeed",
    "Feed",
    "FeedNotFound",
    "Headline",
    "Store",
    "StoreError",
    "StoredArticle",
]
