"""When a reported statement was made: the day a sentence gives for it, read against the publication date.

"On Tuesday" in an article published on Thursday is two days before; "on
February 12" or "Feb. 12" is that day of the publication's year (or of the
year before, when that day is later than the publication); "yesterday" is the
day before. A sentence without a day leaves it to the caller (the speaker's
day earlier in the article, else the publication date).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_DAY = re.compile(
    r"(?i:\b(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<day>[0-3]?\d)\b"
    r"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
    r"|\b(?P<relative>yesterday|today|this morning|tonight)\b)"
)


def days_named(text: str, published: str) -> list[tuple[int, str]]:
    """(where, ISO date) for each day ``text`` names, resolved against ``published`` (ISO); none without it."""
    try:
        base = date.fromisoformat(published)
    except ValueError:
        return []
    found: list[tuple[int, str]] = []
    for named in _DAY.finditer(text):
        day = _resolve(named, base)
        if day is not None:
            found.append((named.start(), day.isoformat()))
    return found


def _resolve(named: re.Match[str], base: date) -> date | None:
    if named["weekday"]:
        back = (base.weekday() - _WEEKDAYS.index(named["weekday"].lower())) % 7
        return base - timedelta(days=back)
    if named["relative"]:
        return base - timedelta(days=1) if named["relative"].lower() == "yesterday" else base
    month, day = _MONTHS[named["month"].lower()], int(named["day"])
    years = (int(named["year"]),) if named["year"] else (base.year, base.year - 1)
    for year in years:
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if found <= base or named["year"]:
            return found
    return None


def day_of_statement(text: str, published: str, near: int) -> str:
    """The day ``text`` gives for what is said at ``near`` (the attribution's verb): the first day named after
    it ("Peskov told reporters on Monday"), else one that opens the sentence ("On February 12, Trump said");
    empty when it names neither (a day before the verb is usually another event's: "after a call on Thursday")."""
    named = days_named(text, published)
    after = [day for at, day in named if at >= near]
    if after:
        return after[0]
    opening = [day for at, day in named if at <= 3]
    return opening[0] if opening else ""
