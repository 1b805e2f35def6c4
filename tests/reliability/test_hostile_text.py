"""Hostile text (tests/hostile.py) on every way in and every output format: stored clean, shown literally."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from tests.hostile import ESCAPES, MARKUP, assert_clean
from tracker.cli import app
from tracker.model import sanitise
from tracker.store import Store, default_tables

PAYLOADS = {**ESCAPES, **MARKUP}
FORMATS = ("table", "json", "csv", "markdown")
TEXT_OPTIONS = ("--summary", "--quote", "--speaker", "--condition", "--title", "--outlet", "--tag", "--note")


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide enough that Rich never wraps a payload across lines, so it can be found literally."""
    monkeypatch.setenv("COLUMNS", "1000")


def run(path: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(path), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.stderr
    assert_clean(result.stderr)
    return result.stdout


def shown(stdout: str, fmt: str) -> str:
    """The text a format carries, decoded (JSON escapes and CSV quoting undone)."""
    if fmt == "json":
        return orjson.dumps(orjson.loads(stdout)).decode("unicode_escape", errors="replace") + stdout
    if fmt == "csv":
        return " ".join(" ".join(row) for row in csv.reader(io.StringIO(stdout)))
    if fmt == "markdown":  # Markdown escapes brackets and underscores: \\[bold\\] renders as [bold]
        return re.sub(r"\\(.)", r"\1", stdout)
    return stdout


def strings(value: object) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """One statement per payload, every free-text field carrying it, added (and corrected) through the CLI."""
    path = tmp_path_factory.mktemp("hostile") / "positions.json"
    Store.create(path, default_tables("Hostile"))
    ids: dict[str, str] = {}
    for name, payload in PAYLOADS.items():
        args = ["add", "--party", "russia", "--issue", "nato", "--stance", "renounce", "--date", "2025-03-01"]
        for option in TEXT_OPTIONS:
            args += [option, payload]
        args += ["--url", f"https://example.org/{name}"]
        ids[name] = run(path, *args).strip()
        assert ids[name].startswith("st_")
        run(path, "correct", ids[name], "--grade", "B2", "--reason", payload)
    return path, ids


def test_the_file_holds_only_sanitised_text(hostile_store: tuple[Path, dict[str, str]]) -> None:
    path, ids = hostile_store
    data = orjson.loads(path.read_bytes())
    for text in strings(data):
        assert_clean(text)
    by_id = {}
    for doc in data["statements"].values():
        by_id[doc["id"]] = doc
    for name, payload in MARKUP.items():
        doc = by_id[ids[name]]
        for field in ("summary", "quote", "speaker", "note", "reason"):
            assert doc[field] == payload, "markup is kept exactly as written"
        assert doc["conditions"] == [payload] and doc["tags"] == [payload]
        assert doc["source"]["title"] == payload and doc["source"]["outlet"] == payload
    for name, payload in ESCAPES.items():
        assert by_id[ids[name]]["quote"] == sanitise(payload)
        assert by_id[ids[name]]["quote"], "the readable part of the text survives"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", ["log", "log --revisions", "show", "export", "diff"])
def test_every_format_shows_hostile_text_literally(
    hostile_store: tuple[Path, dict[str, str]], command: str, fmt: str
) -> None:
    path, ids = hostile_store
    if command == "show":
        outputs = [run(path, "show", statement_id, "--format", fmt) for statement_id in ids.values()]
    elif command == "export":
        if fmt not in ("json", "csv"):
            pytest.skip("export writes json or csv")
        outputs = [run(path, "export", "--format", fmt)]
    elif command == "diff":
        outputs = [run(path, "diff", "2025-01-01", "2025-12-31", "--format", fmt)]
    else:
        outputs = [run(path, *command.split(), "--format", fmt)]
    text = "\n".join(outputs)
    assert_clean(text)
    if command != "diff":  # diff lists cells and ids, not the statements' text
        decoded = "\n".join(shown(out, fmt) for out in outputs)
        for payload in MARKUP.values():
            assert payload in decoded, f"{payload!r} is not shown literally"


@pytest.fixture(scope="module")
def hostile_codebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Parties and issues named, aliased, labelled and questioned with every payload, through the CLI."""
    path = tmp_path_factory.mktemp("codebook") / "positions.json"
    Store.create(path, default_tables("Hostile"))
    for n, payload in enumerate(PAYLOADS.values()):
        run(path, "parties", "add", f"p{n}", "--name", payload, "--alias", payload)
        # Two labels, not one twice: a label is typed for --stance, so it names one stance.
        run(path, "issues", "add", f"i{n}", "--name", payload, "--question", payload, "--keyword", payload,
            "--stance", f"a:{payload}", "--stance", f"b:{payload} too")  # fmt: skip
        run(path, "add", "--party", f"p{n}", "--issue", f"i{n}", "--stance", "a", "--date", "2025-03-01",
            "--grade", "B2")  # fmt: skip
        run(path, "parties", "update", f"p{n}", "--alias", payload + " again")
        run(path, "issues", "update", f"i{n}", "--keyword", payload + " again", "--question", payload)
    return path


def test_the_codebook_is_stored_clean(hostile_codebook: Path) -> None:
    data = orjson.loads(hostile_codebook.read_bytes())
    for text in strings(data):
        assert_clean(text)
    names = {doc["name"] for doc in data["parties"].values()} | {doc["name"] for doc in data["issues"].values()}
    assert set(MARKUP.values()) <= names


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_codebook_and_the_matrix_show_hostile_names_literally(hostile_codebook: Path, fmt: str) -> None:
    path = hostile_codebook
    for args in (["matrix", "--as-of", "2025-06-01"], ["parties"], ["issues"], ["log"]):
        out = run(path, *args, "--format", fmt)
        assert_clean(out)
        if args[0] != "log":
            decoded = shown(out, fmt)
            for payload in MARKUP.values():
                assert payload in decoded, f"{args[0]}: {payload!r} is not shown literally"


def write_import(source: Path, payloads: list[str]) -> None:
    """An import file (.json or .csv by its name) with one statement per payload in every text field."""
    records = [
        {
            "party": "usa",
            "issue": "sanctions",
            "stance": "maintain",
            "stated_on": "2025-03-01",
            "summary": payload,
            "quote": payload,
            "speaker": payload,
            "note": payload,
            "conditions": [payload],
            "source": {"url": "https://example.org", "title": payload, "outlet": payload, "published": ""},
        }
        for payload in payloads
    ]
    if source.suffix == ".json":
        source.write_bytes(orjson.dumps(records))
        return
    columns = ["party", "issue", "stance", "stated_on", "summary", "quote", "speaker", "note", "conditions"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*columns, "source_url", "source_title", "source_outlet"])
    for r in records:
        writer.writerow([*(r[c] if c != "conditions" else r["summary"] for c in columns), "https://example.org",
                         r["summary"], r["summary"]])  # fmt: skip
    source.write_text(buffer.getvalue(), newline="")


def import_and_check(tmp_path: Path, source: Path, payloads: list[str]) -> None:
    path = tmp_path / "positions.json"
    Store.create(path, default_tables("Hostile"))
    run(path, "import", str(source))
    statements = list(orjson.loads(path.read_bytes())["statements"].values())
    assert len(statements) == len(payloads)
    for text in strings(statements):
        assert_clean(text)
    assert {p for p in payloads if p in MARKUP.values()} <= {doc["quote"] for doc in statements}
    for fmt in FORMATS:
        assert_clean(run(path, "log", "--format", fmt))


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_imported_files_are_sanitised_too(tmp_path: Path, kind: str) -> None:
    payloads = list(PAYLOADS.values())  # c1_controls holds NEL (U+0085): a line break to str.splitlines
    source = tmp_path / f"in.{kind}"
    write_import(source, payloads)
    import_and_check(tmp_path, source, payloads)


def test_feed_names_are_sanitised_and_listed_literally(tmp_path: Path) -> None:
    path = tmp_path / "positions.json"
    Store.create(path, default_tables("Hostile"))
    for n, payload in enumerate(PAYLOADS.values()):
        run(path, "feeds", "add", f"https://example.org/feed{n}.xml", "--name", payload, "--no-check")
    for text in strings(orjson.loads(path.read_bytes())):
        assert_clean(text)
    for fmt in FORMATS:
        out = run(path, "feeds", "list", "--format", fmt)
        assert_clean(out)
        for payload in MARKUP.values():
            assert payload in shown(out, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_store_title_is_stored_clean_and_shown_literally(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "positions.json"
    title = ESCAPES["window_title"] + " " + MARKUP["link"]
    run(path, "init", "--title", title)
    assert_clean(orjson.loads(path.read_bytes())["meta"]["1"]["title"])
    out = run(path, "matrix", "--format", fmt)
    assert_clean(out)
    if fmt in ("table", "markdown"):  # the json and csv matrix carry no title
        assert MARKUP["link"] in shown(out, fmt)


def test_a_hostile_party_colour_is_refused_or_sanitised(tmp_path: Path) -> None:
    path = tmp_path / "positions.json"
    Store.create(path, default_tables("Hostile"))
    CliRunner().invoke(app, ["--db", str(path), "parties", "add", "mars", "--color", ESCAPES["colour"]])
    for text in strings(orjson.loads(path.read_bytes())):
        assert_clean(text)
    for fmt in FORMATS:
        assert_clean(CliRunner().invoke(app, ["--db", str(path), "parties", "--format", fmt]).stdout)


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_text_written_raw_by_another_tool_is_still_shown_safely(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "positions.json"
    tables = default_tables("Foreign")
    tables["statements"]["1"] = {
        "id": "st_FOREIGN",
        "rev": 1,
        "party": "usa",
        "issue": "nato",
        "stance": "not-now",
        "stated_on": "2025-01-01",
        "summary": ESCAPES["clear_screen"],
        "quote": ESCAPES["osc52_clipboard"],
        "speaker": ESCAPES["bidi_override"],
        "recorded_at": "2025-01-02T00:00:00.000000Z",
    }
    path.write_bytes(orjson.dumps(tables))
    assert_clean(run(path, "log", "--format", fmt) + run(path, "show", "st_FOREIGN", "--format", fmt))
    checked = CliRunner().invoke(app, ["--db", str(path), "check"])
    assert checked.exit_code == 1
    assert "control characters or escape sequences" in checked.stdout


@pytest.mark.parametrize("option", TEXT_OPTIONS)
def test_bytes_that_are_not_utf8_in_an_argument_are_dropped_not_a_crash(tmp_path: Path, option: str) -> None:
    """A shell can pass any bytes; Python keeps the invalid ones as lone surrogates, which UTF-8 cannot hold."""
    path = tmp_path / "bytes.json"
    Store.create(path, default_tables("Bytes"))
    tracker = Path(sys.executable).parent / "tracker"
    args = [
        str(tracker), "--db", str(path), "add", "--party", "usa", "--issue", "nato", "--stance", "not-now",
        "--date", "2025-04-01", "--summary", "Plain words.",
    ]  # fmt: skip
    done = subprocess.run([*args, option, b"ok \xff\xfe text"], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    stored = orjson.loads(path.read_bytes())  # still valid UTF-8 JSON
    (statement,) = stored["statements"].values()
    text = orjson.dumps(statement).decode()
    assert "ok  text" in text or "ok text" in text
