"""Benchmark: every command as a whole process, as a ratio of reading the file.

    python benchmarks/run.py            # 1,000, 10,000 and 100,000 statements
    python benchmarks/run.py --quick    # 1,000 and 10,000 only

For each size it generates (once, cached in ``benchmarks/.cache/``) a store,
its empty twin and its export, then runs, round after round, the baseline
and every operation as separate processes, interleaved so that the noise of a
shared machine falls on all of them alike. It prints, per operation, the
median wall time and its spread (min-max), the median CPU time (user +
system: what the machine's other load disturbs least), the ratio of the median to the
baseline's median, the peak memory and its ratio to the baseline's peak, and
whether the issue's target is met.

Baseline: ``python -c "import json; json.load(open(path))"`` on the same
positions.json: the floor for a store that lives in one JSON file. Start-up
reference: ``python -c "import rich.console"``; at 1,000 statements every
command is held to 2x of it.

Peak memory: every process is started with ``posix_spawn`` and reaped with
``os.wait4``, which returns the resource usage of exactly that child; its
``ru_maxrss`` is the child's peak resident set (KiB on Linux). No wrapper
process, nothing added to the command's own footprint. Linux carries the
spawning process's peak into the child's ``ru_maxrss`` across ``exec``, so
this process stays small: the stores are generated in a child of their own.

The dashboard rows run ``benchmarks/dashboard_probe.py`` in a child process:
it starts ``TrackerApp`` headless (``App.run_test``), prints a line when the
matrix is first painted (the parent timestamps that line: process start to
first paint), then presses ``]`` repeatedly and reports each step's latency.
For the reload row another probe, on a fresh copy of the store (its index cache
written by an untimed ``tracker check``, so every round starts alike), runs one
``tracker add`` on it after the first paint and reports the time from that
process's exit to the first screen update showing the new statement, and its
own peak RSS (``getrusage``: ``wait4`` would count the add, its child, too).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import Generated, generate  # noqa: E402

BASELINE = "baseline: python -c json.load"
REFERENCE = "reference: python -c 'import rich.console'"
FIRST_PAINT = "dashboard first paint"
COLD_MATRIX = "tracker matrix, cold (no cache)"
COLD_LOG = "tracker log --party P --issue I, cold"
WARM = ("tracker matrix", "tracker diff (one year)", "tracker gap (one year)", "tracker log --party P --issue I",
        "tracker show ID")  # fmt: skip
"""The read commands on a warm index cache (issue 18: at 100,000 statements ≤ 0.25× the baseline, and
≤ 0.5× its peak memory)."""
STEP = "dashboard ] step"
RELOAD = "dashboard reload after an external add"
"""From the ``tracker add`` process's exit to the first screen update showing its statement; 0 when the
update came first (the writer lets go of the lock, and the dashboard reloads, while the process exits)."""
RELOAD_WORK = "dashboard reload, poll to screen"
"""From the poll that found the writer done to that update: the reload's own work."""


@dataclass
class Sample:
    seconds: float
    peak_kib: int
    cpu: float = 0.0
    """User + system CPU seconds: less sensitive than wall time to other load on the machine."""


@dataclass
class Operation:
    """One row of the table."""

    name: str
    argv: Callable[[], list[str] | None]
    """The command line, or None when the operation cannot run (not built yet)."""
    prepare: Callable[[], None] = lambda: None
    """Untimed set-up before each run (a fresh copy of the store to import into)."""
    samples: list[Sample] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)
    """Dashboard only: the latency of each ``]`` step, in seconds."""
    reload_work: list[float] = field(default_factory=list)
    """Reload only: the seconds from the poll starting the reload to the screen update."""
    failure: str = ""
    dashboard: bool = False


def _spawn(argv: Sequence[str], env: dict[str, str], stderr: Path) -> tuple[int, float, int, float]:
    """Run ``argv`` to the end; (exit code, wall seconds, peak RSS in KiB, CPU seconds)."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, str(stderr), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
    ]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], list(argv), env, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


@dataclass
class Probed:
    """What one run of the dashboard probe reported."""

    painted: float
    """Seconds from process start to first paint."""
    steps: list[float]
    reload: dict[str, float]
    """The reload probe's ``after_exit``, ``from_poll`` (seconds), ``parsed`` (a count) and ``peak_kib``."""
    peak_kib: int
    error: str


def _probe(argv: Sequence[str], env: dict[str, str]) -> Probed:
    """Run the dashboard probe to its end."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert child.stdout is not None and child.stderr is not None
    painted = 0.0
    steps: list[float] = []
    reload: dict[str, float] = {}
    for line in child.stdout:
        if line.startswith(b"painted") and not painted:
            painted = time.perf_counter() - start
        elif line.startswith(b"steps "):
            steps = [float(v) for v in json.loads(line[6:])]
        elif line.startswith(b"reload "):
            reload = {k: float(v) for k, v in json.loads(line[7:]).items()}
    error = child.stderr.read().decode(errors="replace").strip()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 or not painted:
        last = error.splitlines()[-1] if error else f"exit {child.returncode}"
        return Probed(0.0, [], {}, usage.ru_maxrss, last)
    if reload.get("parsed"):
        return Probed(0.0, [], {}, usage.ru_maxrss, f"the reload parsed the file ({reload['parsed']:g} times)")
    return Probed(painted, steps, reload, usage.ru_maxrss, "")


class Bench:
    def __init__(self, data: Generated, runs: int, steps: int, work: Path) -> None:
        self.data = data
        self.runs = runs
        self.step_count = steps
        self.work = work
        self.python = sys.executable
        tracker = Path(sys.executable).parent / "tracker"
        self.tracker = str(tracker) if tracker.exists() else (shutil.which("tracker") or "tracker")
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("TRACKER_DB", "PYTHONSTARTUP", "PYTHONPROFILEIMPORTTIME")
        }
        self.env.update({"COLUMNS": "160", "LINES": "50", "TRACKER_USER": "bench", "NO_COLOR": "1"})
        self.stderr = work / "stderr.txt"
        self.added = work / "add-store.json"
        self.imported = work / "import-store.json"
        self.reloaded = work / "reload-store.json"
        """The reload row's store: a fresh copy each round, as its add changes it."""
        shutil.copyfile(data.store, self.added)
        party, issue = data.parties[0], data.issues[0]
        # The read commands run on a copy in the work folder, so that the index cache beside it
        # (positions.json.idx) is made here, not in the generator's cache: warm rows have it (an untimed
        # `tracker check` writes it when it is missing, as a write would), cold rows delete it first.
        self.store = work / "positions.json"
        shutil.copyfile(data.store, self.store)
        store = str(self.store)
        statement = self._an_id()
        self.operations = [
            Operation(
                BASELINE,
                lambda: [self.python, "-c", "import json,sys; json.load(open(sys.argv[1], encoding='utf-8'))", store],
            ),
            Operation(REFERENCE, lambda: [self.python, "-c", "import rich.console"]),
            Operation(
                "tracker matrix",
                lambda: [self.tracker, "--db", store, "matrix", "--as-of", "2025-06-30"],
                prepare=self._warm,
            ),
            Operation("tracker diff (one year)", self._diff, prepare=self._warm),
            Operation("tracker gap (one year)", self._gap, prepare=self._warm),
            Operation(
                "tracker log --party P --issue I",
                lambda: [self.tracker, "--db", store, "log", "--party", party, "--issue", issue],
                prepare=self._warm,
            ),
            Operation("tracker show ID", lambda: [self.tracker, "--db", store, "show", statement], prepare=self._warm),
            Operation(
                COLD_MATRIX,
                lambda: [self.tracker, "--db", store, "matrix", "--as-of", "2025-06-30"],
                prepare=self._no_cache,
            ),
            Operation(
                COLD_LOG,
                lambda: [self.tracker, "--db", store, "log", "--party", party, "--issue", issue],
                prepare=self._no_cache,
            ),
            Operation("tracker add", self._add),
            Operation(
                "tracker import (whole set)",
                lambda: [self.tracker, "--db", str(self.imported), "import", str(data.export)],
                prepare=self._fresh_import_target,
            ),
            Operation(FIRST_PAINT, self._dashboard, prepare=self._warm, dashboard=True),
            Operation(RELOAD, self._reload, prepare=self._fresh_reload_store, dashboard=True),
        ]

    def _an_id(self) -> str:
        """The id of the store's first statement document (for ``show``)."""
        with open(self.store, "rb") as handle:
            head = handle.read(1 << 20)
        at = head.index(b'"id": "st_') + len(b'"id": "')
        return head[at : head.index(b'"', at)].decode()

    def _warm(self) -> None:
        """Leave the index cache beside the read commands' copy if a cold row removed it (untimed)."""
        if not (self.store.parent / (self.store.name + ".idx")).exists():
            _spawn([self.tracker, "--db", str(self.store), "check"], self.env, self.stderr)

    def _cache(self) -> Path:
        """The read commands' store's index cache."""
        return self.store.parent / (self.store.name + ".idx")

    def _no_cache(self) -> None:
        (self.store.parent / (self.store.name + ".idx")).unlink(missing_ok=True)

    def _fresh_import_target(self) -> None:
        shutil.copyfile(self.data.empty, self.imported)

    def _fresh_reload_store(self) -> None:
        """The store as generated, with its index cache (untimed): each round's add finds the same store."""
        shutil.copyfile(self.data.store, self.reloaded)
        _spawn([self.tracker, "--db", str(self.reloaded), "check"], self.env, self.stderr)

    def _has_command(self, name: str) -> bool:
        code, *_ = _spawn([self.tracker, name, "--help"], self.env, self.stderr)
        return code == 0

    def _diff(self) -> list[str] | None:
        if not self._has_command("diff"):
            return None
        return [self.tracker, "--db", str(self.store), "diff", "2024-06-30", "2025-06-30"]

    def _gap(self) -> list[str] | None:
        if not self._has_command("gap"):
            return None
        return [self.tracker, "--db", str(self.store), "gap", "--since", "2024-06-30", "--until", "2025-06-30"]

    def _add(self) -> list[str]:
        return self._add_to(self.added, "2025-07-01")

    def _add_to(self, store: Path, day: str) -> list[str]:
        """The ``tracker add`` of one usual statement to ``store``, stated on ``day``."""
        issue = self.data.issues[0]
        return [
            self.tracker, "--db", str(store), "add", "--party", self.data.parties[0], "--issue", issue,
            "--stance", self.data.stances[issue][0], "--date", day, "--speaker", "Benchmark Speaker",
            "--summary", "A statement added by the benchmark, as long as a usual summary of a position " * 2,
            "--quote", "We will not accept any settlement that does not include guarantees.", "--grade", "B2",
            "--url", "https://news.example.org/bench", "--outlet", "Reuters", "--published", "2025-07-01",
        ]  # fmt: skip

    def _dashboard(self) -> list[str] | None:
        code, *_ = _spawn([self.python, "-c", "import tracker.tui.app"], self.env, self.stderr)
        if code != 0:
            return None
        return [self.python, str(HERE / "dashboard_probe.py"), str(self.store), str(self.step_count)]

    def _reload(self) -> list[str] | None:
        """The reload probe; its add is stated today, so that it is the position the matrix shows."""
        if self._dashboard() is None:
            return None
        add = self._add_to(self.reloaded, "today")
        return [self.python, str(HERE / "dashboard_probe.py"), str(self.reloaded), "reload", *add]

    def run(self, progress: Callable[[str], None]) -> None:
        commands = {op.name: op.argv() for op in self.operations}
        for op in self.operations:
            if commands[op.name] is None:
                op.failure = "n/a (not built yet)"
        for round_ in range(self.runs):
            progress(f"  round {round_ + 1}/{self.runs}")
            for op in self.operations:
                argv = commands[op.name]
                if argv is None or (op.failure and not op.samples):
                    continue
                op.prepare()
                if op.dashboard:
                    probed = _probe(argv, self.env)
                    if probed.error:
                        op.failure = f"failed: {probed.error}"
                        continue
                    if op.name == RELOAD:
                        after_exit, peak = max(probed.reload["after_exit"], 0.0), int(probed.reload["peak_kib"])
                        op.samples.append(Sample(after_exit, peak))
                        op.reload_work.append(probed.reload["from_poll"])
                    else:
                        op.samples.append(Sample(probed.painted, probed.peak_kib))
                        op.steps.extend(probed.steps)
                    continue
                code, seconds, peak, cpu = _spawn(argv, self.env, self.stderr)
                if code != 0:
                    lines = self.stderr.read_text(errors="replace").strip().splitlines()
                    op.failure = f"failed (exit {code}): {lines[-1] if lines else ''}"
                    continue
                if op.name in (COLD_MATRIX, COLD_LOG) and not self._cache().exists():
                    op.failure = "failed: no index cache written for the next command"
                    continue
                op.samples.append(Sample(seconds, peak, cpu))


