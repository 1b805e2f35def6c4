"""Full backup and restore (issue 14, point 3): `export --all`, `import --all`, `restore`.

A backup holds everything (meta and policy, the codebook, every revision with its
record time, feeds, inbox) and a restore rebuilds the same positions.json, byte for
byte; a backup that is damaged, hostile or from a newer tracker is refused whole, in
one line, with the store untouched.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.helpers import ROOT, Invoke, as_json, assert_one_clear_error, ok, schema_0, seeded, snapshot, tracker
from tests.hostile import ESCAPES, FORMULA, MARKUP, assert_clean
from tracker.ingest import inbox
from tracker.store import Store

sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate


def backup_of(invoke: Invoke, db: Path, folder: Path) -> Path:
    target = folder / "backup.json"
    ok(invoke("export", "--all", "--output", str(target), db=db))
    return target


def fresh(invoke: Invoke, path: Path) -> Path:
    """A new store as `tracker init` makes it: the default codebook, no statements."""
    ok(invoke("init", db=path))
    return path


def refused(result: Result, *words: str) -> str:
    assert result.exit_code == 2, result.output
    return assert_one_clear_error(result.stderr, *words)


def busy_store(invoke: Invoke, db: Path) -> None:
    """The demo with everything a backup must carry: a policy, a custom party and issue, a statement on
    them, a correction, a retraction, a feed and inbox candidates."""
    ok(invoke("policy", "--min-grade", "B2", "--window", "3", db=db))
    ok(invoke("parties", "add", "china", "--name", "China", "--alias", "Wang Yi", db=db))
    ok(invoke("issues", "add", "prisoners", "--stance", "none", "--stance", "all-for-all", db=db))
    added = as_json(invoke, db, "add", "--party", "china", "--issue", "prisoners", "--stance", "all-for-all",
                    "--date", "2025-03-01", "--grade", "B2", "--channel", "spokesperson")  # fmt: skip
    ok(invoke("correct", added["id"], "--grade", "A2", "--reason", "transcript", db=db))
    latest = as_json(invoke, db, "log")
    ok(invoke("retract", latest[3]["id"], "--reason", "walked back", "--date", "2025-03-30", db=db))
    store = seeded(db)  # two inbox candidates
    inbox.add_feed(store, "https://example.org/feed.xml", "Wire")


# -- the round trip -------------------------------------------------------------------


def test_the_bundled_record_round_trips_byte_for_byte(invoke: Invoke, tmp_path: Path) -> None:
    original = tmp_path / "positions.json"
    ok(invoke("init", "--demo", db=original))
    backup = backup_of(invoke, original, tmp_path)
    copy = fresh(invoke, tmp_path / "copy.json")
    printed = ok(invoke("import", "--all", str(backup), db=copy)).stdout
    assert copy.read_bytes() == original.read_bytes() == (ROOT / "positions.json").read_bytes()
    assert "30 statements" in printed and "4 parties, 5 issues" in printed
    assert ok(invoke("check", db=copy)).exit_code == 0


def test_everything_is_carried_meta_policy_codebook_revisions_feeds_inbox(
    invoke: Invoke, demo_path: Path, tmp_path: Path
) -> None:
    busy_store(invoke, demo_path)
    backup = backup_of(invoke, demo_path, tmp_path)
    held = json.loads(backup.read_bytes())
    assert list(held) == ["tracker_backup", "meta", "parties", "issues", "statements", "feeds", "inbox"]
    assert held["tracker_backup"] == 1
    assert held["meta"][0]["document"]["policy"] == {"min_grade": "B2", "window_days": 3}
    assert "china" in {e["document"]["id"] for e in held["parties"]}
    assert len(held["feeds"]) == 1 and len(held["inbox"]) == 2
    assert len(held["statements"]) == len(as_json(invoke, demo_path, "log", "--revisions"))

    copy = fresh(invoke, tmp_path / "copy.json")  # the default codebook lacks china and prisoners
    ok(invoke("restore", str(backup), db=copy))
    assert copy.read_bytes() == demo_path.read_bytes()
    for args in (["policy"], ["feeds", "list"], ["inbox"], ["log", "--revisions"], ["parties"], ["issues"]):
        assert as_json(invoke, copy, *args) == as_json(invoke, demo_path, *args)
    first = as_json(invoke, demo_path, "log", "--revisions")[-1]["recorded_at"]
    then = ["matrix", "--as-of", "2025-03-31", "--known-at", first]
    assert as_json(invoke, copy, *then) == as_json(invoke, demo_path, *then)


def test_a_backup_is_the_same_bytes_every_time_on_stdout_or_in_a_file(
    invoke: Invoke, demo_path: Path, tmp_path: Path
) -> None:
    busy_store(invoke, demo_path)
    written = backup_of(invoke, demo_path, tmp_path).read_bytes()
    assert ok(invoke("export", "--all", db=demo_path)).stdout.encode() == written
    assert ok(invoke("export", "--all", db=demo_path)).stdout.encode() == written
    entries = sum(len(table) for table in json.loads(written).values() if isinstance(table, list))
    assert sum(line.startswith('{"key": ') for line in written.decode().splitlines()) == entries  # one a line


def test_ten_thousand_statements_round_trip_byte_for_byte(tmp_path: Path) -> None:
    """The generated 10,000-statement store (10,595 revisions), through the installed command."""
    data = generate(10_000, tmp_path / "generated")
    backup = tmp_path / "backup.json"
    started = time.monotonic()
    done = tracker("export", "--all", "-o", str(backup), db=data.store)
    assert done.returncode == 0, done.stderr
    target = tmp_path / "restored.json"
    target.write_bytes(data.empty.read_bytes())  # a new store with its codebook, as `init` leaves one
    done = tracker("import", "--all", str(backup), db=target)
    assert done.returncode == 0, done.stderr
    elapsed = time.monotonic() - started
    assert target.read_bytes() == data.store.read_bytes()
    assert "10,000 statements (10,595 revisions)" in done.stdout
    assert elapsed < 30, f"export --all and import --all took {elapsed:.1f} s"  # ~2 s here: a bound, not a benchmark


def test_restore_makes_a_missing_store(invoke: Invoke, demo_path: Path, tmp_path: Path) -> None:
    backup = backup_of(invoke, demo_path, tmp_path)
    target = tmp_path / "new" / "positions.json"
    target.parent.mkdir()
    printed = ok(invoke("restore", str(backup), db=target)).stdout
    assert target.read_bytes() == demo_path.read_bytes()
    assert "kept as" not in printed  # nothing was replaced
    left = sorted(p.name for p in target.parent.iterdir() if not p.name.endswith((".lock", ".idx")))  # the index cache
    assert left == ["positions.json"]


# -- into a store that holds something ---------------------------------------------------


def test_a_store_with_statements_is_replaced_only_with_force_and_kept_as_a_backup(
    invoke: Invoke, demo_path: Path, store_path: Path, tmp_path: Path
) -> None:
    backup = backup_of(invoke, demo_path, tmp_path)
    ok(invoke("add", "--party", "usa", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-01",
              db=store_path))  # fmt: skip
    before = snapshot(store_path.parent)
    line = refused(invoke("import", "--all", str(backup), db=store_path), "already holds 1 statement", "--force")
    assert "backup is kept" in line
    assert snapshot(store_path.parent) == before

    mine = store_path.read_bytes()
    printed = ok(invoke("restore", str(backup), "--force", db=store_path)).stdout
    assert store_path.read_bytes() == demo_path.read_bytes()
    kept = [p for p in store_path.parent.iterdir() if p.name.startswith("positions.json.") and p.suffix == ".bak"]
    assert len(kept) == 1 and kept[0].read_bytes() == mine
    assert kept[0].name in printed


def test_a_store_with_only_a_codebook_is_replaced_without_force_and_kept(
    invoke: Invoke, demo_path: Path, store_path: Path, tmp_path: Path
) -> None:
    backup = backup_of(invoke, demo_path, tmp_path)
    ok(invoke("parties", "add", "china", db=store_path))  # an edited codebook: worth keeping a copy of
    mine = store_path.read_bytes()
    ok(invoke("restore", str(backup), db=store_path))
    assert store_path.read_bytes() == demo_path.read_bytes()
    assert [p.read_bytes() for p in store_path.parent.glob("positions.json.*.bak")] == [mine]


def test_a_store_with_only_inbox_candidates_is_not_replaced_without_force(
    invoke: Invoke, demo_path: Path, store_path: Path, tmp_path: Path
) -> None:
    backup = backup_of(invoke, demo_path, tmp_path)
    seeded(store_path)
    before = store_path.read_bytes()
    refused(invoke("restore", str(backup), db=store_path), "2 inbox candidates", "--force")
    assert store_path.read_bytes() == before


def test_a_damaged_target_is_replaced_only_with_force(invoke: Invoke, demo_path: Path, tmp_path: Path) -> None:
    backup = backup_of(invoke, demo_path, tmp_path)
    target = tmp_path / "broken.json"
    target.write_bytes(b'{"meta": {"1": {"schema": 1}}, "statements": [')
    refused(invoke("restore", str(backup), db=target), "broken.json", "--force")
    assert target.read_bytes() == b'{"meta": {"1": {"schema": 1}}, "statements": ['
    ok(invoke("restore", str(backup), "--force", db=target))
    assert target.read_bytes() == demo_path.read_bytes()


# -- hostile and broken backups ------------------------------------------------------------


def edited(backup: Path, change: Any) -> Path:
    """The backup, parsed, changed by ``change`` (which edits it in place), and written back."""
    held = json.loads(backup.read_bytes())
    change(held)
    backup.write_text(json.dumps(held), encoding="utf-8")
    return backup


def first_statement(held: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = held["statements"][0]["document"]
    return document


def test_hostile_text_in_a_backup_is_cleaned_markup_and_formulas_kept_as_text(
    invoke: Invoke, demo_path: Path, tmp_path: Path
) -> None:
    dirty = " ".join(ESCAPES.values())

    def poison(held: dict[str, Any]) -> None:
        statement = first_statement(held)
        statement.update(quote=f"{dirty} {MARKUP['link']}", summary=FORMULA, recorded_by=ESCAPES["osc8_link"])
        statement["conditions"] = [dirty, MARKUP["click"]]
        held["parties"][0]["document"]["name"] = f"Russia {ESCAPES['window_title']}"
        held["meta"][0]["document"]["title"] = ESCAPES["clear_screen"]

    backup = edited(backup_of(invoke, demo_path, tmp_path), poison)
    copy = fresh(invoke, tmp_path / "copy.json")
    ok(invoke("restore", str(backup), db=copy))
    assert_clean(copy.read_text(encoding="utf-8"))
    statement_id = json.loads(backup.read_bytes())["statements"][0]["document"]["id"]
    shown = as_json(invoke, copy, "show", statement_id)
    assert MARKUP["link"] in shown["quote"] and shown["summary"] == FORMULA
    assert MARKUP["click"] in shown["conditions"]
    assert ok(invoke("check", db=copy)).exit_code == 0
    assert_clean(ok(invoke("show", statement_id, db=copy)).stdout)
    # The formula stays text in the store, and is neutralised in a CSV for spreadsheets.
    assert f"'{FORMULA}".replace('"', '""') in ok(invoke("export", "--format", "csv", db=copy)).stdout
    # And a backup of the cleaned store is clean, and restores it byte for byte.
    again = tmp_path / "again.json"
    ok(invoke("export", "--all", "-o", str(again), db=copy))
    assert_clean(again.read_text(encoding="utf-8"))
    twin = fresh(invoke, tmp_path / "twin.json")
    ok(invoke("restore", str(again), db=twin))
    assert twin.read_bytes() == copy.read_bytes()


def drop_kursk_stance(held: dict[str, Any]) -> None:
    """The backup's codebook loses the stance its statements use most on Kursk."""
    for entry in held["issues"]:
        if entry["document"]["id"] == "kursk":
            entry["document"]["scale"] = [s for s in entry["document"]["scale"] if s["code"] != "surrender"]


