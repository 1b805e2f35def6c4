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
    kursk = next(c for c in found if c["summary"].startswith("“If they lay down their arms"))
    assert kursk | {"id": "", "fetched_at": ""} == {
        "id": "",
        "status": "new",
        "party": "russia",
        "issue": "kursk",
        "speaker": "Vladimir Putin",  # as fully as the article names him
        "quote": "If they lay down their arms and surrender in Kursk, [we] will guarantee them their lives and "
        "dignified treatment in accordance with international law and Russian legal norms",
        "summary": kursk["summary"],
        "stated_on": "2025-03-14",
        "channel": "official",
        "suggested_stance": "surrender",
        "cue": "lay down their arms",
        "sources": [
            {
                "url": news.base + "/articles/kursk-surrender.html",
                "title": "Putin Urges Kiev to Order Troops in Kursk to Surrender",
                "outlet": "wire",
                "published": "2025-03-14",
            }
        ],
        "fetched_at": "",
        "statement_id": None,
    }
    assert kursk["id"].startswith("cand_")
    pairs = {(c["party"], c["issue"], c["speaker"]) for c in found}
    assert ("usa", "nato", "Pete Hegseth") in pairs
    assert ("russia", "ceasefire", "Putin") in pairs
    assert ("russia", "ceasefire", "Dmitry Peskov") in pairs
    atom = [c for c in found if c["sources"][0]["url"].endswith("isolation-over.html")]
    assert {c["sources"][0]["outlet"] for c in atom} == {"Defence Desk"}
    assert {c["sources"][0]["published"] for c in atom} == {"2025-02-12"}
    assert not any("weather" in c["summary"] for c in found)  # no party, no issue: not a candidate
    # "the soldiers are surrounded, according to the Russian defence ministry": an event, not a position
    assert not any("surrounded" in c["summary"] for c in found)
    assert len({c["summary"] for c in found}) == len(found)

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
    kursk = next(c for c in found if c["speaker"] == "Vladimir Putin" and c["issue"] == "kursk")
    accepted = invoke("inbox", "accept", kursk["id"], "--grade", "B2", db=store_path)  # the suggested stance
    assert accepted.exit_code == 0, accepted.output
    statement_id = accepted.stdout.strip()
    shown = json.loads(invoke("show", statement_id, "--format", "json", db=store_path).stdout)
    names = ("party", "issue", "stance", "stated_on", "quote", "summary", "speaker", "channel", "grade")
    assert {k: shown[k] for k in names} == {
        "party": "russia",
        "issue": "kursk",
        "stance": "surrender",
        "stated_on": "2025-03-14",
        "quote": kursk["quote"],  # Putin's words only, not the reporter's sentence
        "summary": kursk["summary"],
        "speaker": "Vladimir Putin",
        "channel": "official",
        "grade": "B2",
    }
    assert "corroborated_by" not in shown  # one report: the statement keeps the shape it always had
    assert shown["source"] == {
        "url": kursk["sources"][0]["url"],
        "title": "Putin Urges Kiev to Order Troops in Kursk to Surrender",
        "outlet": "wire",
        "published": "2025-03-14",
    }
    record = next(c for c in inbox_json(invoke, store_path, "--status", "accepted"))
    assert (record["id"], record["statement_id"]) == (kursk["id"], statement_id)
    assert kursk["id"] not in {c["id"] for c in inbox_json(invoke, store_path)}  # no longer new

    twice = invoke("inbox", "accept", kursk["id"], "--stance", "surrender", db=store_path)
    assert twice.exit_code == 2 and f"already accepted as statement {statement_id}" in twice.stderr

    hegseth = next(c for c in found if c["speaker"] == "Pete Hegseth")
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
    rejected = invoke("inbox", "reject", other["id"], db=store_path)
    assert rejected.exit_code == 0 and f"tracker inbox restore {other['id']}" in rejected.stdout
    assert other["id"] in {c["id"] for c in inbox_json(invoke, store_path, "--status", "rejected")}
    assert invoke("inbox", "reject", other["id"], db=store_path).exit_code == 2
    assert invoke("inbox", "reject", "cand_nope", db=store_path).exit_code == 2
    statuses = {c["status"] for c in inbox_json(invoke, store_path, "--status", "all")}
    assert statuses == {"new", "accepted", "rejected"}
    # A rejected statement does not come back when its article is read again.
    invoke("fetch", other["sources"][0]["url"], db=store_path)
    assert other["summary"] not in {c["summary"] for c in inbox_json(invoke, store_path)}


