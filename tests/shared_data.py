"""The shared test corpus beside the checkout, and the rule for tests that need it.

Real feeds and news pages (with their human-checked text) live in
`../shared/corpora`, outside the repository, so a fresh clone may not have
them. TUI_READER_SHARED_DIR names another shared folder instead of
`<repo>/../shared` (a missing one shows what a fresh clone does).

A test that reads the corpus is marked `@pytest.mark.needs_corpus` (the marker
is registered in conftest.py). Without the corpus it is skipped, or it fails
when TUI_READER_REQUIRE_SHARED=1 (as .ci/run sets), so CI cannot skip it
silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TUI_READER_SHARED_DIR") or ROOT.parent / "shared")
CORPORA = SHARED / "corpora"
ARTICLES = CORPORA / "articles"
FEEDS = CORPORA / "feeds"

MARKER = "needs_corpus"
ABSENT = "needs ../shared/corpora (the shared test corpus), absent here"


def corpus_present() -> bool:
    """Whether both halves of the corpus, the pages and the feeds, are there."""
    return ARTICLES.is_dir() and FEEDS.is_dir()


def shared_required() -> bool:
    """Whether a missing corpus is a failure (TUI_READER_REQUIRE_SHARED=1) rather than a skip."""
    return os.environ.get("TUI_READER_REQUIRE_SHARED") == "1"


def skip_marks_for(items: list[pytest.Item]) -> None:
    """Mark the corpus tests skipped when the corpus is absent and not required."""
    if corpus_present() or shared_required():
        return
    for item in items:
        if item.get_closest_marker(MARKER):
            item.add_marker(pytest.mark.skip(reason=ABSENT))


def fail_if_required_and_absent(item: pytest.Item) -> None:
    """Fail a corpus test when the corpus is absent and required."""
    if item.get_closest_marker(MARKER) and shared_required() and not corpus_present():
        pytest.fail(ABSENT, pytrace=False)
