"""Ids for statements, feeds and candidates: a prefix and a ULID.

A ULID is a 48-bit millisecond timestamp and 80 random bits, written as 26
Crockford base-32 characters, so ids sort by the time they were made. It is
built here in a few lines rather than with python-ulid, whose import (it reads
its own package metadata) cost a writing command 12 ms of a ~100 ms start.
"""

from __future__ import annotations

import os
import re
import threading
import time

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_RE = r"[0-7][0-9A-HJKMNP-TV-Z]{25}"
"""A ULID's text: the first character carries only the top 3 of 128 bits."""
STATEMENT_ID_MAX = 64
"""The most characters a statement id holds after its ``st_``: a ULID is 26, an import may bring its own."""
STATEMENT_ID_RE = re.compile(rf"st_[0-9A-Za-z_-]{{1,{STATEMENT_ID_MAX}}}")
"""A statement id, matched whole (``fullmatch``): ``st_`` and 1 to 64 letters, digits, - or _.

Ids are printed, typed and put in file names and URLs, so none may carry a
space, a control character or an escape sequence; they are checked, never
cleaned (a cleaned id would be another statement's)."""


_last = (0, 0)
"""The time and random part of the last ULID this process made."""
_last_lock = threading.Lock()


def ulid(milliseconds: int | None = None, randomness: int | None = None) -> str:
    """A new ULID; ``milliseconds`` (since the epoch) and 80 random bits may be given, for reproducible data.

    Made without them, ids of one process increase strictly, as python-ulid's
    do: within one millisecond (or if the clock steps back) the random part
    of the last one plus one. Same-day statements are ordered by id, so
    statements imported in one go keep the file's order.
    """
    if milliseconds is None and randomness is None:
        global _last
        with _last_lock:
            stamp, noise = time.time_ns() // 1_000_000, int.from_bytes(os.urandom(10), "big")
            if stamp <= _last[0]:
                stamp, noise = _last[0], _last[1] + 1
                if noise >= 1 << 80:  # 2^80 ids in one millisecond: on to the next
                    stamp, noise = stamp + 1, 0
            _last = (stamp, noise)
    else:
        stamp = time.time_ns() // 1_000_000 if milliseconds is None else milliseconds
        noise = int.from_bytes(os.urandom(10), "big") if randomness is None else randomness
    if not 0 <= stamp < 1 << 48 or not 0 <= noise < 1 << 80:
        raise ValueError("a ULID holds a 48-bit time and 80 random bits")
    value = stamp << 80 | noise
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def ulid_time(text: str) -> int:
    """The millisecond timestamp a ULID was made at."""
    value = 0
    for char in text[:10]:  # 50 bits, the top two always zero
        value = value * 32 + CROCKFORD.index(char)
    return value
