"""Finding and naming things on the command line (issue 15): ids by their start, parties by an alias,
stances by a label, grades in any case, positions not called versions, and codebook edits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ADD, Invoke, as_json, assert_one_clear_error, ok, seeded, tracker
from tracker.store import Store


def fails(result: Any, *words: str) -> str:
    """Exit 2, one error line naming ``words``, nothing on stdout; the line."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    return assert_one_clear_error(result.stderr, *words)


def statement_ids(path: Path) -> list[str]:
    return sorted({doc["id"] for doc in json.loads(path.read_bytes())["statements"].values()})


# -- statement ids by their start -------------------------------------------------------------


def test_show_correct_and_retract_take_the_start_of_an_id_in_any_case(invoke: Invoke, store_path: Path) -> None:
    statement_id = ok(invoke(*ADD, db=store_path)).stdout.strip()
    prefix = statement_id[:14].lower()
    assert as_json(invoke, store_path, "show", prefix)["id"] == statement_id
    assert statement_id in ok(invoke("show", prefix, db=store_path)).stdout
    corrected = as_json(invoke, store_path, "correct", prefix, "--grade", "A1", "--reason", "transcript")
    assert (corrected["id"], corrected["rev"], corrected["grade"]) == (statement_id, 2, "A1")
    retracted = as_json(invoke, store_path, "retract", prefix.upper(), "--reason", "misattributed")
    assert (retracted["id"], retracted["rev"], retracted["retracted"]) == (statement_id, 3, True)
    assert statement_ids(store_path) == [statement_id]  # no revision filed under the prefix


def test_an_ambiguous_prefix_is_one_line_listing_matches_and_the_count(invoke: Invoke, demo_path: Path) -> None:
    ids = statement_ids(demo_path)
    before = demo_path.read_bytes()
    for command in (["show", "st_0"], ["correct", "st_0", "--grade", "A1"], ["retract", "st_0", "--reason", "r"]):
        line = fails(invoke(*command, db=demo_path), "is ambiguous", f"{len(ids)} statements start with it")
        assert len(re.findall(r"st_\w+", line)) == 5 + 1  # the prefix itself, then five matches
        assert f"and {len(ids) - 5} more" in line
    assert demo_path.read_bytes() == before


def test_an_unknown_id_is_one_line(invoke: Invoke, demo_path: Path) -> None:
    fails(invoke("show", "st_ZZZ", db=demo_path), "no statement with id 'st_ZZZ'")


# -- add says what it recorded ----------------------------------------------------------------


def test_add_prints_the_id_and_on_stderr_a_one_line_summary(invoke: Invoke, store_path: Path) -> None:
    added = ok(invoke(*ADD, db=store_path))
    assert re.fullmatch(r"st_\w+\n", added.stdout)  # ID=$(tracker add …) still gets the id alone
    assert added.stderr == "recorded: usa · nato · Not now · 2025-04-01\n"
    as_json_output = ok(invoke(*ADD, "--format", "json", db=store_path))
    assert json.loads(as_json_output.stdout)["stance"] == "not-now"  # --format json is as it was


def test_add_through_a_real_process_shows_both_lines(store_path: Path) -> None:
    done = tracker(*ADD, db=store_path)
    assert done.returncode == 0 and done.stdout.strip() in statement_ids(store_path)
    assert "recorded: usa · nato · Not now · 2025-04-01" in done.stderr


# -- aliases, labels, lowercase grades -----------------------------------------------------------


def test_add_takes_an_alias_a_label_a_name_and_a_lowercase_grade(invoke: Invoke, store_path: Path) -> None:
    added = ok(invoke("add", "--party", "us", "--issue", "NATO", "--stance", "Not now", "--date", "2025-04-01",
                      "--grade", "b2", "--format", "json", db=store_path))  # fmt: skip
    statement = json.loads(added.stdout)
    assert (statement["party"], statement["issue"], statement["stance"], statement["grade"]) == (
        "usa", "nato", "not-now", "B2",
    )  # fmt: skip
    kremlin = as_json(invoke, store_path, "add", "--party", "Kremlin", "--issue", "kursk", "--stance", "SURRENDER",
                      "--date", "2025-03-14", "--grade", "A1")  # fmt: skip
    assert (kremlin["party"], kremlin["stance"]) == ("russia", "surrender")


