"""The Google Reader API's vocabulary: its stream names, the feeds and
stories it sends as values, ids in their three spellings, and the one-line
errors a client says.

`greader` (the client) turns the server's JSON into these and its failures
into `GReaderError`; everything here is plain data and pure functions.
Imports `errors` and `sanitize`.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from tui_reader.enclosure import Enclosure, collect_enclosures
from tui_reader.errors import ShownError
from tui_reader.sanitize import clean_line
from tui_reader.sync_settings import READ_STATE, STARRED_STATE
from tui_reader.sync_settings import READING_LIST as READING_LIST

# The state streams are named once, in the sync model (the library needs
# them too, and may not import this module).
READ = READ_STATE
STARRED = STARRED_STATE
KEPT_UNREAD = "user/-/state/com.google/kept-unread"
LABEL_PREFIX = "user/-/label/"
LONG_ID_PREFIX = "tag:google.com,2005:reader/item/"

CONTENTS_BATCH = 250  # ids per POST stream/items/contents (servers cap the form size)
EDIT_BATCH = 250  # ids per POST edit-tag
SERVER_TEXT_MAX = 160  # characters of a server's own words kept in an error
MAX_PAGES = 10_000  # a continuation loop that never ends stops here

# FreshRSS's escapeToUnicodeAlternative: `& < >` in item titles and authors
# become fullwidth; feed titles also get `? \ / , ;` (PHP's array `+=` drops
# the `' " ^` its source seems to list).
ITEM_FULLWIDTH = str.maketrans({"＆": "&", "＜": "<", "＞": ">"})
FEED_FULLWIDTH = str.maketrans(
    {"＆": "&", "＜": "<", "＞": ">", "？": "?", "＼": "\\", "／": "/", "，": ",", "；": ";"}
)


@dataclass(frozen=True)
class ServerFeed:
    """A subscription as the server lists it."""

    stream_id: str  # "feed/1" as the server names it
    url: str  # the feed's URL
    title: str  # fullwidth & < > ? \ / , ; mapped back when quirks.fullwidth_titles
    site_url: str
    folders: tuple[str, ...]  # label names (from categories "user/-/label/X")


@dataclass(frozen=True)
class ServerItem:
    """An item (article) as the server sends it; its one-line fields cleaned
    (`clean_line`), its HTML not yet."""

    item_id: int  # decimal id (the long form converted)
    stream_id: str  # its feed's stream id ("feed/1"), from origin.streamId
    title: str
    link: str  # canonical/alternate href
    author: str
    published: str | None  # ISO 8601 UTC from `published` (seconds)
    crawled_us: int  # timestampUsec, else crawlTimeMsec*1000
    html: str  # summary.content (or content.content)
    read: bool  # categories contain user/-/state/com.google/read
    starred: bool  # categories contain user/-/state/com.google/starred
    enclosures: tuple[Enclosure, ...] = ()  # `enclosure`: [{href, type, length}]


@dataclass(frozen=True)
class Quirks:
    """Small per-server switches; the defaults fit FreshRSS."""

    fullwidth_titles: bool = True  # FreshRSS: map fullwidth & < > (feeds: ? \ / , ;) back
    long_item_ids: bool = False  # Miniflux wants long-form ids in items/contents and edit-tag
    exclude_ignored: bool = False  # Miniflux once ignored `xt=`: unread is all but `it=` read


class GReaderError(ShownError):
    """A sync request failed; the message is one line for the user."""


class GReaderAuthError(GReaderError):
    """The server refused the user's name or password."""


