"""Subscribe to a feed by its URL, or by a web page that links to one or several.

Two steps, shared by the CLI and the app: `find_feeds` fetches what the user
typed and says what it offers (a feed, or a page's numbered feeds);
`subscribe_offer` subscribes to the one picked. `subscribe` does both, for the
CLI's `add URL [--pick N]`; the app shows a page's feeds in a chooser between
the steps. The feed is fetched and parsed before anything is stored: a URL
that yields no feed, or a pick outside the list, subscribes nothing.
Imports `http`, `feed_parser`, `refresh` (for the outcome) and the library.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from tui_reader.errors import ShownError, unexpected
from tui_reader.filter_settings import IgnoreRule
from tui_reader.library.database import StoreError
from tui_reader.library.feeds import Feed
from tui_reader.library.store import Store
from tui_reader.network_settings import NetworkSettings
from tui_reader.parsed_feed import ParsedFeed
from tui_reader.sources.feed_parser import FeedLink, FeedParseError, discover_feeds, parse_feed
from tui_reader.sources.http import Fetched, FetchError, fetch, fetch_typed, make_client
from tui_reader.sources.refresh import FeedOutcome, drop_ignored


class BadPick(ShownError):
    """A pick that is not one of the feeds offered; nothing was subscribed."""


@dataclass
class FeedOffer:
    """What a typed URL offers: a feed itself, or the feeds a web page links to."""

    url: str  # what answered, its scheme settled and its spelling normal
    links: list[FeedLink] = field(default_factory=list)  # a page's feeds; [] for a feed
    fetched: Fetched | None = None  # the feed's response, when `url` is a feed
    parsed: ParsedFeed | None = None  # and the feed, parsed

    @property
    def count(self) -> int:
        """How many feeds there are to pick from (a feed URL offers itself)."""
        return len(self.links) or 1


@dataclass
class Subscription:
    """The result of `subscribe`."""

    feed: Feed
    already: bool  # the URL was subscribed before
    found_on_page: FeedLink | None  # the feed chosen from a web page's links
    offered: list[FeedLink]  # all of the page's feeds, in page order ([] for a feed URL)
    picked: int  # the number (from 1) of the chosen one in `offered`
    outcome: FeedOutcome


async def find_feeds(url: str, settings: NetworkSettings) -> FeedOffer:
    """Fetch a feed URL or a web page and say which feeds it offers.

    Args:
        url: As the user typed it: with no scheme, https:// is tried, then http://.
        settings: Limits and timeouts.

    Raises:
        FetchError: Nothing could be fetched, or it is neither a feed nor a
            page that links to one.
    """
    try:
        async with make_client(settings) as client:
            fetched_url, fetched = await fetch_typed(client, url, settings)
        try:
            parsed = await asyncio.to_thread(
                parse_feed, fetched.body, fetched.final_url, fetched.content_type
            )
        except FeedParseError as exc:
            links = await asyncio.to_thread(discover_feeds, fetched.body, fetched.final_url)
            if not links:
                raise FetchError(f"no feed at {fetched_url}: {exc}") from None
            return FeedOffer(fetched_url, links)
        return FeedOffer(fetched_url, [], fetched, parsed)
    except FetchError:
        raise
    except Exception as exc:  # a malformed URL or document: one line
        raise FetchError(unexpected(exc)) from None


def check_pick(offer: FeedOffer, pick: int | None) -> int:
    """The number (from 1) of the feed to subscribe to: `pick`, or the first.

    Raises:
        BadPick: `pick` is not one of the numbers offered.
    """
    if pick is None:
        return 1
    if 1 <= pick <= offer.count:
        return pick
    if not offer.links:
        raise BadPick(f"--pick {pick}: {offer.url} is a feed itself, not a page of feeds")
    raise BadPick(f"--pick {pick}: the page offers {offer.count} feeds; give 1 to {offer.count}")


async def subscribe_offer(
    store: Store,
    offer: FeedOffer,
    settings: NetworkSettings,
    *,
    pick: int | None = None,
    drop: Sequence[IgnoreRule] = (),
) -> Subscription:
    """Subscribe to one feed of an offer: the `pick`th (from 1), or the first.

    Raises:
        BadPick: `pick` is not one of the feeds offered.
        FetchError: The page's feed could not be fetched or read.
        StoreError: The library could not be written.
        Nothing is subscribed in any of these cases.
    """
    number = check_pick(offer, pick)
    try:
        return await _subscribe(store, offer, number, settings, drop)
    except (FetchError, StoreError):
        raise
    except Exception as exc:  # a malformed URL or document: one line, nothing subscribed
        raise FetchError(unexpected(exc)) from None


async def subscribe(
    store: Store,
    url: str,
    settings: NetworkSettings,
    *,
    pick: int | None = None,
    drop: Sequence[IgnoreRule] = (),
) -> Subscription:
    """Subscribe to a feed URL, or to a feed a web page links to (the first, or `pick`).

    Args:
        store: The library.
        url: A feed URL or a web page URL, as typed.
        settings: Limits and timeouts.
        pick: Which of the page's feeds (from 1); None for the first.
        drop: Ignore rules whose stories are never stored (`mode = "drop"`).

    Returns:
        The subscription and its first refresh.

    Raises:
        BadPick: `pick` is not one of the page's feeds.
        FetchError: When nothing could be fetched or no feed was found.
        StoreError: The library could not be written.
        Nothing is subscribed in any of these cases.
    """
    if pick is not None and pick < 1:
        raise BadPick(f"--pick {pick}: feeds are numbered from 1")
    offer = await find_feeds(url, settings)
    return await subscribe_offer(store, offer, settings, pick=pick, drop=drop)


async def _subscribe(
    store: Store,
    offer: FeedOffer,
    number: int,
    settings: NetworkSettings,
    drop: Sequence[IgnoreRule],
) -> Subscription:
    found = offer.links[number - 1] if offer.links else None
    fetched, parsed = offer.fetched, offer.parsed
    if found is not None:
        async with make_client(settings) as client:
            fetched = await fetch(client, found.url, settings)
        try:
            parsed = await asyncio.to_thread(
                parse_feed, fetched.body, fetched.final_url, fetched.content_type
            )
        except FeedParseError as inner:
            raise FetchError(f"the page's feed {found.url}: {inner}") from None
    assert fetched is not None and parsed is not None
    if fetched.permanent_redirect:
        feed_url = fetched.final_url
    else:
        feed_url = found.url if found is not None else offer.url
    feed, is_new = await asyncio.to_thread(store.add_feed, feed_url, title=parsed.title)
    dropped = drop_ignored(parsed, feed, drop, time.time())
    new, updated = await asyncio.to_thread(
        store.store_feed, feed, parsed, etag=fetched.etag, last_modified=fetched.last_modified
    )
    stored = await asyncio.to_thread(store.feed, feed.id)
    assert stored is not None
    return Subscription(
        stored,
        not is_new,
        found,
        list(offer.links),
        number,
        FeedOutcome(stored, "updated", new, updated, ignored=dropped),
    )
