"""Every word of real news pages, as stored, reaches the reader through the app's article
pane at 60, 100 and 200 columns (scrolled through from top to end)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.shared_data import ARTICLES
from tests.test_app import settle
from tui_reader.article import Article
from tui_reader.config import Config
from tui_reader.sources.extract import decode_html, extract_article
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app
from tui_reader.ui.widgets.article_view import ArticleView

_WORD = re.compile(r"\w+")


def stored_words(article: Article) -> Counter[str]:
    """The words of an article as the library keeps it: title, standfirst, blocks, cells."""
    texts = [article.title, article.standfirst, *(block.text for block in article.blocks)]
    texts += [cell for block in article.blocks for row in block.rows for cell in row]
    return Counter(word for text in texts for word in _WORD.findall(text))


def scrolled_through(view: ArticleView) -> str:
    """What the pane paints, page by page from the top to the end."""
    view.scroll_to(y=0, animate=False, immediate=True)
    rows: list[str] = []
    while True:
        top = int(view.scroll_y)
        rows += [view.render_line(y).text for y in range(view.size.height)]
        if top >= view.max_scroll_y:
            break
        view.scroll_to(y=top + view.size.height, animate=False, immediate=True)
    return "\n".join(rows)


def missing_words(wanted: Counter[str], shown: str) -> list[str]:
    """Words of `wanted` the pane does not show (as often as they are stored).

    A word longer than the pane is folded over two rows; such a word counts
    as shown when it is there once the rows are joined.
    """
    have = Counter(_WORD.findall(shown))
    # Joined up again: a word folded at the edge, and one that a link's number
    # ("Omar [3]Ilhan") stands inside of because the page wrote no space.
    glued = re.sub(r"\s+|↪|\[\d+\]", "", shown)
    return [
        word for word, count in wanted.items() if have[word] < count and glued.count(word) < count
    ]


@pytest.fixture(scope="module")
def corpus_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Article]]:
    """A library of every corpus page, extracted as `save` and `import` store them."""
    data_dir = tmp_path_factory.mktemp("corpus") / "data"
    truth = json.loads((ARTICLES / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, entry in sorted(truth.items()):
        data = (ARTICLES / "html" / f"{key}.html.gz").read_bytes()
        pages.append(extract_article(decode_html(data), entry["url"]))
    stored = {}
    with open_library(data_dir, Path("/nonexistent-seeds")) as library:
        for article_id, _new in library.add_articles(pages):
            found = library.get(article_id)
            assert found is not None
            stored[article_id] = found.article  # the text as the library keeps it
    return data_dir, stored


@pytest.mark.needs_corpus
@pytest.mark.parametrize("width", [60, 100, 200])
async def test_no_stored_word_is_missing_from_the_article_pane(
    corpus_library: tuple[Path, dict[str, Article]], width: int
):
    data_dir, articles = corpus_library
    assert len(articles) >= 90
    app = make_app(Config(meter_limit=1_000), data_dir, clock=FakeClock())
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(app, pilot)
        screen = app.reader_screen
        screen.show_pane(True)  # the article pane has the keys (and, at 60, the screen)
        await settle(app, pilot)
        view = screen.article
        losses = {}
        for article_id, article in articles.items():
            app.open_article(article_id)
            await settle(app, pilot)
            assert view.article_id == article_id
            missing = missing_words(stored_words(article), scrolled_through(view))
            if missing:
                losses[article.url] = missing[:10]
        assert not losses, f"words missing at {width} columns: {losses}"
