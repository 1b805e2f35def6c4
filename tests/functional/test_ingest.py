"""Ingest end to end: a real HTTP server on 127.0.0.1 serving fixture feeds and articles, the real CLI."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import ESCAPES, MARKUP, assert_clean
from tracker.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"
LAST_MODIFIED = "Fri, 14 Mar 2025 18:00:00 GMT"


@dataclass
class Site:
    """What the loopback server serves, and every request it received."""

    base: str = ""
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def add(self, path: str, content_type: str, body: bytes) -> str:
        self.pages[path] = (content_type, body)
        return self.base + path

    def add_fixture(self, path: str, content_type: str, name: str) -> str:
        return self.add(path, content_type, (FIXTURES / name).read_text().replace("{base}", self.base).encode())

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for seen, headers in self.requests if seen == path]


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """The loopback server. A feed on 127.0.0.1 is refused without the opt-in (issue 12, finding 13), so
    these tests opt in as an intranet feed would: ``TRACKER_ALLOW_PRIVATE=1``, read by the commands they invoke."""
    monkeypatch.setenv("TRACKER_ALLOW_PRIVATE", "1")
    served = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            if self.path not in served.pages:
                self.send_error(404)
                return
            content_type, body = served.pages[self.path]
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def news(site: Site) -> Site:
    """The fixture feeds (RSS and Atom) and their three articles."""
    site.add_fixture("/feed.xml", "application/rss+xml; charset=utf-8", "feed.xml")
    site.add_fixture("/atom.xml", "application/atom+xml", "atom.xml")
    for name in ("kursk-surrender.html", "ceasefire-masks.html", "isolation-over.html"):
        site.add_fixture(f"/articles/{name}", "text/html; charset=utf-8", name)
    return site


def inbox_json(invoke: Any, db: Path, *args: str) -> list[dict[str, Any]]:
    result = invoke("inbox", "--format", "json", *args, db=db)
    assert result.exit_code == 0, result.output
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def pulled(invoke: Any, db: Path, news: Site) -> list[dict[str, Any]]:
    for path, name in (("/feed.xml", "wire"), ("/atom.xml", "")):
        added = invoke("feeds", "add", news.base + path, *(["--name", name] if name else []), db=db)
        assert added.exit_code == 0, added.output
        assert added.stdout.startswith("fd_")
    result = invoke("pull", db=db)
    assert result.exit_code == 0, result.output
    assert "Feeds: 2 ok, 0 unchanged, 0 failed" in result.stdout
    assert "Articles: 3 fetched, 0 failed" in result.stdout
    return inbox_json(invoke, db)


def test_pull_fills_the_inbox_and_a_second_pull_costs_nothing(invoke: Any, store_path: Path, news: Site) -> None:
    found = pulled(invoke, store_path, news)
    by_sentence = {c["sentence"]: c for c in found}
    quote = next(s for s in by_sentence if s.startswith("“If they lay down their arms"))
    assert by_sentence[quote] | {"id": "", "fetched_at": ""} == {
        "id": "",
        "status": "new",
        "party": "russia",
        "issue": "kursk",
        "sentence": quote,
        "speaker": "Putin",
        "url": news.base + "/articles/kursk-surrender.html",
        "title": "Putin Urges Kiev to Order Troops in Kursk to Surrender",
        "outlet": "wire",
        "published": "2025-03-14",
        "fetched_at": "",
        "statement_id": None,
    }
    assert by_sentence[quote]["id"].startswith("cand_")
    pairs = {(c["party"], c["issue"], c["speaker"]) for c in found}
    assert ("usa", "nato", "Hegseth") in pairs
    assert ("russia", "ceasefire", "Putin") in pairs
    assert ("russia", "ceasefire", "Dmitry Peskov") in pairs
    atom = [c for c in found if c["url"].endswith("isolation-over.html")]
    assert {c["outlet"] for c in atom} == {"Defence Desk"} and {c["published"] for c in atom} == {"2025-02-12"}
    assert not any("weather" in c["sentence"] for c in found)  # no party, no issue: not a candidate
    assert len(by_sentence) == len(found)

    before = len(news.requests)
    again = invoke("pull", db=store_path)
    assert again.exit_code == 0, again.output
    assert "Feeds: 0 ok, 2 unchanged, 0 failed" in again.stdout and "Candidates: 0 added" in again.stdout
    second = news.requests[before:]
    assert sorted(path for path, _ in second) == ["/atom.xml", "/feed.xml"]  # no article fetched again
    for _, headers in second:
        assert headers["if-none-match"].startswith('"') and headers["if-modified-since"] == LAST_MODIFIED
        assert headers["user-agent"].startswith("tracker/")
    assert inbox_json(invoke, store_path) == found


def test_feeds_add_list_remove(invoke: Any, store_path: Path) -> None:
    added = invoke("feeds", "add", "https://news.example/rss", "--name", "Example", "--no-check", db=store_path)
    feed_id = added.stdout.strip()
    listed = json.loads(invoke("feeds", "list", "--format", "json", db=store_path).stdout)
    assert [(f["id"], f["url"], f["name"], f["etag"]) for f in listed] == [
        (feed_id, "https://news.example/rss", "Example", "")
    ]
    bare = invoke("feeds", db=store_path)  # like `parties` and `inbox`: the group alone lists
    assert bare.exit_code == 0 and feed_id in bare.stdout and "news.example" in bare.stdout
    assert json.loads(invoke("feeds", "--format", "json", db=store_path).stdout) == listed
    duplicate = invoke("feeds", "add", "https://news.example/rss", "--no-check", db=store_path)
    assert duplicate.exit_code == 2 and "already followed" in duplicate.stderr
    bad = invoke("feeds", "add", "file:///etc/passwd", db=store_path)
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "http" in bad.stderr
    assert invoke("feeds", "remove", feed_id, db=store_path).exit_code == 0
    assert json.loads(invoke("feeds", "list", "--format", "json", db=store_path).stdout) == []
    missing = invoke("feeds", "remove", feed_id, db=store_path)
    assert missing.exit_code == 2 and feed_id in missing.stderr
    assert "No feeds to pull" in invoke("pull", db=store_path).stdout


# -- feeds add reads the feed once -----------------------------------------------------


def assert_refused(result: Any, *words: str) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return str(lines[0])


def test_feeds_add_reads_the_feed_once_and_keeps_its_title(invoke: Any, store_path: Path, news: Site) -> None:
    added = invoke("feeds", "add", news.base + "/feed.xml", db=store_path)
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("fd_")
    assert len(news.hits("/feed.xml")) == 1
    assert news.hits("/feed.xml")[0]["user-agent"].startswith("tracker/")
    (feed,) = Store(store_path).feeds()
    assert feed.title == "Negotiation Wire"
    assert (feed.etag, feed.seen, feed.last_pulled) == ("", (), ""), "the first pull still reads every entry"
    pulled = invoke("pull", db=store_path)
    assert "Feeds: 1 ok" in pulled.stdout, pulled.output


def test_feeds_add_of_a_web_page_says_it_is_not_a_feed(invoke: Any, store_path: Path, news: Site) -> None:
    before = store_path.read_bytes()
    page = news.base + "/articles/kursk-surrender.html"
    line = assert_refused(invoke("feeds", "add", page, db=store_path), "not a feed", page, "web page")
    assert "feed.xml" not in line, "this page names no feed of its own"
    assert store_path.read_bytes() == before


def test_feeds_add_of_a_page_that_names_its_feed_points_to_it(invoke: Any, store_path: Path, site: Site) -> None:
    page = (
        b'<html><head><title>Wire</title><link rel="stylesheet" href="/s.css">'
        b'<link rel="alternate" type="application/rss+xml" title="Wire" href="/rss/all.xml"></head>'
        b"<body><p>News.</p></body></html>"
    )
    url = site.add("/", "text/html; charset=utf-8", page)
    assert_refused(invoke("feeds", "add", url, db=store_path), "web page", f"{site.base}/rss/all.xml")


@pytest.mark.parametrize(
    ("path", "content_type", "body", "words"),
    [
        ("/missing.xml", "", b"", ["not a feed", "HTTP 404"]),
        ("/junk.xml", "application/xml", b"<not><closed>", ["not a feed", "not a readable RSS or Atom feed"]),
        ("/picture.png", "image/png", b"\x89PNG", ["not a feed", "image/png"]),
    ],
    ids=["404", "unparseable", "an image"],
)
def test_feeds_add_of_what_is_no_feed_is_one_line_and_changes_nothing(
    invoke: Any, store_path: Path, site: Site, path: str, content_type: str, body: bytes, words: list[str]
) -> None:
    if content_type:
        site.add(path, content_type, body)
    before = store_path.read_bytes()
    assert_refused(invoke("feeds", "add", site.base + path, db=store_path), *words)
    assert store_path.read_bytes() == before
    assert len(site.hits(path)) == 1, "fetched once"


def test_feeds_add_of_a_server_that_does_not_answer_offers_no_check(invoke: Any, store_path: Path, site: Site) -> None:
    import socket

    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/feed.xml"
    before = store_path.read_bytes()
    assert_refused(invoke("feeds", "add", url, db=store_path), url, "could not check", "--no-check")
    assert store_path.read_bytes() == before
    added = invoke("feeds", "add", url, "--no-check", db=store_path)
    assert added.exit_code == 0, added.output
    assert [f.url for f in Store(store_path).feeds()] == [url]


def test_accepting_a_candidate_records_a_statement_sourced_to_the_article(
    invoke: Any, store_path: Path, news: Site
) -> None:
    found = pulled(invoke, store_path, news)
    kursk = next(c for c in found if c["speaker"] == "Putin" and c["issue"] == "kursk")
    accepted = invoke("inbox", "accept", kursk["id"], "--stance", "surrender", "--grade", "B2", db=store_path)
    assert accepted.exit_code == 0, accepted.output
    statement_id = accepted.stdout.strip()
    shown = json.loads(invoke("show", statement_id, "--format", "json", db=store_path).stdout)
    assert {k: shown[k] for k in ("party", "issue", "stance", "stated_on", "quote", "speaker", "channel", "grade")} == {
        "party": "russia",
        "issue": "kursk",
        "stance": "surrender",
        "stated_on": "2025-03-14",
        "quote": kursk["sentence"],
        "speaker": "Putin",
        "channel": "media-report",
        "grade": "B2",
    }
    assert shown["source"] == {
        "url": kursk["url"],
        "title": "Putin Urges Kiev to Order Troops in Kursk to Surrender",
        "outlet": "wire",
        "published": "2025-03-14",
    }
    record = next(c for c in inbox_json(invoke, store_path, "--status", "accepted"))
    assert (record["id"], record["statement_id"]) == (kursk["id"], statement_id)
    assert kursk["id"] not in {c["id"] for c in inbox_json(invoke, store_path)}  # no longer new

    twice = invoke("inbox", "accept", kursk["id"], "--stance", "surrender", db=store_path)
    assert twice.exit_code == 2 and f"already accepted as statement {statement_id}" in twice.stderr

    hegseth = next(c for c in found if c["speaker"] == "Hegseth")
    wrong = invoke("inbox", "accept", hegseth["id"], "--stance", "surrender", db=store_path)
    assert wrong.exit_code == 2 and "unknown stance 'surrender' for issue 'nato'" in wrong.stderr
    overridden = invoke(
        "inbox", "accept", hegseth["id"], "--stance", "unrealistic", "--date", "2025-02-12",
        "--speaker", "Pete Hegseth", "--summary", "NATO membership unrealistic", "--channel", "official",
        db=store_path,
    )  # fmt: skip
    assert overridden.exit_code == 0, overridden.output
    again = json.loads(invoke("show", overridden.stdout.strip(), "--format", "json", db=store_path).stdout)
    assert (again["speaker"], again["summary"], again["channel"], again["stated_on"]) == (
        "Pete Hegseth",
        "NATO membership unrealistic",
        "official",
        "2025-02-12",
    )

    other = next(c for c in inbox_json(invoke, store_path))
    assert invoke("inbox", "reject", other["id"], db=store_path).exit_code == 0
    assert other["id"] in {c["id"] for c in inbox_json(invoke, store_path, "--status", "rejected")}
    assert invoke("inbox", "reject", other["id"], db=store_path).exit_code == 2
    assert invoke("inbox", "reject", "cand_nope", db=store_path).exit_code == 2
    statuses = {c["status"] for c in inbox_json(invoke, store_path, "--status", "all")}
    assert statuses == {"new", "accepted", "rejected"}
    # A rejected sentence does not come back when its article is read again.
    invoke("fetch", other["url"], db=store_path)
    assert other["sentence"] not in {c["sentence"] for c in inbox_json(invoke, store_path)}


def test_fetch_reads_one_article(invoke: Any, store_path: Path, news: Site) -> None:
    url = news.base + "/articles/isolation-over.html"
    dry = invoke("fetch", url, "--dry-run", "--format", "json", db=store_path)
    assert dry.exit_code == 0, dry.output
    shown = json.loads(dry.stdout)
    assert {(c["party"], c["issue"]) for c in shown} == {("russia", "ceasefire"), ("usa", "nato")}
    assert {c["title"] for c in shown} == {"The Isolation Is Over: Trump Calls Putin"}  # from the page
    assert inbox_json(invoke, store_path) == []
    added = invoke("fetch", url, "--format", "json", db=store_path)
    assert [c["sentence"] for c in json.loads(added.stdout)] == [c["sentence"] for c in shown]
    assert len(inbox_json(invoke, store_path)) == len(shown)
    again = invoke("fetch", url, "--format", "json", db=store_path)
    assert json.loads(again.stdout) == [] and "already in the inbox" in again.stderr


def test_fetch_failures_are_one_line(invoke: Any, store_path: Path, news: Site) -> None:
    missing = invoke("fetch", news.base + "/articles/gone.html", db=store_path)
    assert missing.exit_code == 2
    assert missing.stderr == f"tracker: error: {news.base}/articles/gone.html: HTTP 404 Not Found\n"
    not_html = invoke("fetch", news.base + "/feed.xml", db=store_path)
    assert not_html.exit_code == 2 and "content type 'application/rss+xml'" in not_html.stderr


def test_codebook_extensions_widen_matching(invoke: Any, store_path: Path, site: Site) -> None:
    body = (
        b"<html><head><title>Sudzha</title></head><body><article><h1>Sudzha</h1>"
        b"<p>Syrskyi said the troops had pulled back from Sudzha in good order and would hold new lines.</p>"
        b"<p>The commander added that the withdrawal had been planned for several weeks in advance.</p>"
        b"</article></body></html>"
    )
    url = site.add("/articles/sudzha.html", "text/html", body)
    assert json.loads(invoke("fetch", url, "--dry-run", "--format", "json", db=store_path).stdout) == []
    assert invoke("parties", "update", "ukraine", "--alias", "Syrskyi", db=store_path).exit_code == 0
    assert invoke("issues", "update", "kursk", "--keyword", "Sudzha", db=store_path).exit_code == 0
    found = json.loads(invoke("fetch", url, "--dry-run", "--format", "json", db=store_path).stdout)
    assert [(c["party"], c["issue"], c["speaker"]) for c in found] == [("ukraine", "kursk", "Syrskyi")]

    # The page carries no date, so accepting needs the date it was stated.
    (added,) = json.loads(invoke("fetch", url, "--format", "json", db=store_path).stdout)
    assert added["published"] == ""
    undated = invoke("inbox", "accept", added["id"], "--stance", "negotiated-withdrawal", db=store_path)
    assert undated.exit_code == 2 and "no published date" in undated.stderr and "--date" in undated.stderr
    dated = invoke(
        "inbox", "accept", added["id"], "--stance", "negotiated-withdrawal", "--date", "2025-03-13", db=store_path
    )
    assert dated.exit_code == 0, dated.output


def test_hostile_text_is_stored_clean_and_printed_literally(invoke: Any, store_path: Path, site: Site) -> None:
    payloads = list(ESCAPES.values()) + list(MARKUP.values())
    paragraphs = "".join(
        f"<p>Putin spoke about Kursk again on day {n}: {payload} and nothing more was added.</p>"
        for n, payload in enumerate(payloads)
    )
    # Raw control characters cannot travel in XML 1.0; numeric references to C1/bidi ones can.
    article = f"<html><head><title>Hostile</title></head><body><article>{paragraphs}</article></body></html>"
    site.add("/articles/hostile.html", "text/html; charset=utf-8", article.encode())
    title = "Kursk \u202eevil\u202c [bold]title[/bold] &#x9b;2J"
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<item><title>{title}</title><link>{site.base}/articles/hostile.html</link>"
        "<pubDate>Fri, 14 Mar 2025 18:00:00 GMT</pubDate></item></channel></rss>"
    )
    site.add("/hostile.xml", "application/rss+xml; charset=utf-8", feed.encode())
    assert invoke("feeds", "add", site.base + "/hostile.xml", db=store_path).exit_code == 0
    result = invoke("pull", db=store_path)
    assert result.exit_code == 0, result.output
    stored = Store(store_path).candidates()
    assert len(stored) == len(payloads)
    for candidate in stored:
        for value in candidate.as_json().values():
            assert_clean(str(value))
    for followed in Store(store_path).feeds():
        assert_clean(json.dumps(followed.as_json(), ensure_ascii=False))
    shown = invoke("inbox", db=store_path).stdout
    assert_clean(shown)
    for markup in ("[bold]not bold[/bold]", "[@click=app.quit]quit[/]", "[link=https://evil.example]click[/link]"):
        assert markup in " ".join(shown.split()) or markup in shown.replace("\n", "")
    sentences = {candidate.sentence for candidate in stored}
    assert any("[we] will guarantee" in s for s in sentences)
