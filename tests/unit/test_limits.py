"""The limits and guards of issue 12 in isolation: field limits, id shape, CSV neutralising, clean JSON,
and the import's reader (bytes, nesting, text length) chunk by chunk.

The reliability suite (tests/reliability/test_injection.py, test_hostile_files.py)
runs the same promises through the real CLI; these pin the edges.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from tracker import transfer
from tracker.errors import InputError
from tracker.formats import clean_json, json_is_clean, neutralised, restored
from tracker.model import (
    ITEM_MAX,
    LIST_MAX,
    LONG_TEXT_MAX,
    SHORT_TEXT_MAX,
    URL_MAX,
    Source,
    Statement,
    codebook_from_tables,
)
from tracker.statement_input import parse
from tracker.store import default_tables

BOOK = codebook_from_tables(default_tables("t")["parties"].values(), default_tables("t")["issues"].values())


def statement(**changes: Any) -> Statement:
    fields: dict[str, Any] = {
        "id": "st_01JQ0000000000000000000000",
        "party": "usa",
        "issue": "nato",
        "stance": "not-now",
        "stated_on": "2025-04-01",
    }
    fields.update(changes)
    return Statement.from_json(fields)


# -- ids and field limits ------------------------------------------------------------


@pytest.mark.parametrize("good", ["st_a", "st_" + "Az09_-" * 10 + "abcd", "st_01JQ0000000000000000000000"])
def test_an_id_of_the_strict_shape_has_no_problem(good: str) -> None:
    assert statement(id=good).problems(BOOK) == []


@pytest.mark.parametrize("bad", ["st_", "st_" + "a" * 65, "st_a b", "st_a\n", "st_a\x1b[2J", "x_abc", "st_é"])
def test_an_id_outside_the_shape_is_a_problem_of_the_id(bad: str) -> None:
    (problem,) = statement(id=bad).field_problems(BOOK)
    assert problem[0] == "id" and "st_ and 1 to 64" in problem[1]
    assert "\x1b" not in problem[1] and "\n" not in problem[1]


LIMITS = {
    "summary": LONG_TEXT_MAX,
    "quote": LONG_TEXT_MAX,
    "note": LONG_TEXT_MAX,
    "reason": LONG_TEXT_MAX,
    "speaker": SHORT_TEXT_MAX,
    "recorded_by": SHORT_TEXT_MAX,
}
SOURCE_LIMITS = {"url": URL_MAX, "title": SHORT_TEXT_MAX, "outlet": SHORT_TEXT_MAX}


@pytest.mark.parametrize(("name", "limit"), LIMITS.items(), ids=LIMITS.keys())
def test_a_text_field_may_hold_its_limit_and_no_more(name: str, limit: int) -> None:
    assert statement(**{name: "q" * limit}).field_problems(BOOK) == []
    assert statement(**{name: "q" * (limit + 1)}).field_problems(BOOK) == [
        (name, f"{name} is {limit + 1:,} characters; the limit is {limit:,}")
    ]


@pytest.mark.parametrize(("name", "limit"), SOURCE_LIMITS.items(), ids=SOURCE_LIMITS.keys())
def test_a_source_field_may_hold_its_limit_and_no_more(name: str, limit: int) -> None:
    at = statement(source=Source(**{name: "q" * limit}).as_json())
    over = statement(source=Source(**{name: "q" * (limit + 1)}).as_json())
    assert at.field_problems(BOOK) == []
    assert over.field_problems(BOOK) == [(name, f"source {name} is {limit + 1:,} characters; the limit is {limit:,}")]


def test_lists_hold_at_most_100_items_of_500_characters() -> None:
    assert statement(tags=["t"] * LIST_MAX, conditions=["c" * ITEM_MAX]).field_problems(BOOK) == []
    assert statement(tags=["t"] * (LIST_MAX + 1)).field_problems(BOOK) == [
        ("tags", "tags has 101 items; the limit is 100")
    ]
    assert statement(conditions=["a", "c" * (ITEM_MAX + 1)]).field_problems(BOOK) == [
        ("conditions", "condition 2 is 501 characters; the limit is 500")
    ]


def test_fields_whose_lengths_add_up_past_a_limit_are_each_within_it() -> None:
    """The quick check adds lengths up; fields each under their limit still pass."""
    long = "q" * (LONG_TEXT_MAX - 1)
    assert statement(summary=long, quote=long, note=long, reason=long).field_problems(BOOK) == []
    assert statement(tags=["t" * 400] * 60, conditions=["c" * 400] * 40).field_problems(BOOK) == []


def test_the_dashboard_form_names_the_field_over_its_limit() -> None:
    given = {"party": "usa", "issue": "nato", "stance": "not-now", "date": "2025-04-01", "quote": "q" * 20_001}
    assert parse(given, BOOK, new=True).problems == [("quote", "quote is 20,001 characters; the limit is 20,000")]


def test_recorded_by_is_sanitised_with_the_other_text() -> None:
    dirty = statement(recorded_by="ev\x1b]0;pwned\x07il\u202e")
    assert dirty.sanitised().recorded_by == "evil"
    assert statement(recorded_by="analyst").sanitised().recorded_by == "analyst"


def test_an_echoed_value_is_cut() -> None:
    (problem,) = statement(party="x" * 5_000).problems(BOOK)
    assert problem == f"unknown party '{'x' * 79}…' (known: russia, ukraine, usa, europe)"


# -- CSV cells -----------------------------------------------------------------------

CELLS = ["=1+1", "+cmd", "-5 degrees", "@SUM(1)", "\tx", "\rx", "'=x", "''+x", "'tis", "''", "'", "", "plain", "a=b"]


@pytest.mark.parametrize("cell", CELLS)
def test_a_neutralised_cell_is_restored_exactly(cell: str) -> None:
    written = neutralised(cell)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restored(written) == cell


def test_only_cells_that_need_it_are_changed() -> None:
    assert [neutralised(c) for c in ("'tis", "plain", "a=b", "")] == ["'tis", "plain", "a=b", ""]
    assert neutralised("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert restored("'tis the season") == "'tis the season"


# -- JSON output -----------------------------------------------------------------------

FORBIDDEN = "\x00\x07\x08\t\x0b\x0c\r\x1b\x1f\x7f\x80\x85\x9b\x9f\u200b\u200f\u202a\u202e\u2060\u2066\u2069\ufeff"


@pytest.mark.parametrize("char", list(FORBIDDEN), ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
def test_json_output_never_holds_a_control_or_bidi_character(char: str) -> None:
    data = {"quote": f"a{char}b", "tags": [f"x{char}"], f"k{char}": None}
    raw = clean_json(data)
    assert not json_is_clean(orjson.dumps(data))
    decoded = json.loads(raw)
    texts = [decoded["quote"], *decoded["tags"], *decoded]
    assert not any(char in text for text in texts), raw


def test_clean_json_leaves_clean_text_exactly_as_written() -> None:
    data = {"quote": "line one\nline two, “curly”, a \\back\\slash and \\\\b, é, 日本", "n": [1, 2.5, None, True]}
    assert clean_json(data) == orjson.dumps(data)
    assert json.loads(clean_json(data)) == data


# -- the import reader -----------------------------------------------------------------


def shape_of(raw: bytes, chunk: int) -> str:
    """What the reader says of ``raw`` fed ``chunk`` bytes at a time: "ok" or why it refuses."""
    shape = transfer._JsonShape()
    try:
        for at in range(0, len(raw), chunk):
            shape.feed(raw[at : at + chunk])
    except transfer._Refused as refused:
        return str(refused)
    assert shape.depth == 0 and not shape.in_string
    return "ok"


def nested(depth: int, rng: random.Random) -> Any:
    """A value nesting exactly ``depth`` arrays and objects, with brackets, quotes and backslashes in its text."""
    if depth == 0:
        return rng.choice(["x", 'a"[{', "\\", ']}\\"', 1, None, "é[\u202e"])
    shallow = [nested(rng.randint(0, min(2, depth - 1)), rng) for _ in range(rng.randint(0, 2))]
    inner = [nested(depth - 1, rng), *shallow]
    rng.shuffle(inner)
    if rng.random() < 0.5:
        return inner
    return {rng.choice(["k", "[", '}"', "\\"]) + str(n): value for n, value in enumerate(inner)}


@pytest.mark.parametrize("seed", range(40))
def test_nesting_over_64_is_refused_and_64_is_not_however_the_file_is_cut(seed: int) -> None:
    rng = random.Random(seed)
    depth = rng.randint(60, 68)
    raw = json.dumps([nested(depth - 1, rng)], ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1])).encode()
    for chunk in (1, 2, 3, 7, 64, 1000, 1 << 16):
        expected = "ok" if depth <= transfer.DEPTH_MAX else "nested deeper than 64 levels"
        assert shape_of(raw, chunk) == expected, (depth, chunk)


def test_a_text_over_the_read_limit_is_refused_and_one_at_it_is_not() -> None:
    at = b'["' + b"x" * transfer.TEXT_READ_MAX + b'"]'
    over = b'["' + b"x" * (transfer.TEXT_READ_MAX + 1) + b'"]'
    assert shape_of(at, 1 << 16) == "ok"
    assert shape_of(over, 1 << 16).startswith("a text of more than 1,048,576 bytes")


def test_an_escaped_quote_split_between_chunks_does_not_end_the_string() -> None:
    raw = json.dumps(["a\\", 'b"[[[[', {"c": '\\\\"]]]'}]).encode()
    assert all(shape_of(raw, chunk) == "ok" for chunk in range(1, len(raw) + 1))


def test_the_export_of_statements_passes_quickly(tmp_path: Path) -> None:
    item = {"id": "st_a", "revisions": [{"source": {"url": ""}, "tags": ["a", "b"], "conditions": []}]}
    raw = json.dumps([item] * 2_000).encode()
    assert shape_of(raw, 1 << 16) == "ok"


def test_import_reads_at_most_the_byte_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(b"[" + b" " * 2_000 + b"]")
    monkeypatch.setenv("TRACKER_IMPORT_MAX_BYTES", "2002")
    assert list(transfer.read_records(source, "json")) == []
    monkeypatch.setenv("TRACKER_IMPORT_MAX_BYTES", "2001")
    with pytest.raises(InputError, match=r"more than 2,001 bytes.*TRACKER_IMPORT_MAX_BYTES"):
        list(transfer.read_records(source, "json"))
    with pytest.raises(InputError, match="more than 2,001 bytes"):
        list(transfer.read_records(source.rename(tmp_path / "in.csv"), "csv"))


@pytest.mark.parametrize("value", ["many", "-1", "0", "1e9"])
def test_a_bad_byte_limit_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TRACKER_IMPORT_MAX_BYTES", value)
    with pytest.raises(InputError, match="TRACKER_IMPORT_MAX_BYTES must be a whole number"):
        transfer.read_records(tmp_path / "in.json", "json")
