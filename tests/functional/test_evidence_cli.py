"""Evidence through the command line: what a party says is its position, what is reported is shown beside it.

On the bundled record as an analyst would check it (the Strana leak of
February 2025, the C3 media report of 17 March), and on copies of it with a
few statements added (two speakers who disagree, a dated withdrawal, a cell
that moves twice). Ids of bundled statements are read from ``log --format
json``, never written here.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Invoke, as_json, assert_one_clear_error, ok

Cells = dict[tuple[str, str], dict[str, Any]]

CONTESTED_DAY = "2025-03-20"
NEW_NATO = ("--party", "usa", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-01")
"""A new US statement on NATO, after the bundled record ends."""


# -- helpers ------------------------------------------------------------------------------


def cells(grid: dict[str, Any]) -> Cells:
    return {(c["party"], c["issue"]): c for c in grid["cells"]}


def unconfirmed(grid: dict[str, Any]) -> Cells:
    return {(u["party"], u["issue"]): u for u in grid["unconfirmed"]}


def matrix(invoke: Invoke, db: Path, *args: str) -> dict[str, Any]:
    grid: dict[str, Any] = as_json(invoke, db, "matrix", *args)
    return grid


def changes(invoke: Invoke, db: Path, *args: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = as_json(invoke, db, "diff", *args)["changes"]
    return found


def change_of(found: list[dict[str, Any]], party: str, issue: str) -> dict[str, Any]:
    mine = [c for c in found if (c["party"], c["issue"]) == (party, issue)]
    assert len(mine) == 1, f"expected one {party}/{issue} change in {[(c['party'], c['issue']) for c in found]}"
    return mine[0]


def statements(invoke: Invoke, db: Path, *args: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = as_json(invoke, db, "log", *args)
    return found


def leaks(invoke: Invoke, db: Path) -> dict[str, dict[str, Any]]:
    """The bundled US statements that came through a leak (the Strana document), by issue."""
    found = {s["issue"]: s for s in statements(invoke, db, "--party", "usa") if s["channel"] == "leak"}
    assert {"nato", "territory", "kursk", "ceasefire"} <= set(found), sorted(found)
    assert all(s["stated_on"] == "2025-02-07" for s in found.values())
    return found


def one(invoke: Invoke, db: Path, *, party: str, issue: str, speaker: str, stance: str = "") -> dict[str, Any]:
    """The one bundled statement of ``speaker`` on a cell (and stance, if given)."""
    found = [
        s
        for s in statements(invoke, db, "--party", party, "--issue", issue)
        if speaker in s["speaker"] and (not stance or s["stance"] == stance)
    ]
    assert len(found) == 1, [(s["speaker"], s["stance"], s["stated_on"]) for s in found]
    return found[0]


def add(invoke: Invoke, db: Path, *args: str) -> str:
    """``tracker add ARGS``; the new statement's id."""
    return ok(invoke("add", *args, db=db)).stdout.strip()


def add_the_disagreement(invoke: Invoke, db: Path) -> tuple[str, str]:
    """Putin and Ushakov on one day, same grade, different ceasefire terms: the ids of both."""
    common = ("--party", "russia", "--issue", "ceasefire", "--date", CONTESTED_DAY, "--grade", "A2")
    putin = add(invoke, db, *common, "--stance", "partial-only", "--speaker", "Vladimir Putin", "--channel", "official")
    ushakov = add(invoke, db, *common, "--stance", "conditional", "--speaker", "Yuri Ushakov", "--channel", "official")
    return putin, ushakov


def table_rows(output: str) -> list[list[str]]:
    """The rows of the Rich tables in ``output``, each column's wrapped lines joined by a space."""
    rows: list[list[str]] = []
    current: list[list[str]] | None = None
    for line in output.splitlines():
        if line.startswith("│"):
            parts = [p.strip() for p in line.strip().strip("│").split("│")]
            if current is None:
                current = [[] for _ in parts]
            for column, part in zip(current, parts, strict=False):
                if part:
                    column.append(part)
        elif current is not None:
            rows.append([" ".join(column) for column in current])
            current = None
    return rows


def row_of(output: str, first: str) -> list[str]:
    found = [row for row in table_rows(output) if row and row[0].startswith(first)]
    assert found, f"no row for {first!r} in:\n{output}"
    return found[0]