def test_fetch_reads_one_article(invoke: Any, store_path: Path, news: Site) -> None:
    url = news.base + "/articles/isolation-over.html"
    dry = invoke("fetch", url, "--dry-run", "--format", "json", db=store_path)
    assert dry.exit_code == 0, dry.output
    shown = json.loads(dry.stdout)
    assert {(c["party"], c["issue"]) for c in shown} == {("russia", "ceasefire"), ("usa", "nato")}
    assert {c["sources"][0]["title"] for c in shown} == {"The Isolation Is Over: Trump Calls Putin"}  # from the page
    assert inbox_json(invoke, store_path) == []
    added = invoke("fetch", url, "--format", "json", db=store_path)
    assert [c["summary"] for c in json.loads(added.stdout)] == [c["summary"] for c in shown]
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
    assert (added["sources"][0]["published"], added["stated_on"]) == ("", "")
    undated = invoke("inbox", "accept", added["id"], "--stance", "negotiated-withdrawal", db=store_path)
    assert undated.exit_code == 2 and "has no date" in undated.stderr and "--date" in undated.stderr
    dated = invoke(
        "inbox", "accept", added["id"], "--stance", "negotiated-withdrawal", "--date", "2025-03-13", db=store_path
    )
    assert dated.exit_code == 0, dated.output