# -- the table ---------------------------------------------------------------


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Row:
    name: str
    median: str
    spread: str
    cpu: str
    ratio: str
    peak: str
    peak_ratio: str
    target: str
    met: str


def _targets(size: int, name: str) -> tuple[str, float | None, str]:
    """(what the target is measured against, limit, label) for one row at one size."""
    if name in (BASELINE, REFERENCE):
        return "", None, ""
    if size >= 100_000:
        limits = {
            **dict.fromkeys(WARM, 0.25),
            COLD_MATRIX: 1.5,
            COLD_LOG: 1.5,
            "tracker add": 2.5,
            "tracker import (whole set)": 5.0,
            FIRST_PAINT: 0.3,
            RELOAD: 0.3,
        }
        return "json", limits[name], f"≤ {limits[name]:g}× json"
    if size <= 1_000 and name not in (FIRST_PAINT, RELOAD):
        return "rich", 2.0, "≤ 2× rich"
    return "", None, ""


def table_rows(size: int, operations: Sequence[Operation]) -> list[Row]:
    by_name = {op.name: op for op in operations}
    base = by_name[BASELINE]
    base_time = _median([s.seconds for s in base.samples])
    base_peak = _median([s.peak_kib for s in base.samples])
    rich_time = _median([s.seconds for s in by_name[REFERENCE].samples])
    rows: list[Row] = []
    for op in operations:
        if not op.samples:
            rows.append(Row(op.name, op.failure or "n/a", "", "", "", "", "", _targets(size, op.name)[2], "n/a"))
            rows.extend(_detail_rows(size, op, base_time))
            continue
        times = [s.seconds for s in op.samples]
        median = _median(times)
        peak = _median([s.peak_kib for s in op.samples])
        against, limit, label = _targets(size, op.name)
        ratio = median / (rich_time if against == "rich" else base_time)
        mem_ratio = peak / base_peak
        met = ""
        if limit is not None:
            met = "met" if ratio <= limit else f"NOT met ({ratio:.3f}×, {(ratio / limit - 1) * 100:.1f} % over)"
        if size >= 100_000 and op.name not in (BASELINE, REFERENCE):
            most = 0.5 if op.name in WARM else 2.0
            label += f"; mem ≤ {most:g}×"
            if mem_ratio > most:
                met = (met + "; " if met else "") + f"mem NOT met ({mem_ratio:.2f}×)"
        shown_ratio = f"{median / base_time:.2f}× json" + (f" / {ratio:.2f}× rich" if against == "rich" else "")
        rows.append(
            Row(
                op.name,
                f"{median * 1000:.0f} ms",
                f"{min(times) * 1000:.0f}–{max(times) * 1000:.0f}",
                f"{_median([s.cpu for s in op.samples]) * 1000:.0f}" if not op.dashboard else "",
                shown_ratio,
                f"{peak / 1024:.0f} MB",
                f"{mem_ratio:.2f}×",
                label,
                met,
            )
        )
        rows.extend(_detail_rows(size, op, base_time))
    return rows


