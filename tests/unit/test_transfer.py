"""Import and export files (tracker/transfer.py): the layout export writes, and import streaming any layout."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import tracker.storage.files
import tracker.store
from tests.helpers import TRACKER
from tracker import transfer
from tracker.dates import format_instant, is_instant
from tracker.errors import InputError
from tracker.model import Statement
from tracker.store import Store


def statement(n: int, **overrides: Any) -> dict[str, Any]:
    """One statement in the `show` shape (every field, as export writes it), id st_<n>, with two revisions."""
    given = {
        "id": f"st_{n:04d}",
        "rev": 1,
        "party": "russia",
        "issue": "nato",
        "stance": "renounce",
        "stated_on": "2025-02-12",
        "speaker": "Peskov",
        "summary": 'Braces and brackets in text: "}", "]", "},"',
        "conditions": ["neutrality"],
        "source": {"url": "https://e.example/a", "title": "Peskov", "outlet": "TASS", "published": "2025-02-12"},
        "recorded_at": "2025-02-12T10:00:00.000000Z",
        "recorded_by": "analyst",
    }
    first = Statement.from_json(given).as_json()
    second = {**first, "rev": 2, "grade": "B2", "reason": "graded", "recorded_at": "2025-02-13T10:00:00.000000Z"}
    return {**second, "revisions": [first, second], **overrides}


def lines_layout(items: list[Any]) -> str:
    """What export writes: ``[``, one item a line, ``]``."""
    return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n]\n"


def records(path: Path) -> list[tuple[str, Any]]:
    return list(transfer.read_records(path, "json"))


def refusal(path: Path) -> str:
    with pytest.raises(InputError) as raised:
        records(path)
    return str(raised.value)


@pytest.fixture(params=["yajl2_c", "python"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """ijson's C parser, and its pure-Python one: where no wheel has the C extension, it reads the same."""
    name: str = request.param
    monkeypatch.setattr(transfer, "_c_parser", lambda ijson: ijson.get_backend(name))
    return name


ITEMS = [statement(n) for n in range(1, 6)]
LAYOUTS = {
    "export's lines": lines_layout(ITEMS),
    "lines, CRLF": lines_layout(ITEMS).replace("\n", "\r\n"),
    "one line": json.dumps(ITEMS),
    "indent 2 (older exports)": json.dumps(ITEMS, indent=2) + "\n",
    "tabs, blank lines after": json.dumps(ITEMS, indent="\t") + "\n\n\n",
    "a form feed first": "\f" + json.dumps(ITEMS),
    "more blank space first than is read at a time": " " * 100_000 + json.dumps(ITEMS),
    "a byte order mark first (issue 12: as CSV)": "\ufeff" + lines_layout(ITEMS),
    "empty, one line": "[]",
    "empty, two lines": "[\n]\n",
}


