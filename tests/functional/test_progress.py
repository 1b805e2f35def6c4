"""Long work shows progress (issue 15): ``import``, ``export`` and ``restore`` draw their steps on a
terminal's stderr, and nothing of it reaches a pipe, or a terminal with ``--quiet``.

The terminal is a real pseudo-terminal (``os.openpty``) given to the installed ``tracker`` as its
stderr; stdout stays a pipe, as when an analyst redirects the export. The store is a generated one of
3,000 statements (benchmarks/generate.py), the size where the steps take a visible moment.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import TRACKER, child_env
from tracker.transfer import read_records

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from generate import Generated, generate  # noqa: E402

STATEMENTS = 3000
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
"""A terminal control sequence (cursor, colour, erase): taken out to read what the bars said."""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate(STATEMENTS, tmp_path_factory.mktemp("generated"))


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    terminal: str
    """Everything written to the terminal, control sequences included."""

    @property
    def text(self) -> str:
        """What the terminal showed, as lines, without its control sequences."""
        return CONTROL.sub("", self.terminal).replace("\r\n", "\n").replace("\r", "\n")


def on_terminal(*args: str, db: Path) -> Run:
    """Run ``tracker --db DB ARGS`` with a pseudo-terminal as its stderr (stdout a pipe)."""
    leader, follower = os.openpty()
    env = child_env(TERM="xterm-256color", COLUMNS="120")
    for name in ("TTY_COMPATIBLE", "FORCE_COLOR", "TTY_INTERACTIVE"):
        env.pop(name, None)
    with subprocess.Popen(
        [str(TRACKER), "--db", str(db), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
    ) as process:
        os.close(follower)
        terminal = b""
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            assert ready, f"no output for 60 s; so far: {terminal[-500:]!r}"
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # EIO: the child has closed its end
                break
            if not chunk:
                break
            terminal += chunk
        os.close(leader)
        assert process.stdout is not None
        stdout = process.stdout.read().decode()
        code = process.wait(timeout=60)
    return Run(code, stdout, terminal.decode())


def piped(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TRACKER), "--db", str(db), *args], capture_output=True, text=True, timeout=120, env=child_env()
    )


def test_import_shows_reading_then_writing_and_clears_the_terminal(generated: Generated, tmp_path: Path) -> None:
    store = tmp_path / "positions.json"
    store.write_bytes(generated.empty.read_bytes())
    run = on_terminal("import", str(generated.export), db=store)
    assert run.code == 0, run.text
    assert run.stdout.startswith(f"Imported {STATEMENTS} statements (")
    size = generated.export.stat().st_size / 1e6
    assert f"reading {generated.export}" in run.text
    assert f"{size:,.1f} MB of {size:,.1f} MB" in run.text  # the whole file, as the reading step ended
    assert f"writing {store}" in run.text
    # Transient: the display erases itself, so the terminal is left as it was.
    assert run.terminal.rstrip().endswith("\x1b[2K")


def test_export_and_backup_show_their_steps(generated: Generated, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    run = on_terminal("export", "-o", str(out), db=generated.store)
    assert run.code == 0, run.text
    assert f"reading {generated.store}" in run.text
    assert f"{STATEMENTS:,} of {STATEMENTS:,} statements" in run.text
    assert f"writing {out}" in run.text
    assert f"Exported {STATEMENTS} statements to {out}." in run.text  # the usual line, after the bars
    assert out.read_bytes() == generated.export.read_bytes()

    backup = tmp_path / "backup.json"
    run = on_terminal("export", "--all", "-o", str(backup), db=generated.store)
    assert run.code == 0, run.text
    assert f"checking {generated.store}" in run.text
    documents = re.findall(r"([\d,]+) of ([\d,]+) documents", run.text)
    assert documents and documents[-1][0] == documents[-1][1]  # it ends with every document written


def test_restore_shows_reading_checking_and_writing(generated: Generated, tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    assert piped("export", "--all", "-o", str(backup), db=generated.store).returncode == 0
    store = tmp_path / "restored.json"
    run = on_terminal("restore", str(backup), db=store)
    assert run.code == 0, run.text
    for step in (f"reading {backup}", "MB of", f"checking {backup}", f"writing {store}"):
        assert step in run.text
    assert run.stdout.startswith(f"Restored {store} from {backup}:")
    assert store.read_bytes() == generated.store.read_bytes()


def test_an_error_is_still_one_line_after_the_bars_are_gone(generated: Generated, tmp_path: Path) -> None:
    """A refusal midway (a bad record at the end of the file) clears the display before the error line."""
    bad = tmp_path / "bad.json"
    exported = generated.export.read_bytes()
    bad.write_bytes(exported.removesuffix(b"\n]\n") + b',\n{"party": "nobody"}\n]\n')
    store = tmp_path / "positions.json"
    store.write_bytes(generated.empty.read_bytes())
    before = store.read_bytes()
    run = on_terminal("import", str(bad), db=store)
    assert run.code == 2
    after_bars = run.terminal.rsplit("\x1b[2K", 1)[-1].replace("\r\n", "\n")
    assert after_bars.startswith(f"tracker: error: item {STATEMENTS + 1}: ")
    assert after_bars.count("\n") == 1
    assert store.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "usual"),
    [
        (("import", "{export}"), ""),
        (("export", "-o", "{out}"), "Exported 3000 statements to {out}.\n"),
        (("export", "--all", "-o", "{out}"), "Exported a backup of 3,000 statements * to {out}.\n"),
        (("restore", "{backup}"), ""),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else "",
)
def test_no_progress_in_a_pipe_or_with_quiet(
    generated: Generated, tmp_path: Path, args: tuple[str, ...], usual: str
) -> None:
    """Piped, stderr holds only the usual line; on a terminal with --quiet, the terminal does too."""
    backup, out, store = tmp_path / "backup.json", tmp_path / "out.json", tmp_path / "positions.json"
    assert piped("export", "--all", "-o", str(backup), db=generated.store).returncode == 0
    filled = [arg.format(export=generated.export, out=out, backup=backup) for arg in args]

    def fresh() -> None:
        """The store as each run starts: empty to import into, none to restore to, else the generated one."""
        store.unlink(missing_ok=True)
        if args[0] != "restore":
            store.write_bytes((generated.empty if args[0] == "import" else generated.store).read_bytes())

    fresh()
    done = piped(*filled, db=store)
    assert done.returncode == 0, done.stderr
    head, _, tail = usual.format(out=out).partition("*")
    assert done.stderr.startswith(head) and done.stderr.endswith(tail) and done.stderr.count("\n") == usual.count("\n")
    assert "\x1b" not in done.stderr

    fresh()
    run = on_terminal(*filled, "--quiet", db=store)
    assert run.code == 0, run.text
    assert run.terminal.replace("\r\n", "\n") == done.stderr  # not one control sequence: no display at all
    assert run.stdout == done.stdout


def test_the_reader_reports_bytes_of_the_file_and_none_for_a_pipe(generated: Generated, tmp_path: Path) -> None:
    """The core's side: bytes read so far, rising, of the file's size; a pipe has no size to give."""
    heard: list[tuple[int, int | None]] = []
    rows = sum(1 for _ in read_records(generated.export, "json", lambda done, total: heard.append((done, total))))
    assert rows == STATEMENTS
    size = generated.export.stat().st_size
    assert len(heard) > 2 and heard[-1] == (size, size)
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    header = b"party,issue,stance,stated_on\n"
    writer = subprocess.Popen(["sh", "-c", f"cat > '{fifo}'"], stdin=subprocess.PIPE)
    assert writer.stdin is not None
    writer.stdin.write(header)
    writer.stdin.close()
    heard.clear()
    assert list(read_records(fifo, "csv", lambda done, total: heard.append((done, total)))) == []
    writer.wait(timeout=30)
    assert heard and {total for _, total in heard} == {None} and heard[-1][0] == len(header)


PROBE = """
import sys
from tracker.cli import app
app({args!r}, standalone_mode=False)
print("rich.progress" in sys.modules, file=sys.__stdout__)
"""


def test_a_redirected_export_does_not_load_rich_progress(generated: Generated, tmp_path: Path) -> None:
    """Start-up stays cheap: Rich's progress module is imported only when the bars will be drawn."""
    args = ["--db", str(generated.store), "export", "-o", str(tmp_path / "out.json")]
    script = [sys.executable, "-c", PROBE.format(args=args)]
    done = subprocess.run(script, capture_output=True, text=True, timeout=120, env=child_env())
    assert done.stdout == "False\n", done.stderr
    # The probe sees it when it is loaded: the same export with stderr a terminal.
    leader, follower = os.openpty()
    with subprocess.Popen(script, stdout=subprocess.PIPE, stderr=follower, env=child_env(TERM="xterm")) as process:
        os.close(follower)
        while True:
            try:
                if not os.read(leader, 1 << 16):
                    break
            except OSError:
                break
        os.close(leader)
        assert process.stdout is not None
        assert process.stdout.read() == b"True\n"
