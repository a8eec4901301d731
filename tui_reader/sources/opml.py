"""Read and write OPML subscription lists.

Nested outlines are folders, kept as a slash-separated path ("News/World").
Outlines whose `xmlUrl` is not http(s) (newsboat's `|command` and `exec:`
feeds) are reported and skipped. Parsing uses the standard library's expat,
which never fetches external entities. Feed URLs come out in their normal
spelling (`normalise_feed_url`; `feed://` read as http). Imports `errors`,
`feed_urls` and `sanitize` only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from tui_reader.errors import ShownError
from tui_reader.feed_urls import normalise_feed_url
from tui_reader.sanitize import clean_line

MAX_OPML_BYTES = 10 * 1024 * 1024


class OpmlError(ShownError):
    """The file is not usable OPML; the message is one line."""


@dataclass(frozen=True)
class OpmlFeed:
    """One subscription from (or for) an OPML file."""

    url: str
    title: str
    folder: str


@dataclass
class OpmlContents:
    """What an OPML file holds: feeds, and outlines that could not be used."""

    feeds: list[OpmlFeed]
    skipped: list[str]  # one line each


def read_opml(data: bytes) -> OpmlContents:
    """Parse an OPML file.

    Args:
        data: The file's bytes.

    Returns:
        Its feeds (with folder paths) and the outlines skipped, with reasons.

    Raises:
        OpmlError: For something that is not OPML (not XML, no <opml>, no <body>).
    """
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError("file too large for OPML")
    if not data.strip():
        raise OpmlError("empty file")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise OpmlError(f"not valid XML ({clean_line(str(exc))})") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"not OPML (the root element is <{clean_line(root.tag)}>, not <opml>)")
    body = root.find("body")
    if body is None:
        raise OpmlError("OPML without a <body> element")
    contents = OpmlContents([], [])
    _walk(body, [], contents)
    return contents


def _walk(node: ElementTree.Element, folders: list[str], contents: OpmlContents) -> None:
    for outline in node.findall("outline"):
        title = clean_line(outline.get("title") or outline.get("text") or "")
        url = normalise_feed_url(clean_line(outline.get("xmlUrl") or outline.get("xmlurl") or ""))
        if url:
            try:
                parts = urlsplit(url)
                usable = parts.scheme in ("http", "https") and bool(parts.hostname)
            except ValueError:
                usable = False
            if not usable:
                contents.skipped.append(f"{title or url}: {url!r} is not an http(s) feed URL")
                continue
            # newsboat writes tags as a comma-separated category list; the
            # first becomes the folder.
            category = clean_line(outline.get("category") or "").split(",")[0].strip()
            folder = "/".join(folders) or category
            contents.feeds.append(OpmlFeed(url, title, folder))
            if outline.get("filtercmd"):
                contents.skipped.append(
                    f"{title or url}: subscribed, but its filtercmd (a newsboat filter) is ignored"
                )
        else:
            _walk(outline, [*folders, title.replace("/", "∕") or "untitled"], contents)


def write_opml(feeds: Iterable[OpmlFeed], title: str = "tui-reader subscriptions") -> str:
    """Write OPML 2.0, with folders as nested outlines.

    Args:
        feeds: The subscriptions.
        title: The document's title.

    Returns:
        The document as text.
    """
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, ElementTree.Element] = {"": body}
    for feed in feeds:
        parent = body
        path = ""
        for name in [p for p in feed.folder.split("/") if p]:
            path = f"{path}/{name}"
            if path not in folders:
                folders[path] = ElementTree.SubElement(parent, "outline", text=name, title=name)
            parent = folders[path]
        ElementTree.SubElement(
            parent, "outline", type="rss", text=feed.title, title=feed.title, xmlUrl=feed.url
        )
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )
