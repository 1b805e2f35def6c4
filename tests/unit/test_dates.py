"""Date arguments (valid time) and instants (record time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.dates import format_instant, now_instant, parse_date, parse_instant
from tracker.errors import InputError

NOW = date(2025, 3, 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-02-12", date(2025, 2, 12)),
        (" 2024-02-29 ", date(2024, 2, 29)),
        ("today", NOW),
        ("TODAY", NOW),
        ("yesterday", date(2025, 3, 13)),
        ("0d", NOW),
        ("3d", date(2025, 3, 11)),
        ("2w", date(2025, 2, 28)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, now=NOW) == expected


def test_today_defaults_to_the_real_today() -> None:
    assert parse_date("today") == date.today()


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13-01", "12/03/2025", "2025-3-1", "", "soon", "-3d", "3m"])
def test_bad_dates_say_how_to_write_one(text: str) -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        parse_date(text, now=NOW)


def test_a_bare_known_at_date_means_the_end_of_that_day() -> None:
    moment = parse_instant("2025-03-14")
    assert moment.tzinfo is not None
    assert moment.date() == date(2025, 3, 14)
    assert moment + timedelta(microseconds=1) == datetime(2025, 3, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-14T10:30:00Z",
        "2025-03-14T10:30:00z",
        "2025-03-14T10:30:00",
        "2025-03-14T12:30:00+02:00",
        "2025-03-14 10:30",
    ],
)
def test_known_at_date_times_are_utc_unless_they_carry_an_offset(text: str) -> None:
    assert parse_instant(text) == datetime(2025, 3, 14, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [("3d", date(2025, 3, 11)), ("1w", date(2025, 3, 7))])
def test_known_at_accepts_relative_dates(text: str, expected: date) -> None:
    assert parse_instant(text, now=NOW).date() == expected


@pytest.mark.parametrize(("text", "expected"), [("today", NOW), ("yesterday", date(2025, 3, 13))])
def test_known_at_accepts_today_and_yesterday(text: str, expected: date) -> None:
    assert parse_instant(text, now=NOW).date() == expected


@pytest.mark.parametrize("text", ["2025-03-14T25:00", "2025-02-30T10:00", "noon"])
def test_bad_known_at_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError):
        parse_instant(text)


def test_instants_have_a_fixed_width_and_sort_as_text() -> None:
    early = format_instant(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))
    late = format_instant(datetime(2025, 1, 2, 3, 4, 5, 600, tzinfo=UTC))
    assert early == "2025-01-02T03:04:05.000000Z"
    assert len(early) == len(late) == len(now_instant())
    assert early < late < now_instant()


def test_format_instant_converts_to_utc() -> None:
    from datetime import timezone

    moment = datetime(2025, 3, 14, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_instant(moment) == "2025-03-14T10:00:00.000000Z"
    assert format_instant(parse_instant("2025-03-14")) == "2025-03-14T23:59:59.999999Z"