@pytest.mark.parametrize("text", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_every_layout_of_an_array_reads_as_the_whole_file_parsed(tmp_path: Path, text: str, backend: str) -> None:
    source = tmp_path / "in.json"
    source.write_text(text, encoding="utf-8")
    expected = json.loads(text.lstrip("\f").removeprefix("\ufeff"))
    assert records(source) == [(f"item {n}", item) for n, item in enumerate(expected, 1)]


def test_the_c_parser_is_the_one_used() -> None:
    """ijson's wheels carry it; the pure-Python parser would make a large import some 20 times slower."""
    import ijson  # type: ignore[import-untyped]

    assert transfer._c_parser(ijson).backend_name == "yajl2_c"


def test_numbers_are_ints_and_floats(tmp_path: Path, backend: str) -> None:
    source = tmp_path / "in.json"
    source.write_text("[1, 2.5, -0.0, 1e3, 12345678901234567]", encoding="utf-8")
    values = [value for _, value in records(source)]
    assert values == [1, 2.5, -0.0, 1000.0, 12345678901234567]
    assert [type(value) for value in values] == [int, float, float, float, int]


NOT_ARRAYS = {
    "an object": json.dumps({"statements": ITEMS}, indent=2),
    "an object with an item": json.dumps({"item": ITEMS[0]}),
    "a string": '"statements"',
    "a number": "4",
    "an object after a form feed": "\f{}",
}


@pytest.mark.parametrize("text", NOT_ARRAYS.values(), ids=NOT_ARRAYS.keys())
def test_a_top_level_other_than_an_array_is_refused(tmp_path: Path, text: str, backend: str) -> None:
    source = tmp_path / "in.json"
    source.write_text(text, encoding="utf-8")
    # An object may be a backup: the line then says how to restore one.
    assert refusal(source).startswith(f"{source}: expected a JSON array of statements")


BROKEN = {
    "empty file": ("", "before the first item"),
    "whitespace": (" \n", "before the first item"),
    "truncated": (lines_layout(ITEMS)[:-200], "after item 4"),
    "no closing bracket": (lines_layout(ITEMS).removesuffix("]\n"), "after item 5"),
    "something after the array": (lines_layout(ITEMS) + "{}\n", "after item 5"),
    "a second array": ("[][]", "before the first item"),
    "a trailing comma": (lines_layout(ITEMS).replace("\n]", ",\n]"), "after item 5"),
    "a missing comma": (lines_layout(ITEMS).replace(",\n", "\n", 1), "after item 1"),
    "a bad token": (lines_layout(ITEMS).replace('"rev": 1', '"rev" 1', 1), "before the first item"),
    "a bad token, pretty": (json.dumps(ITEMS, indent=2).replace('"id": "st_0003"', '"id" 3'), "after item 2"),
    "NaN": (lines_layout(ITEMS).replace('"rev": 2', '"rev": NaN', 1), "before the first item"),
    "not JSON at all": ("party,issue\n", "before the first item"),
}


@pytest.mark.parametrize(("text", "where"), BROKEN.values(), ids=BROKEN.keys())
def test_invalid_json_is_named_on_one_line_with_how_far_it_was_good(
    tmp_path: Path, text: str, where: str, backend: str
) -> None:
    source = tmp_path / "in.json"
    source.write_text(text, encoding="utf-8")
    message = refusal(source)
    assert message.startswith(f"{source}: not valid JSON (") and message.endswith(f", {where})")
    assert "\n" not in message


@pytest.mark.parametrize("raw", [b'["\xff"]', b'[{"\xff": 1}]'], ids=["in a value", "in a key"])
def test_bytes_that_are_not_utf8_are_invalid_json(tmp_path: Path, raw: bytes, backend: str) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(raw)
    message = refusal(source)
    assert message.startswith(f"{source}: not valid JSON (") and "\n" not in message
    assert "b'" not in message  # the C parser gives this message as bytes


def test_a_missing_file_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        transfer.read_records(tmp_path / "missing.json", "json")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("name", ["export's lines", "one line", "indent 2 (older exports)", "a form feed first"])
def test_a_pipe_is_read(tmp_path: Path, name: str) -> None:
    """``tracker import --format json /dev/stdin``: a pipe cannot go back to its start."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    writer = threading.Thread(target=pipe.write_text, args=(LAYOUTS[name],))
    writer.start()
    try:
        assert [item for _, item in records(pipe)] == json.loads(LAYOUTS[name].lstrip("\f"))
    finally:
        writer.join()


def test_records_come_in_order_before_the_rest_of_the_file_is_read(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(lines_layout(ITEMS[:2]).replace("\n]\n", ",\n{broken\n]\n"), encoding="utf-8")
    read = iter(transfer.read_records(source, "json"))
    assert [next(read), next(read)] == [("item 1", ITEMS[0]), ("item 2", ITEMS[1])]
    with pytest.raises(InputError, match="not valid JSON"):
        next(read)


# -- export --------------------------------------------------------------------------


def test_export_writes_one_statement_a_line_and_imports_back(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(ITEMS, indent=2), encoding="utf-8")
    store.import_statements(transfer.read_records(source, "json"))
    payload, count = transfer.export_bytes(store.revisions(), "json")

    lines = payload.decode().splitlines()
    assert count == len(ITEMS) and len(lines) == len(ITEMS) + 2
    assert lines[0] == "[" and lines[-1] == "]"
    assert [json.loads(line.removesuffix(",")) for line in lines[1:-1]] == ITEMS
    assert json.loads(payload) == ITEMS

    copy = tmp_path / "copy.json"
    Store.create(copy, tracker.store.default_tables("Copy"))
    exported = tmp_path / "export.json"
    exported.write_bytes(payload)
    Store(copy).import_statements(transfer.read_records(exported, "json"))
    assert transfer.export_bytes(Store(copy).revisions(), "json")[0] == payload


def test_an_empty_export_is_an_empty_array(store: Store) -> None:
    payload, count = transfer.export_bytes(store.revisions(), "json")
    assert (json.loads(payload), count) == ([], 0)


# -- import into the store -----------------------------------------------------------


def test_a_bad_statement_on_line_n_is_item_n_and_nothing_is_written(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    items = [*ITEMS[:3], statement(9, party="atlantis", revisions=[{**ITEMS[0]["revisions"][0], "party": "atlantis"}])]
    source.write_text(lines_layout(items), encoding="utf-8")
    before = store.path.read_bytes()
    with pytest.raises(InputError, match=r"^item 4: .*atlantis.*nothing was imported"):
        store.import_statements(transfer.read_records(source, "json"))
    assert store.path.read_bytes() == before
    assert Store(store.path).revisions() == []


def test_broken_json_after_a_bad_statement_is_the_error_reported(store: Store, tmp_path: Path) -> None:
    """As when the whole file was parsed before any statement was checked: the file's fault comes first."""
    source = tmp_path / "in.json"
    lines = lines_layout([statement(1, revisions=[]), *ITEMS[1:]]).splitlines(keepends=True)
    lines[3] = lines[3].replace('"rev": 2', '"rev": 2 2', 1)  # item 3
    source.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        store.import_statements(transfer.read_records(source, "json"))
    assert str(raised.value).startswith(f"{source}: not valid JSON (")
    assert str(raised.value).endswith(", after item 2)")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BROKEN["truncated"][0], "not valid JSON"),
        (BROKEN["something after the array"][0], "not valid JSON"),
        (BROKEN["a bad token, pretty"][0], "not valid JSON"),
        (BROKEN["empty file"][0], "not valid JSON"),
        (NOT_ARRAYS["an object with an item"], "expected a JSON array"),
    ],
    ids=["truncated", "trailing garbage", "bad token", "empty file", "an object"],
)
def test_a_file_that_is_not_an_array_of_json_changes_nothing(
    store: Store, tmp_path: Path, text: str, message: str
) -> None:
    source = tmp_path / "in.json"
    source.write_text(text, encoding="utf-8")
    before = store.path.read_bytes()
    with pytest.raises(InputError, match=f"^{re.escape(str(source))}: {message}"):
        store.import_statements(transfer.read_records(source, "json"))
    assert store.path.read_bytes() == before
    assert Store(store.path).revisions() == []