def decode_item_id(value: object) -> int:
    """An item id in any of its three forms as an unsigned 64-bit int.

    `tag:google.com,2005:reader/item/000000000000001f` (hex), `"31"` and `31`
    all give 31; a negative decimal (Google's signed form) is read as the
    unsigned number with the same bits.

    Raises:
        ValueError: For anything else.
    """
    if isinstance(value, bool):
        raise ValueError(f"not an item id: {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith(LONG_ID_PREFIX):
            hex_part = text.removeprefix(LONG_ID_PREFIX)
            if not hex_part or len(hex_part) > 16:
                raise ValueError(f"not an item id: {value!r}")
            number = int(hex_part, 16)
        elif text.lstrip("-").isdecimal() and text.isascii():
            number = int(text)
        else:
            raise ValueError(f"not an item id: {value!r}")
    else:
        raise ValueError(f"not an item id: {value!r}")
    if number < 0:
        number += 1 << 64
    if not 0 <= number < 1 << 64:
        raise ValueError(f"item id out of range: {value!r}")
    return number


def long_item_id(item_id: int) -> str:
    """The long form of an id: `tag:google.com,2005:reader/item/<16 hex>`."""
    return f"{LONG_ID_PREFIX}{item_id:016x}"


def label_stream(name: str) -> str:
    """The stream id of a folder (label) name; a full `user/...` id is kept as it is."""
    return name if name.startswith("user/") else LABEL_PREFIX + name


def shown_url(url: str) -> str:
    """A URL fit for a message: no user name or password in it."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def server_text(text: str, secrets: Iterable[str] = ()) -> str:
    """A server's words for a message: one clean line, cut short, secrets blanked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    line = clean_line(text)
    if len(line) > SERVER_TEXT_MAX:
        line = line[: SERVER_TEXT_MAX - 1].rstrip() + "…"
    return line


def causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it (httpx wraps OS errors)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def network_reason(exc: BaseException) -> str:
    """Say in a few words why no answer came."""
    for cause in causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (
                f"TLS error: certificate {clean_line(str(cause.verify_message or 'not trusted'))}"
            )
        if isinstance(cause, ssl.SSLError):
            reason = str(cause.reason or "handshake failed").replace("_", " ").lower()
            return f"TLS error: {reason}"
        if isinstance(cause, socket.gaierror):
            return "host name not found (DNS)"
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.ReadTimeout):
        return "the server stopped answering (read timeout)"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    text = clean_line(str(exc))
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "ssl" in lowered or "certificate" in lowered:
        return f"TLS error: {server_text(text)}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return f"connection broken mid-answer: {server_text(text) or 'reset by the server'}"
    return server_text(text) or type(exc).__name__


def iso_from_seconds(value: object) -> str | None:
    """ISO 8601 UTC (`2024-05-17T12:00:00+00:00`) for a Unix time in seconds, or None."""
    if isinstance(value, bool):
        return None
    try:
        seconds = int(value)  # type: ignore[call-overload]
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def as_str(value: object) -> str:
    return value if isinstance(value, str) else ""


def first_href(value: object) -> str:
    if isinstance(value, list):
        for link in value:
            if isinstance(link, dict) and isinstance(link.get("href"), str) and link["href"]:
                return str(link["href"])
    return ""


def state_of(category: str) -> str | None:
    """`read` for `user/-/state/com.google/read` or `user/123/state/com.google/read`."""
    parts = category.split("/", 4)
    if len(parts) == 5 and parts[0] == "user" and parts[2] == "state":
        return parts[4] if parts[3] == "com.google" else None
    return None


def label_of(category: str) -> str | None:
    """`Tech` for `user/-/label/Tech` or `user/123/label/Tech`."""
    parts = category.split("/", 3)
    if len(parts) == 4 and parts[0] == "user" and parts[2] == "label" and parts[3]:
        return parts[3]
    return None