def diff_entry(output: str, party: str) -> tuple[str, str]:
    """A change in the diff's table format: its head (``  Party: what changed``, wrapped lines joined)
    and its evidence lines (indented six), each joined by a space."""
    lines = output.splitlines()
    starts = [n for n, line in enumerate(lines) if line.startswith(f"  {party}: ")]
    assert starts, f"no change for {party!r} in:\n{output}"
    head, details = [lines[starts[0]].strip()], []
    for line in lines[starts[0] + 1 :]:
        if line.startswith("      "):
            details.append(line.strip())
        elif line.startswith("  ") and not line.startswith("   ") and not details and ": " not in line[:30]:
            head.append(line.strip())
        else:
            break
    return " ".join(head), " ".join(details)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def run_table(invoke: Invoke, db: Path, *args: str) -> str:
    return ok(invoke(*args, db=db)).stdout


# -- the bundled record: the Strana leak is reported, not the US position -------------------


def test_on_9_february_no_us_position_comes_from_the_leak(invoke: Invoke, demo_path: Path) -> None:
    leaked = leaks(invoke, demo_path)
    grid = matrix(invoke, demo_path, "--as-of", "2025-02-09")
    assert grid["policy"] == {"min_grade": "C3", "window_days": 7, "include_reported": False}
    found, waiting = cells(grid), unconfirmed(grid)
    leak_ids = {s["id"] for s in leaked.values()}
    assert not [c for c in found.values() if c["statement_id"] in leak_ids]

    nato = found[("usa", "nato")]
    assert nato["stance"] == "irreversible-path" and nato["evidence"] == "stated"
    assert not nato["contested"]
    assert [(r["statement_id"], r["stance"]) for r in nato["reported"]] == [(leaked["nato"]["id"], "renounce")]
    assert nato["reported"][0]["evidence"] == "reported"

    for issue in ("territory", "kursk", "ceasefire"):
        assert ("usa", issue) not in found, issue
        assert [r["statement_id"] for r in waiting[("usa", issue)]["reported"]] == [leaked[issue]["id"]], issue
    assert ("usa", "sanctions") in found and ("usa", "sanctions") not in waiting


def test_on_9_february_the_table_and_brief_mark_the_leak_as_reported(invoke: Invoke, demo_path: Path) -> None:
    table = run_table(invoke, demo_path, "matrix", "--as-of", "2025-02-09")
    us = row_of(table, "United States")
    nato, territory = us[1], us[2]
    assert nato.startswith("Irreversible path") and "? reported: Renounce" in nato and "F5 · 02-07" in nato
    assert territory.startswith("no position") and "? reported:" in territory
    markdown = run_table(invoke, demo_path, "matrix", "--as-of", "2025-02-09", "--format", "markdown")
    line = next(row for row in markdown.splitlines() if row.startswith("| United States"))
    assert "Irreversible path (reported: Renounce" in line
    assert "— (reported:" in line
    flat = csv_rows(run_table(invoke, demo_path, "matrix", "--as-of", "2025-02-09", "--format", "csv"))
    rows = {(r["party"], r["issue"]): r for r in flat}
    assert rows[("usa", "nato")]["reported"] == "renounce" and rows[("usa", "nato")]["evidence"] == "stated"
    assert rows[("usa", "territory")]["stance"] == "" and rows[("usa", "territory")]["reported"]


def test_include_reported_shows_the_leak_as_the_us_position(invoke: Invoke, demo_path: Path) -> None:
    leaked = leaks(invoke, demo_path)
    grid = matrix(invoke, demo_path, "--as-of", "2025-02-09", "--include-reported")
    assert grid["policy"]["include_reported"] is True
    found = cells(grid)
    for issue, leak in leaked.items():
        cell = found[("usa", issue)]
        assert (cell["statement_id"], cell["evidence"]) == (leak["id"], "reported"), issue
        assert cell["stance"] == leak["stance"]
    assert found[("usa", "nato")]["stance"] == "renounce"
    assert not [u for u in grid["unconfirmed"] if u["party"] == "usa"]
    # the store's policy is not changed by a run's override
    assert as_json(invoke, demo_path, "policy") == {"min_grade": "C3", "window_days": 7}


