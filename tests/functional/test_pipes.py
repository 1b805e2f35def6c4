"""Output read by a pipe that closes early (``tracker log | head -1``): quiet, as other Unix tools are."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import TRACKER, child_env, statement
from tracker.store import default_tables, dump_tables

STATEMENTS = 1_500
"""Enough that every format's output is many times a pipe's buffer (64 KiB), so tracker is still
writing when the reader goes: its next write is the one that fails."""


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tables = default_tables("Pipes")
    tables["statements"] = {
        str(n): statement(id=f"st_01JQ{n:022d}", summary=f"statement {n}", quote="q" * 200)
        for n in range(1, STATEMENTS + 1)
    }
    path = tmp_path_factory.mktemp("pipes") / "positions.json"
    path.write_bytes(dump_tables(tables))
    return path


FORMATS = ["csv", "markdown", "json", "table"]


def start(store: Path, fmt: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(TRACKER), "--db", str(store), "log", "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    )


def finish(process: subprocess.Popen[bytes]) -> str:
    """Wait for the process; its stderr."""
    assert process.stderr is not None
    process.wait(60)
    stderr = process.stderr.read().decode()
    process.stderr.close()
    return stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reader_that_reads_one_line_and_goes_gets_no_error_line(big_store: Path, fmt: str) -> None:
    """``tracker log --format F | head -1``."""
    process = start(big_store, fmt)
    assert process.stdout is not None
    first = process.stdout.readline()
    process.stdout.close()
    stderr = finish(process)

    assert first.strip(), "the command had started to print"
    assert stderr == "", stderr
    # 141 when a write failed; 0 when the kernel had taken part of the last write as the reader went
    # (Python then drops the rest of it without an error: the output ends all the same).
    assert process.returncode in (0, 141)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reader_gone_before_the_first_write_ends_the_command_quietly(big_store: Path, fmt: str) -> None:
    """The reader closes the pipe before tracker writes anything, so every format's first write fails."""
    process = start(big_store, fmt)
    assert process.stdout is not None
    process.stdout.close()
    stderr = finish(process)

    assert stderr == "", stderr
    assert process.returncode == 141, "128 + SIGPIPE: what a shell reports for a tool whose reader went away"


def test_a_reader_that_reads_everything_sees_exit_0(big_store: Path) -> None:
    done = subprocess.run(
        [str(TRACKER), "--db", str(big_store), "log", "--format", "csv"],
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == STATEMENTS + 1


RUN_THEN_TEARDOWN = "import sys\nfrom tracker.cli import run\nsys.argv[0] = 'tracker'\nrun()"
"""``cli.run`` ending as a program that calls it sees it end: ``SystemExit`` and Python's own teardown."""


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_console_scripts_quick_exit_loses_no_output(big_store: Path, fmt: str) -> None:
    """The console script ends without the interpreter's teardown (``cli.command``): every byte is out
    first, the same as when Python exits the usual way, and the status is the command's."""
    args = ["--db", str(big_store), "log", "--format", fmt]
    quick = subprocess.run([str(TRACKER), *args], capture_output=True, timeout=60, env=child_env())
    usual = subprocess.run(
        [sys.executable, "-c", RUN_THEN_TEARDOWN, *args], capture_output=True, timeout=60, env=child_env()
    )
    assert (quick.returncode, quick.stderr) == (usual.returncode, usual.stderr) == (0, b"")
    assert quick.stdout == usual.stdout
    assert len(quick.stdout) > 300_000  # many times a pipe's buffer: written while the reader reads


def test_the_console_scripts_quick_exit_keeps_the_status_and_the_error_line(tmp_path: Path) -> None:
    for args, status in ((["--db", str(tmp_path / "none.json"), "matrix"], 2), (["check", "--help"], 0)):
        quick = subprocess.run([str(TRACKER), *args], capture_output=True, text=True, timeout=60, env=child_env())
        usual = subprocess.run(
            [sys.executable, "-c", RUN_THEN_TEARDOWN, *args], capture_output=True, text=True, timeout=60,
            env=child_env(),
        )  # fmt: skip
        assert quick.returncode == usual.returncode == status
        assert quick.stderr == usual.stderr
        assert quick.stdout == usual.stdout
