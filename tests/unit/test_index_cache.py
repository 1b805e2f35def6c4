"""The index cache beside a store: used when it describes the file, and never when it may not.

Each case of issue 18's "never a stale answer" is a test: the file edited in
place, edited keeping its size and mtime (``touch -r``), a cache from another
file, a truncated or corrupt cache, one of a newer format, and a racy one (the
cache written in the same tick as the file). Each is answered from the file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers import BUNDLED, Invoke
from tracker.errors import StoreError
from tracker.storage import index_cache, tinydb_adapter
from tracker.store import Store

SPOKEN = "ANTECEDENT"
"""A marker put in a statement's note, of the same length as the text it replaces in place."""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the bundled record and its cache, written (as `tracker check` writes it) a moment after
    the copy: a cache not racy, trusted on the store's stat alone."""
    path = tmp_path / "positions.json"
    shutil.copyfile(BUNDLED, path)
    _past_the_tick()
    Store(path).write_index()
    loaded = index_cache.load(path, index_cache.identity_of(path.stat()))
    assert loaded is not None and not loaded.racy
    return path


def _past_the_tick() -> None:
    """Wait until a change made now is past the granularity the racy rule allows for."""
    time.sleep(3 * index_cache.GRANULARITY_NS / 1e9)


def _parsing_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any parse of the whole file fails the test: the read must come from the cache."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(tinydb_adapter, "parse_tables", refuse)


def _notes(path: Path) -> set[str]:
    store = Store(path)
    return {s.note for s in store.latest()}


def _edit_in_place(path: Path) -> None:
    """Replace one note's first word with a marker of the same length, in the same inode."""
    raw = path.read_bytes()
    at = raw.index(b'"note": "') + len(b'"note": "')
    with open(path, "r+b") as handle:
        handle.seek(at)
        handle.write(SPOKEN.encode())


