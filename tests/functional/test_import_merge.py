"""Imports that merge (issue 14, point 4): `import --merge` by (statement id, rev), and CSV imports
that keep a revision's record time and author.

Two analysts start from one record (the bundled one), each writes to their own copy
as themselves ($TRACKER_USER), and one merges the other's export.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.helpers import Invoke, as_json, assert_one_clear_error, ok, snapshot


@pytest.fixture
def ours(demo_path: Path) -> Path:
    return demo_path


@pytest.fixture
def theirs(demo_path: Path, tmp_path: Path) -> Path:
    """The colleague's copy of the same record."""
    path = tmp_path / "theirs" / "positions.json"
    path.parent.mkdir()
    shutil.copyfile(demo_path, path)
    return path


class Analysts:
    """Run a command as one analyst or another (``$TRACKER_USER``, which names who records a revision)."""

    def __init__(self, invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
        self.invoke = invoke
        self.monkeypatch = monkeypatch

    def run(self, who: str, *args: str, db: Path) -> Result:
        self.monkeypatch.setenv("TRACKER_USER", who)
        return ok(self.invoke(*args, db=db))

    def json(self, who: str, *args: str, db: Path) -> Any:
        return json.loads(self.run(who, *args, "--format", "json", db=db).stdout)


@pytest.fixture
def analysts(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> Analysts:
    return Analysts(invoke, monkeypatch)


def exported(invoke: Invoke, db: Path, name: str, *args: str) -> Path:
    target = db.parent / name
    ok(invoke("export", "-o", str(target), *args, db=db))
    return target


def statement_ids(invoke: Invoke, db: Path) -> list[str]:
    return [s["id"] for s in as_json(invoke, db, "log")]


def merged(invoke: Invoke, db: Path, source: Path, *flags: str) -> Result:
    return invoke("import", "--merge", str(source), *flags, db=db)


NEW = ("add", "--party", "usa", "--issue", "nato", "--stance", "unrealistic", "--date", "2025-04-02", "--grade", "B2")


# -- nothing new, something new ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_merging_our_own_export_finds_everything_present_and_writes_nothing(
    invoke: Invoke, ours: Path, kind: str
) -> None:
    source = exported(invoke, ours, f"ours.{kind}")
    before = snapshot(ours.parent)
    stamp = ours.stat().st_mtime_ns
    result = ok(merged(invoke, ours, source))
    assert result.stdout == "0 added, 30 already present, 0 conflicts\n"
    assert snapshot(ours.parent) == before and ours.stat().st_mtime_ns == stamp


def test_a_colleagues_statements_and_corrections_are_added_as_they_recorded_them(
    analysts: Analysts, invoke: Invoke, ours: Path, theirs: Path
) -> None:
    one, two = statement_ids(invoke, ours)[:2]
    added = analysts.json("bob", *NEW, db=theirs)
    fixed = analysts.json("bob", "correct", one, "--grade", "A1", "--reason", "transcript", db=theirs)
    mine = analysts.json("alice", "correct", two, "--note", "alice's note", "--reason", "mine", db=ours)
    source = exported(invoke, theirs, "theirs.json")

    assert ok(merged(invoke, ours, source)).stdout == "2 added, 30 already present, 0 conflicts\n"
    assert (
        as_json(invoke, ours, "show", added["id"])["revisions"]
        == as_json(invoke, theirs, "show", added["id"])["revisions"]
    )
    revisions = as_json(invoke, ours, "show", one)["revisions"]
    assert [(r["rev"], r["recorded_by"], r["recorded_at"]) for r in revisions][1:] == [(2, "bob", fixed["recorded_at"])]
    assert as_json(invoke, ours, "show", two)["revisions"][-1]["recorded_at"] == mine["recorded_at"]
    assert ok(invoke("check", db=ours)).exit_code == 0
    # Again: all of it is there now.
    assert ok(merged(invoke, ours, source)).stdout == "0 added, 32 already present, 0 conflicts\n"

    # --known-at just before bob recorded his statement: our file did not say it then, as his did not.
    def usa_on_nato(*known_at: str) -> str:
        grid = as_json(invoke, ours, "matrix", "--as-of", "2025-04-30", "-p", "usa", "-i", "nato", *known_at)
        assert grid == as_json(invoke, theirs, "matrix", "--as-of", "2025-04-30", "-p", "usa", "-i", "nato", *known_at)
        return str(grid["cells"][0]["statement_id"])

    assert usa_on_nato() == added["id"]
    assert usa_on_nato("--known-at", added["recorded_at"][:-8] + "Z") != added["id"]  # the second before


def test_the_file_may_hold_a_revision_twice_it_is_added_once(invoke: Invoke, store_path: Path, tmp_path: Path) -> None:
    revision = {
        "id": "st_twice", "rev": 1, "party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01",
        "recorded_at": "2025-04-02T10:00:00Z", "recorded_by": "bob",
    }  # fmt: skip
    source = tmp_path / "twice.json"
    source.write_text(json.dumps([revision, revision]))
    assert ok(merged(invoke, store_path, source)).stdout == "1 added, 1 already present, 0 conflicts\n"
    shown = as_json(invoke, store_path, "show", "st_twice")
    assert (shown["recorded_at"], shown["recorded_by"]) == ("2025-04-02T10:00:00.000000Z", "bob")


# -- conflicts ----------------------------------------------------------------------------


def diverged(analysts: Analysts, invoke: Invoke, ours: Path, theirs: Path) -> tuple[str, Path]:
    """Both correct the same statement differently (its rev 2 differs); bob corrects it once more and
    adds a statement of his own. Returns the statement and bob's export."""
    target = statement_ids(invoke, ours)[0]
    analysts.run("alice", "correct", target, "--grade", "A2", "--reason", "alice's reading", db=ours)
    analysts.run("bob", "correct", target, "--grade", "B1", "--reason", "bob's reading", db=theirs)
    analysts.run("bob", "correct", target, "--stance", "cede-claimed", "--reason", "bob again", db=theirs)
    analysts.run("bob", *NEW, db=theirs)
    return target, exported(invoke, theirs, "theirs.json")


def test_a_conflict_is_listed_and_nothing_is_written(
    analysts: Analysts, invoke: Invoke, ours: Path, theirs: Path
) -> None:
    target, source = diverged(analysts, invoke, ours, theirs)
    before = snapshot(ours.parent)
    result = merged(invoke, ours, source)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"conflict: {target} rev 2 differs in grade, recorded_at, recorded_by, reason: ")
    assert "by alice" in lines[0] and "by bob" in lines[0] and "1 later revision" in lines[0]
    assert lines[1].startswith("nothing was written: 1 new, 30 already present, 1 conflict (rerun with --force-theirs")
    assert result.stderr == ""
    assert snapshot(ours.parent) == before  # not even bob's new statement