def test_import_writes_the_store_once(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "in.json"
    source.write_text(lines_layout(ITEMS), encoding="utf-8")
    writes: list[Path] = []
    real = tracker.storage.files.write_atomic

    def counted(path: Path, payload: bytes) -> None:
        writes.append(path)
        real(path, payload)

    monkeypatch.setattr(tracker.storage.files, "write_atomic", counted)
    imported = store.import_statements(transfer.read_records(source, "json"))
    assert writes == [store.path]
    assert (len({s.id for s in imported}), len(imported)) == (len(ITEMS), 2 * len(ITEMS))


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("2025-02-12T10:00:00.000000Z", True),
        ("2024-02-29T23:59:59.999999Z", True),
        ("1000-01-01T00:00:00.000000Z", True),
        ("0999-01-01T00:00:00.000000Z", False),  # format_instant never pads a year to four digits
        ("2025-02-29T10:00:00.000000Z", False),
        ("2025-02-12T24:00:00.000000Z", False),
        ("2025-02-12 10:00:00.000000Z", False),
        ("2025-02-12T10:00:00,000000Z", False),
        ("2025-02-12T10:00:00.000+00Z", False),
        ("2025-02-12T10:00:00Z", False),
        ("", False),
    ],
)
def test_imported_record_times_are_kept_only_in_the_stored_form(value: str, stored: bool) -> None:
    assert is_instant(value) is stored
    if stored:
        assert format_instant(datetime.fromisoformat(value)) == value


def test_the_command_line_round_trip(tmp_path: Path, demo_path: Path) -> None:
    """Through the installed ``tracker`` script, whatever its CLI library."""
    exported, copy = tmp_path / "export.json", tmp_path / "copy.json"
    Store.create(copy, tracker.store.default_tables("Copy"))
    env = {**os.environ, "TRACKER_USER": "tester"}

    def tracker_run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(TRACKER), *args], capture_output=True, text=True, env=env, check=True)

    tracker_run("--db", str(demo_path), "export", "-o", str(exported))
    assert all(line.startswith("{") for line in exported.read_text().splitlines()[1:-1])
    assert "Imported" in tracker_run("--db", str(copy), "import", str(exported)).stdout
    assert tracker_run("--db", str(copy), "export").stdout.encode() == exported.read_bytes()