def test_correct_reads_a_label_on_the_statements_own_issue(invoke: Invoke, store_path: Path) -> None:
    statement_id = ok(invoke(*ADD, db=store_path)).stdout.strip()
    corrected = as_json(invoke, store_path, "correct", statement_id, "--stance", "Unrealistic", "--grade", "a2")
    assert (corrected["stance"], corrected["grade"]) == ("unrealistic", "A2")
    moved = as_json(invoke, store_path, "correct", statement_id, "--issue", "kursk", "--stance", "Exchange")
    assert (moved["issue"], moved["stance"]) == ("kursk", "exchange")


def test_the_filters_take_aliases_and_names(invoke: Invoke, demo_path: Path) -> None:
    by_code = as_json(invoke, demo_path, "log", "--party", "russia", "--issue", "kursk")
    assert by_code and as_json(invoke, demo_path, "log", "--party", "Kremlin", "--issue", "Kursk") == by_code
    assert as_json(invoke, demo_path, "log", "--party", "moscow", "--issue", "KURSK") == by_code
    grid = as_json(invoke, demo_path, "matrix", "--party", "united states", "--issue", "nato", "--as-of", "2025-03-31")
    assert (grid["parties"], grid["issues"]) == (["usa"], ["nato"])
    changes = as_json(invoke, demo_path, "diff", "2025-01-01", "2025-03-31", "-p", "Zelensky", "-i", "Ceasefire")
    assert changes["changes"] and {(c["party"], c["issue"]) for c in changes["changes"]} == {("ukraine", "ceasefire")}


def test_inbox_accept_takes_a_label(invoke: Invoke, store_path: Path) -> None:
    store = seeded(store_path)
    kursk = next(c for c in store.candidates() if c.issue == "kursk")
    accepted = ok(invoke("inbox", "accept", kursk.id, "--stance", "Surrender", "--grade", "b2", db=store_path))
    shown = as_json(invoke, store_path, "show", accepted.stdout.strip())
    assert (shown["stance"], shown["grade"]) == ("surrender", "B2")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["add", "--party", "atlantis", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-01"],
         ["unknown party 'atlantis'", "(known: russia, ukraine, usa, europe)"]),
        (["add", "--party", "usa", "--issue", "gas", "--stance", "not-now", "--date", "2025-04-01"],
         ["unknown issue 'gas'", "(known: nato, territory, kursk, ceasefire, sanctions)"]),
        (["add", "--party", "usa", "--issue", "nato", "--stance", "maybe", "--date", "2025-04-01"],
         ["unknown stance 'maybe' for issue 'nato'", "(scale: join-now, irreversible-path, not-now,"]),
        (["log", "--party", "atlantis"], ["unknown party 'atlantis'", "(known: russia, ukraine, usa, europe)"]),
        (["matrix", "--issue", "gas"], ["unknown issue 'gas'", "(known: nato,"]),
        (["diff", "2025-01-01", "-p", "atlantis"], ["(known: russia, ukraine, usa, europe)"]),
        (["parties", "update", "china", "--name", "China"], ["unknown party 'china'", "(known: russia,"]),
        (["parties", "remove", "china"], ["unknown party 'china'", "(known: russia,"]),
        (["issues", "remove", "gas"], ["unknown issue 'gas'", "(known: nato,"]),
        (["issues", "update", "gas", "--name", "Gas"], ["unknown issue 'gas'", "(known: nato,"]),
    ],
)  # fmt: skip
def test_every_unknown_code_error_lists_the_codes(
    invoke: Invoke, store_path: Path, args: list[str], words: list[str]
) -> None:
    before = store_path.read_bytes()
    fails(invoke(*args, db=store_path), *words)
    assert store_path.read_bytes() == before


def test_an_alias_two_parties_share_is_refused_naming_both(invoke: Invoke, store_path: Path) -> None:
    ok(invoke("parties", "add", "nato-hq", "--name", "NATO HQ", "--alias", "Brussels", db=store_path))
    before = store_path.read_bytes()
    fails(
        invoke("add", "--party", "brussels", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-01",
               db=store_path),
        "party 'brussels' is ambiguous: it names europe, nato-hq; give the code",
    )  # fmt: skip
    assert store_path.read_bytes() == before


# -- "4th position", not "v4" ----------------------------------------------------------------------