def test_include_reported_on_12_february_is_the_old_matrix_without_conflicts(invoke: Invoke, demo_path: Path) -> None:
    """Reports counted as positions is the behaviour before evidence classes: Hegseth's statements of
    12 February are the US positions, and a leak is never a side of a conflict."""
    found = cells(matrix(invoke, demo_path, "--as-of", "2025-02-12", "--include-reported", "--party", "usa"))
    for issue in ("nato", "territory"):
        cell = found[("usa", issue)]
        assert "Hegseth" in cell["speaker"], issue
        assert cell["contested"] is False, (issue, [(c["speaker"], c["stance"]) for c in cell["conflicts"]])


def test_on_17_march_the_media_report_is_beside_hegseths_position(invoke: Invoke, demo_path: Path) -> None:
    hegseth = one(invoke, demo_path, party="usa", issue="territory", speaker="Hegseth")
    cell = cells(matrix(invoke, demo_path, "--as-of", "2025-03-17"))[("usa", "territory")]
    assert (cell["stance"], cell["statement_id"], cell["evidence"]) == ("no-recognition", hegseth["id"], "stated")
    assert [(r["stance"], r["grade"], r["stated_on"]) for r in cell["reported"]] == [
        ("recognise-some", "C3", "2025-03-17")
    ]
    table = run_table(invoke, demo_path, "matrix", "--as-of", "2025-03-17", "--party", "usa", "--issue", "territory")
    assert "reported: Recognise some · C3 · 03-17" in row_of(table, "United States")[1]
    markdown = run_table(invoke, demo_path, "matrix", "--as-of", "2025-03-17", "--format", "markdown")
    assert "Freeze, no recognition (reported: Recognise some · C3 · 03-17)" in markdown


# -- two speakers, one day, two stances: contested everywhere -------------------------------


def test_two_speakers_on_one_day_make_a_contested_cell_in_the_matrix(invoke: Invoke, demo_path: Path) -> None:
    putin, ushakov = add_the_disagreement(invoke, demo_path)
    cell = cells(matrix(invoke, demo_path, "--as-of", CONTESTED_DAY))[("russia", "ceasefire")]
    assert cell["contested"] is True
    assert {cell["stance"], *(c["stance"] for c in cell["conflicts"])} == {"partial-only", "conditional"}
    assert {cell["statement_id"], *(c["statement_id"] for c in cell["conflicts"])} == {putin, ushakov}
    assert {cell["speaker"], *(c["speaker"] for c in cell["conflicts"])} == {"Vladimir Putin", "Yuri Ushakov"}

    table = run_table(invoke, demo_path, "matrix", "--as-of", CONTESTED_DAY, "--party", "russia")
    ceasefire = row_of(table, "Russia")[4]
    assert ceasefire.startswith("⚑ ") and " vs " in ceasefire
    assert "Partial only" in ceasefire and "Conditional" in ceasefire
    markdown = run_table(invoke, demo_path, "matrix", "--as-of", CONTESTED_DAY, "--format", "markdown")
    assert "⚑" in next(line for line in markdown.splitlines() if line.startswith("| Russia"))
    rows = csv_rows(run_table(invoke, demo_path, "matrix", "--as-of", CONTESTED_DAY, "--format", "csv"))
    row = next(r for r in rows if (r["party"], r["issue"]) == ("russia", "ceasefire"))
    assert row["contested"] == "yes" and row["conflicts"] in ("partial-only", "conditional")
    # the day before, the cell is not contested
    before = cells(matrix(invoke, demo_path, "--as-of", "2025-03-19"))[("russia", "ceasefire")]
    assert before["contested"] is False


def test_two_speakers_on_one_day_are_a_contested_change_in_the_diff(invoke: Invoke, demo_path: Path) -> None:
    assert not [c for c in changes(invoke, demo_path, "2025-03-19", "2025-03-21") if c["party"] == "russia"]
    add_the_disagreement(invoke, demo_path)
    change = change_of(changes(invoke, demo_path, "2025-03-19", "2025-03-21"), "russia", "ceasefire")
    assert change["kind"] == "contested"
    assert change["after"]["contested"] is True
    table = run_table(invoke, demo_path, "diff", "2025-03-19", "2025-03-21")
    assert "No changes" not in table
    summary = diff_entry(table, "Russia")[0]
    assert summary.startswith("Russia: ⚑ contested:") and "Vladimir Putin" in summary and "Yuri Ushakov" in summary
    markdown = run_table(invoke, demo_path, "diff", "2025-03-19", "2025-03-21", "--format", "markdown")
    assert "No changes" not in markdown
    assert "⚑ contested:" in markdown and "Yuri Ushakov" in markdown
    rows = csv_rows(run_table(invoke, demo_path, "diff", "2025-03-19", "2025-03-21", "--format", "csv"))
    assert [(r["party"], r["issue"], r["kind"]) for r in rows] == [("russia", "ceasefire", "contested")]
    assert invoke("diff", "2025-03-19", "2025-03-21", "--exit-code", db=demo_path).exit_code == 1


