"""Subscribe to a feed by its URL, or by a web page that links to one.

The feed is fetched and parsed before anything is stored: a URL that
yields no feed subscribes nothing. Imports `http`, `feed_parser`,
`refresh` (for the outcome) and the library.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tui_reader.errors import unexpected
from tui_reader.library.database import StoreError
from tui_reader.library.feeds import Feed
from tui_reader.library.store import Store
from tui_reader.network_settings import NetworkSettings
from tui_reader.sources.feed_parser import FeedLink, FeedParseError, discover_feeds, parse_feed
from tui_reader.sources.http import FetchError, check_url, fetch, make_client
from tui_reader.sources.refresh import FeedOutcome


@dataclass
class Subscription:
    """The result of `subscribe`."""

    feed: Feed
    already: bool  # the URL was subscribed before
    found_on_page: FeedLink | None  # the feed chosen from a web page's links
    alternatives: list[FeedLink]  # the page's other feeds
    outcome: FeedOutcome


async def subscribe(store: Store, url: str, settings: NetworkSettings) -> Subscription:
    """Subscribe to a feed URL, or to the first feed a web page links to.

    Args:
        store: The library.
        url: A feed URL or a web page URL.
        settings: Limits and timeouts.

    Returns:
        The subscription and its first refresh.

    Raises:
        FetchError: When nothing could be fetched or no feed was found; then
            nothing is subscribed.
    """
    try:
        return await _subscribe(store, check_url(url), settings)
    except (FetchError, StoreError):
        raise
    except Exception as exc:  # a malformed URL or document: one line, nothing subscribed
        raise FetchError(unexpected(exc)) from None


async def _subscribe(store: Store, url: str, settings: NetworkSettings) -> Subscription:
    found: FeedLink | None = None
    alternatives: list[FeedLink] = []
    async with make_client(settings) as client:
        fetched = await fetch(client, url, settings)
        try:
            parsed = await asyncio.to_thread(
                parse_feed, fetched.body, fetched.final_url, fetched.content_type
            )
        except FeedParseError as exc:
            links = await asyncio.to_thread(discover_feeds, fetched.body, fetched.final_url)
            if not links:
                raise FetchError(f"no feed at {url}: {exc}") from None
            found, *alternatives = links
            fetched = await fetch(client, found.url, settings)
            try:
                parsed = await asyncio.to_thread(
                    parse_feed, fetched.body, fetched.final_url, fetched.content_type
                )
            except FeedParseError as inner:
                raise FetchError(f"the page's feed {found.url}: {inner}") from None
    feed_url = fetched.final_url if (fetched.permanent_redirect or found) else url
    if found and not fetched.permanent_redirect:
        feed_url = found.url
    feed, is_new = await asyncio.to_thread(store.add_feed, feed_url, title=parsed.title)
    new, updated = await asyncio.to_thread(
        store.store_feed, feed, parsed, etag=fetched.etag, last_modified=fetched.last_modified
    )
    stored = await asyncio.to_thread(store.feed, feed.id)
    assert stored is not None
    return Subscription(
        stored, not is_new, found, alternatives, FeedOutcome(stored, "updated", new, updated)
    )
