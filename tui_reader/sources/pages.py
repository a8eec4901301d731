"""Web pages as articles: `save URL`, `import PAGE.html`, and a feed article's full story.

A page is fetched with the same client, limits and one-line errors as feeds,
then `extract` finds the story in it. Extraction is CPU work (tens of
milliseconds a page), so it runs in a thread, or in the refresh's worker
processes when there are some; the extraction library is imported there,
never at start-up. With a picture cache, a full story's pictures are fetched
with it. Imports `http`, `extract` and the library; never the refresh code.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from tui_reader.article import Article, image_urls
from tui_reader.errors import ShownError, described, unexpected
from tui_reader.library.database import StoreError
from tui_reader.library.feeds import Feed
from tui_reader.library.store import Store
from tui_reader.network_settings import NetworkSettings
from tui_reader.sanitize import clean_line
from tui_reader.sources.extract import (
    MAX_PAGE_BYTES,
    PAGE_TOO_LARGE,
    ExtractionError,
    decode_html,
    extract_article,
)
from tui_reader.sources.http import FetchError, check_url, fetch, fetch_typed, make_client

if TYPE_CHECKING:  # the picture cache brings Pillow: only a refresh that fetches uses it
    from tui_reader.sources.image_cache import ImageCache

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
# What a server may call a web page; no type at all is given the benefit of the doubt.
HTML_TYPES = frozenset({"", "text/html", "application/xhtml+xml", "text/plain"})
# A refresh fetches at most this many full stories per feed (newest first),
# so a first refresh of a big feed does not fetch a thousand pages.
FULL_TEXT_PER_REFRESH = 30


class PageError(ShownError):
    """A page could not become an article; the message is one line."""


class NoWebPage(PageError):
    """The article has no http(s) link to fetch its story from."""


@dataclass
class SavedPage:
    """The result of `save_page`."""

    article_id: str
    new: bool
    article: Article


def page_to_article(
    body: bytes, content_type: str, url: str, cancel: threading.Event | None = None
) -> Article:
    """Extract the story from a page's bytes.

    Args:
        body: The page as sent (or as saved; gzip is undone).
        content_type: The Content-Type header, for the charset; may be "".
        url: Where the page lives, for relative links; may be "".
        cancel: Stops the work between stages when set.

    Returns:
        The article, sanitized, with origin "page".

    Raises:
        PageError: No article found, not HTML, too large.
    """
    try:
        html = decode_html(body, content_type)
        return extract_article(html, url, cancel=cancel)
    except ExtractionError as exc:
        raise PageError(str(exc)) from None
    except Exception as exc:  # a hostile page must end in one line, not a traceback
        raise PageError(f"extraction failed ({described(exc)})") from None


def _extract_job(body: bytes, content_type: str, url: str) -> Article | str:
    """`page_to_article` for a worker process: an error comes back as its message."""
    try:
        return page_to_article(body, content_type, url)
    except PageError as exc:
        return str(exc)


def read_page_file(path: Path) -> Article:
    """Read a saved web page (`.html`, or `.html.gz`) as an article.

    Raises:
        PageError: Unreadable, too large, damaged, or no article in it.
    """
    try:
        if path.stat().st_size > MAX_PAGE_BYTES:
            raise PageError(PAGE_TOO_LARGE)
        data = path.read_bytes()
    except OSError as exc:
        raise PageError(f"cannot read: {exc.strerror or exc}") from None
    if path.name.lower().endswith(".gz") and not data.startswith(b"\x1f\x8b"):
        raise PageError("not a gzip file")
    return page_to_article(data, "", "")  # decode_html undoes the gzip, capped


async def fetch_page(
    client: httpx.AsyncClient,
    url: str,
    settings: NetworkSettings,
    *,
    executor: Executor | None = None,
    typed: bool = False,
) -> Article:
    """Fetch `url` and extract its story.

    Args:
        client: The client to fetch with.
        url: The page.
        settings: Network limits and timeouts.
        executor: Worker processes to extract in; None extracts in a thread.
        typed: `url` is as the user typed it: with no scheme, https:// is
            tried and then http:// (`fetch_typed`).

    Returns:
        The extracted article.

    Raises:
        PageError: Any network failure, a non-HTML response, or no article.
    """
    try:
        if typed:
            _, fetched = await fetch_typed(client, url, settings, accept=PAGE_ACCEPT)
        else:
            fetched = await fetch(client, url, settings, accept=PAGE_ACCEPT)
    except FetchError as exc:
        raise PageError(str(exc)) from None
    kind = fetched.content_type.split(";")[0].strip().lower()
    if kind not in HTML_TYPES:
        raise PageError(f"not an HTML page ({clean_line(kind)})")
    job = (fetched.body, fetched.content_type, fetched.final_url)
    result = await asyncio.get_running_loop().run_in_executor(executor, _extract_job, *job)
    if isinstance(result, str):
        raise PageError(result)
    return result


async def save_page(store: Store, url: str, settings: NetworkSettings) -> SavedPage:
    """Fetch a web page, extract its story and keep it in the library.

    Args:
        store: The library.
        url: The page as typed; with no scheme, https:// and then http://.
        settings: Network limits and timeouts.

    Returns:
        The stored article's id, whether it is new, and the article.

    Raises:
        PageError: Any failure, in one line; nothing is stored.
    """
    try:
        check_url(url)
    except FetchError as exc:
        raise PageError(str(exc)) from None
    async with make_client(settings) as client:
        article = await fetch_page(client, url, settings, typed=True)
    article_id, new = await asyncio.to_thread(store.save_page, article)
    return SavedPage(article_id, new, article)


async def fetch_full_text(store: Store, article_id: str, settings: NetworkSettings) -> Article:
    """Replace a feed article's summary with the story from its web page.

    Args:
        store: The library.
        article_id: The feed article.
        settings: Network limits and timeouts.

    Returns:
        The extracted article (its blocks are now the stored body).

    Raises:
        PageError: No link, or fetching or extraction failed; the summary
            stays and the reason is recorded on the article.
    """
    stored = await asyncio.to_thread(store.get, article_id)
    if stored is None:
        raise PageError("no such article")
    url = stored.article.url
    if not url.startswith(("http://", "https://")):
        raise NoWebPage("this story has no web page to fetch")
    try:
        async with make_client(settings) as client:
            article = await fetch_page(client, url, settings)
    except PageError as exc:
        await asyncio.to_thread(store.record_full_text_error, article_id, str(exc))
        raise
    await asyncio.to_thread(store.set_full_text, article_id, article)
    return article


async def fill_full_texts(
    store: Store,
    client: httpx.AsyncClient,
    feed: Feed,
    settings: NetworkSettings,
    *,
    executor: Executor | None = None,
    cancel: threading.Event | None = None,
    limit: int = FULL_TEXT_PER_REFRESH,
    pictures: ImageCache | None = None,
) -> tuple[int, int]:
    """Fetch the full story of a feed's newest articles not tried yet (and, with
    `pictures`, the pictures of each into that cache, to read offline).

    Used by a refresh for the feeds the config names in `feeds.full_text`.
    Each failure is recorded on its article (and not retried); the summary
    stays.

    Args:
        store: The library.
        client: The refresh's client.
        feed: The feed.
        settings: Network limits and timeouts.
        executor: Worker processes for extraction, if the refresh has some.
        cancel: Stops before the next page when set.
        limit: At most this many pages.

    Returns:
        (stories fetched, failures).
    """
    wanted = await asyncio.to_thread(store.wanting_full_text, feed.id, limit)
    limiter = asyncio.Semaphore(settings.per_host)

    async def one(article_id: str, url: str) -> bool | None:
        if cancel is not None and cancel.is_set():
            return None  # not tried: the next refresh will
        try:
            async with limiter:
                article = await fetch_page(client, url, settings, executor=executor)
        except PageError as exc:
            await asyncio.to_thread(store.record_full_text_error, article_id, str(exc))
            return False
        except StoreError:
            raise
        except Exception as exc:  # one bad page must not fail its feed
            error = unexpected(exc)
            await asyncio.to_thread(store.record_full_text_error, article_id, error)
            return False
        await asyncio.to_thread(store.set_full_text, article_id, article)
        if pictures is not None:  # one bad picture never fails the story: fetch_all
            await pictures.fetch_all(client, image_urls(article.blocks), cancel=cancel)
        return True

    results = await asyncio.gather(*(one(article_id, url) for article_id, url in wanted))
    return results.count(True), results.count(False)
