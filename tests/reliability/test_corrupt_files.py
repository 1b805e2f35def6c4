"""Corrupt or foreign files: one clear message naming the file and the problem, exit 2, the file untouched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from tests.helpers import STATEMENT_ID, assert_one_clear_error, fields, good_tables, schema_0, snapshot, statement
from tracker.cli import app
from tracker.errors import StoreError
from tracker.store import Store, backup_of, dump_tables


def with_tables(change: Callable[[dict[str, Any]], None]) -> bytes:
    tables = good_tables()
    change(tables)
    return dump_tables(tables)


def set_schema(n: int) -> Callable[[dict[str, Any]], None]:
    def change(tables: dict[str, Any]) -> None:
        tables["meta"]["1"]["schema"] = n

    return change


def unknown_party(tables: dict[str, Any]) -> None:
    tables["statements"]["2"] = statement(id="st_01JQ0000000000000000000001", party="atlantis")


CORRUPT: dict[str, tuple[bytes, list[str]]] = {
    "empty": (b"", ["empty"]),
    "blank": (b" \n\n", ["empty"]),
    "truncated": (dump_tables(good_tables())[:700], ["not valid JSON"]),
    "binary": (bytes(range(256)), ["not valid JSON"]),
    "a_list": (b"[1, 2, 3]\n", ["not a tracker store"]),
    "a_string": (b'"positions"\n', ["not a tracker store"]),
    "tables_not_objects": (b'{"meta": [], "statements": 4}\n', ["not a tracker store"]),
    "no_meta": (b'{"statements": {}, "parties": {}}\n', ["no meta table"]),
    "schema_not_a_number": (with_tables(lambda t: t["meta"]["1"].update(schema="one")), ["schema"]),
    "documents_not_objects": (with_tables(lambda t: t["statements"].update({"2": [1]})), ["statements", "document"]),
    "another_programs_json": (b'{"name": "package", "version": "1.0"}\n', ["not a tracker store"]),
    "newer_schema": (with_tables(set_schema(99)), ["newer tracker", "schema 99"]),
    "unknown_party": (with_tables(unknown_party), ["unknown party 'atlantis'", "tracker check"]),
}

COMMANDS: dict[str, list[str]] = {
    "matrix": ["matrix", "--as-of", "2025-06-01"],
    "log": ["log"],
    "show": ["show", STATEMENT_ID],
    "diff": ["diff", "2025-01-01", "2025-12-31"],
    "export": ["export"],
    "add": ["add", "--party", "usa", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-01"],
    "correct": ["correct", STATEMENT_ID, "--grade", "A1"],
    "retract": ["retract", STATEMENT_ID, "--reason", "wrong"],
    "import": ["import", "more.json"],
}
"""Every command that reads the statements; each must refuse a damaged file the same way."""


def run(path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", str(path), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback would have reached the analyst
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case", sorted(CORRUPT))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_damaged_file_is_named_explained_and_left_alone(tmp_path: Path, case: str, command: str) -> None:
    content, words = CORRUPT[case]
    path = tmp_path / "store" / "damaged.json"
    path.parent.mkdir()
    path.write_bytes(content)
    (tmp_path / "more.json").write_bytes(orjson.dumps([fields("import", 1)]))
    before = snapshot(path.parent)

    code, _, stderr = run(path, *[str(tmp_path / a) if a == "more.json" else a for a in COMMANDS[command]])

    assert code == 2, stderr
    assert_one_clear_error(stderr, str(path), *words)
    assert snapshot(path.parent) == before, "the file (and its folder) are byte-for-byte unchanged"


UNREADABLE = sorted(case for case in CORRUPT if case != "unknown_party")
"""The files no command can read as a store: ``check`` too says so in one line, exit 2 (the contract:
an unusable store is 2; problems in a store that can be read are 1)."""


@pytest.mark.parametrize("case", UNREADABLE)
def test_check_on_a_file_that_is_no_store_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    content, words = CORRUPT[case]
    path = tmp_path / "damaged.json"
    path.write_bytes(content)
    for fmt in ("table", "json"):
        code, stdout, stderr = run(path, "check", "--format", fmt)
        assert code == 2, stderr
        assert stdout == ""
        assert_one_clear_error(stderr, str(path), *words)
    assert path.read_bytes() == content


def test_check_lists_the_problems_of_a_store_it_can_read_with_exit_1(tmp_path: Path) -> None:
    content, _ = CORRUPT["unknown_party"]
    path = tmp_path / "damaged.json"
    path.write_bytes(content)
    code, stdout, stderr = run(path, "check", "--format", "json")
    assert code == 1, stderr
    report = orjson.loads(stdout)
    assert not report["ok"]
    assert "unknown party 'atlantis'" in " ".join(report["problems"])
    assert path.read_bytes() == content


def test_check_lists_every_problem_in_a_damaged_file(tmp_path: Path) -> None:
    tables = good_tables()
    tables["parties"]["9"] = {"id": "Bad Party", "name": "x"}
    tables["issues"]["9"] = {"id": "lonely", "name": "Lonely", "scale": [{"code": "only", "label": "only"}]}
    docs = {
        "st_A": statement(id="st_A", party="atlantis"),
        "st_B": statement(id="st_B", issue="weather"),
        "st_C": statement(id="st_C", stance="maybe"),
        "st_D": statement(id="st_D", stated_on="2025-02-30"),
        "st_E": statement(id="st_E", grade="Z9"),
        "st_F": statement(id="st_F", channel="pigeon"),
        "st_G": statement(id="st_G", retracted=True, reason=""),
        "st_H": statement(id="st_H", recorded_at=""),
        "st_I": statement(id="st_I", rev="two"),
    }
    for n, doc in enumerate(docs.values(), 2):
        tables["statements"][str(n)] = doc
    tables["statements"]["20"] = statement(id="st_J", rev=1)
    tables["statements"]["21"] = statement(id="st_J", rev=1)  # duplicate revision
    tables["statements"]["22"] = statement(id="st_K", rev=1)
    tables["statements"]["23"] = statement(id="st_K", rev=3)  # broken chain
    path = tmp_path / "damaged.json"
    path.write_bytes(dump_tables(tables))
    before = path.read_bytes()

    code, stdout, _ = run(path, "check", "--format", "json")
    assert code == 1
    problems = orjson.loads(stdout)["problems"]
    expected = {
        "Bad Party": "party id",
        "lonely": "at least two stances",
        "st_A": "unknown party 'atlantis'",
        "st_B": "unknown issue 'weather'",
        "st_C": "unknown stance 'maybe'",
        "st_D": "2025-02-30",
        "st_E": "Z9",
        "st_F": "pigeon",
        "st_G": "reason",
        "st_H": "recorded_at",
        "st_I": "rev",
        "st_J": "duplicate revision",
        "st_K": "broken revision chain",
    }
    for subject, word in expected.items():
        assert any(subject in p and word in p for p in problems), f"{subject}: {word} not listed in {problems}"
    code, stdout, _ = run(path, "check")
    assert code == 1
    assert all(p.split(":")[0] in stdout for p in problems)
    assert path.read_bytes() == before


# -- migrations ---------------------------------------------------------------


def test_reading_an_older_schema_leaves_it_untouched(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_bytes(schema_0())
    for args in (["matrix"], ["log"], ["show", STATEMENT_ID], ["export"], ["parties"]):
        code, _, stderr = run(path, *args)
        assert code == 0, stderr
    assert path.read_bytes() == schema_0()
    assert list(tmp_path.glob("*.bak")) == []


def test_the_first_write_to_an_older_schema_keeps_a_backup_then_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_bytes(schema_0())
    code, stdout, stderr = run(path, *COMMANDS["add"])
    assert code == 0, stderr

    backups = list(tmp_path.glob("old.json.*.bak"))
    assert len(backups) == 1
    assert backups[0].read_bytes() == schema_0(), "the backup is the old file, byte for byte"
    data = orjson.loads(path.read_bytes())
    assert data["meta"]["1"]["schema"] == 1
    assert data["feeds"] == {} and data["inbox"] == {}
    assert {d["id"] for d in data["statements"].values()} == {STATEMENT_ID, stdout.strip()}
    assert run(path, "check")[0] == 0

    # Migrated once: the next write keeps no further backup.
    assert run(path, *COMMANDS["add"])[0] == 0
    assert len(list(tmp_path.glob("old.json.*.bak"))) == 1


def test_a_schema_too_old_to_migrate_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "ancient.json"
    path.write_bytes(with_tables(set_schema(-1)))
    before = snapshot(tmp_path)
    code, _, stderr = run(path, *COMMANDS["add"])
    assert code == 2
    assert_one_clear_error(stderr, str(path), "schema -1", "migrate")
    assert snapshot(tmp_path) == before, "no backup, no change"


def test_backups_made_in_the_same_second_do_not_overwrite_each_other(tmp_path: Path) -> None:
    path = tmp_path / "positions.json"
    contents = [b'{"n": 1}\n', b'{"n": 2}\n', b'{"n": 3}\n']
    made = []
    for content in contents:
        path.write_bytes(content)
        made.append(backup_of(path))
    assert len(set(made)) == 3
    assert [p.read_bytes() for p in made] == contents


def test_init_force_keeps_the_replaced_file_as_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "positions.json"
    Store.create(path, good_tables())
    original = path.read_bytes()
    for _ in range(2):  # twice in a row: the first backup must survive the second
        code, _, stderr = run(path, "init", "--force")
        assert code == 0, stderr
    backups = sorted(tmp_path.glob("positions.json.*.bak"))
    assert len(backups) == 2
    assert original in [b.read_bytes() for b in backups]


def test_the_store_api_names_the_file_too(tmp_path: Path) -> None:
    path = tmp_path / "damaged.json"
    path.write_bytes(CORRUPT["truncated"][0])
    with pytest.raises(StoreError, match=r"damaged\.json: not valid JSON"):
        Store(path)
    assert path.read_bytes() == CORRUPT["truncated"][0]