def test_check_warns_of_the_conflict_and_fails_only_when_strict(invoke: Invoke, demo_path: Path) -> None:
    first = invoke("check", db=demo_path)
    assert first.exit_code == 0, first.output
    assert "conflict: russia · ceasefire" not in first.stdout
    putin, ushakov = add_the_disagreement(invoke, demo_path)

    checked = invoke("check", db=demo_path)
    assert checked.exit_code == 0, checked.output
    warnings = [line for line in checked.stdout.splitlines() if line.startswith("warning: conflict:")]
    assert len(warnings) == 1, checked.stdout
    assert warnings[0].startswith("warning: conflict: russia · ceasefire")
    assert "Vladimir Putin" in checked.stdout and "Yuri Ushakov" in checked.stdout

    strict = invoke("check", "--strict", db=demo_path)
    assert strict.exit_code == 1, strict.output
    assert "warning: conflict: russia · ceasefire" in strict.stdout

    data = json.loads(invoke("check", "--format", "json", db=demo_path).stdout)
    assert data["ok"] is True and data["problems"] == []
    assert len(data["warnings"]) == 1 and data["warnings"][0].startswith("conflict: russia · ceasefire")
    assert putin in data["warnings"][0] and ushakov in data["warnings"][0]


def test_the_same_speaker_twice_in_a_day_is_no_conflict(invoke: Invoke, demo_path: Path) -> None:
    common = ("--party", "russia", "--issue", "ceasefire", "--date", CONTESTED_DAY, "--grade", "A2")
    add(invoke, demo_path, *common, "--stance", "partial-only", "--speaker", "Vladimir Putin")
    add(invoke, demo_path, *common, "--stance", "conditional", "--speaker", "vladimir putin")
    cell = cells(matrix(invoke, demo_path, "--as-of", CONTESTED_DAY))[("russia", "ceasefire")]
    assert cell["contested"] is False
    assert invoke("check", "--strict", db=demo_path).exit_code == 0


# -- a dated withdrawal is said, never a move -------------------------------------------------


def test_a_dated_withdrawal_is_a_withdrawn_change_in_every_format(invoke: Invoke, demo_path: Path) -> None:
    hegseth = one(invoke, demo_path, party="usa", issue="nato", speaker="Hegseth")
    ok(invoke("retract", hegseth["id"], "--reason", "walked back", "--date", "2025-03-01", db=demo_path))
    window = ("2025-02-20", "2025-03-05", "--party", "usa")

    found = changes(invoke, demo_path, *window)
    change = change_of(found, "usa", "nato")
    assert change["kind"] == "withdrawn"
    assert change["before"]["statement_id"] == hegseth["id"]
    assert change["after"]["stance"] == "irreversible-path" and change["after"]["evidence"] == "stated"
    assert not [c for c in found if c["kind"] == "changed" and c["issue"] == "nato"]

    table = run_table(invoke, demo_path, "diff", *window)
    summary = diff_entry(table, "United States")[0]
    assert "withdrawn on 2025-03-01; falls back to Irreversible path" in summary
    assert "→" not in summary  # not a move
    assert "https://" in diff_entry(table, "United States")[1]  # the withdrawn statement's source
    markdown = run_table(invoke, demo_path, "diff", *window, "--format", "markdown")
    assert "withdrawn on 2025-03-01; falls back to Irreversible path" in markdown
    assert "Unrealistic → Irreversible path" not in markdown
    rows = csv_rows(run_table(invoke, demo_path, "diff", *window, "--format", "csv"))
    row = next(r for r in rows if r["issue"] == "nato")
    assert (row["kind"], row["after_stance"], row["before_statement_id"]) == (
        "withdrawn",
        "irreversible-path",
        hegseth["id"],
    )

    # after the withdrawal, the matrix falls back, and the leak is still only reported
    cell = cells(matrix(invoke, demo_path, "--as-of", "2025-03-05"))[("usa", "nato")]
    assert cell["stance"] == "irreversible-path"
    assert "renounce" in [r["stance"] for r in cell["reported"]]