def _detail_rows(size: int, op: Operation, base_time: float) -> list[Row]:
    """The rows under a dashboard row: the ``]`` step under first paint, the reload's own work under the
    reload (each says what failed, when its probe did)."""
    if op.name == FIRST_PAINT and op.steps:
        step = _median(op.steps)
        met = "met" if step < 0.050 else f"NOT met ({(step / 0.050 - 1) * 100:.1f} % over)"
        return [
            Row(
                STEP,
                f"{step * 1000:.1f} ms",
                f"{min(op.steps) * 1000:.1f}–{max(op.steps) * 1000:.1f}",
                "",
                f"({len(op.steps)} steps)",
                "",
                "",
                "< 50 ms" if size >= 100_000 else "",
                met if size >= 100_000 else "",
            )
        ]
    if op.name == FIRST_PAINT:
        failed = (op.failure or "n/a") if not op.samples else "n/a (no steps)"
        return [Row(STEP, failed, "", "", "", "", "", "< 50 ms" if size >= 100_000 and op.samples else "", "n/a")]
    if op.name == RELOAD and op.reload_work:
        work = _median(op.reload_work)
        spread = f"{min(op.reload_work) * 1000:.0f}–{max(op.reload_work) * 1000:.0f}"
        return [Row(RELOAD_WORK, f"{work * 1000:.0f} ms", spread, "", f"{work / base_time:.2f}× json", "", "", "", "")]
    if op.name == RELOAD:
        return [Row(RELOAD_WORK, op.failure or "n/a", "", "", "", "", "", "", "n/a")]
    return []


