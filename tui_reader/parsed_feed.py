"""A feed as parsed: its title, site and entries, sanitized, content still HTML.

The model between the feed parser (`sources.feed_parser`) and the library,
which stores it without knowing any parser. Imports only the enclosure model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from tui_reader.enclosure import Enclosure


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, sanitized, with its content still HTML."""

    guid: str
    link: str
    title: str
    author: str
    published: str | None  # ISO 8601 UTC, or None
    html: str
    enclosures: tuple[Enclosure, ...] = ()  # podcast episodes and other files

    def key(self) -> str:
        """What identifies the entry within its feed: guid, else link, else content."""
        if self.guid:
            return "guid:" + self.guid
        if self.link:
            return "link:" + self.link
        return "hash:" + self.content_hash()

    def content_hash(self) -> str:
        """A hash of what the reader sees; changes when the entry is edited."""
        digest = hashlib.sha256()
        for part in (self.title, self.link, self.author, self.published or "", self.html):
            digest.update(part.encode() + b"\0")
        # Only when there are any: the hashes of entries stored before
        # enclosures were kept stay the same, so they are not all "edited".
        for e in self.enclosures:
            digest.update(f"{e.url}\0{e.type}\0{e.length}\0{e.duration}".encode() + b"\0")
        return digest.hexdigest()[:16]


@dataclass
class ParsedFeed:
    """A parsed feed: its title, its site, its entries."""

    title: str
    site_url: str
    kind: str
    entries: list[FeedEntry] = field(default_factory=list)
    total_entries: int = 0  # in the document; more than `entries` when cut at MAX_ENTRIES

    @property
    def note(self) -> str | None:
        """A one-line remark for the user, when the feed was cut."""
        if self.total_entries > len(self.entries):
            return f"kept the first {len(self.entries):,} of {self.total_entries:,} items"
        return None
