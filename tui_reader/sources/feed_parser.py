"""Parse RSS, Atom and JSON Feed documents, and find feeds linked from pages.

RSS 0.9x/1.0/2.0 and Atom go through feedparser (robust with the odd and the
broken); JSON Feed 1.0/1.1, which the released feedparser does not read, is
parsed from JSON here. Everything that leaves this module is sanitized, and
entry HTML is kept as HTML: converting it for display happens when an article
is opened, not during a refresh.
Enclosures (podcast episodes) are kept with their type, size and duration.
Imports the parsed-feed and enclosure models, `errors` and `sanitize`; the
parsers only when parsing.
"""

from __future__ import annotations

import calendar
import html
import json
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from tui_reader.enclosure import collect_enclosures
from tui_reader.errors import ShownError, one_line
from tui_reader.parsed_feed import FeedEntry, ParsedFeed
from tui_reader.sanitize import clean_line, clean_text

# A feed longer than this is cut (newest entries first, as feeds list them).
MAX_ENTRIES = 5_000
_FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
    "application/rdf+xml": "RSS",
}


class FeedParseError(ShownError):
    """The document is not a feed we can read; the message is one line."""


def _iso_from_struct(value: Any) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat(timespec="seconds")
    except (TypeError, ValueError, OverflowError):
        return None


def _iso_from_text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).isoformat(timespec="seconds")
    except (ValueError, OverflowError):
        return None


def looks_like_json(data: bytes, content_type: str = "") -> bool:
    """Whether a response is JSON rather than XML (the body wins over its label)."""
    start = data.lstrip()[:1]
    if start in (b"<", b""):
        return False
    return start == b"{" or "json" in content_type.lower()


def parse_feed(data: bytes, url: str = "", content_type: str = "") -> ParsedFeed:
    """Parse a feed document.

    Args:
        data: The response body.
        url: Where it came from (resolves relative links).
        content_type: The response's Content-Type, if any.

    Returns:
        The feed with at most `MAX_ENTRIES` entries.

    Raises:
        FeedParseError: When it is no feed, or too broken to yield entries.
    """
    if looks_like_json(data, content_type):
        return _parse_json_feed(data, url)
    return _parse_xml_feed(data, url, content_type)


# The end of an item or entry, however it is spelled: `</item>`, `</item >`,
# `</rss:item>`, `</atom:entry>`.
_ENTRY_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(item|entry)\s*>")
# A DOCTYPE with an internal subset: where entities are declared.
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_ENCODING_DECLARATION = re.compile(rb"""(<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""")


