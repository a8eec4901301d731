"""tui-reader's benchmark, side by side with newsboat when it is installed.

    python bench/run.py            # 100 feeds x 1,000 items, 5 runs each (about 10 min)
    python bench/run.py --quick    # 100 feeds x 100 items, 3 runs (under 2 min)

It generates synthetic feeds (realistic HTML bodies of 2-5 paragraphs),
serves them from 127.0.0.1, fills a library for each program by refreshing
from that server, then measures in a real terminal (tmux, polling
`capture-pane`): first screen, cursor-move latency, a burst of 200 moves,
opening a 5,000-word article, refresh cold and all-304 (with its peak
memory), peak memory of the app (VmHWM), cursor moves during a refresh, the
deferred search-index pass, search queries, and filter expressions listed
in-process (`--filter-only`: those alone, after a cold refresh), and a story of 10
pictures from the cache (`--pictures-only`: that alone). Runs of the two programs
alternate; medians and ratios are printed and written to BENCHMARKS.md.
Needs tmux; newsboat is optional (`apt-get install newsboat`).

Then sync (`--no-sync` leaves it out, `--sync-only` measures it alone): it
starts one FreshRSS (../shared/servers/freshrss, needs PHP; without either
the sync figures are skipped with the reason), subscribes it to 20 feeds x
500 items served from here, and times the plain download of them (the
floor), `tui-reader sync` into an empty library (the whole command with its
peak memory, and the round as the command reports it: first request to
last write, the same span the floor times; the ratio is the round's), a
sync after changes on the server, a push of 1,000 local read changes, and
cursor moves while the app's r runs a first sync.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "the",
    "minister",
    "said",
    "on",
    "tuesday",
    "that",
    "talks",
    "would",
    "continue",
    "while",
    "markets",
    "rose",
    "and",
    "analysts",
    "expected",
    "growth",
    "in",
    "exports",
    "of",
    "batteries",
    "nickel",
    "lithium",
    "and",
    "cars",
    "across",
    "the",
    "region",
    "after",
    "years",
    "of",
    "delays",
    "in",
    "supply",
    "chains",
    "and",
    "investment",
    "plans",
]


# Feeds -----------------------------------------------------------------------


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def make_feed(n: int, items: int, rng: random.Random) -> bytes:
    entries = []
    for i in range(items):
        body = "".join(
            f"<p>{paragraph(rng, rng.randint(30, 80))}</p>" for _ in range(rng.randint(2, 5))
        )
        day = 1 + (i % 28)
        entries.append(
            f"<item><guid>feed{n}-item{i}</guid><title>Feed {n} headline {i}: "
            f"{paragraph(rng, 6)}</title><link>http://example.com/{n}/{i}</link>"
            f"<pubDate>Mon, {day:02d} Sep 2025 {i % 24:02d}:00:00 GMT</pubDate>"
            f"<description><![CDATA[{body}]]></description></item>"
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>'
        f"<link>http://example.com/{n}</link>{''.join(entries)}</channel></rss>"
    ).encode()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, feeds: dict[str, bytes]) -> None:
        self.feeds = feeds
        self.etags = {
            path: '"' + hashlib.sha1(body).hexdigest() + '"' for path, body in feeds.items()
        }
        super().__init__(("127.0.0.1", 0), Handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def put(self, path: str, body: bytes) -> None:
        """Serve `body` at `path` from now on (a new ETag: a changed feed)."""
        self.etags[path] = '"' + hashlib.sha1(body).hexdigest() + '"'
        self.feeds[path] = body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = self.server.feeds.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = self.server.etags[self.path]
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        kind = "image/jpeg" if self.path.endswith(".jpg") else "application/rss+xml"
        self.send_header("Content-Type", kind)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", "Mon, 01 Sep 2025 00:00:00 GMT")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


# Terminal ----------------------------------------------------------------------


class Tmux:
    def __init__(self, command: str, env: dict[str, str]) -> None:
        self.name = f"bench-{os.getpid()}-{time.monotonic_ns()}"
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        self.started = time.perf_counter()
        shell = f"env -u COLUMNS -u LINES {exports} {command}"
        size = ["-x", "100", "-y", "30"]
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, *size, shell], check=True)

    def screen(self, escapes: bool = False) -> str:
        args = ["tmux", "capture-pane", "-p", "-t", self.name] + (["-e"] if escapes else [])
        return subprocess.run(args, capture_output=True, text=True).stdout

    def wait_for(self, text: str, timeout: float = 60) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if text in self.screen():
                return time.perf_counter()
            if subprocess.run(
                ["tmux", "has-session", "-t", self.name], capture_output=True
            ).returncode:
                raise RuntimeError("the program exited")
            time.sleep(0.005)
        raise RuntimeError(f"{text!r} never appeared:\n{self.screen()}")

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def pid(self) -> int:
        out = subprocess.run(
            ["tmux", "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
        ).stdout.split()
        pane = int(out[0])
        children = subprocess.run(
            ["pgrep", "-P", str(pane)], capture_output=True, text=True
        ).stdout.split()
        return int(children[-1]) if children else pane

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)

    def key_latencies(self, key: str, count: int) -> list[float]:
        result = []
        for _ in range(count):
            before = self.screen(escapes=True)
            sent = time.perf_counter()
            self.send(key)
            while self.screen(escapes=True) == before:
                if time.perf_counter() - sent > 2:
                    break
            result.append((time.perf_counter() - sent) * 1000)
            time.sleep(0.02)
        return result

    def burst(self, key: str, count: int) -> float:
        before = self.screen(escapes=True)
        sent = time.perf_counter()
        self.send(*([key] * count))
        last_change, previous = sent, before
        while time.perf_counter() - last_change < 1.0:
            now = self.screen(escapes=True)
            if now != previous:
                previous, last_change = now, time.perf_counter()
        return (last_change - sent) * 1000


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# Programs ------------------------------------------------------------------------


class TuiReader:
    name = "tui-reader"

    def __init__(self, work: Path) -> None:
        self.work = work
        (work / "config.toml").write_text("[meter]\nlimit = 100000\n")
        self.env = {"TUI_READER_CONFIG": str(work / "config.toml")}

    def data(self, label: str) -> Path:
        return self.work / f"data-{label}"

    def subscribe(self, label: str, urls: list[str]) -> None:
        opml = self.work / f"{label}.opml"
        outlines = "".join(f'<outline type="rss" xmlUrl="{u}" title="{u}"/>' for u in urls)
        opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
        self.cli(label, "import", str(opml))

    def cli(self, label: str, *args: str) -> float:
        started = time.perf_counter()
        command = [sys.executable, "-m", "tui_reader", "--data-dir", str(self.data(label)), *args]
        subprocess.run(command, env={**os.environ, **self.env}, capture_output=True, check=False)
        return time.perf_counter() - started

    def refresh(self, label: str) -> float:
        return self.cli(label, "refresh")

    def refresh_with_memory(self, label: str) -> tuple[float, float]:
        command = [sys.executable, "-m", "tui_reader", "--data-dir", str(self.data(label))]
        return peak_memory_of([*command, "refresh"], self.env)

    def command(self, label: str) -> str:
        return f"{sys.executable} -m tui_reader --data-dir {self.data(label)}"

    headline_marker = "headline"


class Newsboat:
    name = "newsboat"

    def __init__(self, work: Path) -> None:
        self.work = work
        (work / "nb-config").write_text("reload-threads 8\nshow-read-feeds yes\n")
        self.env: dict[str, str] = {}

    def files(self, label: str) -> tuple[Path, Path]:
        return self.work / f"nb-{label}.urls", self.work / f"nb-{label}.db"

    def subscribe(self, label: str, urls: list[str]) -> None:
        self.files(label)[0].write_text("\n".join(urls) + "\n")

    def refresh(self, label: str) -> float:
        urls, cache = self.files(label)
        started = time.perf_counter()
        config = str(self.work / "nb-config")
        command = ["newsboat", "-u", str(urls), "-c", str(cache), "-C", config, "-x", "reload"]
        subprocess.run(command, capture_output=True, check=False)
        return time.perf_counter() - started

    def refresh_with_memory(self, label: str) -> tuple[float, float]:
        urls, cache = self.files(label)
        config = str(self.work / "nb-config")
        command = ["newsboat", "-u", str(urls), "-c", str(cache), "-C", config, "-x", "reload"]
        return peak_memory_of(command, self.env)

    def command(self, label: str) -> str:
        urls, cache = self.files(label)
        return f"newsboat -u {urls} -c {cache} -C {self.work / 'nb-config'}"

    headline_marker = "Feed "


# Measurements ------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else float("nan")


TARGETS = {
    "refresh, cold (s)": "< newsboat (aim: half)",
    "refresh, all 304 (s)": "<= 1 s",
    "refresh, peak memory (MB)": "bounded",
    "first screen, empty (s)": "",
    "cursor move, median (ms)": "<= 20",
    "cursor move, p95 (ms)": "<= 50",
    "200 moves at once (ms)": "<= 300",
    "next unread (n), median (ms)": "<= 20 + opening",
    "mark the big library read, CLI (s)": "< 1",
    "peak memory (MB)": "<= 100",
    "cursor move during refresh, median (ms)": "<= 40",
    "cursor move during refresh, p95 (ms)": "<= 100",
    "open a 5,000-word article (ms)": "<= 50",
    "open a story with a 30x200 table (ms)": "<= 50",
    "then G to its end (ms)": "<= 300",
    "open a story with 10 pictures from the cache, first screen (ms)": "<= 50",
    "open a story with 10 pictures from the cache, pictures drawn (ms)": "<= 300",
    "scroll it a page (Space), median (ms)": "<= 50",
    "a key while its pictures decode (ms)": "<= 40",
    "open a story with 10 pictures from the cache, first screen, Sixel (ms)": "<= 50",
    "open a story with 10 pictures from the cache, pictures drawn, Sixel (ms)": "",
    "scroll it a page (Space), median, Sixel (ms)": "<= 50",
    "a key while its pictures decode, Sixel (ms)": "<= 40",
    "open a story with 10 pictures from the cache, first screen, kitty (ms)": "<= 50",
    "open a story with 10 pictures from the cache, pictures drawn, kitty (ms)": "",
    "scroll it a page (Space), median, kitty (ms)": "<= 50",
    "a key while its pictures decode, kitty (ms)": "<= 40",
    "make a picture, in the decoding thread, blocks (ms)": "",
    "make a picture, in the decoding thread, Sixel (ms)": "",
    "make a picture, in the decoding thread, kitty (ms)": "",
    "index for search, deferred pass (s)": "",
    "search, first 500, median per query (ms)": "<= 50",
    "search, first 500, slowest query (ms)": "<= 50",
    "search in the app, Enter to list (ms)": "",
    "feed list (F), every feed (ms)": "<= 100",
    "filter over N articles: the issue's example (ms)": "well under 100",
    "filter over N articles: median of the expressions (ms)": "< 100",
    "filter over N articles: slowest expression (ms)": "< 100",
    "filter over N articles: slowest expression, counted in SQL (ms)": "< 100",
    "filter over N articles: content # (every text read) (ms)": "",
    "query feeds: counts of N over N articles (ms)": "< 300 (F shows the feeds first)",
    "whole list of N, no ignore rule (ms)": "",
    "whole list of N, one hide rule (ms)": "<= 1.5 x without",
    # Sync with FreshRSS (N: the figure's own count, see `target_of`).
    "sync floor: download N items (s)": "",
    "first sync, N items, the command (s)": "",
    "first sync, N items, the round (s)": "<= 1.5 x floor",
    "first sync, peak memory (MB)": "<= 100",
    "first sync / floor (the round)": "<= 1.5",
    "sync after N read changes and N new items on the server (s)": "< 1",
    # FreshRSS takes about 1 ms an id in edit-tag (250 ids: 0.26 s, 1,000: 0.93 s).
    "push N local read changes (s)": "<= server edit-tag time + 0.5",
    "cursor move during a first sync, median (ms)": "<= 40",
    "cursor move during a first sync, p95 (ms)": "<= 100",
}
SEARCH_QUERIES = ["minister", "lithium exports", "batter*", "headline 999", "nickel cars region"]
# The filters timed: the issue's example first, then one of each kind of
# condition. The feeds are dated 1-28 Sep 2025: `age` counts back from FILTER_NOW.
ISSUE_FILTER = 'unread = "yes" and (title =~ "battery|lithium" or feedtitle = "Nikkei") and age < 7'
FILTERS = [
    ISSUE_FILTER,
    "age < 7",
    'title =~ "battery|lithium"',
    'feedurl # "feed7" and unread = "yes"',
    'not (starred = "yes" or folder = "Work") and date between 2025-09-01:2025-09-07',
    'author !~ "^a" and title # "Nickel"',
]
CONTENT_FILTER = 'content # "lithium"'
# Three query feeds, as a [[query]] each, and a hide rule like a killfile's.
QUERY_FEEDS = [ISSUE_FILTER, 'title =~ "battery|lithium"', 'feedurl # "feed7" and unread = "yes"']
HIDE_RULE = 'title =~ "^(sponsored|advertisement)" or author = "Press Office"'
FILTER_NOW = 1_759_104_000  # 2025-09-29 00:00 UTC


def target_of(figure: str) -> str:
    """A figure's target; the sync figures name their counts, TARGETS says N."""
    if figure in TARGETS:
        return TARGETS[figure]
    return TARGETS.get(re.sub(r"(?<![\w.])\d[\d,]*(?![\w.])", "N", figure), "")