# -- a cell that moved twice shows its path --------------------------------------------------------


def test_a_cell_that_moved_twice_shows_its_path_in_every_format(invoke: Invoke, demo_path: Path) -> None:
    add(
        invoke,
        demo_path,
        *("--party", "usa", "--issue", "nato", "--stance", "not-now", "--date", "2025-02-20"),
        *("--speaker", "Pete Hegseth", "--channel", "official", "--grade", "A1"),
    )
    window = ("2025-02-01", "2025-02-28", "--party", "usa", "--issue", "nato")

    change = change_of(changes(invoke, demo_path, *window), "usa", "nato")
    assert change["kind"] == "changed"
    assert [step["stance"] for step in change["path"]] == ["irreversible-path", "unrealistic", "not-now"]
    assert all(step["evidence"] == "stated" for step in change["path"])
    labels = " → ".join(step["label"] for step in change["path"])
    assert labels == "Irreversible path → Unrealistic → Not now"

    assert labels in diff_entry(run_table(invoke, demo_path, "diff", *window), "United States")[0]
    assert labels in run_table(invoke, demo_path, "diff", *window, "--format", "markdown")
    (row,) = csv_rows(run_table(invoke, demo_path, "diff", *window, "--format", "csv"))
    assert row["path"] == "irreversible-path → unrealistic → not-now"
    # the leak of 7 February came in the window: carried, never a step
    assert [r["stance"] for r in change["reported"]] == ["renounce"]
    assert row["reported"] == change["reported"][0]["statement_id"]


def test_a_single_move_has_a_path_of_two(invoke: Invoke, demo_path: Path) -> None:
    change = change_of(changes(invoke, demo_path, "2025-02-11", "2025-02-12", "--party", "usa"), "usa", "nato")
    assert change["kind"] == "changed"
    assert [step["stance"] for step in change["path"]] == ["irreversible-path", "unrealistic"]


def test_include_reported_puts_the_leak_back_in_the_path(invoke: Invoke, demo_path: Path) -> None:
    window = ("2025-02-01", "2025-02-28", "--party", "usa", "--issue", "nato")
    change = change_of(changes(invoke, demo_path, *window, "--include-reported"), "usa", "nato")
    assert [step["stance"] for step in change["path"]] == ["irreversible-path", "renounce", "unrealistic"]
    assert (
        change_of(changes(invoke, demo_path, "2025-02-01", "2025-02-09", "--include-reported"), "usa", "nato")["kind"]
        == "changed"
    )


# -- reports in the window: their own section -------------------------------------------------------


def test_a_report_in_the_window_is_reported_not_confirmed(invoke: Invoke, demo_path: Path) -> None:
    window = ("2025-03-16", "2025-03-18")
    found = changes(invoke, demo_path, *window)
    change = change_of(found, "usa", "territory")
    assert change["kind"] == "reported"
    assert change["before"]["stance"] == change["after"]["stance"] == "no-recognition"
    assert [(r["stance"], r["grade"], r["evidence"]) for r in change["reported"]] == [
        ("recognise-some", "C3", "reported")
    ]

    table = run_table(invoke, demo_path, "diff", *window)
    assert "Reported, not confirmed" in table
    section = table[table.index("Reported, not confirmed") :]
    line = next(line for line in section.splitlines() if line.startswith("  United States · Territory: "))
    assert "Recognise some · C3 · 2025-03-17" in line and "(media-report" in line
    markdown = run_table(invoke, demo_path, "diff", *window, "--format", "markdown")
    assert "## Reported, not confirmed" in markdown
    brief = markdown[markdown.index("## Reported, not confirmed") :]
    assert "**United States · Territory**" in brief and "Recognise some" in brief and "(C3)" in brief
    rows = csv_rows(run_table(invoke, demo_path, "diff", *window, "--format", "csv"))
    assert ("usa", "territory", "reported") in [(r["party"], r["issue"], r["kind"]) for r in rows]


