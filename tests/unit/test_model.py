"""The domain model: codebook, statements and their validation, sanitising, JSON shapes."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.hostile import ESCAPES, MARKUP, assert_clean
from tracker import codebook as default_codebook
from tracker.errors import InputError
from tracker.formats import column_text
from tracker.model import (
    CHANNELS,
    Cell,
    Change,
    ChangeKind,
    Codebook,
    Issue,
    Party,
    Source,
    Statement,
    codebook_from_tables,
    is_iso_date,
    sanitise,
)


@pytest.fixture
def book() -> Codebook:
    return codebook_from_tables(default_codebook.PARTIES, default_codebook.ISSUES)


def statement(**fields: Any) -> Statement:
    base: dict[str, Any] = {
        "id": "st_1",
        "rev": 1,
        "party": "russia",
        "issue": "nato",
        "stance": "renounce",
        "stated_on": "2025-02-12",
        "speaker": "Peskov",
        "grade": "B2",
        "reason": "",
    }
    return Statement.from_json({**base, **fields})


# -- codebook ---------------------------------------------------------------------


def test_default_codebook_matches_design(book: Codebook) -> None:
    assert [p.id for p in book.parties] == ["russia", "ukraine", "usa", "europe"]
    assert [i.id for i in book.issues] == ["nato", "territory", "kursk", "ceasefire", "sanctions"]
    nato = book.require_issue("nato")
    assert [s.code for s in nato.scale] == ["join-now", "irreversible-path", "not-now", "unrealistic", "renounce"]
    for issue in book.issues:
        assert [s.score for s in issue.scale] == list(range(len(issue.scale)))
        assert issue.problems() == []
    for party in book.parties:
        assert party.problems() == []


def test_every_default_stance_carries_cues_and_they_round_trip(book: Codebook) -> None:
    for issue in book.issues:
        assert all(stance.cues for stance in issue.scale), issue.id
        assert Issue.from_json(issue.as_json()) == issue
    surrender = book.require_stance("kursk", "surrender")
    assert "lay down their arms" in surrender.cues and surrender.as_json()["cues"] == list(surrender.cues)
    assert "never join" in book.require_stance("nato", "renounce").cues
    bare = Issue.from_json({"id": "x", "scale": ["a", "b"]})
    assert bare.scale[0].cues == () and "cues" not in bare.scale[0].as_json()  # DESIGN.md's shape without cues


def test_issue_scale_from_text_or_objects() -> None:
    issue = Issue.from_json({"id": "x", "scale": ["a", {"code": "b", "label": "Bee"}, {"code": "c"}]})
    assert [(s.code, s.label, s.score) for s in issue.scale] == [("a", "a", 0), ("b", "Bee", 1), ("c", "c", 2)]
    assert issue.name == "x"
    assert issue.stance("b") is not None and issue.stance("z") is None
    again = Issue.from_json(issue.as_json())
    assert again == issue


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"id": "Bad Id", "scale": ["a", "b"]}, "lower-case"),
        ({"id": "x", "scale": ["a"]}, "at least two"),
        ({"id": "x", "scale": ["a", "a"]}, "repeats"),
        ({"id": "x", "scale": ["a", "B C"]}, "stance code"),
    ],
)
def test_issue_problems(data: dict[str, Any], expected: str) -> None:
    problems = Issue.from_json(data).problems()
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("scale", [None, [], "a,b", [1, 2]])
def test_issue_without_a_usable_scale_is_refused(scale: object) -> None:
    with pytest.raises(InputError):
        Issue.from_json({"id": "x", "scale": scale})


def test_party_round_trip_and_problems() -> None:
    party = Party.from_json({"id": "china", "name": "China", "aliases": "Beijing", "color": "red"})
    assert party.aliases == ("Beijing",)
    assert Party.from_json(party.as_json()) == party
    assert party.problems() == []
    assert Party.from_json({"id": "Not OK"}).problems()
    with pytest.raises(InputError):
        Party.from_json({"id": "x", "aliases": [1, 2]})


def test_require_names_the_known_codes(book: Codebook) -> None:
    with pytest.raises(InputError, match=r"unknown party 'china'.*russia"):
        book.require_party("china")
    with pytest.raises(InputError, match=r"unknown issue 'gas'.*nato"):
        book.require_issue("gas")
    with pytest.raises(InputError, match=r"unknown stance 'maybe'.*join-now"):
        book.require_stance("nato", "maybe")
    assert book.require_stance("nato", "renounce").score == 4


# -- statements -------------------------------------------------------------------


def test_statement_json_round_trip() -> None:
    original = statement(
        conditions=["a", "b"],
        tags=["t"],
        source={"url": "https://e.example/x", "title": "T", "outlet": "O", "published": "2025-02-13"},
        retracted=True,
        reason="wrong",
        withdrawn_on="2025-03-01",
    )
    data = original.as_json()
    assert set(data) >= {
        "id", "rev", "party", "issue", "stance", "stated_on", "summary", "quote", "speaker", "channel",
        "conditions", "source", "grade", "tags", "note", "recorded_at", "recorded_by", "retracted", "reason",
    }  # fmt: skip
    assert set(data["source"]) == {"url", "title", "outlet", "published"}
    assert data["conditions"] == ["a", "b"]
    assert Statement.from_json(data) == original


def test_statement_defaults() -> None:
    bare = Statement.from_json({"party": "russia", "issue": "nato", "stance": "renounce", "stated_on": "2025-01-01"})
    assert bare.rev == 1
    assert bare.channel == "official"
    assert bare.retracted is False
    assert bare.source == Source()
    assert bare.conditions == ()


@pytest.mark.parametrize(
    "bad",
    [
        {"rev": "2"},
        {"rev": True},
        {"retracted": "yes"},
        {"summary": 5},
        {"conditions": [1]},
        {"source": "https://e.example"},
    ],
)
def test_statement_field_types_are_checked(bad: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        statement(**bad)


def test_a_valid_statement_has_no_problems(book: Codebook) -> None:
    assert statement().problems(book) == []


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"party": "china"}, "party"),
        ({"issue": "gas"}, "issue"),
        ({"stance": "maybe"}, "stance"),
        ({"stated_on": "2025-02-30"}, "stated_on"),
        ({"stated_on": "12/02/2025"}, "stated_on"),
        ({"stated_on": ""}, "stated_on"),
        ({"source": {"published": "2025-13-01"}}, "published"),
        ({"grade": "G7"}, "grade"),
        ({"grade": "b2"}, "grade"),
        ({"channel": "rumour"}, "channel"),
        ({"retracted": True}, "reason"),
        ({"rev": 0}, "rev"),
        ({"withdrawn_on": "soon"}, "withdrawn_on"),
    ],
)
def test_statement_problems_name_the_field(book: Codebook, bad: dict[str, Any], field: str) -> None:
    found = statement(**bad).field_problems(book)
    assert [f for f, _ in found] == [field], found


def test_every_problem_is_reported_at_once(book: Codebook) -> None:
    problems = statement(party="china", stated_on="2025-02-30", grade="Z9", channel="x").problems(book)
    assert len(problems) == 4


def test_channels_are_the_designed_ones() -> None:
    assert CHANNELS == ("official", "spokesperson", "interview", "media-report", "leak")


@pytest.mark.parametrize(
    ("value", "ok"),
    [("2025-02-28", True), ("2024-02-29", True), ("2025-02-30", False), ("2025-2-1", False), (20250101, False)],
)
def test_is_iso_date(value: object, ok: bool) -> None:
    assert is_iso_date(value) is ok


# -- sanitising -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_sanitise_removes_escapes(name: str) -> None:
    assert_clean(sanitise(ESCAPES[name]))


def test_sanitise_keeps_the_readable_text() -> None:
    assert sanitise(ESCAPES["clear_screen"]) == "beforeafter"
    assert sanitise(ESCAPES["colour"]) == "red text"
    assert sanitise("  line one\r\nline\ttwo  ") == "line one\nline two"


@pytest.mark.parametrize("name", sorted(MARKUP))
def test_sanitise_keeps_markup_as_written(name: str) -> None:
    assert sanitise(MARKUP[name]) == MARKUP[name]


def test_sanitised_statement_cleans_every_free_text_field() -> None:
    dirty = ESCAPES["osc8_link"]
    cleaned = statement(
        summary=dirty,
        quote=dirty,
        speaker=dirty,
        note=dirty,
        reason=dirty,
        conditions=[dirty, ESCAPES["c1_controls"]],
        tags=[dirty],
        source={"url": dirty, "title": dirty, "outlet": dirty, "published": ""},
    ).sanitised()
    assert_clean(repr(cleaned.as_json()))
    assert cleaned.quote == "click me"


# -- cells and changes ------------------------------------------------------------


def test_cell_json_shape(book: Codebook) -> None:
    s = statement()
    cell = Cell("russia", "nato", book.require_stance("nato", "renounce"), s, 3)
    assert cell.as_json() == {
        "party": "russia",
        "issue": "nato",
        "stance": "renounce",
        "label": "Renounce (neutrality)",
        "score": 4,
        "stated_on": "2025-02-12",
        "statement_id": "st_1",
        "version": 3,
        "grade": "B2",
        "speaker": s.speaker,
        "evidence": "stated",
        "contested": False,
        "conflicts": [],
        "reported": [],
    }


def test_change_shift_is_after_minus_before(book: Codebook) -> None:
    before = Cell("usa", "nato", book.require_stance("nato", "irreversible-path"), statement(id="st_a"), 1)
    after = Cell("usa", "nato", book.require_stance("nato", "unrealistic"), statement(id="st_b"), 2)
    change = Change("usa", "nato", ChangeKind.changed, before, after, "toward", (after.statement,))
    assert change.shift == 2
    data = change.as_json()
    assert data["statements"] == ["st_b"]
    assert data["before"]["stance"] == "irreversible-path" and data["after"]["stance"] == "unrealistic"
    assert Change("usa", "nato", ChangeKind.new, None, after, None, ()).shift is None


def test_change_kinds_are_written_as_plain_words(book: Codebook) -> None:
    """--format json and csv carry the kind as the word alone, as they did when it was a str."""
    after = Cell("usa", "nato", book.require_stance("nato", "unrealistic"), statement(), 1)
    for kind in ChangeKind:
        change = Change("usa", "nato", kind, None, after, None, ())
        assert orjson.dumps(change.as_json()["kind"]) == f'"{kind.value}"'.encode()
        assert column_text(change.kind) == str(change.kind) == f"{change.kind}" == kind.value
    assert [k.value for k in ChangeKind] == ["new", "changed", "withdrawn", "contested", "reported", "restated"]


# -- corroboration -------------------------------------------------------------------


def test_a_corroborated_statement_keeps_its_other_sources() -> None:
    others = [{"url": "https://b.example/1", "title": "B", "outlet": "B", "published": "2025-02-13"}]
    corroborated = statement(corroborated_by=others)
    assert corroborated.corroborated_by == (Source(**others[0]),)
    assert corroborated.as_json()["corroborated_by"] == others
    assert Statement.from_json(corroborated.as_json()) == corroborated
    plain = statement()
    assert plain.corroborated_by == () and "corroborated_by" not in plain.as_json()  # stored only when there are some
    with pytest.raises(InputError, match="corroborated_by must be a list of sources"):
        statement(corroborated_by="https://b.example/1")


def test_corroborating_sources_are_checked_and_cleaned(book: Codebook) -> None:
    dated = statement(corroborated_by=[{"url": "https://b.example", "published": "2025-02-30"}])
    assert dated.field_problems(book) == [
        ("corroborated_by", "corroborating source 1: published '2025-02-30' is not a real date")
    ]
    long = statement(corroborated_by=[{"url": "https://b.example/" + "x" * 4_000}])
    assert [name for name, _ in long.field_problems(book)] == ["corroborated_by"]
    many = statement(corroborated_by=[{"url": f"https://b.example/{n}"} for n in range(101)])
    assert "101 sources; the limit is 100" in many.problems(book)[0]
    dirty = statement(corroborated_by=[{"url": "https://b.example", "title": f"T {ESCAPES['clear_screen']}"}])
    cleaned = dirty.sanitised()
    assert cleaned is not dirty and cleaned.corroborated_by[0].title == "T beforeafter"
    assert statement(corroborated_by=[{"url": "https://b.example"}]).sanitised().corroborated_by[0].url == (
        "https://b.example"
    )


def test_check_names_a_corroborating_source_that_holds_control_characters() -> None:
    from tracker.checks import text_problems

    dirty = Statement.from_json({**statement().as_json(), "corroborated_by": [{"url": "https://b.example\x1b[2J"}]})
    assert text_problems(dirty) == ["corroborated_by: control characters or escape sequences (not written by tracker)"]
    assert text_problems(statement(corroborated_by=[{"url": "https://b.example"}])) == []


def test_the_quick_url_check_agrees_with_urlsplit() -> None:
    from urllib.parse import urlsplit

    from tracker.model import _PLAIN_WEB_URL, is_web_url

    urls = [
        "https://news.example.org/2025/a37c61f11c", "http://127.0.0.1:8080/feed.xml", "https://x.org",
        "https://x.org?q=1", "https://x.org#top", "HTTPS://X.ORG/a", "https://user@x.org/", "https://[::1]/a",
        "https://[::1/a", "notaurl", "www.x.org/a", "ftp://x.org/a", "https://", "https:///a", "http://a b/",
        "https://x.org:99999/", "javascript:alert(1)", "https://xn--80ak6aa92e.com/путь", "http://x.org/a b",
    ]  # fmt: skip
    for url in urls:
        try:
            parts = urlsplit(url)
            slow = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:
            slow = False
        if _PLAIN_WEB_URL.match(url):
            assert slow, url  # the quick path says yes only where urlsplit does
        assert is_web_url(url) == slow, url
