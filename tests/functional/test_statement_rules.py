"""What a statement being written may say, on every way in (add, correct, import, inbox accept, the form):
no ``stated_on`` after today, and a source URL that is an absolute http(s) address."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import Result

from tests.helpers import ADD, TRACKER, Invoke, child_env, ok, seeded
from tracker import codebook, dates
from tracker.model import codebook_from_tables
from tracker.statement_input import parse
from tracker.store import Store

BOOK = codebook_from_tables(codebook.PARTIES, codebook.ISSUES)


def tomorrow() -> str:
    return (dates.today() + timedelta(days=1)).isoformat()


def refused(result: Result, *words: str) -> str:
    """Exit 2, one line on stderr naming ``words``, nothing on stdout; the line."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert result.stdout == ""
    return lines[0]


def with_date(day: str) -> list[str]:
    at = ADD.index("--date")
    return [*ADD[: at + 1], day, *ADD[at + 2 :]]


# -- stated_on after today ----------------------------------------------------------


def test_add_refuses_a_date_after_today_and_takes_today(invoke: Invoke, store_path: Path) -> None:
    before = store_path.read_bytes()
    line = refused(invoke(*with_date(tomorrow()), db=store_path), "stated_on", tomorrow(), "after today", "--date")
    assert dates.today().isoformat() in line
    assert store_path.read_bytes() == before
    ok(invoke(*with_date("today"), db=store_path))
    ok(invoke(*with_date(dates.today().isoformat()), db=store_path))


def test_correct_refuses_moving_a_statement_after_today(invoke: Invoke, store_path: Path) -> None:
    statement_id = ok(invoke(*ADD, db=store_path)).stdout.strip()
    before = store_path.read_bytes()
    refused(invoke("correct", statement_id, "--date", tomorrow(), db=store_path), "stated_on", "after today", "--date")
    assert store_path.read_bytes() == before
    ok(invoke("correct", statement_id, "--date", "yesterday", db=store_path))


def test_a_correction_that_leaves_a_stored_future_date_alone_is_taken(store_path: Path, invoke: Invoke) -> None:
    """A statement stored before this rule (or by a colleague a time zone ahead) can still be corrected
    and retracted: the rule is about the date being written, not the ones already in the file."""
    statement_id = ok(invoke(*ADD, db=store_path)).stdout.strip()
    data = json.loads(store_path.read_text())
    (doc,) = data["statements"].values()
    doc["stated_on"] = tomorrow()
    store_path.write_text(json.dumps(data))
    ok(invoke("correct", statement_id, "--grade", "A1", db=store_path))
    ok(invoke("retract", statement_id, "--reason", "wrong", db=store_path))


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_import_refuses_a_date_after_today(invoke: Invoke, store_path: Path, tmp_path: Path, kind: str) -> None:
    good = {"party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"}
    bad = {**good, "stated_on": tomorrow()}
    file = tmp_path / f"more.{kind}"
    if kind == "json":
        file.write_text(json.dumps([good, bad]))
    else:
        file.write_text("party,issue,stance,stated_on\n" + "".join(",".join(r.values()) + "\n" for r in (good, bad)))
    before = store_path.read_bytes()
    line = refused(invoke("import", str(file), db=store_path), "stated_on", tomorrow(), "after today")
    assert ("item 2" if kind == "json" else "line 3") in line and "nothing was imported" in line
    assert "--date" not in line, "an import's row names its field, not an option"
    assert store_path.read_bytes() == before


def test_inbox_accept_refuses_a_date_after_today(invoke: Invoke, store_path: Path) -> None:
    store = seeded(store_path)
    candidate = store.candidates()[0]
    before = store_path.read_bytes()
    accept = ("inbox", "accept", candidate.id, "--stance", "surrender")
    refused(invoke(*accept, "--date", tomorrow(), db=store_path), "stated_on", "after today", "--date")
    assert store_path.read_bytes() == before
    ok(invoke(*accept, db=store_path))  # its published date, 2025-03-14


@pytest.mark.parametrize(("field", "value"), [("date", "TOMORROW"), ("url", "notaurl")])
def test_the_dashboard_form_names_the_box(field: str, value: str) -> None:
    """The form parses with the codebook (statement_input.parse): the problem is shown under its box."""
    given = {"party": "usa", "issue": "nato", "stance": "not-now", "date": "2025-04-01"}
    given[field] = tomorrow() if value == "TOMORROW" else value
    problems = parse(given, BOOK, new=True).problems
    assert [name for name, _ in problems] == [field]
    assert ("after today" if field == "date" else "http") in problems[0][1]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_today_is_the_analysts_own_in_every_time_zone(store_path: Path, zone: str) -> None:
    """UTC+14 and UTC-11: the day the analyst calls today is taken, the next refused, whatever UTC says."""
    local = datetime.now(ZoneInfo(zone)).date()

    def add(day: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(TRACKER), "--db", str(store_path), *with_date(day)],
            capture_output=True,
            text=True,
            timeout=60,
            env=child_env(TZ=zone),
        )

    assert add(local.isoformat()).returncode == 0
    assert add("today").returncode == 0
    late = add((local + timedelta(days=1)).isoformat())
    assert late.returncode == 2 and "after today" in late.stderr and local.isoformat() in late.stderr


# -- source URLs ----------------------------------------------------------------------

NOT_URLS = ["notaurl", "www.example.org/a", "ftp://example.org/a", "javascript:alert(1)", "https://", "/a/b"]


@pytest.mark.parametrize("url", NOT_URLS)
def test_add_and_correct_refuse_a_url_that_is_not_an_absolute_web_address(
    invoke: Invoke, store_path: Path, url: str
) -> None:
    before = store_path.read_bytes()
    refused(invoke(*ADD, "--url", url, db=store_path), "source url", "http", "--url")
    assert store_path.read_bytes() == before
    statement_id = ok(invoke(*ADD, db=store_path)).stdout.strip()
    before = store_path.read_bytes()
    refused(invoke("correct", statement_id, "--url", url, db=store_path), "source url", "--url")
    assert store_path.read_bytes() == before


def test_web_addresses_are_taken(invoke: Invoke, store_path: Path) -> None:
    for url in ("https://example.org/a?b=c#d", "http://10.0.0.1:8080/x", "HTTPS://Example.org"):
        statement_id = ok(invoke(*ADD, "--url", url, db=store_path)).stdout.strip()
        assert Store(store_path).history(statement_id)[-1].source.url == url


def test_import_refuses_a_url_that_is_not_a_web_address(invoke: Invoke, store_path: Path, tmp_path: Path) -> None:
    file = tmp_path / "more.json"
    item = {"party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"}
    file.write_text(json.dumps([{**item, "source": {"url": "notaurl"}}]))
    before = store_path.read_bytes()
    refused(invoke("import", str(file), db=store_path), "item 1", "source url", "'notaurl'")
    assert store_path.read_bytes() == before
