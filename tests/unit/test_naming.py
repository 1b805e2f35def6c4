"""Finding and naming things in the core: the codebook's resolvers, statement id prefixes, codebook edits.

The resolvers read what an analyst types for a party, an issue or a stance (a
code in any case, a name, an alias, a label); the Store finds a statement by
the start of its id, and edits its codebook (rename, relabel, remove, insert a
stance) as a write like any other.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tracker import codebook as default_codebook
from tracker.errors import InputError
from tracker.inbox_model import Candidate, CandidateStatus
from tracker.model import Codebook, Party, Source, Stance, codebook_from_tables
from tracker.statement_input import parse
from tracker.store import Store

BOOK = codebook_from_tables(default_codebook.PARTIES, default_codebook.ISSUES)
NATO = BOOK.require_issue("nato")


def fields(**overrides: Any) -> dict[str, Any]:
    base = {"party": "russia", "issue": "nato", "stance": "renounce", "stated_on": "2025-02-12", "grade": "B2"}
    return {**base, **overrides}


# -- the resolvers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "party"),
    [("usa", "usa"), ("USA", "usa"), (" Usa ", "usa"), ("us", "usa"), ("U.S.", "usa"), ("united  states", "usa"),
     ("Kremlin", "russia"), ("kremlin", "russia"), ("moscow", "russia"), ("Kyiv", "ukraine"), ("eu", "europe")],
)  # fmt: skip
def test_a_party_is_found_by_its_code_name_or_alias_in_any_case(typed: str, party: str) -> None:
    assert BOOK.resolve_party(typed).id == party


def test_an_unknown_party_lists_the_codes() -> None:
    with pytest.raises(InputError, match=r"unknown party 'atlantis' \(known: russia, ukraine, usa, europe\)"):
        BOOK.resolve_party("atlantis")
    with pytest.raises(InputError, match="unknown party"):
        BOOK.resolve_party("")


def test_an_alias_two_parties_share_is_ambiguous_and_names_both() -> None:
    book = Codebook((*BOOK.parties, Party("nato-hq", "NATO HQ", ("Brussels",))), BOOK.issues)
    with pytest.raises(InputError, match=r"party 'brussels' is ambiguous: it names europe, nato-hq; give the code"):
        book.resolve_party("brussels")
    assert book.resolve_party("nato-hq").id == "nato-hq"


def test_a_code_wins_over_another_partys_alias() -> None:
    """Adding an alias never changes what an existing code means."""
    book = Codebook((*BOOK.parties, Party("china", "China", ("usa",))), BOOK.issues)
    assert book.resolve_party("usa").id == "usa"
    assert book.resolve_party("USA").id == "usa"


@pytest.mark.parametrize(("typed", "issue"), [("nato", "nato"), ("NATO", "nato"), ("Kursk", "kursk")])
def test_an_issue_is_found_by_its_code_or_name(typed: str, issue: str) -> None:
    assert BOOK.resolve_issue(typed).id == issue


def test_an_unknown_issue_lists_the_codes() -> None:
    with pytest.raises(
        InputError, match=r"unknown issue 'gas' \(known: nato, territory, kursk, ceasefire, sanctions\)"
    ):
        BOOK.resolve_issue("gas")


@pytest.mark.parametrize(
    ("typed", "stance"),
    [("not-now", "not-now"), ("NOT-NOW", "not-now"), ("Not now", "not-now"), ("not  now", "not-now"),
     ("renounce (neutrality)", "renounce")],
)  # fmt: skip
def test_a_stance_is_found_by_its_code_or_label(typed: str, stance: str) -> None:
    assert BOOK.resolve_stance(NATO, typed).code == stance


def test_an_unknown_stance_lists_the_scale() -> None:
    with pytest.raises(InputError, match=r"unknown stance 'maybe' for issue 'nato' \(scale: join-now, .*renounce\)"):
        BOOK.resolve_stance(NATO, "maybe")


# -- the parser every way in uses ------------------------------------------------------


def test_the_parser_turns_aliases_labels_and_lowercase_grades_into_codes() -> None:
    typed = {"party": "Kremlin", "issue": "NATO", "stance": "Not now", "date": "2025-03-01", "grade": "b2"}
    parsed = parse(typed, BOOK, new=True)
    assert parsed.problems == []
    assert {k: parsed.fields[k] for k in ("party", "issue", "stance", "grade")} == {
        "party": "russia", "issue": "nato", "stance": "not-now", "grade": "B2",
    }  # fmt: skip


def test_a_corrections_stance_is_read_on_its_statements_issue() -> None:
    assert parse({"stance": "Surrender"}, BOOK, issue="kursk").fields == {"stance": "surrender"}
    assert parse({"stance": "Not now", "issue": "nato"}, BOOK, issue="kursk").fields["stance"] == "not-now"
    assert dict(parse({"stance": "Surrender"}, BOOK, issue="nato").problems)["stance"].startswith("unknown stance")


def test_the_parsers_problems_list_the_codes() -> None:
    problems = dict(
        parse({"party": "atlantis", "issue": "gas", "stance": "x", "date": "2025-03-01"}, BOOK, new=True).problems
    )
    assert problems["party"] == "unknown party 'atlantis' (known: russia, ukraine, usa, europe)"
    assert problems["issue"].endswith("(known: nato, territory, kursk, ceasefire, sanctions)")


def test_the_store_names_the_codes_of_an_unknown_party_too(store: Store) -> None:
    with pytest.raises(InputError, match=r"unknown party 'china' \(known: russia, ukraine, usa, europe\)"):
        store.add(fields(party="china"))


# -- statement ids by their start --------------------------------------------------------


def test_a_statement_is_found_by_a_unique_prefix_in_any_case(store: Store) -> None:
    added = store.add(fields())
    assert store.statement_id(added.id) == added.id
    assert store.statement_id(added.id[:12]) == added.id
    assert store.statement_id(added.id[:12].lower()) == added.id
    assert store.statement_id(f"  {added.id.lower()} ") == added.id


def test_an_ambiguous_prefix_lists_five_matches_and_the_count(store: Store) -> None:
    ids = [s.id for s in store.import_statements((f"item {n}", {**fields(), "id": f"st_AB{n:02}"}) for n in range(7))]
    with pytest.raises(InputError) as raised:
        store.statement_id("st_ab")
    message = str(raised.value)
    assert message.startswith("statement id 'st_ab' is ambiguous: 7 statements start with it (")
    assert ", ".join(ids[:5]) + " and 2 more); give more of the id" in message
    assert store.statement_id("st_ab03") == "st_AB03"


def test_a_whole_id_wins_over_the_longer_ids_it_begins(store: Store) -> None:
    store.import_statements([("item 1", {**fields(), "id": "st_a"}), ("item 2", {**fields(), "id": "st_ab"})])
    assert store.statement_id("st_a") == "st_a"
    assert store.statement_id("ST_A") == "st_a"


@pytest.mark.parametrize(
    ("typed", "message"), [("st_zz", "no statement with id 'st_zz'"), (" ", "give a statement id")]
)
def test_no_match_says_so(store: Store, typed: str, message: str) -> None:
    store.add(fields())
    with pytest.raises(InputError, match=message):
        store.statement_id(typed)


# -- codebook edits ----------------------------------------------------------------------


def candidate(party: str = "russia", issue: str = "kursk") -> Candidate:
    """A rejected candidate: a decided one still names its party and issue."""
    return Candidate(
        "cand_1", party, issue, CandidateStatus.REJECTED, summary="Kursk.", sources=(Source(url="https://news.test/a"),)
    )


def test_an_unused_party_and_issue_can_be_removed(store: Store) -> None:
    store.add_party(Party("china", "China"))
    store.add_issue(replace(NATO, id="gas", name="Gas"))
    assert store.remove_party("china").name == "China"
    assert store.remove_issue("gas").name == "Gas"
    assert [p.id for p in Store(store.path).codebook.parties] == ["russia", "ukraine", "usa", "europe"]
    assert "gas" not in {i.id for i in Store(store.path).codebook.issues}


def test_a_party_in_use_stays_and_the_error_counts_the_uses(store: Store) -> None:
    first = store.add(fields(party="usa"))
    store.correct(first.id, {"grade": "A1"})
    store.add(fields(party="usa", issue="kursk", stance="exchange"))
    store.add_candidates([candidate(party="usa")])
    before = store.path.read_bytes()
    with pytest.raises(InputError) as raised:
        store.remove_party("usa")
    assert str(raised.value).startswith(
        "party 'usa' is used by 2 statement(s) (3 revision(s)) and 1 inbox candidate(s)"
    )
    with pytest.raises(InputError, match=r"issue 'kursk' is used by 1 statement\(s\) \(1 revision\(s\)\) and 1 inbox"):
        store.remove_issue("kursk")
    assert store.path.read_bytes() == before


def test_a_retracted_statement_still_keeps_its_party(store: Store) -> None:
    added = store.add(fields(party="europe"))
    store.retract(added.id, "misattributed")
    with pytest.raises(InputError, match=r"party 'europe' is used by 1 statement\(s\) \(2 revision\(s\)\)"):
        store.remove_party("europe")


def test_removing_or_updating_an_unknown_code_lists_the_codes(store: Store) -> None:
    with pytest.raises(InputError, match=r"unknown party 'china' \(known: russia, ukraine, usa, europe\)"):
        store.remove_party("china")
    with pytest.raises(InputError, match=r"unknown issue 'gas' \(known: nato, "):
        store.update_issue("gas", name="Gas")


def test_a_party_is_renamed_and_loses_an_alias_but_keeps_its_code(store: Store) -> None:
    added = store.add(fields(party="usa"))
    party = store.update_party("usa", name="USA", remove_aliases=["washington", "US"], aliases=["DC"])
    assert (party.id, party.name) == ("usa", "USA")
    assert "Washington" not in party.aliases and "US" not in party.aliases and party.aliases[-1] == "DC"
    assert Store(store.path).codebook.require_party("usa") == party
    assert Store(store.path).history(added.id)[0].party == "usa"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({}, "nothing to update: the changes leave party 'usa' as it is"),
        ({"name": "United States"}, "nothing to update"),
        ({"aliases": ["us"]}, "nothing to update"),  # already there, in another case
        ({"aliases": [" "]}, "an alias cannot be empty"),
        ({"remove_aliases": ["Beijing"]}, "party 'usa' has no alias 'Beijing' (it has: United States, U.S., US,"),
        ({"color": "not a colour"}, "party colour 'not a colour' must be a colour name"),
    ],
)
def test_a_party_update_that_changes_nothing_or_is_wrong_is_refused(
    store: Store, change: dict[str, Any], message: str
) -> None:
    before = store.path.read_bytes()
    with pytest.raises(InputError) as raised:
        store.update_party("usa", **change)
    assert message in str(raised.value)
    assert store.path.read_bytes() == before


def test_an_issue_is_relabelled_and_loses_a_keyword_codes_stay(store: Store) -> None:
    added = store.add(fields(stance="not-now"))
    issue = store.update_issue("nato", labels={"not-now": "Not yet", "Renounce (neutrality)": "Neutrality"},
                               remove_keywords=["ALLIANCE"], name="NATO membership")  # fmt: skip
    assert [(s.code, s.label) for s in issue.scale][2:] == [("not-now", "Not yet"), ("unrealistic", "Unrealistic"),
                                                           ("renounce", "Neutrality")]  # fmt: skip
    assert "alliance" not in issue.keywords and issue.name == "NATO membership"
    cell = Store(store.path).timeline().matrix("2025-12-31").cells[("russia", "nato")]
    assert (cell.statement.id, cell.stance.code, cell.stance.label) == (added.id, "not-now", "Not yet")


def test_a_stance_inserted_into_the_scale_moves_the_scores_after_it(store: Store) -> None:
    store.add(fields(stance="renounce"))
    before = Store(store.path).timeline().matrix("2025-12-31").cells[("russia", "nato")].stance.score
    issue = store.update_issue("nato", new_stance=Stance("pause", "Pause talks", 0), before="not-now")
    assert [(s.code, s.score) for s in issue.scale] == [
        ("join-now", 0), ("irreversible-path", 1), ("pause", 2), ("not-now", 3), ("unrealistic", 4), ("renounce", 5),
    ]  # fmt: skip
    cell = Store(store.path).timeline().matrix("2025-12-31").cells[("russia", "nato")]
    assert (cell.stance.code, before, cell.stance.score) == ("renounce", 4, 5)
    stored = next(i for i in json.loads(store.path.read_bytes())["issues"].values() if i["id"] == "nato")
    assert [s["score"] for s in stored["scale"]] == list(range(6))
    last = store.update_issue("nato", new_stance=Stance("last", "Last", 0), after="Renounce (neutrality)")
    assert last.scale[-1] == Stance("last", "Last", 6)
    assert store.update_issue("nato", new_stance=Stance("first", "First", 0)).scale[0] == Stance("first", "First", 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"new_stance": Stance("not-now", "Again", 0)}, "issue 'nato' already has a stance 'not-now'"),
        (
            {"new_stance": Stance("later", "Later", 6)},
            "a new stance goes at a score from 0 to 5 on issue 'nato', not 6",
        ),
        ({"new_stance": Stance("Bad Code", "Bad", 1)}, "stance code 'Bad Code' must be lower-case"),
        ({"new_stance": Stance("later", "not now", 1)}, "stance label 'not now' is already the label of 'not-now'"),
        ({"new_stance": Stance("later", "Later", 0), "before": "maybe"}, "unknown stance 'maybe' for issue 'nato'"),
        ({"labels": {"maybe": "Maybe"}}, "unknown stance 'maybe' for issue 'nato' (scale: join-now,"),
        ({"labels": {"not-now": "Unrealistic"}}, "stance label 'Unrealistic' is already the label of 'unrealistic'"),
        ({"labels": {"not-now": " "}}, "stance 'not-now' needs a label"),
        ({"keywords": [""]}, "a keyword cannot be empty"),
        ({"remove_keywords": ["gas"]}, "issue 'nato' has no keyword 'gas'"),
        ({"name": "NATO", "keywords": ["nato"]}, "nothing to update: the changes leave issue 'nato' as it is"),
    ],
)
def test_an_issue_update_that_changes_nothing_or_is_wrong_is_refused(
    store: Store, change: dict[str, Any], message: str
) -> None:
    before = store.path.read_bytes()
    with pytest.raises(InputError) as raised:
        store.update_issue("nato", **change)
    assert message in str(raised.value)
    assert store.path.read_bytes() == before


def test_codebook_edits_are_writes_like_any_other(store_path: Path) -> None:
    """Under the lock, after a re-read: an edit made by another Store is not lost."""
    one, two = Store(store_path), Store(store_path)
    assert one.codebook.require_party("usa")  # read before the other writes
    two.update_party("usa", aliases=["DC"])
    one.update_party("usa", name="USA")
    party = Store(store_path).codebook.require_party("usa")
    assert (party.name, party.aliases[-1]) == ("USA", "DC")
