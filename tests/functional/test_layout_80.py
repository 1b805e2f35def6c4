"""Every table read at 80 columns, the width a pipe or a default terminal gives: nothing a reader copies is cut.

Dates and ids whole, no word broken in a header or a cell, URLs whole on a
line of their own (a folded URL cannot be copied), and only a URL line wider
than the terminal.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Invoke, as_json, ok, seeded
from tracker.inbox_model import Feed
from tracker.store import Store

WIDTH = 80

BORDERS = re.compile(r"[│┃┆┇┊┋║|━─┏┓┗┛┡┩└┘├┤┼╇╈╋┳┻┌┐┬┴]+")


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))


def table(invoke: Invoke, db: Path, *args: str) -> str:
    """The command's default (table) output, every line checked to fit the 80 columns but a URL line."""
    out = ok(invoke(*args, db=db)).stdout
    wide = [line for line in out.splitlines() if len(line) > WIDTH and "://" not in line]
    assert wide == [], f"lines over {WIDTH} columns:\n" + "\n".join(wide)
    return out


PUNCTUATION = ",;“”"


def tokens(out: str) -> set[str]:
    """Every word printed, table borders and the punctuation that joins a list taken out."""
    return {word.strip(PUNCTUATION) for word in BORDERS.sub(" ", out).split()}


def assert_whole(out: str, *texts: str) -> None:
    """Each word of each text is printed whole somewhere (not cut with … or folded onto the next line)."""
    printed = tokens(out)
    broken = [word for text in texts for word in text.split() if word.strip(PUNCTUATION) not in printed]
    assert broken == [], f"words not printed whole: {broken}\n{out}"


def assert_url_whole(out: str, url: str) -> None:
    assert any(url in line.split() for line in out.splitlines()), f"{url} is not whole on a line:\n{out}"


def test_the_matrix_keeps_every_date_and_issue_name_whole(invoke: Invoke, demo_path: Path) -> None:
    out = table(invoke, demo_path, "matrix", "--as-of", "2025-03-31")
    cells = as_json(invoke, demo_path, "matrix", "--as-of", "2025-03-31")["cells"]
    assert_whole(out, *(c["stated_on"] for c in cells), *(i.name for i in Store(demo_path).codebook.issues))


def test_a_wide_matrix_continues_below_rather_than_cut_its_dates(invoke: Invoke, demo_path: Path) -> None:
    for n in range(4):
        ok(invoke("issues", "add", f"extra{n}", "--name", f"Extra issue {n}", "--stance", "no", "--stance", "yes",
                  db=demo_path))  # fmt: skip
        ok(invoke("add", "--party", "russia", "--issue", f"extra{n}", "--stance", "yes", "--date", f"2025-01-1{n}",
                  "--channel", "official", "--grade", "A1", db=demo_path))  # fmt: skip
    out = table(invoke, demo_path, "matrix", "--as-of", "2025-03-31")
    cells = as_json(invoke, demo_path, "matrix", "--as-of", "2025-03-31")["cells"]
    assert len({c["issue"] for c in cells}) == 9
    assert_whole(out, *(c["stated_on"] for c in cells), *(i.name for i in Store(demo_path).codebook.issues))
    assert out.count("Russia") >= 2  # the party column is repeated beside the issues that did not fit


def test_the_log_keeps_dates_ids_and_words_whole(invoke: Invoke, demo_path: Path) -> None:
    out = table(invoke, demo_path, "log")
    statements: list[dict[str, Any]] = as_json(invoke, demo_path, "log")
    assert_whole(out, "date party issue stance grade said")
    for s in statements:
        assert_whole(out, s["id"], s["stated_on"], s["speaker"], s["grade"])
    quoted = next(s for s in statements if s["quote"] and len(s["quote"]) > 60)
    assert_whole(out, quoted["quote"])


def test_show_prints_the_url_whole_and_every_record_time(invoke: Invoke, demo_path: Path) -> None:
    statement_id = "st_01M87QBV72N4K59C4E8Z3N45AE"
    ok(invoke("correct", statement_id, "--grade", "B2", "--reason", "second source found", db=demo_path))
    out = table(invoke, demo_path, "show", statement_id)
    shown = as_json(invoke, demo_path, "show", statement_id)
    assert_url_whole(out, shown["source"]["url"])
    for revision in shown["revisions"]:
        assert_whole(out, revision["recorded_at"], revision["stated_on"], revision["stance"])
    assert_whole(out, "rev recorded stance change", shown["summary"])


def test_the_inbox_shows_whole_ids_urls_and_sentences(invoke: Invoke, store_path: Path) -> None:
    seeded(store_path)
    out = table(invoke, store_path, "inbox")
    for candidate in as_json(invoke, store_path, "inbox"):
        assert_whole(out, candidate["id"], candidate["summary"], *(s["published"] for s in candidate["sources"]))
        for source in candidate["sources"]:
            assert_url_whole(out, source["url"])


def test_feeds_list_reads_at_80_columns(invoke: Invoke, store_path: Path) -> None:
    url = "https://www.example.org/news/politics/world/europe/ukraine-russia-negotiations/rss.xml"
    feed = Feed(id="fd_01JQ0000000000000000000001", url=url, name="Example World News")
    Store(store_path).add_feed(
        replace(feed, last_pulled="2025-03-14T19:00:00.000000Z", last_status="ok; 2 article(s) to retry")
    )
    out = table(invoke, store_path, "feeds", "list")
    assert_url_whole(out, url)
    assert_whole(out, "fd_01JQ0000000000000000000001", "Example World News", "2025-03-14T19:00:00.000000Z")
    assert_whole(out, "last pulled", "ok; 2 article(s) to retry")


def test_parties_and_issues_break_no_word(invoke: Invoke, demo_path: Path) -> None:
    book = Store(demo_path).codebook
    out = table(invoke, demo_path, "parties")
    assert_whole(out, "id name aliases color", *(alias for p in book.parties for alias in p.aliases))
    out = table(invoke, demo_path, "issues")
    assert_whole(out, "id name question keywords", *(k for i in book.issues for k in i.keywords))
    for issue in book.issues:
        assert_whole(out, issue.question, *(f"{s.code} {s.label}" for s in issue.scale))
