"""A story with everything the reader draws: inline styles, headings, links, a quote,
code with and without a language, a table and an image; stored as a feed's HTML would be."""

from __future__ import annotations

from pathlib import Path

from tui_reader.article import Article
from tui_reader.locations import seeds_directory
from tui_reader.sources.html_convert import html_to_blocks
from tui_reader.sources.seeds import open_library

RICH_TITLE = "Rich story: every kind of block"
RICH_URL = "https://news.example.org/2026/rich-story"

# Wider than the reader's 80 cells: it wraps, marked with ↪.
LONG_CODE_LINE = (
    '    return "Hello, " + name  # a comment long enough to need wrapping'
    " in a narrow pane, and at 80 columns too"
)

RICH_HTML = (
    """
<p>The lead says <b>bold words</b>, <em>italic words</em>, <del>struck words</del>
and <code>inline_code()</code>, then links to <a href="https://example.org/report">the report</a>
and <a href="javascript:alert(1)">a script link</a>.</p>
<h2>Second-level heading</h2>
<p>A paragraph under it with
<strong><a href="https://example.org/bold">a bold link</a></strong>.</p>
<h3>Third-level heading</h3>
<blockquote><p>A quoted line with <i>emphasis</i> in it.</p></blockquote>
<pre><code class="language-python">def greet(name):
"""
    + LONG_CODE_LINE
    + """</code></pre>
<pre>plain preformatted text
    indented line</pre>
<table>
<tr><th>City</th><th>Battery plants</th><th>Jobs</th></tr>
<tr><td>Windsor</td><td>2</td><td>2,500</td></tr>
<tr><td>Osaka</td><td>3</td><td>4,100</td></tr>
</table>
<p><img src="https://example.org/plant.jpg" alt="A battery plant"></p>
<p>The last paragraph ends the story.</p>
"""
)

# Words of the story that every rendering must show.
RICH_WORDS = (
    "bold words",
    "italic words",
    "struck words",
    "inline_code()",
    "the report [1]",
    "a script link",
    "Second-level heading",
    "a bold link [2]",
    "Third-level heading",
    "A quoted line with emphasis in it.",
    "def greet(name):",
    "plain preformatted text",
    "Windsor",
    "4,100",
    "[image 3: A battery plant]",
    "The last paragraph ends the story.",
)


def rich_article() -> Article:
    """The rich story as the reader stores it."""
    return Article(
        title=RICH_TITLE,
        blocks=html_to_blocks(RICH_HTML, RICH_URL),
        source="Example News",
        url=RICH_URL,
        published="2026-11-30T09:00:00+00:00",
        origin="feed",
        author="A. Writer",
    )


def library_with_rich_story(data_dir: Path) -> str:
    """A library holding the seed and the rich story; returns the story's id."""
    with open_library(data_dir, seeds_directory()) as library:
        library.add_articles([rich_article()])
        [headline] = [h for h in library.headlines() if h.title == RICH_TITLE]
        return headline.id