BAD_BACKUPS: dict[str, tuple[Any, list[str]]] = {
    "a stance its codebook lacks": (drop_kursk_stance, ["surrender", "kursk", "more problem"]),
    "a newer backup format": (lambda held: held.update(tracker_backup=2), ["newer tracker", "backup format 2"]),
    "a newer schema": (lambda held: held["meta"][0]["document"].update(schema=9), ["newer tracker", "schema 9"]),
    "no format number": (lambda held: held.pop("tracker_backup"), ["not a tracker backup"]),
    "a format number that is text": (lambda held: held.update(tracker_backup="1"), ["format number", "'1'"]),
    "no meta": (lambda held: held.pop("meta"), ["meta must hold one document"]),
    "a table that is not a list": (lambda held: held.update(parties={"1": {}}), ["parties must be a list"]),
    "an entry without a document": (lambda held: held["issues"][1].pop("document"), ["issues entry 2", "document"]),
    "a key that is not a document id": (
        lambda held: held["statements"][2].update(key="007"),
        ["statements entry 3", "'007'", "document id"],
    ),
    "a key twice": (
        lambda held: held["statements"][4].update(key=held["statements"][3]["key"]),
        ["statements entry 5", "twice"],
    ),
    "a statement of an unknown party": (
        lambda held: first_statement(held).update(party="atlantis"),
        ["unknown party 'atlantis'"],
    ),
    "a statement without a record time": (
        lambda held: first_statement(held).update(recorded_at=""),
        ["no recorded_at"],
    ),
    "two revisions 1 of one statement": (
        lambda held: held["statements"].append({"key": "999", "document": dict(first_statement(held))}),
        ["duplicate revision"],
    ),
    "a duplicate party id": (
        lambda held: held["parties"].append({"key": "99", "document": held["parties"][0]["document"]}),
        ["duplicate party id 'russia'"],
    ),
    "a bad policy": (
        lambda held: held["meta"][0]["document"].update(policy={"min_grade": "Z9"}),
        ["meta", "min_grade 'Z9'"],
    ),
    "a candidate of an unknown status": (
        lambda held: held["inbox"].append({"key": "1", "document": {"id": "cand_x", "status": "maybe"}}),
        ["inbox document 1", "unknown status"],
    ),
    "a table with an odd name": (lambda held: held.update({"Bad Table!": []}), ["'Bad Table!'", "table's name"]),
}


