"""Bold, italic, struck-through and inline code, headings by level, quotes and code: distinct
in the app and in `read` on a terminal, plain text in `read --plain` and under NO_COLOR."""

from __future__ import annotations

import re
from pathlib import Path

from rich.segment import Segment

from tests.conftest import FakeClock
from tests.rich_article import RICH_WORDS, library_with_rich_story, rich_article
from tests.terminal import run_on_a_terminal
from tests.test_app import press, settle
from tui_reader.article import Article, Block, BlockKind, Span
from tui_reader.config import Config
from tui_reader.render import number_links
from tui_reader.sources.html_convert import html_to_blocks
from tui_reader.ui.app import make_app

# --- Conversion -------------------------------------------------------------------------


def styled(html: str) -> list[tuple[str, str]]:
    """(style, text) of every span of the first block."""
    block = html_to_blocks(html)[0]
    return [(span.style, block.text[span.start : span.end]) for span in block.styles]


def test_html_emphasis_becomes_spans():
    assert styled(
        "<p><b>b</b> <strong>s</strong> <i>i</i> <em>e</em>"
        " <del>d</del> <s>s2</s> <code>c</code></p>"
    ) == [
        ("bold", "b"),
        ("bold", "s"),
        ("italic", "i"),
        ("italic", "e"),
        ("strike", "d"),
        ("strike", "s2"),
        ("code", "c"),
    ]


def test_nested_and_unclosed_emphasis_stays_in_its_paragraph():
    assert sorted(styled("<p>a <b>x<b>y</b>z</b> <b><i>both</i></b></p>")) == [
        ("bold", "both"),
        ("bold", "xyz"),
        ("italic", "both"),
    ]
    blocks = html_to_blocks("<p>one <b>open</p><p>next</p>")
    assert [(s.style, blocks[0].text[s.start : s.end]) for s in blocks[0].styles] == [
        ("bold", "open")
    ]
    assert blocks[1].styles == ()  # the next paragraph is not bold


def test_text_from_outside_cannot_forge_a_style_mark():
    # The marks are Unicode noncharacters: a feed that sends them gets them removed.
    block = html_to_blocks("<p>\ufdd0not bold\ufdd1 \ufdd4x</p>")[0]
    assert block.text == "not bold x" and block.styles == ()


def test_headings_keep_their_level_and_code_its_language():
    blocks = html_to_blocks(
        "<h1>One</h1><h2>Two</h2><h4>Four</h4>"
        '<pre><code class="language-python">x = 1</code></pre>'
        '<pre class="lang-rust">fn main() {}</pre>'
        '<pre><code class="language-$(rm -rf)">y</code></pre>'
    )
    assert [(b.kind, b.level) for b in blocks[:3]] == [(BlockKind.HEADING, n) for n in (1, 2, 4)]
    assert [b.marker for b in blocks[3:]] == ["python", "rust", ""]


def test_styles_survive_the_store_and_the_link_numbers():
    article = rich_article()
    stored = Article.blocks_from_json(article.body_json())
    assert stored == article.blocks
    # "a bold link [2]": the number goes in after the link and its bold span.
    numbered, _targets = number_links(stored)
    block = next(b for b in numbered if "a bold link" in b.text)
    [span] = block.styles
    assert block.text[span.start : span.end] == "a bold link"
    assert "a bold link [2]" in block.text
    lead = next(b for b in numbered if "bold words" in b.text)
    assert {lead.text[s.start : s.end] for s in lead.styles} >= {"bold words", "inline_code()"}


def test_a_link_number_before_a_span_moves_it():
    block = Block(
        BlockKind.PARAGRAPH,
        "see here then bold",
        links=(),
        styles=(Span(14, 18, "bold"),),
    )
    from tui_reader.article import Link

    linked = Block(block.kind, block.text, (Link(4, 8, "https://a.example/"),), styles=block.styles)
    [numbered], _ = number_links([linked])
    [span] = numbered.styles
    assert numbered.text == "see here [1] then bold"
    assert numbered.text[span.start : span.end] == "bold"


