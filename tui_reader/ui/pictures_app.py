"""The app's pictures: placeholders when an article opens, then the pictures themselves.

Opening an article (in its thread worker) gives each cached picture a
placeholder of its size; the pictures are then decoded and scaled in that
same thread and the article drawn again in place (`PicturesDrawn`) as the
first is done and then every 150 ms, so the first screen never waits for a
decoder, the picture on screen does not wait for the rest, and the text
never jumps. Pictures
not cached yet are fetched by an async worker (never while offline, never
one that failed lately) and drawn when they come. They are drawn the way
`pictures.detect` found before the app started: kitty's protocol, Sixel or
half-blocks. Imports Textual, the image cache and `pictures`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import RenderableType
from textual import work
from textual.app import App
from textual.worker import get_current_worker

from tui_reader.article import Article, image_urls
from tui_reader.config import Config
from tui_reader.pictures import TerminalPicture, placeholders, prepare
from tui_reader.ui.messages import PicturesDrawn, PicturesFitted
from tui_reader.ui.widgets.article_view import ArticleView

if TYPE_CHECKING:  # the cache brings httpx: imported when a story is first opened
    from tui_reader.sources.image_cache import CachedImage, ImageCache

MAX_PICTURES = 30  # an article's pictures fetched and drawn; a gallery beyond it shows labels
# Seconds between drawing an article again while its pictures are decoded.
REDRAW_SECONDS = 0.15

# Draws an article with these pictures (by address): the app's `render_article` call.
Draw = Callable[[Mapping[str, RenderableType]], RenderableType]


class PicturesApp(App[None]):
    """An app that shows articles' pictures from the cache; `ReaderApp` is the one."""

    config: Config
    data_dir: Path
    # What pictures are drawn with ("kitty", "sixel", "blocks"): `pictures.detect`
    # asked the terminal before the app started.
    drawn_with: str = "blocks"
    _image_cache: ImageCache | None = None
    # The open article's kitty or Sixel pictures (the terminal holds kitty's until
    # they are freed), and the widths the pane asked them to be made for.
    _held: tuple[str, list[TerminalPicture]] = ("", [])
    _rooms: tuple[str, frozenset[int]] = ("", frozenset())  # replaced whole: read in threads

    @property
    def image_cache(self) -> ImageCache | None:
        """The picture cache in the data dir (None: `reader.images = "off"`)."""
        if self._image_cache is None:
            self._image_cache = self.config.picture_cache(self.data_dir)
        return self._image_cache

    def cached_pictures(self, article: Article) -> tuple[dict[str, CachedImage], list[str]]:
        """The article's cached pictures, and the addresses still to fetch (thread)."""
        urls = image_urls(article.blocks)[:MAX_PICTURES]
        cache = self.image_cache if urls else None  # no picture: no cache to read
        return cache.split(urls) if cache is not None else ({}, [])

    def draw_pictures(
        self,
        article_id: str,
        cached: Mapping[str, CachedImage],
        missing: list[str],
        draw: Draw,
        room: int,
    ) -> None:
        """Decode the cached pictures and draw the article with them (in its thread
        worker), then fetch the missing ones. `room`: the text's width in cells,
        at which each picture's cells are made here rather than on the UI thread."""
        worker = get_current_worker()
        held = self._hold(article_id)
        drawn: dict[str, RenderableType] = dict(placeholders(cached))
        shown_at: float | None = None  # when the article was last drawn again
        for done, (url, image) in enumerate(cached.items(), 1):
            if worker.is_cancelled:
                return  # another article was opened
            try:
                picture = prepare(image, room, self.drawn_with)
            except (OSError, ValueError):
                del drawn[url]  # gone or broken since: its label shows
                continue
            if isinstance(picture, TerminalPicture):
                self._fit(picture, article_id)
                held.append(picture)
            drawn[url] = picture
            # The first picture (in reading order, so the one on screen) shows
            # as soon as it is decoded, the rest every REDRAW_SECONDS and at the end.
            now = time.monotonic()
            if done == len(cached) or shown_at is None or now - shown_at >= REDRAW_SECONDS:
                if worker.is_cancelled:
                    return
                self.post_message(PicturesDrawn(article_id, draw(dict(drawn))))
                shown_at = now
        if missing and not self.config.offline:
            self.call_from_thread(
                self.fetch_pictures, article_id, missing, dict(cached), draw, room
            )

    def _hold(self, article_id: str) -> list[TerminalPicture]:
        """The list of the article's pictures the terminal holds; another article's
        are freed first (the terminal keeps an image until told)."""
        if self._held[0] != article_id:
            self.release_pictures()
            self._held = (article_id, [])
        return self._held[1]

    def _fit(self, picture: TerminalPicture, article_id: str) -> None:
        """Make the picture for every width the pane asked for (thread)."""
        wanted, rooms = self._rooms
        for room in sorted(rooms) if wanted == article_id else ():
            try:
                picture.make(room)
            except (OSError, ValueError):
                return  # its half-blocks show at that width

    def on_article_view_pictures_misfit(self, message: ArticleView.PicturesMisfit) -> None:
        wanted, rooms = self._rooms
        kept = rooms if wanted == message.article_id else frozenset()
        self._rooms = (message.article_id, kept | {message.room})
        self._fit_pictures(message.article_id)

    @work(thread=True, group="picture-fit")
    def _fit_pictures(self, article_id: str) -> None:
        """Make the open article's pictures for the pane's new width, then lay it out again."""
        held_for, pictures = self._held
        if held_for != article_id:
            return  # not drawn yet: they will be made for it when they are
        for picture in list(pictures):
            self._fit(picture, article_id)
        self.post_message(PicturesFitted(article_id))

    def release_pictures(self) -> None:
        """Free the images the terminal holds for the article (it closed, or the app)."""
        for picture in self._held[1]:
            picture.release()
        self._held = ("", [])

    @work(exclusive=True, group="pictures")
    async def fetch_pictures(
        self,
        article_id: str,
        missing: list[str],
        cached: dict[str, CachedImage],
        draw: Draw,
        room: int,
    ) -> None:
        """Fetch an article's pictures not cached yet, then draw them (async: network)."""
        from tui_reader.sources.http import make_client
        from tui_reader.sources.image_cache import CachedImage

        cache = self.image_cache
        if cache is None:
            return
        async with make_client(self.config.network) as client:
            fetched = await cache.fetch_all(client, missing)
        came = {url: got for url, got in fetched.items() if isinstance(got, CachedImage)}
        if came:
            self._decode_fetched(article_id, {**cached, **came}, draw, room)

    @work(thread=True, exclusive=True, group="picture-decode")
    def _decode_fetched(
        self, article_id: str, cached: dict[str, CachedImage], draw: Draw, room: int
    ) -> None:
        self.draw_pictures(article_id, cached, [], draw, room)
