"""Edits say what they do: ``correct --tag`` adds, ``--untag`` removes, ``--clear-tags`` clears; an update
of the codebook that changes nothing, or gives an empty alias or keyword, is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from tests.helpers import ADD, Invoke, ok
from tracker.store import Store


def refused(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert result.stdout == ""


def tags(path: Path, statement_id: str) -> tuple[str, ...]:
    return Store(path).history(statement_id)[-1].tags


@pytest.fixture
def tagged(invoke: Invoke, store_path: Path) -> str:
    """A statement tagged ``leak`` and ``kremlin``."""
    return ok(invoke(*ADD, "--tag", "leak", "--tag", "kremlin", db=store_path)).stdout.strip()


# -- tags --------------------------------------------------------------------------


def test_correct_tag_adds_to_the_tags(invoke: Invoke, store_path: Path, tagged: str) -> None:
    ok(invoke("correct", tagged, "--tag", "verified", "--reason", "checked", db=store_path))
    assert tags(store_path, tagged) == ("leak", "kremlin", "verified")
    ok(invoke("correct", tagged, "--tag", "a", "--tag", "b", "--tag", "a", db=store_path))
    assert tags(store_path, tagged) == ("leak", "kremlin", "verified", "a", "b")


def test_correct_untag_removes_a_tag(invoke: Invoke, store_path: Path, tagged: str) -> None:
    ok(invoke("correct", tagged, "--untag", "leak", db=store_path))
    assert tags(store_path, tagged) == ("kremlin",)
    ok(invoke("correct", tagged, "--untag", "kremlin", "--tag", "moscow", db=store_path))
    assert tags(store_path, tagged) == ("moscow",)


def test_correct_clear_tags_clears_them_and_tag_then_gives_the_new_ones(
    invoke: Invoke, store_path: Path, tagged: str
) -> None:
    ok(invoke("correct", tagged, "--clear-tags", "--tag", "only", db=store_path))
    assert tags(store_path, tagged) == ("only",)
    ok(invoke("correct", tagged, "--clear-tags", db=store_path))
    assert tags(store_path, tagged) == ()
    assert [r.tags for r in Store(store_path).history(tagged)] == [("leak", "kremlin"), ("only",), ()]


def test_untagging_a_tag_the_statement_lacks_is_refused(invoke: Invoke, store_path: Path, tagged: str) -> None:
    before = store_path.read_bytes()
    refused(invoke("correct", tagged, "--untag", "verified", db=store_path), "no tag 'verified'", "leak, kremlin")
    assert store_path.read_bytes() == before


def test_a_tag_it_has_already_is_nothing_to_correct(invoke: Invoke, store_path: Path, tagged: str) -> None:
    before = store_path.read_bytes()
    refused(invoke("correct", tagged, "--tag", "leak", db=store_path), "nothing to correct")
    assert store_path.read_bytes() == before


def test_the_help_says_how_tags_change(invoke: Invoke) -> None:
    text = " ".join(ok(invoke("correct", "--help")).stdout.split())
    for option in ("--tag", "--untag", "--clear-tags"):
        assert option in text
    assert "adds" in text and "removes" in text


# -- the codebook ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["parties", "update", "russia"], ["nothing to update", "--name", "--alias", "--color"]),
        (["issues", "update", "kursk"], ["nothing to update", "--name", "--question", "--keyword"]),
        (["parties", "update", "russia", "--alias", "Putin"], ["nothing to update", "russia"]),
        (["issues", "update", "kursk", "--keyword", "Kursk"], ["nothing to update", "kursk"]),
        (["parties", "update", "russia", "--name", "Russia"], ["nothing to update"]),
        (["issues", "update", "kursk", "--keyword", ""], ["--keyword", "empty"]),
        (["issues", "update", "kursk", "--keyword", "Sudzha", "--keyword", " "], ["--keyword", "empty"]),
        (["parties", "update", "russia", "--alias", ""], ["--alias", "empty"]),
        (["parties", "add", "china", "--alias", ""], ["--alias", "empty"]),
        (["issues", "add", "prisoners", "--stance", "none", "--stance", "all", "--keyword", ""], ["--keyword"]),
    ],
    ids=[
        "party, no option", "issue, no option", "an alias it has", "a keyword it has", "its own name",
        "empty keyword", "blank keyword", "empty alias", "add: empty alias", "add: empty keyword",
    ],
)  # fmt: skip
def test_an_update_that_changes_nothing_is_refused(
    invoke: Invoke, demo_path: Path, args: list[str], words: list[str]
) -> None:
    before = demo_path.read_bytes()
    refused(invoke(*args, db=demo_path), *words)
    assert demo_path.read_bytes() == before


def test_an_update_that_changes_something_says_so(invoke: Invoke, demo_path: Path) -> None:
    updated = ok(invoke("parties", "update", "russia", "--alias", "Medvedev", db=demo_path))
    assert "Updated party russia" in updated.stdout and "Medvedev" in updated.stdout
    assert "Sudzha" in ok(invoke("issues", "update", "kursk", "--keyword", "Sudzha", db=demo_path)).stdout
