"""Issue 12's storage fixes at the unit level: what the reliability tests reach only through processes.

Duplicate keys in any layout, the ends of the calendar, and the lock's check
that the file it locked is still the one at the path.
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.helpers import good_tables, statement
from tracker.dates import format_instant, parse_instant
from tracker.errors import InputError, StoreError
from tracker.storage.files import stale_temps, write_atomic
from tracker.storage.lock import held_now, locked
from tracker.storage.schema import dump_tables, duplicate_keys, parse_tables


def tables_with(*statements: dict[str, Any]) -> dict[str, Any]:
    tables = good_tables()
    tables["statements"] = {str(n): doc for n, doc in enumerate(statements, 1)}
    return tables


# -- duplicate keys -------------------------------------------------------------------


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(dump_tables, id="tracker's"),
        pytest.param(lambda t: orjson.dumps(t), id="compact"),
        pytest.param(lambda t: json.dumps(t, indent=4).encode(), id="four-space"),
        pytest.param(lambda t: orjson.dumps(t, option=orjson.OPT_INDENT_2), id="unsorted"),
    ],
)
def test_a_file_without_duplicates_passes_in_any_layout(layout: Any) -> None:
    tables = tables_with(statement(id="st_A"), statement(id="st_B"), {})  # an empty document opens as {}
    raw = layout(tables)
    assert duplicate_keys(raw, orjson.loads(raw)) == []
    parse_tables(raw, Path("s.json"))


def test_a_duplicate_in_a_compact_file_is_named_at_any_depth() -> None:
    """Not tracker's layout: the exact reading names the table, the document and the nested object."""
    doc = orjson.dumps(statement(id="st_A", source={"url": "u"})).decode()
    nested = doc.replace('"source":{', '"source":{"url":"again",')
    assert nested.count('"url":') == 2
    raw = (
        '{"meta": {"1": {"schema": 1, "schema": 1}}, "parties": {}, "issues": {},'
        f' "statements": {{"7": {doc}, "7": {nested}}}}}'
    ).encode()
    found = duplicate_keys(raw, orjson.loads(raw))
    assert 'duplicate key "schema" in document 1 of table meta' in found
    assert 'duplicate key "7" in table statements' in found
    assert 'duplicate key "url" inside document 7 of table statements' in found


def test_a_table_given_twice_is_a_duplicate(tmp_path: Path) -> None:
    first = dump_tables(tables_with(statement(id="st_A")))
    second = dump_tables(tables_with(statement(id="st_B")))
    statements = second[second.index(b'  "statements"') : second.rindex(b"}")].rstrip()
    raw = first[: first.rindex(b"}")].rstrip() + b",\n" + statements + b"\n}\n"  # "statements" twice
    with pytest.raises(StoreError, match=r'duplicate key "statements" at the top of the file'):
        parse_tables(raw, tmp_path / "s.json")


def test_a_long_or_hostile_key_is_shown_short_and_clean() -> None:
    key = "\x1b]0;owned\x07" + "k" * 500
    raw = b'{"meta": {"1": {"schema": 1}}, "statements": {%s: {}, %s: {}}}' % (2 * (orjson.dumps(key),))
    (found,) = duplicate_keys(raw, orjson.loads(raw))
    assert "\x1b" not in found and "\x07" not in found and len(found) < 120


# -- the ends of the calendar ------------------------------------------------------------


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_an_instant_outside_the_calendar_in_utc_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="outside the years 1 to 9999"):
        parse_instant(text)


def test_an_early_year_is_padded_so_it_sorts_before_later_ones() -> None:
    early = format_instant(datetime(999, 6, 1, tzinfo=UTC))
    assert early == "0999-06-01T00:00:00.000000Z"
    assert early < format_instant(datetime(2025, 1, 1, tzinfo=UTC))


# -- the lock -----------------------------------------------------------------------


def test_a_lock_file_replaced_while_waiting_is_taken_again(tmp_path: Path) -> None:
    """The waiter's lock, won on a file no longer at the path, would exclude no one: it locks the new file."""
    path = tmp_path / "s.json.lock"
    path.touch()
    at_path: list[bool] = []

    def waiter() -> None:
        with locked(path, 10):
            at_path.append(held_now(path))  # another descriptor on the file at the path: is it ours?

    with locked(path, 0):
        thread = threading.Thread(target=waiter)
        thread.start()
        time.sleep(0.3)  # the waiter has opened the file and is polling for its lock
        path.unlink()  # deleted while held, and made again (a cleanup script, a sync tool)
        path.touch()
    thread.join(10)
    assert at_path == [True], "the waiter locked the deleted file, which keeps no one out"


def test_held_now_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.json.lock"
    assert not held_now(path) and not path.exists()
    with locked(path, 0):
        assert held_now(path)
    assert not held_now(path)


def test_a_new_store_file_is_locked_before_it_is_renamed_into_place(tmp_path: Path) -> None:
    """Under ``exclusive``, each new store file is locked by its writer before anyone can open it."""
    from tracker.storage.lock import exclusive

    path = tmp_path / "s.json"
    write_atomic(path, b"{}")
    with exclusive(path, 0):
        write_atomic(path, b'{"a": 1}')
        assert held_now(path), "the new file at the path is held"
    assert not held_now(path)
    assert stale_temps(path) == []


def test_a_temp_file_name_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    temp = tmp_path / ".s.json.abcd1234.tmp"
    temp.write_bytes(b"{")
    os.symlink(temp, tmp_path / ".s.json.efgh5678.tmp")  # a link is not ours to name or remove
    assert stale_temps(path) == [temp]