def test_a_cells_reports_show_the_newest_and_how_many_more(invoke: Invoke, demo_path: Path) -> None:
    """Two more reports on the US territory cell in the window: the table shows the newest in full and
    counts the others (a year at 100,000 statements brings thousands); JSON and markdown carry all three."""
    common = ("--party", "usa", "--issue", "territory", "--channel", "media-report", "--grade", "C3")
    add(invoke, demo_path, *common, "--stance", "recognise-some", "--date", "2025-03-16", "--speaker", "Aide A")
    add(invoke, demo_path, *common, "--stance", "recognise-some", "--date", "2025-03-18", "--speaker", "Aide B")
    window = ("2025-03-15", "2025-03-18")
    change = change_of(changes(invoke, demo_path, *window), "usa", "territory")
    assert change["kind"] == "reported"
    assert [r["stated_on"] for r in change["reported"]] == ["2025-03-18", "2025-03-17", "2025-03-16"]
    table = run_table(invoke, demo_path, "diff", *window)
    section = table[table.index("Reported, not confirmed") :].splitlines()
    heads = [line for line in section if line.startswith("  United States · Territory: ")]
    assert len(heads) == 1 and "2025-03-18 · Aide B" in heads[0]
    assert "      (+2 more reports: tracker log --party usa --issue territory)" in section
    markdown = run_table(invoke, demo_path, "diff", *window, "--format", "markdown")
    assert markdown.count("**United States · Territory**") == 3


def test_the_leak_is_reported_not_a_move_in_the_diff(invoke: Invoke, demo_path: Path) -> None:
    found = changes(invoke, demo_path, "2025-02-01", "2025-02-09", "--party", "usa")
    assert {c["issue"]: c["kind"] for c in found} == {
        "nato": "reported",
        "territory": "reported",
        "kursk": "reported",
        "ceasefire": "reported",
    }
    assert change_of(found, "usa", "territory")["after"] is None
    markdown = run_table(invoke, demo_path, "diff", "2025-02-01", "2025-02-09", "--format", "markdown")
    assert "## Reported, not confirmed" in markdown
    assert "Irreversible path → Renounce" not in markdown


# -- the policy: shown and set, overridden for one run --------------------------------------------------


def test_policy_shows_the_defaults(invoke: Invoke, demo_path: Path) -> None:
    assert as_json(invoke, demo_path, "policy") == {"min_grade": "C3", "window_days": 7}
    lines = run_table(invoke, demo_path, "policy").splitlines()
    split = ([part.strip() for part in line.strip("│ ").split("│")] for line in lines)
    shown = {parts[0]: parts[1] for parts in split if len(parts) >= 2}
    assert (shown["min_grade"], shown["window_days"]) == ("C3", "7")


def test_policy_sets_the_threshold_and_the_window(invoke: Invoke, demo_path: Path) -> None:
    assert as_json(invoke, demo_path, "policy", "--min-grade", "b2", "--window", "3") == {
        "min_grade": "B2",
        "window_days": 3,
    }
    assert as_json(invoke, demo_path, "policy") == {"min_grade": "B2", "window_days": 3}
    assert matrix(invoke, demo_path, "--as-of", "2025-03-17")["policy"] == {
        "min_grade": "B2",
        "window_days": 3,
        "include_reported": False,
    }
    assert as_json(invoke, demo_path, "diff", "2025-03-01", "2025-03-17")["policy"]["min_grade"] == "B2"
    # one setting at a time keeps the other
    assert as_json(invoke, demo_path, "policy", "--window", "10") == {"min_grade": "B2", "window_days": 10}
    assert as_json(invoke, demo_path, "policy", "--min-grade", "A1") == {"min_grade": "A1", "window_days": 10}


