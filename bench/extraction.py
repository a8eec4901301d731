"""Article extraction quality and speed on real news pages.

Runs `extract_article` over every page of the article-extraction benchmark
corpus (`../shared/corpora/articles`: `html/<id>.html.gz` and
`ground-truth.json`) and scores the text as the program stores and shows it:
`render_plain(article)` without its title and meta lines.

Scoring is the benchmark's (scrapinghub/article-extraction-benchmark): `\\w+`
tokens with case kept, multisets of word 4-gram shingles, per-page counts
normalised so long pages weigh no more than short ones; precision is the
mean over pages with any extraction, recall the mean over all pages, F1 the
harmonic mean of the two means.

    .venv/bin/python bench/extraction.py [--worst N] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from tui_reader.article import Article  # noqa: E402
from tui_reader.render import render_plain  # noqa: E402
from tui_reader.sources.extract import ExtractionError, decode_html, extract_article  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "articles"
SHINGLE = 4
_TOKEN = re.compile(r"\w+")
# render_plain starts with the title line, then the meta line (source, date,
# reading time); everything after them is the article as shown.
_HEAD_LINES = 2


@dataclass(frozen=True)
class Counts:
    """One page's shingle counts, normalised to sum to 1 (all 0 when both are empty)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        """Share of extracted shingles that are in the article."""
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Share of the article's shingles that were extracted."""
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of this page's precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """The multiset of word 4-gram shingles of `text` (shorter texts: one shingle).

    Args:
        text: Any text.

    Returns:
        Shingle counts; empty when the text has no `\\w+` token.
    """
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1)))


def score_page(truth: str, extracted: str) -> Counts:
    """Compare an extraction with the human-checked article body.

    Args:
        truth: The article body from the ground truth.
        extracted: The text the extractor gave (may be empty).

    Returns:
        The page's true positives, false positives and false negatives.
    """
    want, got = shingles(truth), shingles(extracted)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if not total:
        return Counts(0.0, 0.0, 0.0)
    return Counts(tp / total, fp / total, fn / total)


def summarize(pages: Sequence[Counts]) -> tuple[float, float, float]:
    """The benchmark's precision, recall and F1 over pages.

    Args:
        pages: One `Counts` per page.

    Returns:
        (precision, recall, F1): precision over pages with any extraction,
        recall over pages with any ground truth, F1 of the two means.
    """
    precisions = [c.precision for c in pages if c.tp + c.fp > 0]
    recalls = [c.recall for c in pages if c.tp + c.fn > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def stored_text(article: Article) -> str:
    """The article's text as `tui-reader read --plain` prints it, minus the meta lines.

    `read --plain` prints the title and a meta line (source, byline, date,
    reading time) above the text and a "Link: URL" line below it; the issue
    scores the text without the title and meta lines, and the Link line is
    one of those (it names the page, it is not the story). `shown_text`
    keeps it, for reference.

    Args:
        article: An extracted article.

    Returns:
        The body as stored and shown: standfirst, blocks and image notes,
        without the link numbers and the list of links (reading aids, like
        the Link line, not the story).
    """
    return without_link_notes(without_link_line(shown_text(article)))


_LINK_NUMBER = re.compile(r" \[\d+\]")
_IMAGE_NUMBER = re.compile(r"\[image \d+(?=[:\]])")


def without_link_notes(text: str) -> str:
    """Text without the "text [3]" numbers, "[image 4: ...]" numbers and the Links list."""
    text = text.split("\nLinks\n[1] ", 1)[0]
    return _IMAGE_NUMBER.sub("[image", _LINK_NUMBER.sub("", text))


def shown_text(article: Article) -> str:
    """All that `read --plain` prints below the title and meta line, Link line included."""
    return "\n".join(render_plain(article).split("\n")[_HEAD_LINES:])


def without_link_line(text: str) -> str:
    """Text from `shown_text` without its closing "Link: URL" line.

    Args:
        text: Text from `shown_text`.

    Returns:
        The same text up to the Link line.
    """
    return text.rsplit("\nLink: ", 1)[0]


def extract_file(path: Path, url: str) -> str:
    """Decode and extract one corpus page; "" when the extractor finds nothing.

    Args:
        path: An `.html.gz` page.
        url: The page's URL.

    Returns:
        All `read --plain` prints below the title and meta line (the Link
        line included; `without_link_line` takes it off).
    """
    try:
        article = extract_article(decode_html(path.read_bytes()), url)
    except ExtractionError:
        return ""
    return shown_text(article)


def load_corpus(corpus: Path) -> list[tuple[str, str, str]]:
    """The corpus pages in id order.

    Args:
        corpus: The folder holding `ground-truth.json` and `html/`.

    Returns:
        (id, url, article body) for every page.
    """
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    return [(key, item["url"], item["articleBody"]) for key, item in sorted(truth.items())]


def _import_ms() -> float:
    # In a fresh interpreter, as a user's first extraction pays it.
    code = (
        "import time; t = time.perf_counter(); import trafilatura; "
        "print((time.perf_counter() - t) * 1000)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures.

    Args:
        argv: Command-line arguments (default: sys.argv[1:]).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the articles folder")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help="list the N worst pages")
    args = parser.parse_args(argv)
    if not (args.corpus / "ground-truth.json").is_file():
        print(f"no corpus at {args.corpus} (see --corpus)", file=sys.stderr)
        return 1
    pages = load_corpus(args.corpus)
    html = args.corpus / "html"
    import_ms = _import_ms()
    extract_file(html / f"{pages[0][0]}.html.gz", pages[0][1])  # warm up: imports, caches
    results: list[tuple[str, str, Counts]] = []
    with_link: list[Counts] = []
    seconds: list[float] = []
    empty = 0
    for key, url, truth in pages:
        start = time.perf_counter()
        text = extract_file(html / f"{key}.html.gz", url)
        seconds.append(time.perf_counter() - start)
        empty += not shingles(text)
        results.append((key, url, score_page(truth, without_link_line(text))))
        with_link.append(score_page(truth, text))
    precision, recall, f1 = summarize([counts for _, _, counts in results])
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"pages          {len(pages)}")
    print(f"precision      {precision:.4f}")
    print(f"recall         {recall:.4f}")
    print(f"F1             {f1:.4f}")
    print(f"no extraction  {empty}")
    # For reference: the closing "Link: URL" line scored as if it were text.
    print(f"F1 with Link   {summarize(with_link)[2]:.4f}  (the Link line scored as text too)")
    print(f"ms per page    mean {statistics.mean(ms):.0f}, p95 {p95:.0f}")
    print(f"import ms      {import_ms:.0f}")
    if args.worst:
        print(f"\nworst {args.worst} pages by F1:")
        ranked = sorted(results, key=lambda item: item[2].f1)
        for key, url, counts in ranked[: args.worst]:
            print(
                f"  F1 {counts.f1:.3f}  P {counts.precision:.3f}  R {counts.recall:.3f}"
                f"  {key[:12]}  {url}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