def test_a_warm_read_never_parses_the_file(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = Store(demo).timeline().matrix("2025-03-01").as_json()
    history = Store(demo).latest()
    _parsing_refused(monkeypatch)
    store = Store(demo)
    assert store.timeline().matrix("2025-03-01").as_json() == expected
    assert store.latest() == history
    assert store.history(history[0].id)[-1] == history[0]


def test_a_missing_cache_is_answered_from_the_file_and_written_for_next_time(
    demo: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = Store(demo).latest()
    index_cache.forget(demo)
    assert Store(demo).latest() == expected
    assert index_cache.load(demo, index_cache.identity_of(demo.stat())) is not None, "the reader left it"
    index_cache.forget(demo)
    assert invoke("check", db=demo).exit_code == 0
    assert index_cache.load(demo, index_cache.identity_of(demo.stat())) is not None, "check leaves it"
    _past_the_tick()
    _parsing_refused(monkeypatch)
    assert Store(demo).latest() == expected


def test_a_stale_cache_is_replaced_by_the_reader_that_finds_it(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _past_the_tick()
    _edit_in_place(demo)
    os.utime(demo)  # a hand edit: the file's identity no longer matches the cache
    assert any(note.startswith(SPOKEN) for note in _notes(demo))
    fresh = index_cache.load(demo, index_cache.identity_of(demo.stat()))
    assert fresh is not None, "the reader wrote the cache of the edited file"
    _past_the_tick()
    _parsing_refused(monkeypatch)
    assert any(note.startswith(SPOKEN) for note in _notes(demo)), "the next reader answers from it"


def test_an_edit_in_place_is_seen(demo: Path) -> None:
    _edit_in_place(demo)
    assert any(note.startswith(SPOKEN) for note in _notes(demo))


def test_an_edit_that_keeps_size_and_mtime_is_seen(demo: Path) -> None:
    before = demo.stat()
    _edit_in_place(demo)
    os.utime(demo, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r: the mtime put back
    after = demo.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    assert any(note.startswith(SPOKEN) for note in _notes(demo))


def test_a_cache_copied_from_another_file_is_not_used(demo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    Store.create(other, {**Store(demo).tables(), "statements": {}})  # same codebook, no statements
    Store(other).write_index()
    shutil.copyfile(index_cache.cache_path(other), index_cache.cache_path(demo))
    assert len(Store(demo).latest()) > 0


@pytest.mark.parametrize("damage", ["truncated", "corrupt", "empty", "newer format", "not a cache"])
def test_a_damaged_cache_is_answered_from_the_file(demo: Path, damage: str) -> None:
    expected = Store(demo).latest()
    cache = index_cache.cache_path(demo)
    raw = cache.read_bytes()
    if damage == "truncated":
        cache.write_bytes(raw[: len(raw) // 2])
    elif damage == "corrupt":
        middle = len(raw) // 2
        cache.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1 :])
    elif damage == "empty":
        cache.write_bytes(b"")
    elif damage == "newer format":
        loaded = index_cache.load(demo, index_cache.identity_of(demo.stat()))
        assert loaded is not None
        monkey_format = index_cache.FORMAT
        index_cache.FORMAT = monkey_format + 1
        try:
            cache.write_bytes(
                b"".join(index_cache.dump(loaded.cached, index_cache.identity_of(demo.stat()), loaded.digest))
            )
        finally:
            index_cache.FORMAT = monkey_format
    else:
        cache.write_bytes(b'{"not": "a cache"}')
    if damage != "corrupt":  # a damaged section is found when it is read (below)
        assert index_cache.load(demo, index_cache.identity_of(demo.stat())) is None
    assert Store(demo).latest() == expected


@pytest.mark.parametrize("section", ["tables", "spans", "ids", "index", "rows"])
def test_a_section_found_damaged_when_read_is_answered_from_the_file(demo: Path, section: str) -> None:
    """A byte flipped in one section: the header still describes the store, and the damage shows only
    when that section is read (a warm read checks what it reads, not all 37 MB); the command answers
    from the file all the same, and the damaged cache is replaced."""
    store = Store(demo)
    statement = max(store.latest(), key=lambda s: s.rev)  # one with revisions
    expected = (
        store.timeline().matrix("2025-03-01").as_json(), store.latest(), store.history(statement.id),
        store.timeline(known_at=datetime(2025, 3, 1, tzinfo=UTC)).matrix("2025-03-01").as_json(),
    )  # fmt: skip
    loaded = index_cache.load(demo, index_cache.identity_of(demo.stat()))
    assert loaded is not None
    rows = loaded.rows()
    offset, length, _ = loaded.where[section]
    cache = index_cache.cache_path(demo)
    raw = bytearray(cache.read_bytes())
    at = len(raw) - sum(part[1] for part in loaded.where.values()) + offset + length // 2
    raw[at] ^= 0xFF
    cache.write_bytes(bytes(raw))
    os.utime(cache, ns=(time.time_ns(), time.time_ns()))
    assert index_cache.load(demo, index_cache.identity_of(demo.stat())) is not None, "its header is whole"
    again = Store(demo)
    got = (
        again.timeline().matrix("2025-03-01").as_json(), again.latest(), again.history(statement.id),
        again.timeline(known_at=datetime(2025, 3, 1, tzinfo=UTC)).matrix("2025-03-01").as_json(),
    )  # fmt: skip
    assert got == expected
    _past_the_tick()
    Store(demo).latest()  # the next reader writes the cache anew
    fresh = index_cache.load(demo, index_cache.identity_of(demo.stat()))
    assert fresh is not None and fresh.index() is not None and fresh.rows() == rows


def test_a_racy_cache_is_checked_by_content(demo: Path) -> None:
    """A cache written in the same tick as the file: a change in that tick would not show in the stat,
    so its content is checked. Made here by giving the cache of the old bytes the edited file's identity."""
    loaded = index_cache.load(demo, index_cache.identity_of(demo.stat()))
    assert loaded is not None
    _edit_in_place(demo)
    info = demo.stat()
    cache = index_cache.cache_path(demo)
    cache.write_bytes(b"".join(index_cache.dump(loaded.cached, index_cache.identity_of(info), loaded.digest)))
    os.utime(cache, ns=(info.st_mtime_ns, info.st_mtime_ns))  # written in the file's tick
    assert index_cache.load(demo, index_cache.identity_of(info)).racy  # type: ignore[union-attr]
    assert any(note.startswith(SPOKEN) for note in _notes(demo))


def test_a_racy_cache_that_holds_is_restamped(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache written in its store's tick, as a writer's is (with the CRC of the store): checked by its
    content once, not parsed, and re-stamped so that the next reader trusts its stat."""
    info = demo.stat()
    cache = index_cache.cache_path(demo)
    loaded = index_cache.load(demo, index_cache.identity_of(info))
    assert loaded is not None
    digest = index_cache.fingerprint(demo.read_bytes())
    cache.write_bytes(b"".join(index_cache.dump(loaded.cached, index_cache.identity_of(info), digest)))
    os.utime(cache, ns=(info.st_mtime_ns, info.st_mtime_ns))
    assert index_cache.load(demo, index_cache.identity_of(info)).racy  # type: ignore[union-attr]
    _past_the_tick()
    with monkeypatch.context() as patched:
        _parsing_refused(patched)
        Store(demo).latest()
    again = index_cache.load(demo, index_cache.identity_of(demo.stat()))
    assert again is not None and not again.racy, "checked once, trusted by its stat after"
    assert again.digest == digest


def test_every_write_leaves_a_cache_of_the_new_file(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(demo)
    statement = store.latest()[0]
    store.retract(statement.id, "misattributed")
    _past_the_tick()  # the writer's cache is racy (written in the tick of the file): checked by its CRC, not parsed
    _parsing_refused(monkeypatch)
    assert Store(demo).history(statement.id)[-1].retracted


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path: Path) -> None:
    path = tmp_path / "positions.json"
    shutil.copyfile(BUNDLED, path)
    index_cache.cache_path(path).mkdir()  # nothing can be renamed over a folder
    store = Store(path)
    assert store.latest()
    store.retract(store.latest()[0].id, "misattributed")  # the write succeeds all the same
    assert Store(path).latest()[-1].retracted
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_bad_document_is_refused_with_a_cache_beside_it(demo: Path) -> None:
    raw = demo.read_bytes()
    at = raw.index(b'"party": "') + len(b'"party": "')
    end = raw.index(b'"', at)
    demo.write_bytes(raw[:at] + b"x" * (end - at) + raw[end:])  # a party no codebook has, same size
    with pytest.raises(StoreError, match="run `tracker check`"):
        Store(demo).latest()


def test_spans_are_found_only_in_trackers_layout() -> None:
    raw = b'{"statements": {"1": {"id": "a"}}}'
    assert index_cache.spans_of(raw, ["1"]) is None
    assert index_cache.spans_of(raw, []) == []


def test_a_reload_after_another_process_writes_uses_the_writers_cache(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the dashboard does when a colleague's write lands: ``reload_if_changed`` on its open Store."""
    mine = Store(demo)
    assert mine.timeline().matrix("2025-03-31")
    theirs = Store(demo).add({"party": "europe", "issue": "kursk", "stance": "exchange", "stated_on": "2025-03-20"})
    _parsing_refused(monkeypatch)  # the writer's cache is racy here: checked by its CRC, never parsed
    assert mine.reload_if_changed()
    assert theirs in mine.timeline().statements("europe", "kursk")


def test_a_command_without_a_cache_leaves_one_written_beside_its_work(tmp_path: Path) -> None:
    """The command line writes a missing cache in a child process while the command does its own work,
    and exits only when it is written: the next command finds it, and says the same."""
    path = tmp_path / "positions.json"
    shutil.copyfile(BUNDLED, path)
    command = [sys.executable, "-m", "tracker", "--db", str(path), "matrix", "--as-of", "2025-03-01"]
    cold = subprocess.run(command, capture_output=True, text=True, check=True)
    assert cold.stderr == ""
    loaded = index_cache.load(path, index_cache.identity_of(path.stat()))
    assert loaded is not None and loaded.index() is not None, "written whole, the built index too"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    warm = subprocess.run(command, capture_output=True, text=True, check=True)
    assert warm.stdout == cold.stdout


def test_a_cache_written_long_after_its_store_keeps_no_fingerprint_and_is_never_racy(demo: Path) -> None:
    """The demo's cache was written past the store's tick: it needs no CRC of the store (none is taken,
    saving a pass over the file), and it is trusted on the stat alone. Made racy by hand, it is not used."""
    info = demo.stat()
    loaded = index_cache.load(demo, index_cache.identity_of(info))
    assert loaded is not None and not loaded.racy and loaded.digest == index_cache.NO_DIGEST
    os.utime(index_cache.cache_path(demo), ns=(info.st_mtime_ns, info.st_mtime_ns))  # as if written in its tick
    assert index_cache.load(demo, index_cache.identity_of(info)).racy  # type: ignore[union-attr]
    notes = _notes(demo)  # read from the file: a racy cache without a fingerprint cannot be checked
    assert notes and index_cache.load(demo, index_cache.identity_of(demo.stat())) is not None
