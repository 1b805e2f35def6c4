"""Every core command through click's CliRunner, asserting on what the analyst sees."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.helpers import BUNDLED, Invoke, as_json, ok
from tests.hostile import ESCAPES, MARKUP, assert_clean
from tracker.store import Store, default_tables


def add_args(party: str = "russia", issue: str = "nato", stance: str = "renounce", on: str = "2025-02-12") -> list[str]:
    return ["add", "--party", party, "--issue", issue, "--stance", stance, "--date", on, "--grade", "B2"]


def add(invoke: Invoke, db: Path, *extra: str, **given: str) -> dict[str, Any]:
    """``tracker add`` with the given fields; the new revision as JSON."""
    statement: dict[str, Any] = as_json(invoke, db, *add_args(**given), *extra)
    return statement


def cells(invoke: Invoke, db: Path, *args: str) -> dict[tuple[str, str], dict[str, Any]]:
    grid = as_json(invoke, db, "matrix", *args)
    return {(c["party"], c["issue"]): c for c in grid["cells"]}


def midpoint(start: str, end: str) -> str:
    """An ISO instant halfway between two recorded_at values."""
    a, b = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (start, end))
    return (a + (b - a) / 2).isoformat()


def assert_fails_cleanly(result: Result, *words: str) -> None:
    """Exit 2, one line on stderr naming the problem, nothing on stdout."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("tracker: error: ")
    for word in words:
        assert word in lines[0], lines[0]
    assert result.stdout == ""


# -- the acceptance path: add, correct, retract, show, known-at ----------------------


def test_add_correct_retract_leave_three_revisions(invoke: Invoke, store_path: Path) -> None:
    first = add(invoke, store_path, "--speaker", "Peskov", stance="not-now", on="2025-02-12")
    assert (first["rev"], first["stance"], first["retracted"]) == (1, "not-now", False)
    statement_id = first["id"]
    assert isinstance(statement_id, str) and statement_id.startswith("st_")

    second = as_json(invoke, store_path, "correct", statement_id, "--stance", "renounce", "--reason", "misread")
    assert (second["id"], second["rev"], second["stance"], second["reason"]) == (statement_id, 2, "renounce", "misread")
    assert second["speaker"] == "Peskov"

    third = as_json(invoke, store_path, "retract", statement_id, "--reason", "never said")
    assert (third["id"], third["rev"], third["retracted"], third["reason"]) == (statement_id, 3, True, "never said")

    shown = as_json(invoke, store_path, "show", statement_id)
    assert [r["rev"] for r in shown["revisions"]] == [1, 2, 3]
    assert [r["stance"] for r in shown["revisions"]] == ["not-now", "renounce", "renounce"]
    assert shown["revisions"][0] == first and shown["revisions"][1] == second and shown["revisions"][2] == third
    assert shown["rev"] == 3 and shown["retracted"] is True

    table = ok(invoke("show", statement_id, db=store_path)).stdout
    for expected in (statement_id, "first recorded", "corrected: misread", "retracted: never said"):
        assert expected in table

    # Now: retracted, so no position. As known when first recorded: the first stance.
    assert cells(invoke, store_path, "--as-of", "2025-03-01") == {}
    then = cells(invoke, store_path, "--as-of", "2025-03-01", "--known-at", first["recorded_at"])
    assert then[("russia", "nato")]["stance"] == "not-now"
    assert then[("russia", "nato")]["statement_id"] == statement_id
    between = midpoint(first["recorded_at"], second["recorded_at"])
    assert cells(invoke, store_path, "--as-of", "2025-03-01", "--known-at", between)[("russia", "nato")]["stance"] == (
        "not-now"
    )
    later = cells(invoke, store_path, "--as-of", "2025-03-01", "--known-at", second["recorded_at"])
    assert later[("russia", "nato")]["stance"] == "renounce"
    grid = as_json(invoke, store_path, "matrix", "--as-of", "2025-03-01", "--known-at", first["recorded_at"])
    assert grid["known_at"] == first["recorded_at"]


def test_known_at_a_date_before_the_record_is_empty(invoke: Invoke, store_path: Path) -> None:
    add(invoke, store_path)
    assert cells(invoke, store_path, "--as-of", "2025-03-01", "--known-at", "2000-01-01") == {}
    assert cells(invoke, store_path, "--as-of", "2025-03-01", "--known-at", "2999-01-01T00:00Z")