def peak_memory_of(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `command` under /usr/bin/time; return (seconds, peak RSS in MB)."""
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *command],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    try:
        kilobytes = int(result.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return elapsed, float("nan")
    return elapsed, kilobytes / 1024


def search_timings(data_dir: Path) -> tuple[float, list[float]]:
    """Index a library for search, then time each query in-process."""
    script = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from tui_reader.library.store import Store\n"
        "from tui_reader.searching import index_all\n"
        "store = Store.open(Path(sys.argv[1]))\n"
        "t = time.perf_counter(); index_all(store, batch=5000)\n"
        "index = time.perf_counter() - t\n"
        "times = []\n"
        "for query in json.loads(sys.argv[2]):\n"
        "    for _ in range(3):\n"
        "        t = time.perf_counter(); found = store.search(query, limit=500)\n"
        "        times.append((time.perf_counter() - t) * 1000)\n"
        "print(json.dumps([index, times]))\n"
    )
    import json

    out = subprocess.run(
        [sys.executable, "-c", script, str(data_dir), json.dumps(SEARCH_QUERIES)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    index, times = json.loads(out)
    return index, times


def filter_timings(data_dir: Path, runs: int) -> dict[str, tuple[list[float], list[float]]]:
    """Time each filter in-process over an indexed library: the headlines it lists (as
    the app loads them), and its matches only counted (SQL alone, no rows built)."""
    script = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from tui_reader.filter_language import parse_filter\n"
        "from tui_reader.library.filter_sql import filter_sql\n"
        "from tui_reader.library.store import Store\n"
        "from tui_reader.searching import index_all\n"
        "store = Store.open(Path(sys.argv[1]))\n"
        "index_all(store, batch=5000)\n"
        "out = {}\n"
        "for text in json.loads(sys.argv[2]):\n"
        "    picked = parse_filter(text)\n"
        "    sql = filter_sql(picked, float(sys.argv[3]))\n"
        "    count = f'SELECT count(*) FROM articles WHERE {sql.where}'\n"
        "    times, counting = [], []\n"
        "    for _ in range(int(sys.argv[4])):\n"
        "        t = time.perf_counter()\n"
        "        found = store.headlines(filter=picked, now=float(sys.argv[3]))\n"
        "        times.append((time.perf_counter() - t) * 1000)\n"
        "        t = time.perf_counter()\n"
        "        store.query(count, sql.params)\n"
        "        counting.append((time.perf_counter() - t) * 1000)\n"
        "    out[text] = [times, counting, len(found)]\n"
        "now = float(sys.argv[3])\n"
        "queries = [parse_filter(t) for t in json.loads(sys.argv[5])]\n"
        "counts, plain, hidden = [], [], []\n"
        "for _ in range(int(sys.argv[4])):\n"
        "    t = time.perf_counter(); store.query_counts(queries, now)\n"
        "    counts.append((time.perf_counter() - t) * 1000)\n"
        "    t = time.perf_counter(); store.headlines(now=now)\n"
        "    plain.append((time.perf_counter() - t) * 1000)\n"
        "store.set_hidden([('*', parse_filter(sys.argv[6]))])\n"
        "for _ in range(int(sys.argv[4])):\n"
        "    t = time.perf_counter(); shown = store.headlines(now=now)\n"
        "    hidden.append((time.perf_counter() - t) * 1000)\n"
        "out['#queries'] = [counts, [], len(queries)]\n"
        "out['#plain'] = [plain, [], 0]\n"
        "out['#hidden'] = [hidden, [], len(shown)]\n"
        "print(json.dumps(out))\n"
    )
    import json

    texts = [*FILTERS, CONTENT_FILTER]
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            str(data_dir),
            json.dumps(texts),
            str(FILTER_NOW),
            str(runs),
            json.dumps(QUERY_FEEDS),
            HIDE_RULE,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    timed: dict[str, list[Any]] = json.loads(out)
    for text, (times, counting, found) in timed.items():
        if text.startswith("#"):
            continue
        print(
            f"  filter {text!r}: {found:,} stories, median {median(times):.1f} ms"
            f" (counted: {median(counting):.1f} ms)",
            flush=True,
        )
    return {text: (times, counting) for text, (times, counting, _found) in timed.items()}


def measure_filters(
    record: Callable[[Any, str, float], None], reader: Any, data: Path, total: int, runs: int
) -> None:
    """The filter figures over the big library (tui-reader only: newsboat filters in its UI)."""
    timed = filter_timings(data, max(runs, 5))
    over = f"filter over {total:,} articles:"
    record(reader, f"{over} the issue's example (ms)", median(timed[ISSUE_FILTER][0]))
    medians = [median(timed[text][0]) for text in FILTERS]
    record(reader, f"{over} median of the expressions (ms)", median(medians))
    record(reader, f"{over} slowest expression (ms)", max(medians))
    counted = max(median(timed[text][1]) for text in FILTERS)
    record(reader, f"{over} slowest expression, counted in SQL (ms)", counted)
    record(reader, f"{over} content # (every text read) (ms)", median(timed[CONTENT_FILTER][0]))
    # What the feed list pays for the query feeds, and every list for a hide rule.
    record(
        reader,
        f"query feeds: counts of {len(QUERY_FEEDS)} over {total:,} articles (ms)",
        median(timed["#queries"][0]),
    )
    record(reader, f"whole list of {total:,}, no ignore rule (ms)", median(timed["#plain"][0]))
    record(reader, f"whole list of {total:,}, one hide rule (ms)", median(timed["#hidden"][0]))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 feeds x 100 items, 3 runs")
    parser.add_argument("--feeds", type=int, help="number of feeds (default 100)")
    parser.add_argument("--items", type=int, help="items per feed (default 1,000)")
    parser.add_argument("--runs", type=int, help="runs per figure (default 5)")
    parser.add_argument("--keys", type=int, default=60, help="cursor moves timed (default 60)")
    parser.add_argument("--no-newsboat", action="store_true", help="measure tui-reader alone")
    parser.add_argument("--no-sync", action="store_true", help="leave out the sync figures")
    parser.add_argument("--sync-only", action="store_true", help="only the sync figures (FreshRSS)")
    parser.add_argument(
        "--filter-only",
        action="store_true",
        help="only the filter figures (builds the big library by a cold refresh first)",
    )
    parser.add_argument(
        "--pictures-only", action="store_true", help="only the figures of a story's pictures"
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "BENCHMARKS.md", help="where the table goes"
    )
    args = parser.parse_args()
    if not shutil.which("tmux"):
        print("bench: needs tmux (apt-get install tmux)", file=sys.stderr)
        return 1
    feeds_n, items_n, runs = (100, 100, 3) if args.quick else (100, 1000, 5)
    feeds_n = args.feeds or feeds_n
    items_n = args.items or items_n
    runs = args.runs or runs
    small_feeds = max(1, feeds_n // 10)
    rng = random.Random(2026)
    print(f"generating {feeds_n} feeds x {items_n} items ...", flush=True)
    feeds = {f"/feed{n}.xml": make_feed(n, items_n, rng) for n in range(feeds_n)}
    server = Server(feeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    urls = [server.url(path) for path in feeds]
    work = Path(tempfile.mkdtemp(prefix="tui-reader-bench-"))
    reader = TuiReader(work)
    programs: list[TuiReader | Newsboat] = [reader]
    alone = args.filter_only or args.pictures_only
    if shutil.which("newsboat") and not args.no_newsboat and not alone:
        programs.append(Newsboat(work))
    else:
        print("newsboat not measured: tui-reader alone", flush=True)
    results: dict[str, dict[str, list[float]]] = {p.name: {} for p in programs}
    started_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    clock = time.perf_counter()

    def record(program: TuiReader | Newsboat, figure: str, value: float) -> None:
        results[program.name].setdefault(figure, []).append(value)
        print(f"  {program.name}: {figure} = {value:.3f}", flush=True)

    # A session that outlives every measured one: tmux exits when its last
    # session closes, and a new session started at that moment fails.
    keepalive = f"bench-keepalive-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keepalive, "sleep 86400"], check=True)
    try:
        if args.pictures_only:
            measure_pictures(record, reader, server, runs)
        elif args.filter_only:
            reader.subscribe("big", urls)
            print(f"tui-reader: cold refresh of {feeds_n} x {items_n} ...", flush=True)
            reader.refresh("big")
            measure_filters(record, reader, reader.data("big"), feeds_n * items_n, runs)
        elif not args.sync_only:
            measure(args, programs, reader, record, urls, work, feeds_n, items_n, small_feeds, runs)
            measure_pictures(record, reader, server, runs)
        if not args.no_sync and not alone:
            measure_sync(args, reader, record, server, urls, work, feeds_n, items_n, runs)
    finally:
        server.shutdown()
        subprocess.run(["tmux", "kill-session", "-t", keepalive], capture_output=True)
    report(args.output, programs, results, runs, feeds_n, items_n, started_at, clock, work)
    return 0


def measure(args, programs, reader, record, urls, work, feeds_n, items_n, small_feeds, runs):
    # Libraries: refresh (cold, then all-304) fills them.
    for program in programs:
        program.subscribe("big", urls)
        program.subscribe("small", urls[:small_feeds])
        program.subscribe("empty", [])
    for program in programs:
        print(f"{program.name}: cold refresh of {feeds_n} x {items_n} ...", flush=True)
        seconds, peak = program.refresh_with_memory("big")
        record(program, "refresh, cold (s)", seconds)
        record(program, "refresh, peak memory (MB)", peak)
        program.refresh("small")
        # newsboat 2.21 keeps ETag/Last-Modified only from its second reload.
        program.refresh("big")
    for _ in range(runs):
        for program in programs:
            record(program, "refresh, all 304 (s)", program.refresh("big"))

    # The deferred search-index pass (the app runs it in the background after
    # a refresh; here it runs first, so later figures are not measured during
    # it), then queries in-process.
    index_seconds, query_ms = search_timings(reader.data("big"))
    record(reader, "index for search, deferred pass (s)", index_seconds)
    record(reader, "search, first 500, median per query (ms)", median(query_ms))
    record(reader, "search, first 500, slowest query (ms)", max(query_ms))
    reader.cli("small", "search", "minister")  # a search catches up with the index
    # Filters over the big library (indexed just above, for `content`).
    measure_filters(record, reader, reader.data("big"), feeds_n * items_n, runs)

    # First screens, alternating programs.
    for label, figure in (
        ("empty", "first screen, empty (s)"),
        ("small", f"first screen, {small_feeds * items_n:,} (s)"),
        ("big", f"first screen, {feeds_n * items_n:,} (s)"),
    ):
        for _ in range(runs):
            for program in programs:
                if label == "empty" and program.name == "newsboat":
                    continue  # newsboat refuses to start with no feeds
                terminal = Tmux(program.command(label), program.env)
                try:
                    marker = "No article open" if label == "empty" else program.headline_marker
                    try:
                        seen = terminal.wait_for(marker, timeout=120)
                        record(program, figure, seen - terminal.started)
                    except RuntimeError:
                        pass
                finally:
                    terminal.close()

    # Keys and memory on the big library.
    for program in programs:
        terminal = Tmux(program.command("big"), program.env)
        try:
            terminal.wait_for(program.headline_marker, timeout=120)
            time.sleep(1.0)  # let the full list arrive
            if program.name == "newsboat":
                terminal.send("Enter")  # into the first feed's articles
                time.sleep(0.5)
            down = "j" if program.name == "tui-reader" else "Down"  # newsboat's default keys
            latencies = terminal.key_latencies(down, args.keys)
            record(program, "cursor move, median (ms)", median(latencies))
            record(program, "cursor move, p95 (ms)", p95(latencies))
            terminal.send("g" if program.name == "tui-reader" else "Home")
            time.sleep(0.5)
            record(program, "200 moves at once (ms)", terminal.burst(down, 200))
            record(program, "peak memory (MB)", peak_rss_mb(terminal.pid()))
            # n: the next unread story, opened (both programs' default key).
            latencies = terminal.key_latencies("n", min(args.keys, 30))
            record(program, "next unread (n), median (ms)", median(latencies))
        finally:
            terminal.close()

    # Keys while the app refreshes: the small library gains the other feeds
    # (cold), and the cursor moves while they arrive. tui-reader only: newsboat
    # has no figure for keys during its reload.
    during = "during"
    shutil.copytree(reader.data("small"), reader.data(during))
    reader.subscribe(during, urls)
    terminal = Tmux(reader.command(during), reader.env)
    try:
        terminal.wait_for(reader.headline_marker, timeout=120)
        time.sleep(1.0)
        terminal.send("r")
        terminal.wait_for("refreshing", timeout=30)
        latencies = terminal.key_latencies("j", min(args.keys, 40))
        still = "refreshing" in terminal.screen()
        record(reader, "cursor move during refresh, median (ms)", median(latencies))
        record(reader, "cursor move during refresh, p95 (ms)", p95(latencies))
        if not still:
            print("  (the refresh ended before the last move: too small to load the keys)")
    finally:
        terminal.close()

    # Opening a 5,000-word article (tui-reader only: newsboat has no such figure).
    long_page = "\n\n".join(paragraph(random.Random(5000), 100) for _ in range(50))
    article = work / "long.txt"
    article.write_text("A Very Long Read\n\n" + long_page)
    reader.cli("empty", "import", str(article))
    open_story(record, reader, "empty", "A Very Long Read", "open a 5,000-word article (ms)", runs)

    # Opening a story with a 30-column, 200-row table (a saved page): wider
    # than any pane, so it reads as 200 blocks of "Header: value" lines.
    header = "".join(f"<th>Column {c}</th>" for c in range(30))
    cells = "".join(
        "<tr>" + "".join(f"<td>r{r}c{c}</td>" for c in range(30)) + "</tr>" for r in range(200)
    )
    lead = paragraph(random.Random(30200), 60)
    table_page = work / "table.html"
    table_page.write_text(
        "<html><head><title>A Wide Table</title></head><body><article><h1>A Wide Table</h1>"
        f"<p>{lead}</p><table><tr>{header}</tr>{cells}</table><p>{lead}</p></article>"
        "</body></html>"
    )
    reader.cli("table", "import", str(table_page))
    table_figure = "open a story with a 30x200 table (ms)"
    open_story(record, reader, "table", "A Wide Table", table_figure, runs, "r199c29")

    # Search in the app (the library was indexed above).
    for _ in range(runs):
        terminal = Tmux(reader.command("big"), reader.env)
        try:
            terminal.wait_for(reader.headline_marker, timeout=120)
            time.sleep(1.0)
            terminal.send("/")
            terminal.wait_for("Search")
            terminal.send("-l", "minister")
            time.sleep(0.3)
            before = terminal.screen().splitlines()[2:12]
            sent = time.perf_counter()
            terminal.send("Enter")
            while time.perf_counter() - sent < 10:
                now = terminal.screen()
                if "Search: minister" in now and now.splitlines()[2:12] != before:
                    record(
                        reader,
                        "search in the app, Enter to list (ms)",
                        (time.perf_counter() - sent) * 1000,
                    )
                    break
        finally:
            terminal.close()

    # The feed list (F) of the big library: every feed with its counts.
    for _ in range(runs):
        terminal = Tmux(reader.command("big"), reader.env)
        try:
            terminal.wait_for(reader.headline_marker, timeout=120)
            time.sleep(1.0)
            sent = time.perf_counter()
            terminal.send("F")
            shown = terminal.wait_for(f"Feeds · {feeds_n} feed", timeout=10)
            record(reader, "feed list (F), every feed (ms)", (shown - sent) * 1000)
        finally:
            terminal.close()

    # Marking the whole big library read from the command line (last: it
    # changes the library), process start included.
    record(reader, "mark the big library read, CLI (s)", reader.cli("big", "mark", "--all-read"))


# Sync with FreshRSS ----------------------------------------------------------------

SHARED = Path(os.environ.get("TUI_READER_SHARED_DIR") or ROOT.parent / "shared")
FRESHRSS_DIR = SHARED / "servers" / "freshrss"
NOTES: list[str] = []  # lines for the report's header (what the sync figures ran against)
SYNC_FEEDS, SYNC_ITEMS = 20, 500  # the sync account: 10,000 items at full size
READ_CHANGES, NEW_ITEMS, PUSHED = 100, 200, 1000
READING_LIST = "user/-/state/com.google/reading-list"
SYNC_STAGES = ("· syncing", "· pushing", "· stories")  # the header during a sync round


def freshrss_unavailable() -> str | None:
    """Why the sync figures cannot run here, or None."""
    if not (FRESHRSS_DIR / "start.sh").is_file():
        return f"needs {FRESHRSS_DIR} (the shared FreshRSS server), absent here"
    if shutil.which("php") is None:
        return "needs PHP (php-cli php-sqlite3 php-curl php-xml php-mbstring) for FreshRSS"
    return None


def loopback_env() -> dict[str, str]:
    loopback = "127.0.0.1,localhost,::1"
    return {**os.environ, "FRESHRSS_NO_APT": "1", "no_proxy": loopback, "NO_PROXY": loopback}


class FreshRSS:
    """One FreshRSS started by the bench (start.sh), and a client's view of it."""

    def __init__(self, workdir: Path) -> None:
        import socket

        self.workdir = workdir
        env = {**loopback_env(), "FRESHRSS_WORKDIR": str(workdir)}
        result = None
        for _ in range(3):  # the free port can be taken before start.sh binds it
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            result = subprocess.run(
                ["bash", str(FRESHRSS_DIR / "start.sh"), str(port)],
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
            )
            if result.returncode != 4:  # 4: port in use
                break
        assert result is not None
        if result.returncode != 0:
            raise RuntimeError(f"FreshRSS did not start: {result.stderr.strip()[-500:]}")
        import shlex

        values: dict[str, str] = {}
        for line in (workdir / "freshrss.env").read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.startswith("#"):
                values[key] = " ".join(shlex.split(value))
        self.env = values
        self.greader_url = values["FRESHRSS_GREADER_URL"]
        self.user = values["FRESHRSS_USER"]
        self.password = values["FRESHRSS_API_PASSWORD"]

    def stop(self) -> None:
        subprocess.run(
            ["bash", str(FRESHRSS_DIR / "stop.sh"), str(self.workdir)],
            capture_output=True,
            timeout=30,
            env=loopback_env(),
        )

    def refresh(self) -> None:
        """Make the server fetch every feed again (a changed feed needs a second's wait)."""
        import shlex

        command = shlex.split(self.env["FRESHRSS_REFRESH_CMD"])
        result = subprocess.run(command, capture_output=True, text=True, env=loopback_env())
        if result.returncode not in (0, 1):  # 1: no feed changed
            raise RuntimeError(f"FreshRSS refresh failed: {result.stderr.strip()[-500:]}")

    def client(self, work: Callable[..., object]) -> object:
        """Run `await work(client)` with a GReader client of the bench's own (the phone)."""
        import asyncio

        import httpx

        from tui_reader.sources.greader import GReaderClient

        async def go() -> object:
            async with httpx.AsyncClient(timeout=300, trust_env=False) as http:
                client = GReaderClient(http, self.greader_url, self.user, lambda: self.password)
                await client.login()
                return await work(client)  # type: ignore[misc]

        return asyncio.run(go())

    def download_floor(self) -> tuple[float, int]:
        """The plain download: log in, then page through the reading list with
        `stream/contents` (n=1000, continuation), nothing parsed past JSON, nothing stored."""
        import httpx

        started = time.perf_counter()
        items = 0
        with httpx.Client(timeout=300, trust_env=False) as http:
            login = http.post(
                f"{self.greader_url}/accounts/ClientLogin",
                data={"Email": self.user, "Passwd": self.password},
            )
            auth = next(x for x in login.text.splitlines() if x.startswith("Auth="))[5:]
            headers = {"Authorization": f"GoogleLogin auth={auth}"}
            url = f"{self.greader_url}/reader/api/0/stream/contents/{READING_LIST}"
            continuation = None
            while True:
                params = {"n": "1000", **({"c": continuation} if continuation else {})}
                page = http.get(url, params=params, headers=headers).json()
                items += len(page.get("items") or [])
                continuation = page.get("continuation")
                if not page.get("items") or not continuation:
                    break
        return time.perf_counter() - started, items


def sync_feed(n: int, items: int) -> bytes:
    """Feed n of the sync account: the same first items however many it has."""
    return make_feed(1000 + n, items, random.Random(1000 + n))


def measure_sync(args, reader, record, server, urls, work, feeds_n, items_n, runs):
    """The sync figures, against one FreshRSS the bench starts and fills."""
    reason = freshrss_unavailable()
    if reason:
        print(f"sync figures not measured: {reason}", flush=True)
        return
    from tui_reader.sources.greader_model import READ

    sync_feeds, sync_items = min(SYNC_FEEDS, feeds_n), min(SYNC_ITEMS, items_n)
    total = sync_feeds * sync_items
    paths = [f"/sync/feed{n}.xml" for n in range(sync_feeds)]
    for n, path in enumerate(paths):
        server.put(path, sync_feed(n, sync_items))
    try:
        freshrss = FreshRSS(work / "freshrss")
    except RuntimeError as exc:
        print(f"sync figures not measured: {exc}", flush=True)
        return
    try:
        print(f"FreshRSS at {freshrss.greader_url}: subscribing to {sync_feeds} x {sync_items} ...")

        async def subscribe(client):
            for path in paths:
                await client.quickadd(server.url(path))
            return len(await client.item_ids(READING_LIST))

        on_server = freshrss.client(subscribe)
        if on_server != total:
            raise RuntimeError(f"FreshRSS holds {on_server} items, not {total}")
        NOTES.append(
            f"- Sync: FreshRSS 1.25.0-dev (`php -S`, one worker, SQLite) on 127.0.0.1, an account"
            f" of {sync_feeds} feeds x {sync_items:,} items ({total:,})"
        )
        password = work / "sync-password"
        password.write_text(freshrss.password + "\n")
        password.chmod(0o600)
        config = work / "sync-config.toml"
        config.write_text(
            "[meter]\nlimit = 100000\n\n[sync]\n"
            f'service = "greader"\nurl = "{freshrss.greader_url}"\nuser = "{freshrss.user}"\n'
            f'password_file = "{password}"\n'
        )
        env = {"TUI_READER_CONFIG": str(config), "no_proxy": "127.0.0.1,localhost,::1"}

        def sync(label: str, memory: bool = False) -> tuple[float, float, dict]:
            """`tui-reader sync --json` as a process: seconds, peak MB, its summary."""
            import json

            command = [sys.executable, "-m", "tui_reader", "--data-dir", str(reader.data(label))]
            timed = ["/usr/bin/time", "-f", "%M"] if memory else []
            started = time.perf_counter()
            done = subprocess.run(
                [*timed, *command, "sync", "--json"],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                raise RuntimeError(f"tui-reader sync failed: {done.stderr.strip()[-500:]}")
            peak = int(done.stderr.strip().splitlines()[-1]) / 1024 if memory else float("nan")
            return seconds, peak, json.loads(done.stdout)

        # The floor and the first sync, alternating; every first sync into a
        # new library, the last one kept for the figures after it.
        floors, firsts = [], []
        for run in range(runs):
            seconds, downloaded = freshrss.download_floor()
            if downloaded != total:
                raise RuntimeError(f"the floor downloaded {downloaded} items, not {total}")
            floors.append(seconds)
            record(reader, f"sync floor: download {total:,} items (s)", seconds)
            label = f"sync-{run}"
            seconds, peak, summary = sync(label, memory=True)
            if summary["pulled"]["stories"] != total:
                raise RuntimeError(f"the first sync stored {summary['pulled']}, not {total}")
            firsts.append(summary["seconds"])
            record(reader, f"first sync, {total:,} items, the command (s)", seconds)
            record(reader, f"first sync, {total:,} items, the round (s)", summary["seconds"])
            record(reader, "first sync, peak memory (MB)", peak)
            if run:
                shutil.rmtree(reader.data(f"sync-{run - 1}"))
        record(reader, "first sync / floor (the round)", median(firsts) / median(floors))
        synced = f"sync-{runs - 1}"

        # Changes on the server: some items read (edit-tag), new items in the
        # feeds (fetched by FreshRSS), then a sync brings both.
        read_n = min(READ_CHANGES, total // 3)
        per_feed = max(1, min(NEW_ITEMS, total) // sync_feeds)
        figure = (
            f"sync after {read_n:,} read changes and {per_feed * sync_feeds:,}"
            " new items on the server (s)"
        )
        items_now = sync_items
        for _ in range(runs):

            async def read_some(client, count=read_n):
                unread = await client.item_ids(READING_LIST, exclude=READ)
                await client.edit_tag(unread[-count:], add=READ)  # the oldest: held locally

            freshrss.client(read_some)
            items_now += per_feed
            for n, path in enumerate(paths):
                server.put(path, sync_feed(n, items_now))
            time.sleep(1.1)  # FreshRSS caches a fetch within the same second
            freshrss.refresh()
            seconds, _, summary = sync(synced)
            pulled = summary["pulled"]
            if (pulled["stories"], pulled["read_changed"]) != (per_feed * sync_feeds, read_n):
                print(f"  (this sync pulled {pulled}, not what the server was given)")
            record(reader, figure, seconds)

        # Local read changes, pushed by the next sync.
        import json

        push_n = min(PUSHED, total // 4)
        for _ in range(runs):
            listed = subprocess.run(
                [*reader.command(synced).split(), "list", "--unread", "--json"],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            ids = [  # the server's stories (not the bundled seed's)
                story["id"]
                for story in json.loads(listed)
                if (story["url"] or "").startswith("http://example.com/")
            ][:push_n]
            for start in range(0, len(ids), 250):
                done = subprocess.run(
                    [*reader.command(synced).split(), "mark", *ids[start : start + 250], "--read"],
                    env={**os.environ, **env},
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode:
                    raise RuntimeError(f"tui-reader mark failed: {done.stderr.strip()[-300:]}")
            seconds, _, summary = sync(synced)
            if summary["pushed"]["read"] != len(ids) or summary["pending"]:
                print(f"  (this sync pushed {summary['pushed']}, not {len(ids)} read)")
            record(reader, f"push {len(ids):,} local read changes (s)", seconds)

        # Keys during a first sync (r): a library with one feed of its own (the
        # cursor needs rows to move across; none of the server's stories).
        during = "sync-during"
        reader.subscribe(during, urls[:1])
        reader.refresh(during)
        terminal = Tmux(reader.command(during), env)
        try:
            terminal.wait_for(reader.headline_marker, timeout=120)
            time.sleep(1.0)
            terminal.send("r")
            deadline = time.perf_counter() + 30
            while not any(stage in terminal.screen() for stage in SYNC_STAGES):
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"r started no sync:\n{terminal.screen()}")
                time.sleep(0.005)
            # Only presses made while the round runs count (it may end first).
            latencies: list[float] = []
            while len(latencies) < min(args.keys, 40):
                latencies += terminal.key_latencies("j", 1)
                if not any(stage in terminal.screen() for stage in SYNC_STAGES):
                    break
            record(reader, "cursor move during a first sync, median (ms)", median(latencies))
            record(reader, "cursor move during a first sync, p95 (ms)", p95(latencies))
            print(f"  ({len(latencies)} moves timed during the sync)")
        finally:
            terminal.close()
    finally:
        freshrss.stop()


PICTURES = 10
PICTURES_TITLE = "Ten Pictures"


def jpeg(n: int) -> bytes:
    """A 1200x800 photograph-sized JPEG (a gradient and noise, about 100 KB)."""
    import io

    from PIL import Image as PILImage

    rng = random.Random(n)
    image = PILImage.linear_gradient("L").resize((1200, 800)).convert("RGB")
    tint = PILImage.new("RGB", image.size, (rng.randrange(256), rng.randrange(256), 120))
    image = PILImage.blend(image, tint, 0.5)
    noise = PILImage.effect_noise(image.size, 40).convert("RGB")
    out = io.BytesIO()
    PILImage.blend(image, noise, 0.2).save(out, "JPEG", quality=85)
    return out.getvalue()


def measure_pictures(record, reader: TuiReader, server: Server, runs: int) -> None:
    """A story of 10 pictures between paragraphs, its pictures already cached: Enter until
    the first screen (placeholders), until the pictures are drawn in their place;
    Space a page at a time through it; a key pressed while the pictures decode."""
    import asyncio

    from tui_reader.locations import images_directory
    from tui_reader.network_settings import NetworkSettings
    from tui_reader.sources.http import make_client
    from tui_reader.sources.image_cache import ImageCache

    rng = random.Random(10)
    urls, parts = [], []
    for n in range(PICTURES):
        server.put(f"/pic/{n}.jpg", jpeg(n))
        urls.append(server.url(f"/pic/{n}.jpg"))
        parts.append(
            f"<p>{paragraph(rng, 60)}</p><figure><img src='{urls[-1]}' alt='Picture {n}'>"
            f"<figcaption>Caption {n}.</figcaption></figure>"
        )
    server.put(
        "/pictures.xml",
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Pictures</title>'
            f"<link>http://example.com/</link><item><guid>pictures</guid><title>{PICTURES_TITLE}"
            "</title><link>http://example.com/pictures</link><description><![CDATA["
            + "".join(parts)
            + "]]></description></item></channel></rss>"
        ).encode(),
    )
    reader.subscribe("pictures", [server.url("/pictures.xml")])
    reader.refresh("pictures")
    cache = ImageCache(images_directory(reader.data("pictures")))

    async def warm() -> None:
        async with make_client(NetworkSettings()) as client:
            await cache.fetch_all(client, urls)

    asyncio.run(warm())  # "from the cache": each picture fetched once, before timing
    measure_making(record, reader, cache, urls)
    for mode, drawn_sign, suffix in PICTURE_MODES:
        config = reader.work / f"config-{mode}.toml"
        config.write_text(f'[meter]\nlimit = 100000\n[reader]\nimages = "{mode}"\n')
        env = {**reader.env, "TUI_READER_CONFIG": str(config)}
        for _ in range(runs):
            terminal = Tmux(reader.command("pictures"), env)
            try:
                terminal.wait_for(PICTURES_TITLE)
                time.sleep(0.5)
                sent = time.perf_counter()
                terminal.send("Enter")
                shown = terminal.wait_for("min read")
                record(
                    reader,
                    f"open a story with 10 pictures from the cache, first screen{suffix} (ms)",
                    (shown - sent) * 1000,
                )
                drawn = terminal.wait_for(drawn_sign, timeout=10)
                record(
                    reader,
                    f"open a story with 10 pictures from the cache, pictures drawn{suffix} (ms)",
                    (drawn - sent) * 1000,
                )
                for latency in terminal.key_latencies("Space", 8):
                    record(reader, f"scroll it a page (Space), median{suffix} (ms)", latency)
                terminal.send("q")
            finally:
                terminal.close()
            # A key right after the first screen, while the pictures are being decoded.
            terminal = Tmux(reader.command("pictures"), env)
            try:
                terminal.wait_for(PICTURES_TITLE)
                time.sleep(0.5)
                terminal.send("Enter")
                terminal.wait_for("min read")
                # j: a line down (the article pane has the keys)
                (latency,) = terminal.key_latencies("j", 1)
                record(reader, f"a key while its pictures decode{suffix} (ms)", latency)
            finally:
                terminal.close()


# Each way of drawing the story's pictures in tmux (reader.images set, as tmux
# answers for none): what shows once they are drawn, and the figures' suffix.
# tmux drops the kitty and Sixel data itself; the app's work is the same.
PICTURE_MODES = [
    ("blocks", "▀", ""),
    ("sixel", "▀", ", Sixel"),
    ("kitty", "\U0010eeee", ", kitty"),
]


def measure_making(record, reader: TuiReader, cache, urls: list[str]) -> None:
    """The decoding thread's work for one picture of the story at 80 cells, each
    way: decoding, scaling, and the half-blocks, the Sixel data or kitty's PNG."""
    import io

    from tui_reader.pictures import _load_renderers, prepare

    _load_renderers()
    cached, _ = cache.split(urls)
    for mode, _, suffix in PICTURE_MODES:
        for image in cached.values():
            real, sys.__stdout__ = sys.__stdout__, io.StringIO()  # kitty's image goes here
            try:
                started = time.perf_counter()
                prepare(image, 80, mode)
                took = time.perf_counter() - started
            finally:
                sys.__stdout__ = real
            record(
                reader,
                f"make a picture, in the decoding thread{suffix or ', blocks'} (ms)",
                took * 1000,
            )


def open_story(
    record: Callable[[TuiReader, str, float], None],
    reader: TuiReader,
    label: str,
    title: str,
    figure: str,
    runs: int,
    end: str = "",
) -> None:
    """Time Enter on the story `title` (the first headline) until its meta line shows;
    with `end`, then G until that text at the story's end shows ("then G to its end")."""
    for _ in range(runs):
        terminal = Tmux(reader.command(label), reader.env)
        try:
            terminal.wait_for(title)
            time.sleep(0.5)
            sent = time.perf_counter()
            terminal.send("Enter")
            shown = terminal.wait_for("min read")
            record(reader, figure, (shown - sent) * 1000)
            if end:
                # The rest is laid out after the first paint: a key pressed
                # right away must not wait for all of it.
                sent = time.perf_counter()
                terminal.send("G")
                reached = _reached(terminal, end)
                if not reached:
                    # Seen once in CI, never here: say what the screen showed,
                    # and press G again (timed from the first press, so a
                    # slow first G still counts in full).
                    print(f"  (G did not reach the story's end; the screen:\n{terminal.screen()})")
                    terminal.send("G")
                    reached = _reached(terminal, end)
                if reached:
                    record(reader, "then G to its end (ms)", (time.perf_counter() - sent) * 1000)
            terminal.send("q")
        finally:
            terminal.close()


def _reached(terminal: Tmux, text: str) -> bool:
    """Whether `text` shows within 10 s."""
    try:
        terminal.wait_for(text, timeout=10)
    except RuntimeError:
        return False
    return True


NOTES_HEADING = "## Notes on the figures"


def kept_notes(output: Path) -> str:
    """The hand-written notes under the table of the report being replaced: the
    figures are measured again, what they mean and how they moved is kept."""
    try:
        text = output.read_text(encoding="utf-8")
    except OSError:
        return ""
    start = text.find(NOTES_HEADING)
    return "" if start < 0 else "\n" + text[start:]


def report(output, programs, results, runs, feeds_n, items_n, started_at, clock, work) -> None:
    figures = list(dict.fromkeys(f for p in programs for f in results[p.name]))
    both = len(programs) > 1
    header = f"{'figure':<42}" + "".join(f"{p.name:>14}" for p in programs)
    header += f"{'ratio':>10}" if both else ""
    print("\n" + header + "\n" + "-" * len(header))
    rows = []
    for figure in figures:
        values = [median(results[p.name].get(figure, [])) for p in programs]
        ratio = ""
        if both and values[1] == values[1] and values[1] and values[0] == values[0]:
            ratio = f"{values[0] / values[1]:.2f}"
        print(f"{figure:<42}" + "".join(f"{v:>14.3f}" for v in values) + f"{ratio:>10}")
        cells = ["—" if v != v else f"{v:,.3f}" if v < 10 else f"{v:,.1f}" for v in values]
        target = target_of(figure)
        if figure.startswith("first screen") and "empty" not in figure:
            target = "<= 1.3 x empty; <= newsboat / 10"
        rows.append([figure, *cells, *([ratio or "—"] if both else []), target])
    minutes = (time.perf_counter() - clock) / 60
    print(f"\nmedians of {runs} runs; ratio = tui-reader / newsboat; work dir {work}")
    names = [p.name for p in programs]
    columns = ["figure", *names, *(["ratio"] if both else []), "target"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `bench/run.py` on {started_at} ({minutes:.1f} min).",
        "",
        f"- Machine: {machine()}",
        f"- Python {sys.version.split()[0]}, tui-reader {reader_version()}"
        + (f", {newsboat_version()}" if both else ""),
        f"- Library: {feeds_n} feeds x {items_n:,} items ({feeds_n * items_n:,} articles),"
        " served from 127.0.0.1; terminal tmux 100x30",
        f"- Medians of {runs} runs (keys: of every timed press); ratio = tui-reader / newsboat;"
        " — means not measured (newsboat has no such figure, or refused).",
        *NOTES,
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]
    output.write_text("\n".join(lines) + kept_notes(output), encoding="utf-8")
    print(f"wrote {output}")


def reader_version() -> str:
    sys.path.insert(0, str(ROOT))
    from tui_reader import __version__

    return __version__


def newsboat_version() -> str:
    out = subprocess.run(["newsboat", "--version"], capture_output=True, text=True).stdout
    return out.split(" - ")[0].strip() or "newsboat"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