def test_the_matrix_says_which_position_a_cell_holds_not_a_version(invoke: Invoke, demo_path: Path) -> None:
    table = ok(invoke("matrix", "--as-of", "2025-03-31", db=demo_path)).stdout
    assert not re.search(r"\bv\d", table)
    assert "2nd · A1" in table and "1st · A1" in table
    assert "4th: the cell's 4th position ·" in " ".join(table.split())  # the key says what 2nd counts
    kursk = as_json(invoke, demo_path, "matrix", "--as-of", "2025-03-31", "-p", "russia", "-i", "kursk")["cells"][0]
    assert kursk["version"] == 2  # the JSON key stays, for the scripts that read it
    assert "version" in ok(invoke("matrix", "--format", "csv", db=demo_path)).stdout.splitlines()[0].split(",")
    shown = ok(invoke("show", kursk["statement_id"], db=demo_path)).stdout
    assert "(revision 1)" in shown and "position" not in shown.split("\n")[0]


# -- codebook edits ------------------------------------------------------------------------------


def test_an_unused_party_and_issue_can_be_removed(invoke: Invoke, store_path: Path) -> None:
    ok(invoke("parties", "add", "chnia", "--name", "Chnia", db=store_path))
    ok(invoke("issues", "add", "gass", "--stance", "cut", "--stance", "flow", db=store_path))
    assert ok(invoke("parties", "remove", "chnia", db=store_path)).stdout == "Removed party chnia (Chnia).\n"
    assert ok(invoke("issues", "remove", "gass", db=store_path)).stdout == "Removed issue gass (gass).\n"
    assert [p["id"] for p in as_json(invoke, store_path, "parties")] == ["russia", "ukraine", "usa", "europe"]
    assert "gass" not in {i["id"] for i in as_json(invoke, store_path, "issues")}
    assert ok(invoke("check", db=store_path)).exit_code == 0


def test_a_party_or_issue_in_use_cannot_be_removed(invoke: Invoke, demo_path: Path) -> None:
    before = demo_path.read_bytes()
    used = len({d["id"] for d in json.loads(before)["statements"].values() if d["party"] == "usa"})
    fails(invoke("parties", "remove", "usa", db=demo_path), f"party 'usa' is used by {used} statement(s)", "stays")
    fails(invoke("issues", "remove", "kursk", db=demo_path), "issue 'kursk' is used by", "statement(s)")
    assert demo_path.read_bytes() == before


def test_a_party_is_renamed_and_loses_an_alias(invoke: Invoke, demo_path: Path) -> None:
    done = ok(invoke("parties", "update", "usa", "--name", "USA", "--remove-alias", "washington", db=demo_path))
    assert done.stdout.startswith("Updated party usa (USA): aliases United States, U.S., US, White House,")
    usa = next(p for p in as_json(invoke, demo_path, "parties") if p["id"] == "usa")
    assert usa["name"] == "USA" and "Washington" not in usa["aliases"]
    assert "USA" in ok(invoke("matrix", "--as-of", "2025-03-31", db=demo_path)).stdout
    fails(invoke("log", "--party", "Washington", db=demo_path), "unknown party 'Washington'")


def test_an_issue_is_relabelled_and_loses_a_keyword_and_the_matrix_follows(invoke: Invoke, demo_path: Path) -> None:
    ok(invoke("issues", "update", "kursk", "--relabel", "surrender:Lay down arms", "--remove-keyword", "kursk",
              db=demo_path))  # fmt: skip
    kursk = next(i for i in as_json(invoke, demo_path, "issues") if i["id"] == "kursk")
    assert kursk["keywords"] == [] and {k: kursk["scale"][3][k] for k in ("code", "label", "score")} == {
        "code": "surrender",
        "label": "Lay down arms",
        "score": 3,
    }
    assert "Lay down arms" in ok(invoke("matrix", "--as-of", "2025-03-31", "-i", "kursk", db=demo_path)).stdout
    assert as_json(invoke, demo_path, "log", "-p", "russia", "-i", "kursk")[0]["stance"] == "surrender"  # codes stay