@pytest.mark.parametrize("when", ["today", "yesterday"])
def test_known_at_takes_the_date_words(invoke: Invoke, store_path: Path, when: str) -> None:
    add(invoke, store_path)
    grid = as_json(invoke, store_path, "matrix", "--as-of", "2025-03-01", "--known-at", when)
    assert grid["known_at"]


def test_add_prints_only_the_id(invoke: Invoke, store_path: Path) -> None:
    printed = ok(invoke(*add_args(), db=store_path)).stdout
    assert printed.strip().startswith("st_") and len(printed.strip().splitlines()) == 1
    shown = as_json(invoke, store_path, "show", printed.strip())
    assert shown["recorded_by"] == "tester"


def test_add_takes_every_field(invoke: Invoke, store_path: Path) -> None:
    statement = add(
        invoke, store_path,
        "--summary", "No NATO.", "--quote", "Never.", "--speaker", "Lavrov", "--channel", "interview",
        "--condition", "neutral status", "--condition", "no foreign troops", "--url", "https://e.example/a",
        "--title", "Lavrov interview", "--outlet", "TASS", "--published", "2025-02-13", "--grade", "B2",
        "--tag", "talks", "--note", "as reported",
    )  # fmt: skip
    assert statement["conditions"] == ["neutral status", "no foreign troops"]
    assert statement["source"] == {
        "url": "https://e.example/a",
        "title": "Lavrov interview",
        "outlet": "TASS",
        "published": "2025-02-13",
    }
    assert (statement["channel"], statement["grade"], statement["tags"], statement["note"]) == (
        "interview",
        "B2",
        ["talks"],
        "as reported",
    )


def test_add_takes_relative_dates(invoke: Invoke, store_path: Path) -> None:
    from datetime import date, timedelta

    statement = add(invoke, store_path, on="3d")
    assert statement["stated_on"] == (date.today() - timedelta(days=3)).isoformat()


def test_correct_merges_the_source(invoke: Invoke, store_path: Path) -> None:
    first = add(invoke, store_path, "--url", "https://e.example/a", "--title", "Old")
    second = as_json(invoke, store_path, "correct", first["id"], "--title", "New", "--date", "2025-02-13")
    assert second["source"]["url"] == "https://e.example/a" and second["source"]["title"] == "New"
    assert second["stated_on"] == "2025-02-13"


def test_retract_with_a_date(invoke: Invoke, store_path: Path) -> None:
    first = add(invoke, store_path, on="2025-02-12")
    gone = as_json(invoke, store_path, "retract", first["id"], "--reason", "walked back", "--date", "2025-03-01")
    assert gone["withdrawn_on"] == "2025-03-01"
    assert ("russia", "nato") in cells(invoke, store_path, "--as-of", "2025-02-28")
    assert ("russia", "nato") not in cells(invoke, store_path, "--as-of", "2025-03-01")
    assert "2025-03-01" in ok(invoke("show", first["id"], db=store_path)).stdout


# -- bad input: one line, exit 2, file unchanged -------------------------------------


BAD_INPUT: list[tuple[str, list[str], list[str]]] = [
    ("unknown party", add_args(party="atlantis"), ["atlantis"]),
    ("unknown issue", add_args(issue="gas"), ["gas"]),
    ("unknown stance", add_args(stance="maybe"), ["maybe"]),
    ("impossible date", add_args(on="2025-02-30"), ["2025-02-30"]),
    ("not a date", add_args(on="last spring"), ["last spring"]),
    ("bad grade", [*add_args(), "--grade", "Z9"], ["Z9"]),
    ("bad channel", [*add_args(), "--channel", "rumour"], ["rumour"]),
    ("bad published", [*add_args(), "--published", "2025-02-30"], ["2025-02-30"]),
    ("missing fields", ["add", "--party", "russia"], ["--issue", "--stance", "--date"]),
    ("matrix bad as-of", ["matrix", "--as-of", "2025-02-30"], ["2025-02-30"]),
    ("matrix bad known-at", ["matrix", "--known-at", "2025-02-30T10:00"], ["2025-02-30"]),
    ("matrix unknown party", ["matrix", "--party", "atlantis"], ["atlantis"]),
    ("matrix unknown issue", ["matrix", "--issue", "gas"], ["gas"]),
    ("log bad since", ["log", "--since", "2025-02-30"], ["2025-02-30"]),
    ("log since after until", ["log", "--since", "2025-03-01", "--until", "2025-02-01"], ["--since"]),
    ("log unknown party", ["log", "--party", "atlantis"], ["atlantis"]),
    ("show unknown id", ["show", "st_nope"], ["st_nope"]),
    ("correct unknown id", ["correct", "st_nope", "--stance", "renounce"], ["st_nope"]),
    ("import missing file", ["import", "missing.json"], ["missing.json"]),
    ("import unknown format", ["import", "positions.txt"], ["positions.txt"]),
    ("parties add bad id", ["parties", "add", "Not OK"], ["Not OK"]),
    ("parties add existing", ["parties", "add", "russia"], ["russia"]),
    ("parties update unknown", ["parties", "update", "atlantis", "--alias", "x"], ["atlantis"]),
    ("issues add short scale", ["issues", "add", "gas", "--stance", "only"], ["gas"]),
    ("issues add existing", ["issues", "add", "nato", "--stance", "a", "--stance", "b"], ["nato"]),
]


