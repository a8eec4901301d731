"""Search as a use case: catch the index up, then ask it; one flow for the app and `search`.

A refresh leaves indexing to a deferred pass (the app runs it in the
background after a refresh). A search first indexes what is waiting when
that is quick; with more waiting, the app answers from the index as it
stands and says so, while `tui-reader search` catches up in full.
Imports the library and the HTML-to-words converter.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from tui_reader.filter_language import Filter
from tui_reader.library.articles import Headline
from tui_reader.library.store import Store
from tui_reader.sources.html_convert import html_text

# A search indexes up to this many waiting articles first (about 0.2 s); with
# more waiting, the app answers from the index as it is and searches again later.
SEARCH_CATCH_UP = 2_000


def index_all(store: Store, cancel: threading.Event | None = None, *, batch: int = 500) -> int:
    """Index every waiting article, a batch per transaction, until done or cancelled."""
    return store.index_all(html_text, cancel, batch=batch)


@dataclass(frozen=True)
class SearchResults:
    """What a search found, and how many articles it could not look in yet."""

    headlines: list[Headline]
    still_pending: int  # articles not indexed when it answered (0: it saw everything)


def search(
    store: Store,
    query: str,
    *,
    catch_up_fully: bool = False,
    cancel: threading.Event | None = None,
    limit: int | None = None,
    filter: Filter | None = None,
    now: float | None = None,
) -> SearchResults:
    """Search titles and text for `query`, best matches first.

    Args:
        store: The library.
        query: The words as typed (a trailing `*` matches a prefix).
        catch_up_fully: Index everything waiting first, however much (the
            CLI); else only when it is at most `SEARCH_CATCH_UP` articles.
        cancel: Stops the catching up between batches.
        limit: At most this many (a first page); None: every match.
        filter: Only the matches a filter expression picks.
        now: The time the filter's `age` counts back from (None: the clock).

    Returns:
        Matching headlines, and how many articles were still unindexed.
    """
    pending = store.unindexed_count()
    if catch_up_fully or pending <= SEARCH_CATCH_UP:
        index_all(store, cancel, batch=5_000 if catch_up_fully else 500)
        pending = 0
    return SearchResults(store.search(query, limit=limit, filter=filter, now=now), pending)