@pytest.mark.parametrize(
    ("place", "scores"),
    [
        (["--before", "not-now"], {"pause": 2, "not-now": 3, "renounce": 5}),
        (["--after", "Not now"], {"not-now": 2, "pause": 3, "renounce": 5}),
        (["--at", "0"], {"pause": 0, "join-now": 1, "renounce": 5}),
        (["--at", "5"], {"renounce": 4, "pause": 5}),
    ],
)
def test_a_stance_is_inserted_into_a_scale_and_scores_follow(
    invoke: Invoke, demo_path: Path, place: list[str], scores: dict[str, int]
) -> None:
    grid = as_json(invoke, demo_path, "matrix", "--as-of", "2025-03-31", "-i", "nato")
    before = {c["party"]: (c["stance"], c["statement_id"]) for c in grid["cells"]}
    done = ok(invoke("issues", "update", "nato", "--add-stance", "pause:Pause talks", *place, db=demo_path))
    assert done.stdout.startswith("Updated issue nato (NATO): scale ")
    nato = next(i for i in as_json(invoke, demo_path, "issues") if i["id"] == "nato")
    got = {s["code"]: s["score"] for s in nato["scale"]}
    assert {code: got[code] for code in scores} == scores and sorted(got.values()) == list(range(6))
    after = as_json(invoke, demo_path, "matrix", "--as-of", "2025-03-31", "-i", "nato")
    assert {c["party"]: (c["stance"], c["statement_id"]) for c in after["cells"]} == before  # codes kept
    assert all(c["score"] == got[c["stance"]] for c in after["cells"])  # scores from the codebook
    assert ok(invoke("check", db=demo_path)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["parties", "update", "russia"], ["nothing to update: give --name, --alias, --remove-alias or --color"]),
        (["parties", "update", "russia", "--alias", "Kremlin"], ["nothing to update", "as it is"]),
        (["parties", "update", "russia", "--alias", ""], ["--alias must not be empty"]),
        (["parties", "update", "russia", "--remove-alias", "Beijing"], ["party 'russia' has no alias 'Beijing'"]),
        (["issues", "update", "kursk"], ["nothing to update: give --name, --question, --keyword"]),
        (["issues", "update", "kursk", "--keyword", ""], ["--keyword must not be empty"]),
        (["issues", "update", "kursk", "--remove-keyword", "Crimea"], ["issue 'kursk' has no keyword 'Crimea'"]),
        (["issues", "update", "kursk", "--relabel", "surrender"], ["--relabel 'surrender': give CODE:LABEL"]),
        (["issues", "update", "kursk", "--relabel", "maybe:Maybe"], ["unknown stance 'maybe' for issue 'kursk'"]),
        (["issues", "update", "kursk", "--add-stance", "pause"], ["say where the new stance goes"]),
        (["issues", "update", "kursk", "--add-stance", "pause", "--at", "1", "--before", "exchange"],
         ["say where the new stance goes"]),
        (["issues", "update", "kursk", "--before", "exchange"], ["give --add-stance CODE[:LABEL]"]),
        (["issues", "update", "kursk", "--add-stance", "pause", "--at", "9"], ["from 0 to 5 on issue 'kursk', not 9"]),
        (["issues", "update", "kursk", "--add-stance", "exchange", "--at", "1"], ["already has a stance 'exchange'"]),
        (["issues", "update", "kursk", "--add-stance", "x:Exchange", "--at", "1"], ["already the label of 'exchange'"]),
        (["issues", "update", "kursk", "--add-stance", "Pause", "--at", "1"], ["stance code 'Pause' must be"]),
    ],
)  # fmt: skip
def test_codebook_updates_that_change_nothing_or_are_wrong_are_one_line(
    invoke: Invoke, demo_path: Path, args: list[str], words: list[str]
) -> None:
    before = demo_path.read_bytes()
    fails(invoke(*args, db=demo_path), *words)
    assert demo_path.read_bytes() == before


def test_a_label_typed_for_stance_follows_a_relabel(invoke: Invoke, store_path: Path) -> None:
    ok(invoke("issues", "update", "nato", "--relabel", "not-now:Not yet", db=store_path))
    added = as_json(invoke, store_path, *ADD[:6], "Not yet", *ADD[7:])
    assert added["stance"] == "not-now"
    fails(invoke(*ADD[:6], "Not now", *ADD[7:], db=store_path), "unknown stance 'Not now'")


def test_a_codebook_edit_reaches_a_second_process(store_path: Path) -> None:
    """A write like any other: locked, atomic, read by the next command."""
    done = tracker("issues", "update", "kursk", "--add-stance", "pause:Pause", "--at", "0", db=store_path)
    assert done.returncode == 0, done.stderr
    assert "now score one more" in done.stderr
    assert Store(store_path).codebook.require_issue("kursk").scale[0].code == "pause"


def test_a_new_issue_with_two_stances_of_one_label_is_refused(invoke: Invoke, store_path: Path) -> None:
    """Labels are typed for --stance, so a scale where two share one could not be typed."""
    before = store_path.read_bytes()
    args = ["issues", "add", "gas", "--stance", "cut:Stop", "--stance", "halt:stop"]
    fails(invoke(*args, db=store_path), "stance label", "is already the label of")
    assert store_path.read_bytes() == before
