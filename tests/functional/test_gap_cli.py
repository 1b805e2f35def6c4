"""`tracker gap`, `tracker brief` and the svg pictures as a user runs them, on the bundled record.

The numbers are worked out by hand from the record (docs/record.md) and the NATO scale
(join-now 0, irreversible-path 1, not-now 2, unrealistic 3, renounce 4: a span of 4): on
2025-02-12 Hegseth moves the US from irreversible-path to unrealistic, so the Russia–US gap
goes from |4 − 1| / 4 = 0.75 to |4 − 3| / 4 = 0.25, and the US moved toward Russia (and away
from Ukraine, at 0).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from tests.helpers import Invoke, as_json, ok
from tests.hostile import ESCAPES, MARKUP, assert_clean
from tracker.gap_view import GAP_COLUMNS

WINDOW = ("--issue", "nato", "--since", "2025-02-01", "--until", "2025-02-20")


def pair(found: dict[str, Any], a: str, b: str) -> dict[str, Any]:
    (issue,) = found["issues"]
    (match,) = [p for p in issue["pairs"] if (p["a"], p["b"]) == (a, b)]
    found_pair: dict[str, Any] = match
    return found_pair


def test_hegseth_brings_the_us_toward_russia_on_nato(invoke: Invoke, demo_path: Path) -> None:
    found = as_json(invoke, demo_path, "gap", *WINDOW)
    assert (found["since"], found["as_of"]) == ("2025-02-01", "2025-02-20")
    assert found["policy"]["min_grade"] == "C3"
    russia_usa = pair(found, "russia", "usa")
    assert (russia_usa["gap_since"], russia_usa["gap"]) == (0.75, 0.25)
    assert russia_usa["moved"] == [{"party": "usa", "toward": ["russia"], "away": []}]
    assert pair(found, "ukraine", "usa")["moved"] == [{"party": "usa", "toward": [], "away": ["ukraine"]}]
    assert pair(found, "russia", "ukraine")["moved"] == []
    (nato,) = found["issues"]
    assert (nato["spread_since"], nato["spread"]) == (1.0, 1.0)  # Russia and Ukraine stay at the poles
    assert [p["date"] for p in nato["series"]] == ["2025-02-01", "2025-02-12"]

    table = ok(invoke("gap", *WINDOW, db=demo_path)).stdout
    assert "NATO: Russia–United States 0.75 → 0.25 — United States toward Russia" in table
    markdown = ok(invoke("gap", *WINDOW, "--format", "markdown", db=demo_path)).stdout
    assert "| NATO | 1.00 | 1.00 | 0.00 | Russia–United States 0.75 → 0.25 | United States toward Russia |" in markdown
    rows = list(csv.DictReader(io.StringIO(ok(invoke("gap", *WINDOW, "--format", "csv", db=demo_path)).stdout)))
    assert list(rows[0]) == GAP_COLUMNS
    (row,) = [r for r in rows if (r["a"], r["b"]) == ("russia", "usa")]
    assert (row["gap"], row["gap_since"], row["change"], row["moved"]) == ("0.25", "0.75", "-0.5", "usa toward russia")


def test_the_leak_is_no_move_unless_reports_count(invoke: Invoke, demo_path: Path) -> None:
    window = ("--issue", "nato", "--since", "2025-02-01", "--until", "2025-02-10")
    stated = pair(as_json(invoke, demo_path, "gap", *window), "russia", "usa")
    assert stated["gap"] == stated["gap_since"] == 0.75 and stated["moved"] == []
    loose = pair(as_json(invoke, demo_path, "gap", *window, "--include-reported"), "russia", "usa")
    assert loose["gap"] == 0.0 and loose["moved"] == [{"party": "usa", "toward": ["russia"], "away": []}]


def test_pairs_narrow_and_bad_windows_are_one_line(invoke: Invoke, demo_path: Path) -> None:
    found = as_json(invoke, demo_path, "gap", *WINDOW, "--pair", "usa,russia")
    assert [(p["a"], p["b"]) for p in found["issues"][0]["pairs"]] == [("usa", "russia")]
    for args, words in (
        (("--pair", "usa"), "two parties"),
        (("--pair", "usa,usa"), "two different parties"),
        (("--pair", "usa,atlantis"), "atlantis"),
        (("--since", "2025-03-01", "--until", "2025-02-01"), "after"),
        (("--issue", "moon"), "moon"),
        (("--since", "not-a-date"), "not-a-date"),
    ):
        result = invoke("gap", *args, db=demo_path)
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (args, lines)


def _svg_text(svg: str) -> str:
    root = ElementTree.fromstring(svg)  # valid XML, or this raises
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return " ".join(t for t in root.itertext()).replace("\xa0", " ")


def test_matrix_and_gap_draw_svg_pictures_with_the_text_in_them(invoke: Invoke, demo_path: Path) -> None:
    matrix = ok(invoke("matrix", "--as-of", "2025-03-31", "--format", "svg", db=demo_path)).stdout
    text = _svg_text(matrix)
    assert "Russia" in text and "Renounce" in text
    gap = ok(invoke("gap", *WINDOW, "--format", "svg", db=demo_path)).stdout
    assert "United States toward Russia" in _svg_text(gap)
    for picture in (matrix, gap):
        assert "https://cdn" not in picture and 'url("http' not in picture  # no font fetched when it is opened
    # only the two commands with a picture take svg
    assert invoke("log", "--format", "svg", db=demo_path).exit_code == 2


def test_markup_and_escapes_in_names_stay_text_in_every_format(invoke: Invoke, demo_path: Path) -> None:
    name = f"{MARKUP['link']} {ESCAPES['clear_screen']}"
    ok(invoke("parties", "add", "mk", "--name", name, db=demo_path))
    for stance, day in (("join-now", "2025-01-15"), ("renounce", "2025-02-15")):  # the widest move: moved most
        ok(invoke("add", "--party", "mk", "--issue", "nato", "--stance", stance, "--date", day,
                  "--grade", "A1", "--speaker", "someone", "--channel", "official", db=demo_path))  # fmt: skip
    for fmt in ("table", "markdown", "csv", "json", "svg"):
        out = ok(invoke("gap", *WINDOW, "--format", fmt, db=demo_path)).stdout
        assert_clean(out)
    table = ok(invoke("gap", *WINDOW, db=demo_path)).stdout
    assert MARKUP["link"] in table  # shown literally, not as a link


def test_the_brief_is_one_document_with_matrix_diff_and_gaps(invoke: Invoke, demo_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "brief.md"
    result = ok(invoke("brief", "2025-02-01", "2025-03-31", "-o", str(target), db=demo_path))
    assert str(target) in result.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Russia–Ukraine–US negotiations, 2025: brief 2025-02-01 → 2025-03-31")
    assert "graded C3 or better" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Where they stand on 2025-03-31"
    assert any(h.startswith("## ") and "what changed 2025-02-01 → 2025-03-31" in h for h in headings)
    assert headings[-1] == "## Gaps between the parties: 2025-02-01 → 2025-03-31"
    assert "### NATO" in text and "Irreversible path → Unrealistic" in text
    assert "reported: 2025-02-07, Unverified leak" in text  # the leak is reported, not a position
    assert "| NATO | 1.00 | 1.00 | 0.00 | Russia–United States 0.75 → 0.25 | United States toward Russia |" in text
    printed = ok(invoke("brief", "2025-02-01", "2025-03-31", db=demo_path)).stdout
    assert printed == text
    unwritable = invoke("brief", "2025-02-01", "-o", str(tmp_path / "no" / "such" / "brief.md"), db=demo_path)
    assert unwritable.exit_code == 2 and unwritable.stderr.count("\n") == 1


def test_gap_json_is_the_documented_shape(invoke: Invoke, demo_path: Path) -> None:
    found = json.loads(ok(invoke("gap", "--since", "2025-01-01", "--until", "2025-04-30", "-f", "json",
                                 db=demo_path)).stdout)  # fmt: skip
    assert set(found) == {"as_of", "since", "known_at", "policy", "issues"}
    for issue in found["issues"]:
        assert set(issue) == {"issue", "spread", "spread_since", "series", "pairs"}
        assert all(set(p) == {"date", "spread"} for p in issue["series"])
        assert all(set(p) == {"a", "b", "gap", "gap_since", "moved"} for p in issue["pairs"])
    assert [i["issue"] for i in found["issues"]] == ["nato", "territory", "kursk", "ceasefire", "sanctions"]
