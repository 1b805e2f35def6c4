"""The bundled 2025 record: its size, its coverage, the moves the talks made, and its quality."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import BUNDLED, ROOT, Invoke, as_json

CORE_PARTIES = ("russia", "ukraine", "usa")


def stances(invoke: Invoke, db: Path, as_of: str) -> dict[tuple[str, str], str]:
    grid = as_json(invoke, db, "matrix", "--as-of", as_of)
    return {(c["party"], c["issue"]): c["stance"] for c in grid["cells"]}


def test_bundled_copy_equals_the_top_level_file_byte_for_byte() -> None:
    assert BUNDLED.read_bytes() == (ROOT / "positions.json").read_bytes()


def test_at_least_thirty_statements(invoke: Invoke, demo_path: Path) -> None:
    statements = as_json(invoke, demo_path, "log")
    assert len({s["id"] for s in statements}) >= 30


def test_the_three_main_parties_have_a_position_on_every_issue(invoke: Invoke, demo_path: Path) -> None:
    grid = as_json(invoke, demo_path, "matrix", "--as-of", "2025-03-31")
    held = {(c["party"], c["issue"]) for c in grid["cells"]}
    missing = [(p, i) for p in CORE_PARTIES for i in grid["issues"] if (p, i) not in held]
    assert len(grid["issues"]) == 5
    assert missing == []


@pytest.mark.parametrize(
    ("party", "issue", "before", "after"),
    [
        ("usa", "nato", "2025-02-11", "2025-02-12"),
        ("russia", "ceasefire", "2025-03-12", "2025-03-14"),
        ("russia", "kursk", "2025-03-12", "2025-03-14"),
    ],
)
def test_the_talks_moved(invoke: Invoke, demo_path: Path, party: str, issue: str, before: str, after: str) -> None:
    then, now = stances(invoke, demo_path, before), stances(invoke, demo_path, after)
    assert (party, issue) in then and (party, issue) in now
    assert then[(party, issue)] != now[(party, issue)]


def test_every_statement_has_a_speaker_a_source_title_and_a_grade(invoke: Invoke, demo_path: Path) -> None:
    for statement in as_json(invoke, demo_path, "log", "--revisions"):
        where = statement["id"]
        assert statement["speaker"].strip(), where
        assert statement["source"]["title"].strip(), where
        assert re.fullmatch(r"[A-F][1-6]", statement["grade"]), where
        assert statement["id"].startswith("st_"), where


def test_check_passes_on_the_record(invoke: Invoke, demo_path: Path) -> None:
    result = invoke("check", db=demo_path)
    assert result.exit_code == 0, result.output
    assert as_json(invoke, demo_path, "check")["problems"] == []


def test_the_top_level_file_is_the_demo(invoke: Invoke) -> None:
    result = invoke("check", db=ROOT / "positions.json")
    assert result.exit_code == 0, result.output
