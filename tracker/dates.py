"""Date arguments as analysts type them, and the instants the store records.

Valid time (``--as-of``, ``stated_on``) is a calendar date; record time
(``--known-at``, ``recorded_at``) is a UTC instant. Both are handled as ISO
strings of fixed width, so that comparing them as text compares them in time.
"""

from __future__ import annotations

import math
import os
import re
from datetime import UTC, date, datetime, time, timedelta

from .errors import InputError, TrackerError, shown

_RELATIVE = re.compile(r"^(\d{1,5})([dw])$")
HELP = "YYYY-MM-DD, today, yesterday, or Nd / Nw for N days / weeks ago"


def today() -> date:
    """Today's date where the analyst is."""
    return date.today()


def parse_date(text: str, *, now: date | None = None) -> date:
    """A date argument: ``YYYY-MM-DD``, ``today``, ``yesterday``, ``Nd``, ``Nw``."""
    value = text.strip().lower()
    base = now or today()
    if value == "today":
        return base
    if value == "yesterday":
        return base - timedelta(days=1)
    relative = _RELATIVE.match(value)
    if relative:
        count = int(relative.group(1))
        return base - timedelta(days=count * (7 if relative.group(2) == "w" else 1))
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date: {shown(text)} (use {HELP})") from None


def parse_instant(text: str, *, now: date | None = None) -> datetime:
    """A ``--known-at`` argument as an aware UTC datetime.

    A date (any form :func:`parse_date` takes) means the end of that day:
    "what did the file say on that day". A date-time without an offset is
    UTC; ``Z`` is accepted.
    """
    try:
        day = parse_date(text, now=now)
    except InputError:
        try:
            return parse_iso_instant(text)
        except _OutOfRange:
            raise
        except InputError:
            raise InputError(
                f"not a date or date-time: {shown(text)} (use {HELP}, or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])"
            ) from None
    return datetime.combine(day, time.max, tzinfo=UTC)


class _OutOfRange(InputError):
    """A well-formed date-time whose offset takes it outside the calendar: said as such, not as a typo."""


def parse_iso_instant(text: str) -> datetime:
    """An ISO date-time with a time part, as aware UTC (naive means UTC)."""
    value = text.strip()
    if len(value) <= 10:
        raise InputError(f"not a date-time: {shown(text)}")
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise InputError(f"not a date-time: {shown(text)}") from None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+14:00 is in year 0 in UTC; 9999-12-31T23:59:59-14:00 in 10000
        raise _OutOfRange(
            f"not a date-time tracker can use: {shown(text)} is outside the years 1 to 9999 in UTC"
        ) from None


def normalise_instant(text: str) -> str:
    """Any ISO date-time as the stored form, so that record times compare as text."""
    return format_instant(parse_iso_instant(text))


def is_instant(value: object) -> bool:
    """True for a record time in the stored form (``2025-03-01T10:00:00.000000Z``)."""
    return isinstance(value, str) and len(value) == 27 and value.endswith("Z") and _stored(value)


def _stored(value: str) -> bool:
    # fromisoformat and isoformat are C, strptime and strftime Python: this is read for every
    # revision an import brings (100,000 statements: 0.9 s less). A year before 1000 is not a
    # record time (nothing was recorded then), and older trackers wrote it unpadded.
    try:
        moment = datetime.fromisoformat(value[:-1])
    except ValueError:
        return False
    return moment.tzinfo is None and moment.year >= 1000 and moment.isoformat(timespec="microseconds") == value[:-1]


def format_instant(moment: datetime) -> str:
    """An instant as stored: UTC, microseconds, ``Z``, always the same width.

    isoformat, not strftime: strftime writes the year 999 as "999", which
    compares after "2025" as text (a ``--known-at 0999-01-01`` would see
    everything); isoformat pads it to "0999".
    """
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def now_instant() -> str:
    """The current instant as stored in ``recorded_at``."""
    return format_instant(datetime.now(UTC))


def seconds_from_env(name: str, default: float, *, above_zero: bool, error: type[TrackerError] = InputError) -> float:
    """``$name`` as a number of seconds, else ``default``; anything else is one line, raised as ``error``.

    One reading of every timing setting (``$TRACKER_LOCK_TIMEOUT`` may be 0: do not wait;
    ``$TRACKER_PULL_DEADLINE`` must be above 0), so each is refused in the same words.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (above_zero and value == 0):
        need = "above 0" if above_zero else "(0 or more)"
        raise error(f"${name} must be a number of seconds {need}, not {shown(raw)}")
    return value