def test_the_stored_threshold_changes_what_the_matrix_shows(invoke: Invoke, demo_path: Path) -> None:
    """Under A1, the A2 statements are reports: Zelensky's interview of 11 February no longer stands."""
    grid = matrix(invoke, demo_path, "--as-of", "2025-03-17")
    a2 = [c for c in grid["cells"] if c["grade"] == "A2" and c["version"] == 1 and not c["contested"]]
    assert a2, "the bundled record has cells resting on a single A2 statement"
    ok(invoke("policy", "--min-grade", "A1", db=demo_path))
    after = matrix(invoke, demo_path, "--as-of", "2025-03-17")
    for cell in a2:
        key = (cell["party"], cell["issue"])
        assert key not in cells(after), key
        assert cell["statement_id"] in [r["statement_id"] for r in unconfirmed(after)[key]["reported"]]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--min-grade", "Z9"), ("Z9",)),
        (("--min-grade", "C"), ("min grade",)),
        (("--window", "-1"), ("window_days",)),
        (("--window", "99999"), ("window_days",)),
        (("--window", "three"), ("--window",)),
        (("--min-grade", "Z9", "--window", "3"), ("Z9",)),
    ],
)
def test_a_bad_policy_is_one_error_line_and_the_store_is_unchanged(
    invoke: Invoke, demo_path: Path, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    before = demo_path.read_bytes()
    result = invoke("policy", *args, db=demo_path)
    assert result.exit_code == 2, result.output
    assert_one_clear_error(result.stderr, *words)
    assert result.stdout == ""
    assert demo_path.read_bytes() == before
    assert as_json(invoke, demo_path, "policy") == {"min_grade": "C3", "window_days": 7}


def test_min_grade_overrides_the_matrix_for_one_run(invoke: Invoke, demo_path: Path) -> None:
    bessent = add(
        invoke,
        demo_path,
        *("--party", "usa", "--issue", "sanctions", "--stance", "maintain", "--date", "2025-03-16"),
        *("--speaker", "Scott Bessent", "--channel", "official", "--grade", "B2"),
    )
    before = demo_path.read_bytes()
    default = cells(matrix(invoke, demo_path, "--as-of", "2025-03-17"))[("usa", "sanctions")]
    assert (default["statement_id"], default["stance"]) == (bessent, "maintain")

    strict = matrix(invoke, demo_path, "--as-of", "2025-03-17", "--min-grade", "a2")
    assert strict["policy"] == {"min_grade": "A2", "window_days": 7, "include_reported": False}
    cell = cells(strict)[("usa", "sanctions")]
    assert cell["statement_id"] != bessent and cell["stance"] == "tighten"
    assert [r["statement_id"] for r in cell["reported"]] == [bessent]

    loose = cells(matrix(invoke, demo_path, "--as-of", "2025-03-17", "--min-grade", "B2"))[("usa", "sanctions")]
    assert loose["statement_id"] == bessent
    assert demo_path.read_bytes() == before  # a reading command never writes
    assert as_json(invoke, demo_path, "policy") == {"min_grade": "C3", "window_days": 7}


@pytest.mark.parametrize("command", ["matrix", "diff", "log", "show"])
def test_a_bad_min_grade_on_a_reading_command_is_one_error_line(invoke: Invoke, demo_path: Path, command: str) -> None:
    first = statements(invoke, demo_path)[0]["id"]
    extra = {"matrix": (), "diff": ("2025-02-01", "2025-03-01"), "log": (), "show": (first,)}[command]
    result = invoke(command, *extra, "--min-grade", "Z9", db=demo_path)
    assert result.exit_code == 2, result.output
    assert_one_clear_error(result.stderr, "Z9")


def test_min_grade_and_include_reported_on_diff(invoke: Invoke, demo_path: Path) -> None:
    # Under A1 Zelensky's interview (A2) of 11 February is a report: no new Ukrainian position on Kursk then.
    window = ("2025-02-10", "2025-02-12", "--party", "ukraine")
    kursk = change_of(changes(invoke, demo_path, *window), "ukraine", "kursk")
    assert kursk["kind"] == "new"
    grade = kursk["after"]["grade"]
    if grade != "A1":  # the audit may regrade the interview; the override is what is tested
        strict = change_of(changes(invoke, demo_path, *window, "--min-grade", "A1"), "ukraine", "kursk")
        assert strict["kind"] == "reported" and strict["after"] is None
    assert as_json(invoke, demo_path, "diff", *window, "--include-reported")["policy"]["include_reported"] is True


# -- log, show, add -------------------------------------------------------------------------------------


def test_log_json_statements_carry_their_evidence(invoke: Invoke, demo_path: Path) -> None:
    found = statements(invoke, demo_path, "--party", "usa")
    assert found and all(s["evidence"] in ("stated", "reported") for s in found)
    for s in found:
        own = s["channel"] in ("official", "spokesperson", "interview")
        grade = s["grade"]
        meets = bool(grade) and grade[0] <= "C" and grade[1] <= "3"
        assert s["evidence"] == ("stated" if own and meets else "reported"), s["id"]
    leaked = leaks(invoke, demo_path)
    assert all(s["evidence"] == "reported" for s in leaked.values())
    hegseth = [s for s in found if "Hegseth" in s["speaker"]]
    assert hegseth and all(s["evidence"] == "stated" for s in hegseth)
    media = [s for s in found if s["channel"] == "media-report"]
    assert media and all(s["evidence"] == "reported" for s in media)
    # --min-grade changes the word, not the list
    strict = statements(invoke, demo_path, "--party", "usa", "--min-grade", "A1")
    assert [s["id"] for s in strict] == [s["id"] for s in found]
    assert {s["id"] for s in strict if s["evidence"] == "stated"} == {
        s["id"] for s in found if s["evidence"] == "stated" and s["grade"] == "A1"
    }


def test_log_table_marks_the_reports(invoke: Invoke, demo_path: Path) -> None:
    table = run_table(invoke, demo_path, "log", "--party", "usa", "--since", "2025-02-07", "--until", "2025-02-07")
    rows = table_rows(table)  # the grade and the word are under the stance: "Recognise some F5 · reported"
    assert rows and all(row[2].endswith("· reported") for row in rows)
    stated = run_table(invoke, demo_path, "log", "--party", "usa", "--since", "2025-02-12", "--until", "2025-02-12")
    assert table_rows(stated) and all("reported" not in row[2] for row in table_rows(stated))


def test_show_says_reported_for_the_leak_and_stated_for_hegseth(invoke: Invoke, demo_path: Path) -> None:
    leak = leaks(invoke, demo_path)["nato"]
    shown = run_table(invoke, demo_path, "show", leak["id"])
    line = next(line for line in shown.splitlines() if line.startswith("evidence"))
    assert "reported" in line and "channel leak" in line
    data = as_json(invoke, demo_path, "show", leak["id"])
    assert data["evidence"] == "reported" and all(r["evidence"] == "reported" for r in data["revisions"])

    hegseth = one(invoke, demo_path, party="usa", issue="nato", speaker="Hegseth")
    shown = run_table(invoke, demo_path, "show", hegseth["id"])
    line = next(line for line in shown.splitlines() if line.startswith("evidence"))
    assert line.split(None, 1)[1].startswith("stated")
    assert as_json(invoke, demo_path, "show", hegseth["id"])["evidence"] == "stated"
    assert as_json(invoke, demo_path, "show", hegseth["id"], "--min-grade", "B2")["evidence"] == "stated"


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (("--channel", "media-report", "--grade", "B2"), "channel is media-report"),
        (("--channel", "leak", "--grade", "A1"), "channel is leak"),
        (("--channel", "official", "--grade", "D4"), "below C3"),
        (("--channel", "official"), "no grade"),
    ],
)
def test_add_of_a_report_notes_it_on_stderr(invoke: Invoke, demo_path: Path, args: tuple[str, ...], why: str) -> None:
    result = invoke("add", *NEW_NATO, "--speaker", "Wire", *args, db=demo_path)
    assert result.exit_code == 0, result.output
    statement_id = result.stdout.strip()
    assert statement_id.startswith("st_") and len(result.stdout.splitlines()) == 1
    recorded, *notes = result.stderr.strip().splitlines()
    assert recorded.startswith("recorded: usa · nato · ")  # what add always says, then the note
    assert len(notes) == 1, result.stderr
    assert notes[0].startswith("note: ") and statement_id in notes[0]
    assert "reported" in notes[0] and why in notes[0]
    cell = cells(matrix(invoke, demo_path, "--as-of", "2025-04-01"))[("usa", "nato")]
    assert cell["statement_id"] != statement_id
    assert statement_id in [r["statement_id"] for r in cell["reported"]]


def test_add_of_a_stated_position_has_no_note(invoke: Invoke, demo_path: Path) -> None:
    result = invoke(
        "add", *NEW_NATO, "--speaker", "Marco Rubio", "--channel", "interview", "--grade", "C3", db=demo_path
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("recorded: usa · nato · ") and "note:" not in result.stderr
    cell = cells(matrix(invoke, demo_path, "--as-of", "2025-04-01"))[("usa", "nato")]
    assert cell["statement_id"] == result.stdout.strip()


def test_add_notes_under_the_stores_own_threshold(invoke: Invoke, demo_path: Path) -> None:
    ok(invoke("policy", "--min-grade", "A2", db=demo_path))
    result = invoke(
        "add", *NEW_NATO, "--speaker", "Marco Rubio", "--channel", "official", "--grade", "B2", db=demo_path
    )
    assert result.exit_code == 0, result.output
    assert "below A2" in result.stderr
