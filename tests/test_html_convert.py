"""HTML from feeds becomes the article model: structure kept, scripts and tricks gone."""

from __future__ import annotations

import re

from tui_reader.article import Article, BlockKind, Link, Span
from tui_reader.render import render_plain
from tui_reader.sources.html_convert import html_to_blocks, with_body

BASE = "https://news.example/world/story.html"


def kinds_and_text(html: str) -> list[tuple[BlockKind, str]]:
    return [(b.kind, b.text) for b in html_to_blocks(html, BASE)]


def test_paragraphs_headings_lists_quotes_code():
    html = (
        "<p>First <b>bold</b> para.</p><h2>A heading</h2>"
        "<ul><li>one</li><li>two<ol><li>inner</li></ol></li></ul>"
        "<blockquote><p>Quoted words.</p></blockquote>"
        "<pre><code>def f():\n    return 1</code></pre>"
    )
    blocks = html_to_blocks(html, BASE)
    assert [(b.kind, b.text) for b in blocks] == [
        (BlockKind.PARAGRAPH, "First bold para."),
        (BlockKind.HEADING, "A heading"),
        (BlockKind.LIST_ITEM, "one"),
        (BlockKind.LIST_ITEM, "two"),
        (BlockKind.LIST_ITEM, "inner"),
        (BlockKind.QUOTE, "Quoted words."),
        (BlockKind.CODE, "def f():\n    return 1"),
    ]
    assert [(b.marker, b.level) for b in blocks[2:5]] == [("•", 0), ("•", 0), ("1.", 1)]


def test_links_resolve_against_the_entry_and_images_show_alt_text():
    [para, image] = html_to_blocks(
        '<p>See <a href="../sport/">the sport</a>.</p><p><img src="/p.jpg" alt="A goal"></p>', BASE
    )
    assert para.text == "See the sport."
    assert para.links == (Link(4, 13, "https://news.example/sport/"),)
    assert (image.kind, image.text) == (BlockKind.IMAGE, "A goal")
    assert image.links[0].url == "https://news.example/p.jpg"


def test_a_picture_inside_a_paragraph_becomes_a_block_between_its_words():
    # Feeds and podcast notes put pictures inside the text's paragraph; only
    # an image block of its own can be drawn, so the paragraph is cut there.
    before, image, after = html_to_blocks(
        '<p>Show <b>notes</b>. <img src="/sky.jpg" alt="Sky"> Read <a href="/more">more</a>.</p>',
        BASE,
    )
    assert (before.kind, before.text) == (BlockKind.PARAGRAPH, "Show notes.")
    assert before.styles == (Span(5, 10, "bold"),)
    assert (image.kind, image.text) == (BlockKind.IMAGE, "Sky")
    assert image.links[0].url == "https://news.example/sky.jpg"
    assert (after.text, after.links) == ("Read more.", (Link(5, 9, "https://news.example/more"),))


def test_emoji_and_icon_images_stay_in_the_sentence_as_their_text():
    [para] = html_to_blocks(
        '<p>We won <img class="wp-smiley emoji" src="/1f600.png" alt="😀"> again'
        ' <img src="/s.gif" width="16" height="16px" alt=":)"> today'
        ' <img class="icon" src="/i.png"></p>',
        BASE,
    )
    assert (para.kind, para.text, para.links) == (
        BlockKind.PARAGRAPH,
        "We won 😀 again :) today",
        (),
    )


def test_tables_keep_their_cells():
    [table] = html_to_blocks(
        "<table><tr><th>Team</th><th>Pts</th></tr><tr><td>Reds</td><td>12</td></tr></table>", BASE
    )
    assert table.rows == (("Team", "Pts"), ("Reds", "12"))
    plain = render_plain(Article(title="T", blocks=[table]))
    assert "Team | Pts\nReds | 12" in plain


def test_scripts_styles_and_markup_never_become_text():
    text = kinds_and_text(
        "<script>alert('x')</script><style>p{}</style><p>[b]literal[/b] *stars* _under_</p>"
        "<p>\x1b]0;title\x07Escapes\x9b2J gone</p>"
    )
    assert text == [
        (BlockKind.PARAGRAPH, "[b]literal[/b] *stars* _under_"),
        (BlockKind.PARAGRAPH, "Escapes gone"),
    ]


def test_deep_nesting_and_garbage_do_not_raise():
    deep = "<div>" * 5000 + "<p>Deep words</p>" + "</div>" * 5000
    assert "Deep words" in " ".join(b.text for b in html_to_blocks(deep, BASE))
    assert html_to_blocks("", BASE) == []


def test_text_that_looks_like_markdown_stays_text():
    blocks = html_to_blocks(
        "<p>[Your bank](https://phish.example)</p><p># not a heading</p><p>- not a list</p>"
        "<table><tr><td>a|b</td><td>c</td></tr></table>",
        BASE,
    )
    assert [(b.kind, b.text) for b in blocks[:3]] == [
        (BlockKind.PARAGRAPH, "[Your bank](https://phish.example)"),
        (BlockKind.PARAGRAPH, "# not a heading"),
        (BlockKind.PARAGRAPH, "- not a list"),
    ]
    assert all(not b.links for b in blocks[:3])
    assert blocks[3].rows == (("a|b", "c"),)


def test_garbage_markup_keeps_its_words():
    blocks = html_to_blocks("<<<>>><p>Still <b>here</i> and <div>there", BASE)
    words = re.findall(r"\w+", " ".join(b.text for b in blocks))
    assert words == ["Still", "here", "and", "there"]


def test_feed_entries_resolve_relative_links_against_their_own_link():
    from tui_reader.sources.feed_parser import parse_feed

    document = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<link>https://site.example/</link><item><guid>1</guid><title>Entry</title>"
        b"<link>https://site.example/2026/11/story.html</link>"
        b'<description>&lt;p&gt;See &lt;a href="photo.html"&gt;the photo&lt;/a&gt;&lt;/p&gt;'
        b"</description></item></channel></rss>"
    )
    [entry] = parse_feed(document, "https://feeds.example/all/rss.xml").entries
    article = with_body(Article(title=entry.title, url=entry.link), entry.html)
    [paragraph] = article.blocks
    assert paragraph.links[0].url == "https://site.example/2026/11/photo.html"


def test_emphasis_never_leaves_literal_markers_or_glued_words():
    blocks = html_to_blocks(
        "<p><b>Note:</b>The plan <i>your\xa0</i>area and <a href='https://x.example/'>a\xa0</a>link</p>"
    )
    assert [b.text for b in blocks] == ["Note:The plan your area and a link"]


def test_a_non_http_link_keeps_its_text_and_never_shows_raw_markdown():
    html = (
        '<p>A <a href="javascript:alert(1)">js link</a>, <a href=" JavaScript:x">two</a>,'
        ' <a href="data:text/html,x">data</a>, <a href="/rel">relative</a> and'
        ' <a href="https://example.com/">web</a>.</p>'
    )
    [block] = html_to_blocks(html, "https://news.example/story")
    assert block.text == "A js link, two, data, relative and web."
    assert "](" not in block.text and "javascript" not in block.text.lower()
    assert [link.url for link in block.links] == [
        "https://news.example/rel",
        "https://example.com/",
    ]
