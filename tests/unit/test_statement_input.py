"""The one parser of an analyst's statement input, used by the CLI, the dashboard form and the inbox."""

from __future__ import annotations

import pytest

from tracker import codebook as default_codebook
from tracker.errors import InputError
from tracker.model import codebook_from_tables
from tracker.statement_input import INPUT_FIELDS, parse

BOOK = codebook_from_tables(default_codebook.PARTIES, default_codebook.ISSUES)
GOOD = {"party": "russia", "issue": "nato", "stance": "renounce", "date": "2025-03-01"}


def test_a_new_statement_in_the_stored_shape() -> None:
    parsed = parse({**GOOD, "conditions": "neutral status; no troops ", "url": "https://x.test/a",
                    "published": "2025-03-02", "speaker": " Lavrov "}, BOOK, new=True)  # fmt: skip
    assert parsed.problems == []
    assert parsed.fields == {
        "party": "russia", "issue": "nato", "stance": "renounce", "stated_on": "2025-03-01", "speaker": "Lavrov",
        "conditions": ["neutral status", "no troops"], "channel": "official",
        "source": {"url": "https://x.test/a", "title": "", "outlet": "", "published": "2025-03-02"},
    }  # fmt: skip


def test_every_problem_is_named_by_its_input_field() -> None:
    parsed = parse({"party": "atlantis", "issue": "nato", "stance": "", "date": "2025-02-30", "grade": "Z9",
                    "published": "soon"}, BOOK, new=True)  # fmt: skip
    problems = dict(parsed.problems)
    assert problems["stance"] == "required"
    assert "not a date: '2025-02-30'" in problems["date"]
    assert "not a date: 'soon'" in problems["published"]
    assert "unknown party 'atlantis'" in problems["party"]
    assert "not an Admiralty code" in problems["grade"]
    assert parsed.missing == ["stance"]
    assert set(problems) <= set(INPUT_FIELDS)  # never a stored name such as stated_on


def test_check_raises_the_first_problem_with_its_field() -> None:
    with pytest.raises(InputError) as raised:
        parse({**GOOD, "date": "someday"}, BOOK, new=True).check()
    assert raised.value.field == "date" and "not a date: 'someday'" in str(raised.value)


def test_a_correction_gives_only_what_changes() -> None:
    # click passes () for a repeatable option not given: it must not clear the statement's tags
    parsed = parse({"grade": "B2", "tags": (), "conditions": None, "note": None, "url": "https://y.test"})
    assert parsed.problems == [] and parsed.fields == {"grade": "B2", "source": {"url": "https://y.test"}}
    assert parse({"tags": ("verified",)}).fields == {"tags": ["verified"]}


def test_relative_dates_are_resolved() -> None:
    parsed = parse({**GOOD, "date": "yesterday"}, BOOK, new=True)
    assert parsed.problems == [] and len(parsed.fields["stated_on"]) == 10


def test_an_unknown_input_field_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="stated_on"):
        parse({"stated_on": "2025-01-01"})