def item_from_entry(entry: dict[str, Any], what: str, shown: str, quirks: Quirks) -> ServerItem:
    """One item of a `stream/contents` or `items/contents` answer as a story.

    Pure, so a first sync runs it in its storing thread. `shown` names the
    server in the error for an item without a usable id.
    """
    try:
        item_id = decode_item_id(entry.get("id"))
    except ValueError:
        raise GReaderError(
            f"sync: {shown} sent an item in {what} without a usable id:"
            f" {server_text(str(entry.get('id')))}"
        ) from None
    read = starred = False
    for category in entry.get("categories") or ():
        # Most are the reading list and labels: only a likely state is parsed.
        if isinstance(category, str) and category.endswith(("/read", "/starred")):
            state = state_of(category)
            read = read or state == "read"
            starred = starred or state == "starred"
    crawled = as_int(entry.get("timestampUsec"))
    if crawled is None:
        milliseconds = as_int(entry.get("crawlTimeMsec"))
        crawled = milliseconds * 1000 if milliseconds is not None else 0
    body = ""
    for key in ("summary", "content"):
        part = entry.get(key)
        if isinstance(part, dict) and isinstance(part.get("content"), str):
            body = part["content"]
            break
    origin = entry.get("origin")
    title = as_str(entry.get("title"))
    author = as_str(entry.get("author"))
    if quirks.fullwidth_titles:  # the fullwidth characters are not ASCII
        title = title if title.isascii() else title.translate(ITEM_FULLWIDTH)
        author = author if author.isascii() else author.translate(ITEM_FULLWIDTH)
    return ServerItem(
        item_id=item_id,
        stream_id=as_str(origin.get("streamId")) if isinstance(origin, dict) else "",
        title=clean_line(title),
        link=clean_line(first_href(entry.get("canonical")) or first_href(entry.get("alternate"))),
        author=clean_line(author),
        published=iso_from_seconds(entry.get("published")),
        crawled_us=crawled,
        html=body,
        read=read,
        starred=starred,
        enclosures=_enclosures(entry.get("enclosure")),
    )


def _enclosures(value: Any) -> tuple[Enclosure, ...]:
    """An item's `enclosure` list ([{href, type, length}]), as FreshRSS sends it."""
    if not isinstance(value, list):
        return ()
    return collect_enclosures(
        ((e.get("href"), e.get("type"), e.get("length"), 0) for e in value if isinstance(e, dict)),
        "",
    )


class RawPage:
    """A `stream/contents` answer, parsed only when its items are wanted.

    Its continuation is read off the end of the body first, where servers
    put it (`..."continuation":"123"}`), so the next page can be asked for
    before this one's megabyte of JSON is parsed; a body that ends otherwise,
    or a small one, is parsed whole for it.
    """

    SMALL = 4096  # bytes: parsed at once (an empty last page, an error)

    def __init__(self, body: bytes, shown: str) -> None:
        self.body = body
        self.shown = shown
        self._data: dict[str, Any] | None = None

    def data(self) -> dict[str, Any]:
        """The whole answer, parsed once."""
        if self._data is None:
            try:
                data = json.loads(self.body)
            except ValueError:
                raise GReaderError(
                    f"sync: {self.shown} sent an answer to stream/contents that is not valid JSON"
                ) from None
            if not isinstance(data, dict):
                raise GReaderError(
                    f"sync: {self.shown} sent an answer to stream/contents"
                    " that is not a JSON object"
                )
            self._data = data
        return self._data

    def known_empty(self) -> bool:
        """Parsed already (a small answer) and holding no items."""
        return self._data is not None and not self._data.get("items")

    def continuation(self) -> tuple[str | None, bool]:
        """(the continuation, whether a next page may hold more items)."""
        if len(self.body) > self.SMALL:
            tail = self.body[-256:]
            at = tail.rfind(b'"continuation":')
            if at >= 0:
                match = _TAIL_CONTINUATION.fullmatch(tail[at:])
                if match:
                    return match.group(1).decode("ascii"), True
        data = self.data()
        value = data.get("continuation")
        return (str(value) if value else None), bool(data.get("items"))


# The last key of the outermost object: a quoted or bare continuation, then
# nothing but the closing brace (so it is not a key of an item).
_TAIL_CONTINUATION = re.compile(rb'"continuation":\s*"?([A-Za-z0-9_\-.:=+/]{1,200})"?\s*\}\s*')