def test_keep_ours_skips_their_diverging_revisions_and_adds_the_rest(
    analysts: Analysts, invoke: Invoke, ours: Path, theirs: Path
) -> None:
    target, source = diverged(analysts, invoke, ours, theirs)
    history = as_json(invoke, ours, "show", target)
    result = ok(merged(invoke, ours, source, "--keep-ours"))
    assert result.stdout.splitlines()[-1] == (
        "1 added, 30 already present, 1 conflict (ours kept: 2 of their revisions skipped)"
    )
    assert as_json(invoke, ours, "show", target) == history  # bob's later correction went with his first
    assert len(statement_ids(invoke, ours)) == 31


def test_force_theirs_adds_their_revisions_after_ours_and_loses_nothing(
    analysts: Analysts, invoke: Invoke, ours: Path, theirs: Path
) -> None:
    target, source = diverged(analysts, invoke, ours, theirs)
    result = ok(merged(invoke, ours, source, "--force-theirs"))
    assert result.stdout.splitlines()[-1] == "3 added, 30 already present, 1 conflict (theirs added after ours)"
    revisions = as_json(invoke, ours, "show", target)["revisions"]
    assert [(r["rev"], r["recorded_by"], r["reason"]) for r in revisions] == [
        (1, "tracker-demo", ""),
        (2, "alice", "alice's reading"),
        (3, "bob", "bob's reading"),
        (4, "bob", "bob again"),
    ]
    theirs_now = as_json(invoke, theirs, "show", target)
    shown = as_json(invoke, ours, "show", target)
    assert {k: v for k, v in shown.items() if k not in ("rev", "revisions")} == {
        k: v for k, v in theirs_now.items() if k not in ("rev", "revisions")
    }  # theirs is the statement's latest
    assert ok(invoke("check", db=ours)).exit_code == 0
    # Merging the same file again finds it all, renumbered or not: no conflict left.
    assert ok(merged(invoke, ours, source)).stdout == "0 added, 33 already present, 0 conflicts\n"


# -- CSV ------------------------------------------------------------------------------------


def test_a_csv_export_merges_its_latest_revisions(analysts: Analysts, invoke: Invoke, ours: Path, theirs: Path) -> None:
    """A CSV holds each statement's latest revision: a correction we lack comes after ours, a statement
    we lack comes with its retraction, and merging it again adds nothing."""
    target = statement_ids(invoke, ours)[0]
    analysts.run("bob", "correct", target, "--grade", "B1", "--reason", "one", db=theirs)
    analysts.run("bob", "correct", target, "--grade", "A1", "--reason", "two", db=theirs)  # their rev 3
    added = analysts.json("bob", *NEW, db=theirs)
    analysts.run("bob", "retract", added["id"], "--reason", "walked back", "--date", "2025-04-10", db=theirs)
    source = exported(invoke, theirs, "theirs.csv")

    assert ok(merged(invoke, ours, source)).stdout == "3 added, 29 already present, 0 conflicts\n"
    history = as_json(invoke, ours, "show", target)["revisions"]
    assert [(r["rev"], r["grade"], r["reason"]) for r in history][1:] == [(2, "A1", "two")]  # after ours
    retracted = as_json(invoke, ours, "show", added["id"])
    assert [(r["rev"], r["retracted"]) for r in retracted["revisions"]] == [(1, False), (2, True)]
    latest_theirs = as_json(invoke, theirs, "show", added["id"])["revisions"][-1]
    assert {k: v for k, v in retracted["revisions"][-1].items() if k != "rev"} == {
        k: v for k, v in latest_theirs.items() if k != "rev"
    }
    assert ok(merged(invoke, ours, source)).stdout == "0 added, 31 already present, 0 conflicts\n"