@pytest.mark.parametrize(("change", "words"), BAD_BACKUPS.values(), ids=BAD_BACKUPS.keys())
def test_a_bad_backup_is_refused_in_one_line_and_nothing_changes(
    invoke: Invoke, demo_path: Path, tmp_path: Path, change: Any, words: list[str]
) -> None:
    backup = edited(backup_of(invoke, demo_path, tmp_path), change)
    target = fresh(invoke, tmp_path / "positions.json")
    before = snapshot(tmp_path)
    line = refused(invoke("import", "--all", str(backup), db=target), "backup.json", *words)
    assert "nothing was imported" in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("cut", [0.5, 0.999], ids=["half", "all but the end"])
def test_a_truncated_backup_is_refused(invoke: Invoke, demo_path: Path, tmp_path: Path, cut: float) -> None:
    backup = backup_of(invoke, demo_path, tmp_path)
    whole = backup.read_bytes()
    backup.write_bytes(whole[: int(len(whole) * cut)])
    target = fresh(invoke, tmp_path / "positions.json")
    before = snapshot(tmp_path)
    refused(invoke("restore", str(backup), db=target), "backup.json", "not valid JSON")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", ["expected a JSON object"]),
        (b"\x00\x01binary", ["expected a JSON object"]),
        (b'"a backup"', ["expected a JSON object"]),
        (b'{"tracker_backup": 1, "tracker_backup": 1, "meta": []}', ["'tracker_backup' appears twice"]),
    ],
    ids=["empty", "binary", "a string", "a member twice"],
)
def test_a_file_that_is_no_backup_is_refused(invoke: Invoke, tmp_path: Path, content: bytes, words: list[str]) -> None:
    backup = tmp_path / "backup.json"
    backup.write_bytes(content)
    target = fresh(invoke, tmp_path / "positions.json")
    before = snapshot(tmp_path)
    refused(invoke("restore", str(backup), db=target), "backup.json", *words)
    assert snapshot(tmp_path) == before