def _as_utf8(data: bytes) -> bytes:
    """Re-encode a UTF-16 document as UTF-8, so byte-level limits see its tags."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[1:2] == b"\0" or data[:1] == b"\0":
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return data
        return _ENCODING_DECLARATION.sub(rb'\1"utf-8"', text.encode("utf-8"), count=1)
    return data


def _without_doctype(data: bytes) -> bytes:
    """Drop the DOCTYPE, and with it every entity the document declares.

    Internal entities can expand a small feed into gigabytes (expat does not
    stop a flat entity used many times), and external ones can point at local
    files. Feeds need neither: HTML entities are known to feedparser anyway.
    """
    head = data[:65536]
    if b"<!DOCTYPE" not in head.upper():
        return data
    return _DOCTYPE.sub(b"", data, count=1)


def _cut_after_entries(data: bytes, limit: int) -> tuple[bytes, int]:
    """Cut an XML feed after its `limit`-th item, so parsing time stays bounded.

    feedparser reads the whole document before we see any entry; a feed of
    50,000 items would take it most of a minute. The cut document gets the
    closing tags of its kind of feed, so it still parses cleanly.

    Returns:
        The (maybe shortened) document and how many items it had.
    """
    ends = _ENTRY_END.finditer(data)
    position, kind, total = 0, b"item", 0
    for match in ends:
        total += 1
        if total == limit:
            position, kind = match.end(), match.group(1)
    if total <= limit:
        return data, total
    if kind == b"entry":
        ending = b"</feed>"
    elif b"<rdf:RDF" in data[:4096]:
        ending = b"</rdf:RDF>"
    else:
        ending = b"</channel></rss>"
    return data[:position] + ending, total


def _parse_xml_feed(data: bytes, url: str, content_type: str) -> ParsedFeed:
    data = _without_doctype(_as_utf8(data))
    data, total = _cut_after_entries(data, MAX_ENTRIES)
    fast = _parse_fast(data, url, total)
    if fast is not None:
        return fast
    return _parse_robust(data, url, content_type, total)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _parse_fast(data: bytes, url: str, total: int) -> ParsedFeed | None:
    """Parse with fastfeedparser (lxml; about 40 times faster than feedparser).

    Returns:
        The feed, or None when fastfeedparser cannot read it well (it raises
        on some odd documents, and finds no entries in broken ones): then
        feedparser, slower but more forgiving, gets its turn.
    """
    try:
        import fastfeedparser

        if _ATOM_ENCLOSURE.search(data):
            return None  # fastfeedparser drops Atom enclosures' sizes; feedparser keeps them
        # ... and podcast durations: read beside it, by episode address.
        durations = _podcast_durations(data) if b"itunes:duration" in data else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fastfeedparser.parse(
                data, include_tags=False, include_media=False, include_enclosures=True
            )
        feed = result.get("feed") or {}
        # lxml's recovery can invent an empty entry from a broken tail: an
        # entry with no id, link, title or content is no entry.
        entries = [
            e
            for e in result.get("entries") or []
            if any(e.get(k) for k in ("id", "link", "title", "description", "content"))
        ]
        if not entries:
            return None
        parsed = ParsedFeed(
            title=clean_line(_text(feed.get("title"))) or url,
            site_url=clean_line(_text(feed.get("link"))),
            kind="xml",
            total_entries=max(total, len(entries)),
        )
        for entry in entries[:MAX_ENTRIES]:
            content = entry.get("content") or []
            body = ""
            if content and isinstance(content[0], dict):
                body = _text(content[0].get("value"))
            body = body or _text(entry.get("description"))
            title = clean_line(_text(entry.get("title")))
            link = clean_line(_text(entry.get("link")))
            parsed.entries.append(
                FeedEntry(
                    guid=clean_line(_text(entry.get("id"))),
                    link=urljoin(url, link) if link and url else link,
                    title=title or _title_from(body),
                    author=clean_line(_text(entry.get("author"))),
                    published=_iso_from_text(entry.get("published") or entry.get("updated")),
                    html=clean_text(body),
                    enclosures=collect_enclosures(
                        (
                            (
                                e.get("url"),
                                e.get("type"),
                                e.get("length"),
                                durations.get(_text(e.get("url")).strip(), 0),
                            )
                            for e in entry.get("enclosures") or []
                            if isinstance(e, dict)
                        ),
                        url,
                    ),
                )
            )
        return parsed
    except Exception:  # its failure is feedparser's cue, never the user's problem
        return None


def _parse_robust(data: bytes, url: str, content_type: str, total: int) -> ParsedFeed:
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # Relative links stay relative here: they resolve against the entry's own
    # link when the article is opened (html_convert.with_body).
    result = feedparser.parse(data, response_headers=headers, resolve_relative_uris=False)
    feed = result.get("feed", {})
    entries = result.get("entries", [])
    if not entries:
        if not result.get("version") and not feed.get("title"):
            if b"<html" in data[:4096].lower():
                raise FeedParseError("not a feed (an HTML page)")
            raise FeedParseError("not a feed (no RSS, Atom or JSON Feed document)")
        if result.get("bozo"):
            reason = one_line(result.get("bozo_exception", "malformed"))
            raise FeedParseError(f"malformed feed with no items: {reason}")
    parsed = ParsedFeed(
        title=clean_line(feed.get("title", "")) or url,
        site_url=clean_line(feed.get("link", "")),
        kind=str(result.get("version") or "xml"),
        total_entries=max(total, len(entries)),
    )
    for entry in entries[:MAX_ENTRIES]:
        content = entry.get("content") or []
        body = content[0].get("value", "") if content else entry.get("summary", "")
        title = clean_line(entry.get("title", ""))
        parsed.entries.append(
            FeedEntry(
                guid=clean_line(entry.get("id", "")),
                link=clean_line(entry.get("link", "")),
                title=title or _title_from(body),
                author=clean_line(entry.get("author", "")),
                published=_iso_from_struct(
                    entry.get("published_parsed") or entry.get("updated_parsed")
                ),
                html=clean_text(body),
                enclosures=collect_enclosures(
                    (
                        (
                            e.get("href"),
                            e.get("type"),
                            e.get("length"),
                            entry.get("itunes_duration"),
                        )
                        for e in entry.get("enclosures") or []
                    ),
                    url,
                ),
            )
        )
    return parsed


def _title_from(body: str) -> str:
    """A title for an untitled entry: the start of its text."""
    from bs4 import BeautifulSoup

    with warnings.catch_warnings():  # bs4 warns when the "HTML" is a bare URL
        warnings.simplefilter("ignore")
        words = clean_line(BeautifulSoup(body, "html.parser").get_text(" ")).split()
    if not words:
        return "(untitled)"
    text = " ".join(words[:12])
    return text + "…" if len(words) > 12 else text


def _parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise FeedParseError(f"invalid JSON: {one_line(exc)}") from None
    version = document.get("version", "") if isinstance(document, dict) else ""
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise FeedParseError("not a feed (JSON without a JSON Feed version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedParseError("JSON Feed without an items list")
    parsed = ParsedFeed(
        title=_json_text(document.get("title")) or url,
        site_url=_json_text(document.get("home_page_url")),
        kind="json" + version.rsplit("/", 1)[-1],
        total_entries=len(items),
    )
    feed_authors = _json_authors(document)
    for item in items[:MAX_ENTRIES]:
        if not isinstance(item, dict):
            continue
        body = item.get("content_html")
        if not isinstance(body, str):
            text = item.get("content_text") or item.get("summary") or ""
            body = "".join(f"<p>{html.escape(p)}</p>" for p in str(text).split("\n\n"))
        link = _json_text(item.get("url")) or _json_text(item.get("external_url"))
        title = _json_text(item.get("title"))
        guid = item.get("id")
        attachments = item.get("attachments")
        attachments = attachments if isinstance(attachments, list) else []
        parsed.entries.append(
            FeedEntry(
                # The spec says a string; numbers are common; null means none.
                guid=_json_text(guid) if not isinstance(guid, int | float) else str(guid),
                link=urljoin(url, link) if url and link else link,
                title=title or _title_from(body),
                author=_json_authors(item) or feed_authors,
                published=_iso_from_text(item.get("date_published") or item.get("date_modified")),
                html=clean_text(body),
                enclosures=collect_enclosures(
                    (
                        (
                            a.get("url"),
                            a.get("mime_type"),
                            a.get("size_in_bytes"),
                            a.get("duration_in_seconds"),
                        )
                        for a in attachments
                        if isinstance(a, dict)
                    ),
                    url,
                ),
            )
        )
    return parsed


_ATOM_ENCLOSURE = re.compile(rb"""rel\s*=\s*["']enclosure["']""")
_RSS_ITEM = re.compile(rb"<item[\s>].*?</item>", re.DOTALL)
_ENCLOSURE_URL = re.compile(rb"""<enclosure\b[^>]*?\burl\s*=\s*("[^"]*"|'[^']*')""")
_DURATION = re.compile(rb"<itunes:duration\b[^>]*>\s*([^<]*?)\s*</itunes:duration>")


def _podcast_durations(data: bytes) -> dict[str, str]:
    """Each RSS item's `itunes:duration`, by the address of its enclosure.

    fastfeedparser drops the tag; this finds it in the raw items (20 ms for
    730 episodes, where feedparser took 480 ms for the whole feed). Keyed by
    address, not position, so an item the parser skipped cannot shift the rest.
    """
    found: dict[str, str] = {}
    for item in _RSS_ITEM.finditer(data):
        chunk = item.group()
        duration = _DURATION.search(chunk)
        if duration is None:
            continue
        text = duration.group(1).decode("utf-8", "replace")
        for address in _ENCLOSURE_URL.finditer(chunk):
            raw = address.group(1)[1:-1].decode("utf-8", "replace")
            found.setdefault(html.unescape(raw).strip(), text)
    return found


def _json_text(value: Any) -> str:
    """A JSON value that should be a string: the string, cleaned; else ""."""
    return clean_line(value) if isinstance(value, str) else ""


def _json_authors(node: dict[str, Any]) -> str:
    authors = node.get("authors")
    if not isinstance(authors, list):
        single = node.get("author")  # JSON Feed 1.0
        authors = [single] if isinstance(single, dict) else []
    names = [str(a.get("name", "")) for a in authors if isinstance(a, dict)]
    return clean_line(", ".join(n for n in names if n))


@dataclass(frozen=True)
class FeedLink:
    """A feed a web page points to with `<link rel="alternate">`."""

    url: str
    title: str
    kind: str


class _AlternateLinks(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.links: list[FeedLink] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("link", "base"):
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "base" and values.get("href"):
            self.base_url = urljoin(self.base_url, values["href"])
            return
        rel = values.get("rel", "").lower().split()
        kind = _FEED_TYPES.get(values.get("type", "").lower().split(";")[0].strip())
        href = values.get("href", "").strip()
        if "alternate" in rel and kind and href:
            url = clean_line(urljoin(self.base_url, href))
            if url not in (link.url for link in self.links):
                self.links.append(FeedLink(url, clean_line(values.get("title", "")), kind))


def discover_feeds(page: bytes, base_url: str) -> list[FeedLink]:
    """Find the feeds a web page links to, in page order.

    Args:
        page: The page's HTML.
        base_url: The page's URL.

    Returns:
        The feeds named by `<link rel="alternate" type="...">` elements.
    """
    parser = _AlternateLinks(base_url)
    try:
        parser.feed(page[:1_000_000].decode("utf-8", "replace"))
        parser.close()
    except (AssertionError, ValueError):  # HTMLParser on badly broken markup
        pass
    return parser.links
