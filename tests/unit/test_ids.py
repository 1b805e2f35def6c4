"""Ids are ULIDs: 26 Crockford characters that sort by the time they were made."""

from __future__ import annotations

import re
import time

import pytest

from tracker.ids import ULID_RE, ulid, ulid_time


def test_a_new_id_is_a_ulid_of_now() -> None:
    before = time.time_ns() // 1_000_000
    made = ulid()
    after = time.time_ns() // 1_000_000
    assert re.fullmatch(ULID_RE, made)
    assert before <= ulid_time(made) <= after


def test_ids_made_later_sort_later_and_never_repeat() -> None:
    earlier = [ulid(1_700_000_000_000) for _ in range(500)]
    later = ulid(1_700_000_000_001)
    assert len(set(earlier)) == 500
    assert max(earlier) < later


def test_the_encoding_is_the_ulid_spec() -> None:
    # Bytes 0..15 as a ULID, as the spec (and python-ulid) write it.
    stamp = int.from_bytes(bytes(range(6)), "big")
    noise = int.from_bytes(bytes(range(6, 16)), "big")
    assert ulid(stamp, noise) == "00041061050R3GG28A1C60T3GF"
    assert ulid(0, 0) == "0" * 26
    assert ulid((1 << 48) - 1, (1 << 80) - 1) == "7" + "Z" * 25


@pytest.mark.parametrize(("stamp", "noise"), [(-1, 0), (1 << 48, 0), (0, 1 << 80)])
def test_out_of_range_parts_are_refused(stamp: int, noise: int) -> None:
    with pytest.raises(ValueError):
        ulid(stamp, noise)


def test_ids_of_one_process_increase_even_within_a_millisecond(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same-day statements are ordered by id: an import keeps the file's order."""
    frozen = time.time_ns() + 10**10  # a clock stopped ten seconds ahead
    monkeypatch.setattr(time, "time_ns", lambda: frozen)
    made = [ulid() for _ in range(1000)]
    assert made == sorted(made) and len(set(made)) == 1000
    assert {ulid_time(m) for m in made} == {frozen // 1_000_000}
    monkeypatch.setattr(time, "time_ns", lambda: frozen - 10**10)  # and stepped back: still later ids
    assert ulid() > made[-1]