# --- `read` on a terminal, --plain, NO_COLOR ------------------------------------------


def read_on_a_terminal(data_dir: Path, tmp_path: Path, *args: str, **env: str) -> str:
    """Run `tui-reader read` with its output on a real pseudo-terminal, 100 columns wide."""
    config = tmp_path / "config.toml"
    config.write_text("")
    run = run_on_a_terminal(["read", *args], data_dir, config, **env)
    assert run.status == 0, run.other
    return run.screen


_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_OSC = re.compile(r"\x1b\]8;[^\x1b\x07]*(?:\x1b\\|\x07)")


def sgr_of(output: str, words: str) -> set[str]:
    """The SGR parameters in force where `words` start in the output."""
    output = _OSC.sub("", output)
    at = output.index(words)
    last = list(_SGR.finditer(output[:at]))[-1]
    return set(last.group(1).split(";"))


def test_read_on_a_terminal_shows_each_style_in_its_own_sgr(data_dir: Path, tmp_path: Path):
    story = library_with_rich_story(data_dir)
    output = read_on_a_terminal(data_dir, tmp_path, story)
    plain = " ".join(_SGR.sub("", _OSC.sub("", output)).replace("\r", "").split())
    for words in RICH_WORDS:
        assert words in plain
    assert "1" in sgr_of(output, "bold words")  # bold
    assert "3" in sgr_of(output, "italic words")  # italic
    assert "9" in sgr_of(output, "struck words")  # struck through
    assert "36" in sgr_of(output, "inline_code()")  # inline code: cyan on grey
    assert {"1", "4"} <= sgr_of(output, "Second-level heading")  # h2 (under the title's h1)
    assert "4" not in sgr_of(output, "Third-level heading")  # h3 differs from h2
    assert "1" in sgr_of(output, "Third-level heading")
    assert "3" in sgr_of(output, "A quoted line")  # quotes are italic behind a bar
    # The Python block is highlighted: its keyword and its string in two colours.
    assert sgr_of(output, "def") != sgr_of(output, "Hello, ")
    assert sgr_of(output, "plain preformatted") == {"36"}  # code with no language: one colour
    assert "↪" in output  # the long code line wraps, marked


def test_read_plain_and_no_color_degrade_to_plain_text(data_dir: Path, tmp_path: Path):
    story = library_with_rich_story(data_dir)
    for output in (
        read_on_a_terminal(data_dir, tmp_path, story, "--plain"),
        read_on_a_terminal(data_dir, tmp_path, story, NO_COLOR="1"),
    ):
        assert "\x1b" not in output
        text = " ".join(output.replace("\r", "").split())
        for words in RICH_WORDS:
            assert words in text
        assert "[1] https://example.org/report" in text


# --- The app ------------------------------------------------------------------------


def styles_of(segments: list[Segment], words: str) -> list:
    """The Rich styles of the painted segments that hold `words`."""
    return [seg.style for seg in segments if words in seg.text and seg.style is not None]


async def test_the_app_draws_each_style(data_dir: Path, clock: FakeClock):
    library_with_rich_story(data_dir)
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", "z")  # past the seed, read the rich story full width
        view = app.reader_screen.article
        segments = [seg for y in range(view.size.height) for seg in view.render_line(y)]
        [bold] = styles_of(segments, "bold words")
        [italic] = styles_of(segments, "italic words")
        [struck] = styles_of(segments, "struck words")
        [code] = styles_of(segments, "inline_code()")
        plain = styles_of(segments, "The lead says")[0]
        assert bold.bold and not plain.bold
        assert italic.italic and not plain.italic
        assert struck.strike and not plain.strike
        assert code.color != plain.color and code.bgcolor != plain.bgcolor
        [keyword] = styles_of(segments, "def")
        [text] = styles_of(segments, "plain preformatted text")
        assert keyword.color != text.color  # highlighted Python, one-colour plain code
