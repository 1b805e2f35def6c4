"""The bundled 2025 record: its size, its coverage, what its sources say, how it is graded, and its documentation."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BUNDLED, ROOT, Invoke, as_json

CORE_PARTIES = ("russia", "ukraine", "usa")
DOCS = ROOT / "docs" / "record.md"
LEAK_URL = "https://news-pravda.com/world/2025/02/07/1033131.html"
RELIABILITY = {"official": "A", "interview": "A", "spokesperson": "B", "media-report": "C", "leak": "F"}
"""The reliability letter each channel gets under the grading rule in docs/record.md."""


def stances(invoke: Invoke, db: Path, as_of: str) -> dict[tuple[str, str], str]:
    grid = as_json(invoke, db, "matrix", "--as-of", as_of)
    return {(c["party"], c["issue"]): c["stance"] for c in grid["cells"]}


def revisions(invoke: Invoke, db: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = as_json(invoke, db, "log", "--revisions")
    return found


def test_bundled_copy_equals_the_top_level_file_byte_for_byte() -> None:
    assert BUNDLED.read_bytes() == (ROOT / "positions.json").read_bytes()


def test_at_least_thirty_statements(invoke: Invoke, demo_path: Path) -> None:
    statements = as_json(invoke, demo_path, "log")
    assert len({s["id"] for s in statements}) >= 30


def test_the_three_main_parties_have_a_position_on_every_issue(invoke: Invoke, demo_path: Path) -> None:
    grid = as_json(invoke, demo_path, "matrix", "--as-of", "2025-03-31")
    held = {(c["party"], c["issue"]) for c in grid["cells"]}
    missing = [(p, i) for p in CORE_PARTIES for i in grid["issues"] if (p, i) not in held]
    assert len(grid["issues"]) == 5
    assert missing == []


# -- what the sources say ------------------------------------------------------------
# Each case is a principal's own words (A1-A2 official or interview, or the B2 spokesperson), so it
# holds whether or not reports and leaks count as positions.


@pytest.mark.parametrize(
    ("party", "issue", "day", "stance", "speaker", "stated_on"),
    [
        # Hegseth in Brussels: NATO membership is not "a realistic outcome"; pre-2014 borders "unrealistic".
        ("usa", "nato", "2025-02-12", "unrealistic", "Pete Hegseth", "2025-02-12"),
        ("usa", "territory", "2025-02-12", "no-recognition", "Pete Hegseth", "2025-02-12"),
        # Peskov: Putin told Trump the "root causes" of the conflict must be eliminated.
        ("russia", "ceasefire", "2025-02-12", "root-causes-first", "Dmitry Peskov", "2025-02-12"),
        # Jeddah: Ukraine accepts an immediate, interim, reciprocal 30-day ceasefire.
        ("ukraine", "ceasefire", "2025-03-11", "immediate-full", "US–Ukraine joint statement (Jeddah)", "2025-03-11"),
        # Putin on 13 March: a ceasefire must "eliminate the initial causes"; the troops in Kursk "surrender or die".
        ("russia", "ceasefire", "2025-03-13", "root-causes-first", "Vladimir Putin", "2025-03-13"),
        ("russia", "kursk", "2025-03-13", "surrender", "Vladimir Putin", "2025-03-13"),
        # Putin on 14 March: "if they lay down their arms and surrender..."
        ("russia", "kursk", "2025-03-14", "surrender", "Vladimir Putin", "2025-03-14"),
    ],
)
def test_the_record_says_what_the_sources_say(
    invoke: Invoke, demo_path: Path, party: str, issue: str, day: str, stance: str, speaker: str, stated_on: str
) -> None:
    grid = as_json(invoke, demo_path, "matrix", "--as-of", day, "--party", party, "--issue", issue)
    [cell] = grid["cells"]
    statement = as_json(invoke, demo_path, "show", cell["statement_id"])
    assert (cell["stance"], cell["stated_on"], statement["speaker"]) == (stance, stated_on, speaker)


def test_hegseth_moves_the_us_nato_cell(invoke: Invoke, demo_path: Path) -> None:
    before, after = stances(invoke, demo_path, "2025-02-11"), stances(invoke, demo_path, "2025-02-12")
    assert ("usa", "nato") in before and before[("usa", "nato")] != "unrealistic"
    assert after[("usa", "nato")] == "unrealistic"


def test_putin_restates_the_root_causes_he_does_not_move_on_the_ceasefire(invoke: Invoke, demo_path: Path) -> None:
    before, after = stances(invoke, demo_path, "2025-03-12"), stances(invoke, demo_path, "2025-03-14")
    assert before[("russia", "ceasefire")] == after[("russia", "ceasefire")] == "root-causes-first"


def test_jeddah_is_ukraines_first_ceasefire_position_not_a_move(invoke: Invoke, demo_path: Path) -> None:
    assert ("ukraine", "ceasefire") not in stances(invoke, demo_path, "2025-03-10")
    assert stances(invoke, demo_path, "2025-03-11")[("ukraine", "ceasefire")] == "immediate-full"


# -- how it is graded ----------------------------------------------------------------


def test_every_statement_has_a_speaker_a_source_title_and_a_grade(invoke: Invoke, demo_path: Path) -> None:
    for statement in revisions(invoke, demo_path):
        where = statement["id"]
        assert statement["speaker"].strip(), where
        assert statement["source"]["title"].strip(), where
        assert re.fullmatch(r"[A-F][1-6]", statement["grade"]), where
        assert statement["id"].startswith("st_"), where


def test_the_reliability_letter_follows_the_channel(invoke: Invoke, demo_path: Path) -> None:
    wrong = [
        (s["id"], s["channel"], s["grade"])
        for s in revisions(invoke, demo_path)
        if s["grade"][:1] != RELIABILITY[s["channel"]]
    ]
    assert wrong == []


def test_twin_statements_have_the_same_grade_and_channel(invoke: Invoke, demo_path: Path) -> None:
    """Statements of one speaker, date and source URL come from one occasion: one grade, one channel."""
    seen: dict[tuple[str, str, str], set[tuple[str, str]]] = defaultdict(set)
    for s in revisions(invoke, demo_path):
        seen[(s["speaker"], s["stated_on"], s["source"]["url"])].add((s["grade"], s["channel"]))
    assert {twins: graded for twins, graded in seen.items() if len(graded) > 1} == {}


def test_the_strana_leak_is_a_leak_graded_f5(invoke: Invoke, demo_path: Path) -> None:
    leak = [s for s in revisions(invoke, demo_path) if s["source"]["url"] == LEAK_URL]
    assert len(leak) == 4
    assert {(s["party"], s["channel"], s["grade"]) for s in leak} == {("usa", "leak", "F5")}


def test_no_title_names_two_pages_and_no_page_has_two_titles(invoke: Invoke, demo_path: Path) -> None:
    """A source title is the title of the page at its URL: a seed headline on another outlet's URL fails."""
    urls: dict[str, set[str]] = defaultdict(set)
    titles: dict[str, set[str]] = defaultdict(set)
    for s in revisions(invoke, demo_path):
        url, title = s["source"]["url"], s["source"]["title"]
        urls[title].add(url)  # a headline given both with no URL and with a URL counts as two pages
        if url:
            titles[url].add(title)
    assert {title: found for title, found in urls.items() if len(found) > 1} == {}
    assert {url: found for url, found in titles.items() if len(found) > 1} == {}


def test_quotes_are_the_speakers_words_not_the_columnists(invoke: Invoke, demo_path: Path) -> None:
    quotes = {s["id"]: s["quote"] for s in revisions(invoke, demo_path)}
    assert not [i for i, q in quotes.items() if "indivisibility of security" in q]
    assert quotes["st_01M87QBV701ARWJGKXWPJS25AB"] == "equal and indivisible security"


def test_check_passes_on_the_record(invoke: Invoke, demo_path: Path) -> None:
    result = invoke("check", db=demo_path)
    assert result.exit_code == 0, result.output
    assert as_json(invoke, demo_path, "check")["problems"] == []


def test_the_top_level_file_is_the_demo(invoke: Invoke) -> None:
    result = invoke("check", db=ROOT / "positions.json")
    assert result.exit_code == 0, result.output


# -- its documentation ---------------------------------------------------------------


def test_every_statement_and_docs_record_md_point_to_each_other(invoke: Invoke, demo_path: Path) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for s in revisions(invoke, demo_path):
        assert "docs/record.md" in s["note"], s["id"]
        assert f"`{s['id']}`" in docs, s["id"]
        assert s["source"]["url"] in docs, s["id"]


def test_the_readme_is_self_contained() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme
    assert "docs/record.md" in readme