def test_hostile_text_is_stored_clean_and_printed_literally(invoke: Any, store_path: Path, site: Site) -> None:
    payloads = list(ESCAPES.values()) + list(MARKUP.values())
    # One speaker a payload: an article proposes one statement a speaker and issue.
    speakers = [
        "Putin", "Peskov", "Lavrov", "Zakharova", "Ushakov", "Dmitriev", "Zelensky", "Yermak", "Sybiha", "Umerov",
        "Rubio", "Hegseth", "Witkoff", "Waltz", "Vance", "Kellogg",
    ]  # fmt: skip
    assert len(speakers) >= len(payloads)
    paragraphs = "".join(
        f"<p>{speaker} said that the troops in Kursk must surrender: {payload} and nothing more.</p>"
        for speaker, payload in zip(speakers, payloads, strict=False)
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
    summaries = {candidate.summary for candidate in stored}
    assert any("[we] will guarantee" in s for s in summaries)


def rss(base: str, title: str, *links: str) -> bytes:
    items = "".join(
        f"<item><title>Report {n}</title><link>{base}{link}</link><guid>{link}</guid>"
        "<pubDate>Thu, 20 Mar 2025 10:00:00 GMT</pubDate></item>"
        for n, link in enumerate(links)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'.encode()


LABELLED = FIXTURES / "labelled"


def test_one_statement_in_two_feeds_is_one_candidate_and_accepting_it_keeps_both_sources(
    invoke: Any, store_path: Path, site: Site
) -> None:
    for path, page in (("/a/lavrov.html", "own-13-lavrov-a.html"), ("/b/lavrov.html", "own-14-lavrov-b.html"),
                       ("/c/lavrov.html", "own-15-lavrov-c.html")):  # fmt: skip
        site.add(path, "text/html; charset=utf-8", (LABELLED / page).read_bytes())
    site.add("/a.xml", "application/rss+xml", rss(site.base, "Courier", "/a/lavrov.html"))
    site.add("/b.xml", "application/rss+xml", rss(site.base, "Times", "/b/lavrov.html"))
    for feed, name in (("/a.xml", "Courier"), ("/b.xml", "Times")):
        assert invoke("feeds", "add", site.base + feed, "--name", name, db=store_path).exit_code == 0
    pulled = invoke("pull", db=store_path)
    assert pulled.exit_code == 0, pulled.output
    found = inbox_json(invoke, store_path)
    (nato,) = [c for c in found if c["issue"] == "nato"]
    assert (nato["party"], nato["speaker"]) == ("russia", "Sergei Lavrov")
    assert [(s["url"], s["outlet"]) for s in nato["sources"]] == [
        (site.base + "/a/lavrov.html", "Courier"),
        (site.base + "/b/lavrov.html", "Times"),
    ]
    assert "2 sources" in invoke("inbox", db=store_path).stdout

    third = invoke("fetch", site.base + "/c/lavrov.html", "--format", "json", db=store_path)
    assert third.exit_code == 0 and json.loads(third.stdout) == []
    assert "gained this article as a source" in third.stderr
    (nato,) = [c for c in inbox_json(invoke, store_path) if c["issue"] == "nato"]
    assert len(nato["sources"]) == 3

    accepted = invoke("inbox", "accept", nato["id"], "--grade", "A1", db=store_path)
    assert accepted.exit_code == 0, accepted.output
    shown = json.loads(invoke("show", accepted.stdout.strip(), "--format", "json", db=store_path).stdout)
    assert shown["source"] == nato["sources"][0]
    assert shown["corroborated_by"] == nato["sources"][1:]  # DESIGN.md: source the first, corroborated_by the rest
    assert shown["revisions"][0]["corroborated_by"] == nato["sources"][1:]
    assert (shown["stance"], shown["quote"]) == ("renounce", "Ukraine’s neutral status is not up for discussion. It "
                                                              "must never join NATO")  # fmt: skip
    assert invoke("check", db=store_path).exit_code == 0
    table = invoke("show", accepted.stdout.strip(), db=store_path).stdout
    assert "corroborated by" in table and "Times" in table and "/c/lavrov.html" in " ".join(table.split())


def test_accept_takes_overrides_for_what_the_candidate_got_wrong(invoke: Any, store_path: Path, news: Site) -> None:
    found = pulled(invoke, store_path, news)
    trump = next(c for c in found if c["party"] == "usa" and c["issue"] == "kursk")
    assert trump["suggested_stance"] == ""
    unsure = invoke("inbox", "accept", trump["id"], db=store_path)
    assert unsure.exit_code == 2 and "no suggested stance" in unsure.stderr and "--stance" in unsure.stderr
    overridden = invoke(
        "inbox", "accept", trump["id"], "--stance", "negotiated-withdrawal", "--party", "usa", "--speaker",
        "President Donald Trump", "--quote", "horrible massacre", "--channel", "official", "--grade", "A2",
        "--format", "json", db=store_path,
    )  # fmt: skip
    assert overridden.exit_code == 0, overridden.output
    statement = json.loads(overridden.stdout)
    assert (statement["speaker"], statement["quote"], statement["grade"]) == (
        "President Donald Trump",
        "horrible massacre",
        "A2",
    )
    assert statement["summary"] == trump["summary"] and statement["stated_on"] == "2025-03-14"
    bad = invoke("inbox", "accept", next(c["id"] for c in found if c["issue"] == "nato"), "--party", "mars",
                 db=store_path)  # fmt: skip
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "unknown party 'mars'" in bad.stderr


def test_a_rejected_candidate_is_restored(invoke: Any, store_path: Path, news: Site) -> None:
    found = pulled(invoke, store_path, news)
    first = next(c["id"] for c in found if c["issue"] == "nato")
    second = next(c["id"] for c in found if c["issue"] == "kursk" and c["party"] == "russia")
    assert invoke("inbox", "reject", first, db=store_path).exit_code == 0
    assert first not in {c["id"] for c in inbox_json(invoke, store_path)}
    restored = invoke("inbox", "restore", first, db=store_path)
    assert restored.exit_code == 0 and "waits for review again" in restored.stdout
    assert first in {c["id"] for c in inbox_json(invoke, store_path)}
    waiting = invoke("inbox", "restore", first, db=store_path)
    assert waiting.exit_code == 2 and waiting.stderr.count("\n") == 1 and "not rejected" in waiting.stderr
    assert invoke("inbox", "accept", second, db=store_path).exit_code == 0
    refused = invoke("inbox", "restore", second, db=store_path)
    assert refused.exit_code == 2 and "retract the statement instead" in refused.stderr
    assert invoke("inbox", "restore", "cand_nope", db=store_path).exit_code == 2


def test_a_pull_where_a_feed_or_an_article_fails_exits_1_with_a_line_each(
    invoke: Any, store_path: Path, news: Site
) -> None:
    news.add("/broken.xml", "application/rss+xml", rss(news.base, "Broken", "/articles/gone.html"))
    for path in ("/feed.xml", "/broken.xml", "/missing.xml"):
        assert invoke("feeds", "add", news.base + path, "--no-check", db=store_path).exit_code == 0  # broken later
    result = invoke("pull", db=store_path)
    assert result.exit_code == 1, result.output
    assert "Feeds: 2 ok, 0 unchanged, 1 failed" in result.stdout
    assert f"feed failed: {news.base}/missing.xml: HTTP 404" in result.stdout
    assert f"article failed: {news.base}/articles/gone.html: HTTP 404" in result.stdout
    assert "Failed: 1 feed(s) and 1 article(s)" in result.stderr
    assert inbox_json(invoke, store_path) != []  # what the good feed brought is saved
    as_json = invoke("pull", "--format", "json", db=store_path)
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["feeds"][2]["status"] == "failed"


def test_a_party_added_by_name_and_cues_added_to_a_stance_are_read(invoke: Any, store_path: Path, site: Site) -> None:
    url = site.add("/china.html", "text/html; charset=utf-8", (LABELLED / "own-17-china.html").read_bytes())
    assert json.loads(invoke("fetch", url, "--dry-run", "--format", "json", db=store_path).stdout) == []
    assert invoke("parties", "add", "china", "--name", "China", db=store_path).exit_code == 0  # no --alias
    found = json.loads(invoke("fetch", url, "--dry-run", "--format", "json", db=store_path).stdout)
    assert [(c["party"], c["issue"], c["speaker"], c["suggested_stance"]) for c in found] == [
        ("china", "ceasefire", "Mao Ning", "immediate-full"),
        ("china", "sanctions", "Mao Ning", "lift"),
    ]
    cue = ("issues", "update", "sanctions", "--stance", "maintain", "--cue", "opposes unilateral sanctions")
    updated = invoke(*cue, db=store_path)
    assert updated.exit_code == 0 and "opposes unilateral sanctions" in updated.stdout
    again = json.loads(invoke("fetch", url, "--dry-run", "--format", "json", db=store_path).stdout)
    assert (again[1]["suggested_stance"], again[1]["cue"]) == ("maintain", "opposes unilateral sanctions")
    alone = invoke("issues", "update", "sanctions", "--cue", "x", db=store_path)
    assert alone.exit_code == 2 and "--stance" in alone.stderr