def test_a_csv_conflict_is_one_line(analysts: Analysts, invoke: Invoke, ours: Path, theirs: Path) -> None:
    target = statement_ids(invoke, ours)[0]
    analysts.run("alice", "correct", target, "--grade", "A2", db=ours)
    analysts.run("bob", "correct", target, "--grade", "B1", db=theirs)
    result = merged(invoke, ours, exported(invoke, theirs, "theirs.csv"))
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["conflict", "nothing was written"]


# -- CSV import keeps who wrote what, and when -------------------------------------------------


def test_a_csv_import_keeps_record_time_and_author(invoke: Invoke, ours: Path, store_path: Path) -> None:
    source = exported(invoke, ours, "ours.csv", "--format", "csv")
    ok(invoke("import", str(source), db=store_path))

    def stamps(db: Path) -> list[tuple[str, str, str]]:
        return [(s["id"], s["recorded_at"], s["recorded_by"]) for s in as_json(invoke, db, "log", "--revisions")]

    assert stamps(store_path) == stamps(ours)
    assert {by for _, _, by in stamps(store_path)} == {"tracker-demo"}  # not the importer ("tester")
    halfway = sorted(at for _, at, _ in stamps(ours))[15]  # the bundled record was recorded one by one
    for known_at in ("2026-11-01", halfway, "2026-11-30T23:59Z"):
        then = ["matrix", "--as-of", "2025-03-31", "--known-at", known_at]
        assert as_json(invoke, store_path, *then) == as_json(invoke, ours, *then)


def csv_text(**columns: str) -> str:
    row = {"party": "russia", "issue": "nato", "stance": "renounce", "stated_on": "2025-02-12", **columns}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue()


def test_a_csv_record_time_in_any_offset_is_stored_as_utc(invoke: Invoke, store_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(csv_text(recorded_at="2025-02-13T01:00:00+05:00", recorded_by="Olena"))
    ok(invoke("import", str(source), db=store_path))
    (statement,) = as_json(invoke, store_path, "log")
    assert (statement["recorded_at"], statement["recorded_by"]) == ("2025-02-12T20:00:00.000000Z", "Olena")


def test_a_csv_without_record_times_is_stamped_by_the_import(invoke: Invoke, store_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(csv_text())
    ok(invoke("import", str(source), db=store_path))
    (statement,) = as_json(invoke, store_path, "log")
    assert statement["recorded_by"] == "tester" and statement["recorded_at"] > "2026"


@pytest.mark.parametrize("value", ["yesterday", "2025-02-13", "2025-02-30T10:00:00Z", "soon"])
@pytest.mark.parametrize("merge", [False, True], ids=["import", "merge"])
def test_a_bad_csv_record_time_is_one_line(
    invoke: Invoke, store_path: Path, tmp_path: Path, value: str, merge: bool
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(csv_text(recorded_at=value))
    before = snapshot(store_path.parent)
    result = invoke("import", *(["--merge"] if merge else []), str(source), db=store_path)
    assert result.exit_code == 2
    assert_one_clear_error(result.stderr, "line 2", "recorded_at", repr(value), "nothing was imported")
    assert snapshot(store_path.parent) == before


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--merge", "--force-theirs", "--keep-ours"], ["one of --force-theirs and --keep-ours"]),
        (["--keep-ours"], ["only with --merge"]),
        (["--force-theirs"], ["only with --merge"]),
    ],
    ids=" ".join,
)
def test_resolutions_need_a_merge_and_only_one(invoke: Invoke, ours: Path, args: list[str], words: list[str]) -> None:
    source = exported(invoke, ours, "ours.json")
    before = snapshot(ours.parent)
    result = invoke("import", *args, str(source), db=ours)
    assert result.exit_code == 2
    assert_one_clear_error(result.stderr, *words)
    assert snapshot(ours.parent) == before


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ({"rev": "two"}, ["item 1", "rev must be a whole number"]),
        ({"rev": 0}, ["item 1", "rev 0 must be 1 or more"]),
        ({"stance": "maybe"}, ["item 1", "maybe"]),
    ],
    ids=["rev as text", "rev 0", "unknown stance"],
)
def test_a_bad_item_in_a_merge_is_one_line(
    invoke: Invoke, ours: Path, tmp_path: Path, item: dict[str, Any], words: list[str]
) -> None:
    base = {"id": "st_new", "party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"}
    source = tmp_path / "in.json"
    source.write_text(json.dumps([{**base, **item}]))
    before = snapshot(ours.parent)
    result = merged(invoke, ours, source)
    assert result.exit_code == 2
    assert_one_clear_error(result.stderr, *words)
    assert snapshot(ours.parent) == before