def test_an_export_is_no_backup_and_a_backup_no_export(invoke: Invoke, demo_path: Path, tmp_path: Path) -> None:
    """Each way round, the line says which command reads the file."""
    exported = tmp_path / "statements.json"
    ok(invoke("export", "-o", str(exported), db=demo_path))
    target = fresh(invoke, tmp_path / "positions.json")
    refused(invoke("import", "--all", str(exported), db=target), "a JSON array, not a backup", "without --all")
    backup = backup_of(invoke, demo_path, tmp_path)
    refused(invoke("import", str(backup), db=target), "import --all", "tracker restore")


def test_a_backup_over_the_import_limit_is_refused(
    invoke: Invoke, demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = backup_of(invoke, demo_path, tmp_path)
    target = fresh(invoke, tmp_path / "positions.json")
    before = snapshot(tmp_path)
    monkeypatch.setenv("TRACKER_IMPORT_MAX_BYTES", str(backup.stat().st_size - 1))
    refused(invoke("restore", str(backup), db=target), "TRACKER_IMPORT_MAX_BYTES")
    assert snapshot(tmp_path) == before
    monkeypatch.setenv("TRACKER_IMPORT_MAX_BYTES", str(backup.stat().st_size))
    ok(invoke("restore", str(backup), db=target))


def test_a_missing_backup_file(invoke: Invoke, store_path: Path, tmp_path: Path) -> None:
    before = snapshot(store_path.parent)
    refused(invoke("restore", str(tmp_path / "gone.json"), db=store_path), "gone.json")
    assert snapshot(store_path.parent) == before


# -- options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["export", "--all", "--format", "csv"], ["JSON backup"]),
        (["export", "--all", "-o", "backup.csv"], ["JSON backup", ".csv"]),
        (["import", "--all", "--merge", "x.json"], ["--merge"]),
        (["import", "--all", "--format", "csv", "x.json"], ["--format"]),
        (["import", "--force", "x.json"], ["--force", "--all"]),
    ],
    ids=" ".join,
)
def test_options_that_do_not_go_together(
    invoke: Invoke, demo_path: Path, tmp_path: Path, args: list[str], words: list[str]
) -> None:
    (tmp_path / "x.json").write_bytes(b"[]")
    before = snapshot(tmp_path)
    refused(invoke(*args, db=demo_path), *words)
    assert snapshot(tmp_path) == before