@pytest.mark.parametrize(("args", "words"), [(a, w) for _, a, w in BAD_INPUT], ids=[n for n, _, _ in BAD_INPUT])
def test_bad_input_is_one_line_and_changes_nothing(
    invoke: Invoke, demo_path: Path, args: list[str], words: list[str]
) -> None:
    before = demo_path.read_bytes()
    assert_fails_cleanly(invoke(*args, db=demo_path), *words)
    assert demo_path.read_bytes() == before


REVISION_ERRORS: list[tuple[str, Callable[[str], list[str]], list[str]]] = [
    ("correct nothing", lambda i: ["correct", i], ["nothing to correct"]),
    ("correct to the same", lambda i: ["correct", i, "--stance", "renounce"], ["nothing to correct"]),
    ("correct unknown stance", lambda i: ["correct", i, "--stance", "maybe"], ["maybe"]),
    ("correct bad date", lambda i: ["correct", i, "--date", "2025-02-30"], ["2025-02-30"]),
    ("retract without reason", lambda i: ["retract", i], ["reason"]),
    ("retract bad date", lambda i: ["retract", i, "--reason", "x", "--date", "2025-02-30"], ["2025-02-30"]),
    ("retract before stated", lambda i: ["retract", i, "--reason", "x", "--date", "2025-01-01"], ["2025-01-01"]),
]


@pytest.mark.parametrize(
    ("make", "words"), [(m, w) for _, m, w in REVISION_ERRORS], ids=[n for n, _, _ in REVISION_ERRORS]
)
def test_refused_revisions_are_one_line(
    invoke: Invoke, store_path: Path, make: Callable[[str], list[str]], words: list[str]
) -> None:
    statement_id = add(invoke, store_path)["id"]
    before = store_path.read_bytes()
    assert_fails_cleanly(invoke(*make(statement_id), db=store_path), *words)
    assert store_path.read_bytes() == before


USAGE_ERRORS = [
    ["matrix", "--format", "xml"],
    ["add", "--bogus"],
    ["show"],
    ["no-such-command"],
]


@pytest.mark.parametrize("args", [*USAGE_ERRORS, ["matrix", "--as-of"]], ids=" ".join)
def test_usage_errors_exit_2_without_a_traceback(invoke: Invoke, demo_path: Path, args: list[str]) -> None:
    before = demo_path.read_bytes()
    result = invoke(*args, db=demo_path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "error" in result.stderr.lower()
    assert demo_path.read_bytes() == before


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=" ".join)
def test_usage_errors_are_one_line(invoke: Invoke, demo_path: Path, args: list[str]) -> None:
    assert len(invoke(*args, db=demo_path).stderr.strip().splitlines()) == 1


