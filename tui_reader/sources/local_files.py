"""What `tui-reader import PATH...` does with each path: OPML, saved pages, text files, folders.

`.opml`/`.xml` files subscribe to their feeds; saved web pages (`.html`,
`.htm`, `.xhtml`, each maybe `.gz`) go to the extractor; `.txt` files are
scraped article text; a folder gives its pages and its text files. One bad
file never stops the rest: each outcome is one line, handed to the caller as
it happens (so what was imported is told even if a later file fails hard).
Imports `scraped_text` and the library; `opml` and `pages` (which bring httpx
and the extractor) only when a path needs them, so `import a.txt` stays quick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui_reader import APP_NAME
from tui_reader.library.store import Store
from tui_reader.sources.scraped_text import read_many

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz")
OPML_SUFFIXES = (".opml", ".xml")


@dataclass(frozen=True)
class ImportLine:
    """One outcome: a path and what happened to it.

    Shown as `before`, the path, `after`; an error (not `ok`) as the path and
    its reason in `after`.
    """

    path: Path
    after: str
    before: str = ""
    ok: bool = True


@dataclass
class ImportReport:
    """How one import went; each outcome goes to `tell` as it happens."""

    tell: Callable[[ImportLine], None]
    failed: int = 0  # paths that could not be imported
    nothing_found: bool = False  # folders were given, but held nothing to import

    def done(self, path: Path, before: str, after: str = "") -> None:
        """Tell a success: `before`, the path, `after`."""
        self.tell(ImportLine(path, after, before))

    def problem(self, path: Path, reason: str) -> None:
        """Tell why a path (or part of it) was not imported."""
        self.tell(ImportLine(path, reason, ok=False))


def is_page_file(path: Path) -> bool:
    """Whether `import` should treat `path` as a saved web page."""
    return path.name.lower().endswith(PAGE_SUFFIXES)


def pages_in(directory: Path) -> list[Path]:
    """The saved web pages directly inside a directory, sorted by name ([] if unreadable;
    the text importer reports a folder it cannot list)."""
    try:
        return sorted(p for p in directory.iterdir() if is_page_file(p) and p.is_file())
    except OSError:
        return []


def _has_text_files(folder: Path) -> bool:
    try:
        return any(p.suffix == ".txt" for p in folder.iterdir())
    except OSError:
        return True  # let the text importer report the folder in its one line


def _import_opml(store: Store, path: Path, report: ImportReport) -> bool:
    """Subscribe to an OPML file's feeds; False when the file is unusable."""
    from tui_reader.sources.opml import OpmlError, read_opml

    try:
        contents = read_opml(path.read_bytes())
    except OSError as exc:
        report.problem(path, exc.strerror or "cannot read")
        return False
    except OpmlError as exc:
        report.problem(path, str(exc))
        return False
    for reason in contents.skipped:
        report.problem(path, f"skipped {reason}")
    added = 0
    for entry in contents.feeds:
        _feed, new = store.add_feed(entry.url, title=entry.title, folder=entry.folder)
        added += new
    known = len(contents.feeds) - added
    report.done(
        path,
        "",
        f": subscribed to {added} feeds ({known} already subscribed);"
        f" run `{APP_NAME} refresh` to fetch them",
    )
    return True


def _import_page(store: Store, path: Path, report: ImportReport) -> bool:
    """Import one saved web page; say how it went in one line."""
    from tui_reader.sources.pages import PageError, read_page_file

    try:
        article = read_page_file(path)
    except PageError as exc:
        report.problem(path, str(exc))
        return False
    article_id, new = store.save_page(article)
    state = "imported" if new else "updated"
    report.done(path, f"{article_id}  {state}: ", f" ({article.title})")
    return True


def import_paths(
    store: Store, paths: list[Path], tell: Callable[[ImportLine], None]
) -> ImportReport:
    """Import files and folders into the library; each bad one is reported and skipped.

    Args:
        store: The library.
        paths: What the user named.
        tell: Gets each outcome as it happens, in order.

    Returns:
        How many failed, and whether the folders given held nothing.
    """
    report = ImportReport(tell)
    opml = [p for p in paths if p.suffix.lower() in OPML_SUFFIXES]
    report.failed += sum(not _import_opml(store, p, report) for p in opml)
    paths = [p for p in paths if p.suffix.lower() not in OPML_SUFFIXES]
    folders = [p for p in paths if p.is_dir()]
    pages = [p for p in paths if is_page_file(p) and not p.is_dir()]
    pages += [page for folder in folders for page in pages_in(folder)]
    report.failed += sum(not _import_page(store, p, report) for p in pages)
    # The rest goes to the text importer, but not a folder of saved pages alone.
    paths = [p for p in paths if p not in pages]
    paths = [p for p in paths if not (p in folders and pages_in(p) and not _has_text_files(p))]
    if not paths:
        return report
    results = read_many(paths)
    for result in results:
        if result.error:
            report.failed += 1
            report.problem(result.path, result.error)
    good = [r for r in results if r.article is not None]
    added = store.add_articles(r.article for r in good if r.article is not None)
    for result, (article_id, new) in zip(good, added, strict=True):
        state = "imported" if new else "already in the library"
        report.done(result.path, f"{article_id}  {state}: ")
    report.nothing_found = not results
    return report
