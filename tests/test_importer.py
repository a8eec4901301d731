"""The seed importer: article structure out, site chrome gone, bad files refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import SEED_TEXT, make_article_file
from tui_reader.article import BlockKind
from tui_reader.sources.scraped_text import (
    MAX_FILE_BYTES,
    ArticleImportError,
    decode_file,
    parse_text,
    read_article_file,
    read_many,
)

CHROME = ["No menu items!", "Check out our other content", "×", "You have free article(s)"]


def kinds(article):
    return [b.kind for b in article.blocks]


def test_seed_has_title_standfirst_heading_and_one_caption():
    article = parse_text(SEED_TEXT)
    assert article.title == "Japan and Canada Forge EV Battery Alliance"
    assert article.standfirst.startswith("Japan and Canada will sign an agreement")
    headings = [b.text for b in article.blocks if b.kind is BlockKind.HEADING]
    assert headings == ["Background"]
    captions = [b.text for b in article.blocks if b.kind is BlockKind.CAPTION]
    assert captions == ["Japan and Canada Forge EV Battery Alliance. (Photo Internet reproduction)"]
    paragraphs = [b.text for b in article.blocks if b.kind is BlockKind.PARAGRAPH]
    assert len(paragraphs) == 17
    assert paragraphs[-1].startswith("Also, it could lower EV prices")


def test_seed_keeps_no_chrome():
    article = parse_text(SEED_TEXT)
    everything = "\n".join([article.title, article.standfirst, *(b.text for b in article.blocks)])
    for chrome in CHROME:
        assert chrome not in everything
    assert "Subscribe for unlimited access" not in everything


def test_chrome_in_other_places_is_dropped():
    text = (
        "Check out our other content\n\nMarkets Rally After Rate Cut\n\n×\n\n"
        "Stocks rose on Tuesday.\n\nNo menu items!\n\nAnalysts were surprised.\n"
    )
    article = parse_text(text)
    assert article.title == "Markets Rally After Rate Cut"
    assert article.standfirst == "Stocks rose on Tuesday."
    assert [b.text for b in article.blocks] == ["Analysts were surprised."]


@pytest.mark.parametrize(
    "nag",
    [
        "You have 3 free article(s) remaining. Subscribe for unlimited access.",
        "You have 1 free article remaining.",
        "you have 12 free articles left",
    ],
)
def test_nag_with_a_number_is_dropped(nag):
    article = parse_text(f"Title Here\n\nFirst paragraph.\n\n{nag}\n\nSecond paragraph.")
    assert [b.text for b in article.blocks] == ["Second paragraph."]


def test_crlf_line_endings_give_the_same_article():
    crlf = parse_text(SEED_TEXT.replace("\n", "\r\n"))
    assert crlf == parse_text(SEED_TEXT)
    assert crlf.content_id() == parse_text(SEED_TEXT).content_id()


def test_no_subheadings():
    article = parse_text("A Plain Story\n\nIt starts here.\n\nIt goes on.\n\nIt ends.")
    assert kinds(article) == [BlockKind.PARAGRAPH, BlockKind.PARAGRAPH]


def test_title_only():
    article = parse_text("No menu items!\n\nJust A Headline\n\n×\n")
    assert article.title == "Just A Headline"
    assert article.standfirst == ""
    assert article.blocks == []


def test_caption_printed_once_with_credit_is_still_a_caption():
    article = parse_text("Title\n\nLead.\n\nA harbour at dawn. (Photo: Reuters)\n\nBody.")
    assert kinds(article) == [BlockKind.CAPTION, BlockKind.PARAGRAPH]


def test_only_chrome_is_an_error():
    with pytest.raises(ArticleImportError, match="no article text"):
        parse_text("No menu items!\n×\nYou have free article(s) remaining.")


def test_markup_and_escapes_are_stored_as_plain_text():
    article = parse_text("[b]Bold[/b] \x1b]0;owned\x07Title\x1b[31m\n\nBody \x9b2J text.")
    assert article.title == "[b]Bold[/b] Title"
    assert article.standfirst == "Body text."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"  \n\n ", "empty file"),
        (b"\x7fELF\x02\x01\x00\x00binary", "binary file"),
        (b"Caf\xe9 au lait\n\nText.", "not UTF-8 text"),
    ],
)
def test_bad_bytes_get_one_line_errors(data, message):
    with pytest.raises(ArticleImportError, match=message) as caught:
        decode_file(data)
    assert "\n" not in str(caught.value)


def test_utf8_bom_and_utf16_decode():
    assert decode_file("\ufeffTitle".encode()) == "Title"
    assert decode_file("Título".encode("utf-16")) == "Título"


def test_batch_goes_on_past_bad_files(tmp_path: Path):
    good = tmp_path / "good.txt"
    good.write_text("Good Story\n\nIt is fine.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"Caf\xe9\n\nBody.")
    missing = tmp_path / "missing.txt"
    results = read_many([empty, good, binary, missing, latin])
    assert [r.error for r in results] == [
        "empty file",
        None,
        "binary file, not text",
        "no such file",
        "not UTF-8 text (undecodable byte 0xe9 at offset 3)",
    ]
    assert results[1].article is not None and results[1].article.title == "Good Story"


def test_a_directory_imports_its_text_files(tmp_path: Path):
    (tmp_path / "b.txt").write_text("Second\n\nBody.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("First\n\nBody.", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    results = read_many([tmp_path])
    assert [r.article.title for r in results if r.article] == ["First", "Second"]


def test_file_source_names_the_file(tmp_path: Path):
    path = tmp_path / "story.txt"
    path.write_text("Story\n\nBody.", encoding="utf-8")
    assert read_article_file(path).source == "story.txt"


def test_fifos_devices_and_huge_files_are_refused_without_reading_them(tmp_path: Path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 10)  # sparse: costs no disk
    results = read_many([fifo, Path("/dev/zero"), huge])
    assert [r.error for r in results] == [
        "not a regular file",
        "not a regular file",
        f"too large for an article (over {MAX_FILE_BYTES:,} bytes)",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_folder_is_one_error(tmp_path: Path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        [result] = read_many([locked])
        assert result.error == "permission denied"
    finally:
        locked.chmod(0o700)


def test_import_tells_each_outcome_as_it_happens(tmp_path, store, monkeypatch):
    """A library failing partway still leaves the lines of what was imported."""
    from tui_reader.library.database import StoreError
    from tui_reader.sources.local_files import import_paths

    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline type="rss" text="A"'
        ' xmlUrl="http://127.0.0.1:9/a.xml"/></body></opml>'
    )
    story = make_article_file(tmp_path, "story.txt", "A Story")
    told = []

    def failing(_articles):
        raise StoreError("disk is full")

    monkeypatch.setattr(store, "add_articles", failing)
    with pytest.raises(StoreError):
        import_paths(store, [opml, story], told.append)
    assert [line.path for line in told] == [opml]  # said before the failure
    assert "subscribed to 1 feeds" in told[0].after