def test_a_retracted_statement_cannot_be_corrected_or_retracted(invoke: Invoke, store_path: Path) -> None:
    statement_id = add(invoke, store_path)["id"]
    ok(invoke("retract", statement_id, "--reason", "wrong", db=store_path))
    before = store_path.read_bytes()
    assert_fails_cleanly(invoke("correct", statement_id, "--stance", "not-now", db=store_path), "retracted")
    assert_fails_cleanly(invoke("retract", statement_id, "--reason", "again", db=store_path), "retracted")
    assert store_path.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [["matrix"], add_args(), ["log"], ["show", "st_x"], ["check"], ["export"], ["parties"], ["issues"]],
    ids=" ".join,
)
def test_a_missing_store_says_how_to_make_one(invoke: Invoke, tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "missing.json"
    assert_fails_cleanly(invoke(*args, db=missing), "missing.json", "tracker init")
    assert not missing.exists()


def test_no_store_anywhere(invoke: Invoke, tmp_path: Path) -> None:
    assert_fails_cleanly(invoke("matrix"), "tracker init", "tracker init --demo", "--db", "TRACKER_DB")
    assert list(tmp_path.iterdir()) == []


def test_tracker_db_and_the_current_folder_are_used(
    invoke: Invoke, demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_DB", str(demo_path))
    assert cells(invoke, demo_path, "--as-of", "2025-03-31")  # --db
    from_env = ok(invoke("matrix", "--as-of", "2025-03-31", "--format", "json")).stdout
    monkeypatch.delenv("TRACKER_DB")
    (tmp_path / "positions.json").write_bytes(demo_path.read_bytes())
    from_folder = ok(invoke("matrix", "--as-of", "2025-03-31", "--format", "json")).stdout
    assert from_env == from_folder


def test_db_beats_tracker_db(
    invoke: Invoke, demo_path: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_DB", str(demo_path))
    assert as_json(invoke, store_path, "log") == []
    assert as_json(invoke, store_path, "matrix", "--as-of", "2025-03-31")["cells"] == []


MALFORMED = {
    "empty": b"",
    "not json": b"{this is not json",
    "truncated": BUNDLED.read_bytes()[:500],
    "an array": b"[]",
    "no meta": b'{"statements": {}}',
    "a table that is a list": b'{"meta": {"1": {"schema": 1}}, "statements": []}',
    "a statement that is text": b'{"meta": {"1": {"schema": 1}}, "statements": {"1": "x"}}',
    "newer schema": b'{"meta": {"1": {"schema": 999}}}',
    "binary": bytes(range(256)),
}


@pytest.mark.parametrize("content", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_store_is_one_line_and_untouched(invoke: Invoke, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "positions.json"
    path.write_bytes(content)
    for args in (["matrix"], add_args(), ["log"], ["show", "st_x"], ["parties"], ["export"], ["init", "--demo"]):
        assert_fails_cleanly(invoke(*args), "positions.json")
        assert path.read_bytes() == content, args
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "positions.json.lock") == ["positions.json"]


BAD_DOCUMENTS: dict[str, dict[str, Any]] = {
    "rev as text": {"rev": "2"},
    "rev as bool": {"rev": True},
    "retracted as text": {"retracted": "yes"},
    "stated_on as number": {"stated_on": 20250212},
    "conditions as number": {"conditions": 5},
    "tags with a number": {"tags": ["a", 1]},
    "source as text": {"source": "https://e.example"},
    "source with a number": {"source": {"url": 1}},
    "party missing": {"party": None},
    "speaker as object": {"speaker": {"name": "Peskov"}},
}


@pytest.mark.parametrize("change", BAD_DOCUMENTS.values(), ids=BAD_DOCUMENTS.keys())
def test_a_hand_edited_statement_of_the_wrong_type_is_one_line(
    invoke: Invoke, demo_path: Path, change: dict[str, Any]
) -> None:
    data = json.loads(demo_path.read_bytes())
    first = next(iter(data["statements"].values()))
    first.update(change)
    demo_path.write_text(json.dumps(data))
    before = demo_path.read_bytes()
    for args in (["matrix"], ["log"], ["export"]):
        assert_fails_cleanly(invoke(*args, db=demo_path), demo_path.name)
        assert demo_path.read_bytes() == before
    report = invoke("check", "--format", "json", db=demo_path)
    assert report.exit_code == 1
    assert any(first["id"] in p for p in json.loads(report.stdout)["problems"])


def test_a_store_written_with_only_some_fields_reads_the_same(invoke: Invoke, demo_path: Path, tmp_path: Path) -> None:
    """Documents missing optional fields (an older or hand-written file) give the same answers."""
    data = json.loads(demo_path.read_bytes())
    for doc in data["statements"].values():
        for name in ("note", "tags", "withdrawn_on", "reason", "quote", "conditions", "channel"):
            if not doc.get(name):
                doc.pop(name, None)
    sparse = tmp_path / "sparse.json"
    sparse.write_text(json.dumps(data))
    for args in (["matrix", "--as-of", "2025-03-31"], ["matrix", "--as-of", "2025-02-11"], ["log", "--revisions"]):
        assert as_json(invoke, sparse, *args) == as_json(invoke, demo_path, *args)
    assert ok(invoke("check", db=sparse)).exit_code == 0


def test_a_store_with_bad_codes_points_to_check(invoke: Invoke, demo_path: Path) -> None:
    data = json.loads(demo_path.read_bytes())
    next(iter(data["statements"].values()))["stance"] = "maybe"
    demo_path.write_text(json.dumps(data))
    before = demo_path.read_bytes()
    assert_fails_cleanly(invoke("matrix", db=demo_path), "maybe", "tracker check")
    assert_fails_cleanly(invoke(*add_args(), db=demo_path), "maybe")
    assert demo_path.read_bytes() == before


# -- init ----------------------------------------------------------------------------


def test_init_creates_the_default_codebook(invoke: Invoke, tmp_path: Path) -> None:
    printed = ok(invoke("init", "--title", "My talks")).stdout
    path = tmp_path / "positions.json"
    assert str(path.name) in printed and "0 statements" in printed
    assert [p["id"] for p in as_json(invoke, path, "parties")] == ["russia", "ukraine", "usa", "europe"]
    issues = as_json(invoke, path, "issues")
    assert [i["id"] for i in issues] == ["nato", "territory", "kursk", "ceasefire", "sanctions"]
    assert as_json(invoke, path, "log") == []
    assert ok(invoke("check", db=path)).exit_code == 0
    assert "My talks" in ok(invoke("matrix", db=path)).stdout


def test_init_refuses_to_overwrite_and_force_keeps_a_backup(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "positions.json"
    ok(invoke("init"))
    add(invoke, path)
    before = path.read_bytes()
    assert_fails_cleanly(invoke("init"), "--force")
    assert_fails_cleanly(invoke("init", "--demo"), "--force")
    assert path.read_bytes() == before
    ok(invoke("init", "--demo", "--force"))
    backups = list(tmp_path.glob("positions.json.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert path.read_bytes() == BUNDLED.read_bytes()


def test_every_forced_init_keeps_its_own_backup(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "positions.json"
    ok(invoke("init"))
    versions = []
    for day in ("2025-02-10", "2025-02-11", "2025-02-12"):  # quicker than a second apart
        add(invoke, path, on=day)
        versions.append(path.read_bytes())
        ok(invoke("init", "--force"))
    kept = sorted(b.read_bytes() for b in tmp_path.glob("positions.json.*.bak"))
    assert kept == sorted(versions)


def test_init_demo_works_from_any_folder(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_path: Path
) -> None:
    elsewhere = tmp_path / "a" / "b"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    printed = ok(invoke("init", "--demo")).stdout
    created = elsewhere / "positions.json"
    assert created.read_bytes() == BUNDLED.read_bytes()
    count = len(as_json(invoke, created, "log"))
    assert f"{count} statements" in printed
    other = tmp_path / "named.json"
    ok(invoke("init", "--demo", db=other))
    assert other.read_bytes() == BUNDLED.read_bytes()


def test_init_where_no_file_can_be_is_one_line(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    assert_fails_cleanly(invoke("init", db=tmp_path / "afile" / "positions.json"), "positions.json")
    assert_fails_cleanly(invoke("init", db=tmp_path), str(tmp_path.name))


# -- listings ------------------------------------------------------------------------


def test_matrix_formats(invoke: Invoke, demo_path: Path) -> None:
    grid = as_json(invoke, demo_path, "matrix", "--as-of", "2025-03-31")
    assert set(grid) == {"as_of", "known_at", "policy", "parties", "issues", "cells", "unconfirmed"}
    assert grid["policy"] == {"min_grade": "C3", "window_days": 7, "include_reported": False}
    assert grid["as_of"] == "2025-03-31" and grid["known_at"] is None
    for cell in grid["cells"]:
        assert set(cell) == {
            "party",
            "issue",
            "stance",
            "label",
            "score",
            "stated_on",
            "statement_id",
            "version",
            "grade",
            "speaker",
            "evidence",
            "contested",
            "conflicts",
            "reported",
        }
        assert cell["stated_on"] <= "2025-03-31" and cell["evidence"] == "stated"

    rows = list(
        csv.DictReader(io.StringIO(ok(invoke("matrix", "--as-of", "2025-03-31", "-f", "csv", db=demo_path)).stdout))
    )
    assert [(r["party"], r["issue"], r["stance"]) for r in rows if r["stance"]] == [
        (c["party"], c["issue"], c["stance"]) for c in grid["cells"]
    ]
    unconfirmed = [(r["party"], r["issue"], r["reported"]) for r in rows if not r["stance"]]
    assert unconfirmed == [
        (u["party"], u["issue"], "; ".join(r["stance"] for r in u["reported"])) for u in grid["unconfirmed"]
    ]

    markdown = ok(invoke("matrix", "--as-of", "2025-03-31", "--format", "markdown", db=demo_path)).stdout
    assert markdown.startswith("## ") and "| party |" in markdown and "| Russia |" in markdown

    table = ok(invoke("matrix", "--as-of", "2025-03-31", db=demo_path)).stdout
    for word in ("Russia", "Ukraine", "United States", "NATO", "Ceasefire", "2025-03-31"):
        assert word in table


LISTINGS = [
    ["matrix", "--as-of", "2025-03-31"],
    ["log"],
    ["log", "--revisions"],
    ["parties"],
    ["issues"],
    ["check"],
]


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_every_listing_takes_every_format(invoke: Invoke, demo_path: Path, args: list[str], fmt: str) -> None:
    out = ok(invoke(*args, "--format", fmt, db=demo_path)).stdout
    assert out.strip()
    if fmt == "json":
        json.loads(out)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows and all(len(r) == len(rows[0]) for r in rows)
    elif fmt == "markdown":
        assert "|" in out or out.startswith("#")


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_show_and_revisions_take_every_format(invoke: Invoke, store_path: Path, fmt: str) -> None:
    statement_id = add(invoke, store_path)["id"]
    for args in (
        ["show", statement_id],
        ["correct", statement_id, "--summary", "Corrected."],
        ["retract", statement_id, "--reason", "wrong"],
        [*add_args(), "--summary", "Another."],
    ):
        out = ok(invoke(*args, "--format", fmt, db=store_path)).stdout.replace("\\", "")  # markdown escapes _
        assert "st_" in out
        if args[0] != "add":
            assert statement_id in out


def test_matrix_filters_and_empty_cells(invoke: Invoke, demo_path: Path) -> None:
    grid = as_json(invoke, demo_path, "matrix", "--as-of", "2025-03-31", "-p", "usa", "--party", "russia", "-i", "nato")
    assert grid["parties"] == ["usa", "russia"] and grid["issues"] == ["nato"]
    assert [(c["party"], c["issue"]) for c in grid["cells"]] == [("usa", "nato"), ("russia", "nato")]
    early = as_json(invoke, demo_path, "matrix", "--as-of", "1990-01-01")
    assert early["cells"] == []
    assert "no position" in ok(invoke("matrix", "--as-of", "1990-01-01", db=demo_path)).stdout


def test_log_lists_newest_first_and_filters(invoke: Invoke, store_path: Path) -> None:
    a = add(invoke, store_path, on="2025-01-10", stance="not-now")
    b = add(invoke, store_path, on="2025-03-10", party="ukraine", stance="join-now")
    c = add(invoke, store_path, on="2025-02-10", issue="sanctions", stance="lift")
    as_json(invoke, store_path, "correct", a["id"], "--stance", "unrealistic")
    listed = as_json(invoke, store_path, "log")
    assert [s["id"] for s in listed] == [b["id"], c["id"], a["id"]]
    assert listed[-1]["rev"] == 2 and listed[-1]["stance"] == "unrealistic"
    assert [s["id"] for s in as_json(invoke, store_path, "log", "--party", "russia")] == [c["id"], a["id"]]
    assert [s["id"] for s in as_json(invoke, store_path, "log", "--issue", "sanctions")] == [c["id"]]
    window = as_json(invoke, store_path, "log", "--since", "2025-02-01", "--until", "2025-03-01")
    assert [s["id"] for s in window] == [c["id"]]
    every = as_json(invoke, store_path, "log", "--revisions")
    assert [(s["id"], s["rev"]) for s in every if s["id"] == a["id"]] == [(a["id"], 2), (a["id"], 1)]
    table = ok(invoke("log", db=store_path)).stdout
    assert a["id"] in table and "2025-03-10" in table
    empty = ok(invoke("log", "--since", "2030-01-01", db=store_path)).stdout
    assert "No statements" in empty
    rows = list(csv.DictReader(io.StringIO(ok(invoke("log", "-f", "csv", db=store_path)).stdout)))
    assert [r["id"] for r in rows] == [b["id"], c["id"], a["id"]]


def test_show_formats(invoke: Invoke, store_path: Path) -> None:
    first = add(invoke, store_path, "--condition", "a", "--condition", "b")
    rows = list(csv.DictReader(io.StringIO(ok(invoke("show", first["id"], "-f", "csv", db=store_path)).stdout)))
    assert [(r["id"], r["rev"], r["conditions"]) for r in rows] == [(first["id"], "1", "a; b")]
    markdown = ok(invoke("show", first["id"], "-f", "markdown", db=store_path)).stdout
    assert first["id"] in markdown.replace("\\", "")  # Markdown may escape the underscore


def test_parties_and_issues(invoke: Invoke, store_path: Path) -> None:
    parties = as_json(invoke, store_path, "parties")
    assert all(set(p) == {"id", "name", "aliases", "color"} for p in parties)
    assert "Peskov" in next(p for p in parties if p["id"] == "russia")["aliases"]
    issues = as_json(invoke, store_path, "issues")
    nato = next(i for i in issues if i["id"] == "nato")
    assert set(nato) == {"id", "name", "question", "keywords", "scale"}
    assert [s["score"] for s in nato["scale"]] == list(range(len(nato["scale"])))
    assert set(nato["scale"][0]) == {"code", "label", "score", "cues"}  # the default codebook ships cues
    assert "never join" in next(s for s in nato["scale"] if s["code"] == "renounce")["cues"]
    assert "Russia" in ok(invoke("parties", db=store_path)).stdout
    assert "renounce" in ok(invoke("issues", db=store_path)).stdout


def test_the_codebook_can_be_extended(invoke: Invoke, store_path: Path) -> None:
    ok(invoke("parties", "add", "china", "--name", "China", "--alias", "Beijing", "--color", "yellow", db=store_path))
    ok(invoke("parties", "update", "china", "--alias", "Xi", db=store_path))
    china = next(p for p in as_json(invoke, store_path, "parties") if p["id"] == "china")
    assert china == {"id": "china", "name": "China", "aliases": ["Beijing", "Xi"], "color": "yellow"}
    ok(invoke("issues", "add", "prisoners", "--stance", "all-for-all:All for all", "--stance", "none",
              "--name", "Prisoners", "--keyword", "POW", db=store_path))  # fmt: skip
    ok(invoke("issues", "update", "prisoners", "--keyword", "exchange", db=store_path))
    prisoners = next(i for i in as_json(invoke, store_path, "issues") if i["id"] == "prisoners")
    assert prisoners["scale"] == [
        {"code": "all-for-all", "label": "All for all", "score": 0},
        {"code": "none", "label": "none", "score": 1},
    ]
    assert prisoners["keywords"] == ["POW", "exchange"]
    statement = add(invoke, store_path, party="china", issue="prisoners", stance="none")
    assert cells(invoke, store_path, "--as-of", "2025-12-31")[("china", "prisoners")]["statement_id"] == statement["id"]
    assert ok(invoke("check", db=store_path)).exit_code == 0


# -- check ---------------------------------------------------------------------------


def test_check_passes_on_a_clean_store(invoke: Invoke, store_path: Path) -> None:
    first = add(invoke, store_path)
    ok(invoke("correct", first["id"], "--stance", "unrealistic", db=store_path))
    ok(invoke("retract", first["id"], "--reason", "x", db=store_path))
    printed = ok(invoke("check", db=store_path)).stdout
    assert "no problems" in printed
    report = as_json(invoke, store_path, "check")
    assert report["ok"] is True and report["problems"] == []


def broken_store(path: Path) -> dict[str, str]:
    """A store file with one of each problem ``check`` must find; returns {what: statement id}."""
    tables = default_tables("Broken")
    good = {
        "party": "russia", "issue": "nato", "stance": "renounce", "stated_on": "2025-02-12", "rev": 1,
        "recorded_at": "2025-02-12T10:00:00.000000Z", "recorded_by": "x", "speaker": "Peskov",
    }  # fmt: skip
    docs = [
        {**good, "id": "st_good"},
        {**good, "id": "st_party", "party": "atlantis"},
        {**good, "id": "st_stance", "stance": "maybe"},
        {**good, "id": "st_date", "stated_on": "2025-02-30"},
        {**good, "id": "st_grade", "grade": "Z9"},
        {**good, "id": "st_dup"},
        {**good, "id": "st_dup"},
        {**good, "id": "st_chain"},
        {**good, "id": "st_chain", "rev": 3},
        {**good, "id": "st_reason", "rev": 1, "retracted": True},
    ]
    tables["statements"] = {str(n): doc for n, doc in enumerate(docs, 1)}
    path.write_text(json.dumps(tables))
    return {
        "unknown party": "st_party",
        "unknown stance": "st_stance",
        "real date": "st_date",
        "Admiralty": "st_grade",
        "duplicate": "st_dup",
        "chain": "st_chain",
        "reason": "st_reason",
    }


def test_check_reports_every_problem(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    expected = broken_store(path)
    before = path.read_bytes()
    result = invoke("check", "--format", "json", db=path)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is False
    for word, statement_id in expected.items():
        assert any(word in p and statement_id in p for p in report["problems"]), (word, report["problems"])
    assert not any("st_good" in p for p in report["problems"])
    table = invoke("check", db=path)
    assert table.exit_code == 1
    for statement_id in expected.values():
        assert statement_id in table.stdout
    assert path.read_bytes() == before


@pytest.mark.parametrize("recorded_at", ["last tuesday", "2025-02-13T01:00:00+05:00"])
def test_check_reports_a_recorded_at_that_is_not_a_stored_instant(
    invoke: Invoke, tmp_path: Path, recorded_at: str
) -> None:
    tables = default_tables()
    doc = {"id": "st_when", "rev": 1, "party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-02-12"}
    tables["statements"]["1"] = {**doc, "recorded_at": recorded_at}
    path = tmp_path / "when.json"
    path.write_text(json.dumps(tables))
    result = invoke("check", "--format", "json", db=path)
    assert result.exit_code == 1, result.output
    assert any("st_when" in p and "recorded_at" in p for p in json.loads(result.stdout)["problems"])


def test_check_reports_codebook_problems(invoke: Invoke, tmp_path: Path) -> None:
    tables = default_tables()
    tables["parties"]["9"] = dict(tables["parties"]["1"])
    tables["issues"]["9"] = {"id": "Bad Issue", "scale": ["a"]}
    path = tmp_path / "codes.json"
    path.write_text(json.dumps(tables))
    result = invoke("check", "--format", "json", db=path)
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert any("duplicate party" in p and "russia" in p for p in problems)
    assert any("Bad Issue" in p for p in problems)


def test_check_on_a_file_that_is_no_store(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "garbage.json"
    path.write_bytes(b"{nope")
    result = invoke("check", db=path)
    assert_fails_cleanly(result, "garbage.json", "not valid JSON")
    assert path.read_bytes() == b"{nope"


# -- untrusted text ------------------------------------------------------------------


def test_hostile_text_is_stored_clean_and_shown_literally(invoke: Invoke, store_path: Path) -> None:
    dirty = " ".join(ESCAPES.values())
    statement = add(
        invoke, store_path, "--quote", dirty, "--speaker", ESCAPES["osc8_link"], "--summary", MARKUP["bold"]
    )
    assert_clean(store_path.read_text())
    for args in (["show", statement["id"]], ["log"], ["show", statement["id"], "-f", "markdown"]):
        shown = ok(invoke(*args, db=store_path)).stdout
        assert_clean(shown)
    assert MARKUP["bold"] in ok(invoke("show", statement["id"], db=store_path)).stdout
    assert as_json(invoke, store_path, "show", statement["id"])["summary"] == MARKUP["bold"]


def test_hostile_text_in_an_error_is_cleaned(invoke: Invoke, store_path: Path) -> None:
    result = invoke(*add_args(party=f"evil{ESCAPES['clear_screen']}"), db=store_path)
    assert result.exit_code == 2
    assert_clean(result.stderr)
    assert len(result.stderr.splitlines()) == 1


def test_export_refuses_to_overwrite_the_store(invoke: Invoke, demo_path: Path) -> None:
    before = demo_path.read_bytes()
    result = invoke("export", "--output", str(demo_path), db=demo_path)
    assert demo_path.read_bytes() == before
    assert_fails_cleanly(result, demo_path.name)


def test_store_files_are_left_only_with_their_lock(invoke: Invoke, store_path: Path) -> None:
    first = add(invoke, store_path)
    ok(invoke("correct", first["id"], "--stance", "unrealistic", db=store_path))
    names = sorted(p.name for p in store_path.parent.iterdir() if p.name != "positions.json.idx")  # the index cache
    assert names == ["positions.json", "positions.json.lock"] or names == ["positions.json"]
    assert Store(store_path).history(first["id"])[-1].rev == 2