def format_table(title: str, rows: Sequence[Row]) -> str:
    header = Row(
        "operation", "median", "spread (ms)", "cpu (ms)", "× baseline", "peak RSS", "× baseline", "target", "met"
    )
    cells = [list(vars(r).values()) for r in [header, *rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header.__dict__))]
    lines = [f"\n### {title}\n"]
    for n, line in enumerate(cells):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {load} at start"
    )


def generate_in_child(size: int, cache: Path) -> None:
    """Make (or find) the cached stores in another process, so this one's peak memory stays small."""
    script = (
        "import sys; from pathlib import Path; from generate import generate; "
        "generate(int(sys.argv[1]), Path(sys.argv[2]))"
    )
    subprocess.run([sys.executable, "-c", script, str(size), str(cache.resolve())], cwd=HERE, check=True)


def compile_bytecode() -> str:
    """Compile the package's bytecode first, as ``pip install`` does for an installed package.

    An editable install leaves that to the first run, and a machine with
    PYTHONDONTWRITEBYTECODE set (some containers) would recompile every module
    on every run: about 25 ms a command, which no user who ran it twice pays.
    """
    import compileall

    import tracker

    folder = Path(tracker.__file__).parent
    compileall.compile_dir(folder, quiet=1)
    return f"Bytecode of {folder} compiled before timing (as an installed package runs)."


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 statements only")
    parser.add_argument("--sizes", help="comma-separated statement counts (overrides --quick)")
    parser.add_argument("--runs", type=int, default=5, help="rounds per size (default 5; three times that at 1,000)")
    parser.add_argument("--steps", type=int, default=20, help="] presses per dashboard run (default 20)")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache", help="where generated stores are kept")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    else:
        sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    print(f"Machine: {machine()}")
    print(compile_bytecode())
    print(
        f"Each operation: {args.runs} runs ({args.runs * 3} at 1,000 statements), interleaved with the baseline; "
        "median, spread = min–max."
    )
    for size in sizes:
        started = time.perf_counter()
        progress(f"{size} statements: generating (cached after the first time)")
        generate_in_child(size, args.cache)
        data = generate(size, args.cache)  # cached now: only the small description is built here
        megabytes = data.store.stat().st_size / 1e6
        with tempfile.TemporaryDirectory(prefix="tracker-bench-") as folder:
            # Small stores take a tenth of a second a run: more rounds for the same noise.
            runs = args.runs * 3 if size <= 1_000 else args.runs
            bench = Bench(data, runs, args.steps, Path(folder))
            bench.run(progress)
        shape = data.shape
        title = (
            f"{shape.statements:,} statements ({data.revisions:,} revisions), {shape.parties} parties × "
            f"{shape.issues} issues, positions.json {megabytes:.1f} MB"
        )
        print(format_table(title, table_rows(size, bench.operations)), flush=True)
        progress(f"  ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
