"""Opening an article for reading: the one flow behind the app's Enter and `tui-reader read`.

Convert the stored body, apply the config's meter exemptions, ask the
meter, and mark the article read when it is shown in full. Converting
comes first, so whatever goes wrong in there cannot cost a free article.
A story's enclosures (podcast episodes) head its body, one line each.
Imports the library, the meter and the HTML converter; never the UI.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from tui_reader.article import Article, Block, BlockKind, Link
from tui_reader.enclosure import Enclosure
from tui_reader.library.articles import StoredArticle
from tui_reader.library.store import Store
from tui_reader.meter import Access, Meter
from tui_reader.sources.html_convert import with_body


@dataclass(frozen=True)
class Reading:
    """An article opened for reading, and the meter's decision on it."""

    stored: StoredArticle
    article: Article  # the body converted, ready to render
    access: Access
    feed_version: bool = False  # the feed's own content, not the fetched full story

    @property
    def has_both(self) -> bool:
        """Both versions are kept: the full story from the page and the feed's own."""
        return self.stored.full_text and bool(self.stored.html)

    @property
    def withheld(self) -> bool:
        """Only the teaser may be shown."""
        return not self.access.allowed


def open_for_reading(
    store: Store,
    meter: Meter,
    article_id: str,
    *,
    exempt_feeds: Collection[str] = (),
    feed_version: bool = False,
) -> Reading | None:
    """Open an article through the meter; None when there is no such article.

    Args:
        store: The library.
        meter: The meter that decides.
        article_id: A full article id.
        exempt_feeds: Feed URLs the meter never counts (config `exempt_feeds`).
        feed_version: Show the feed's own content even when the full story
            was fetched (`f`): neither version is ever lost.

    Returns:
        The article and the decision; the article is marked read when allowed.
    """
    stored = store.get(article_id)
    if stored is None:
        return None
    feed_version = feed_version and stored.full_text and bool(stored.html)
    source = replace(stored.article, blocks=[]) if feed_version else stored.article
    article = with_body(source, stored.html)
    enclosures = tuple(store.enclosures(article_id))
    exempt = bool(stored.feed_url) and stored.feed_url in exempt_feeds
    access = meter.open(article_id, exempt=exempt)
    if enclosures and access.allowed:  # a teaser is the words' first lines only
        article = replace(article, blocks=[*enclosure_blocks(enclosures), *article.blocks])
    if access.allowed and not stored.read:
        store.set_read(article_id, True)
        stored.read = True
    return Reading(stored, article, access, feed_version)


def enclosure_blocks(enclosures: tuple[Enclosure, ...]) -> list[Block]:
    """One line per enclosure at the head of the story, `[audio: MP3, 45 min]`, each
    a numbered link to the file (so `L` and `read` list its address too)."""
    return [
        Block(BlockKind.PARAGRAPH, label, links=(Link(0, len(label), e.url),))
        for e in enclosures
        for label in (e.label(),)
    ]