def test_a_store_that_would_not_restore_gets_no_backup(invoke: Invoke, demo_path: Path, tmp_path: Path) -> None:
    """The store's readers accept a revision without a record time; a restore (like `check`) does not, so
    `export --all` says so rather than write a backup that fails when it is needed."""
    tables = json.loads(demo_path.read_bytes())
    next(iter(tables["statements"].values()))["recorded_at"] = ""
    demo_path.write_text(json.dumps(tables), encoding="utf-8")
    Store(demo_path).revisions()  # readable
    target = tmp_path / "backup.json"
    line = refused(invoke("export", "--all", "-o", str(target), db=demo_path), "no recorded_at", "no backup")
    assert "would not restore" in line
    assert not target.exists()


def test_a_store_of_an_older_schema_is_backed_up_as_this_one(invoke: Invoke, tmp_path: Path) -> None:
    """Reading does not migrate a file; its backup is of the current schema, and restores as one."""
    old = tmp_path / "old.json"
    old.write_bytes(schema_0())
    before = old.read_bytes()
    backup = backup_of(invoke, old, tmp_path)
    assert old.read_bytes() == before  # a backup writes nothing to the store
    held = json.loads(backup.read_bytes())
    assert held["meta"][0]["document"]["schema"] == 1 and held["feeds"] == [] and held["inbox"] == []
    copy = fresh(invoke, tmp_path / "copy.json")
    ok(invoke("restore", str(backup), db=copy))
    assert as_json(invoke, copy, "log", "--revisions") == as_json(invoke, old, "log", "--revisions")
    assert ok(invoke("check", db=copy)).exit_code == 0
