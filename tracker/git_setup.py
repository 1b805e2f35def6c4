"""Setting a clone up so that git merges the store with tracker's merge driver (``tracker git setup``).

Git runs a merge driver for a file only when two things hold in the clone:

- an attribute names the driver for the file: a line ``/positions.json
  merge=tracker`` in the repository's ``.gitattributes``, which is committed,
  so every clone has it;
- the clone's own configuration says how to run that driver
  (``merge.tracker.driver``), which git never shares: each clone sets it once.

Without the second, git silently merges the file as text, with conflict
markers (``storage.schema.refuse_conflict_markers`` then says how to
recover). The driver is run as ``<this interpreter> -m tracker``, by absolute
path, so it works from git's environment, whatever the PATH there holds.

Also ignored (``.gitignore``): the files the store keeps beside itself, which
belong to one machine: its lock and owner file, its index cache (rebuilt from
the file by any reader), a killed writer's temp files, and the backups taken
before a migration or ``init --force``.

``subprocess`` is imported only when git is run: this module loads only for
``tracker git setup``.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, TrackerError

if TYPE_CHECKING:
    import subprocess

DRIVER = "tracker"
"""The merge driver's default name (``merge=tracker``, ``merge.tracker.driver``)."""
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
"""A driver name: it is a git config subsection and an attribute value, so nothing git would quote."""
GIT_TIMEOUT = 30.0
"""Seconds a git command may take (they read a few small files)."""


def driver_command() -> str:
    """How git runs this tracker's merge driver: this interpreter, by absolute path, with git's placeholders
    (base, ours, theirs, and the file's path in the repository, which messages name)."""
    return f"{shlex.quote(sys.executable)} -m tracker merge-driver %O %A %B %P"


@dataclass(frozen=True, slots=True)
class Repository:
    """The git work tree a store lives in."""

    top: Path
    """The work tree's top folder (``git rev-parse --show-toplevel``), where .gitattributes goes."""
    store: str
    """The store's path from there, with ``/`` (what git calls the file)."""

    @property
    def folder(self) -> str:
        """The store's folder from the top, with a trailing ``/`` (empty at the top)."""
        parent = self.store.rpartition("/")[0]
        return f"{parent}/" if parent else ""

    @property
    def name(self) -> str:
        return self.store.rpartition("/")[2]


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    import subprocess

    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        raise TrackerError("git is not installed (or not on PATH): sharing a record needs it") from None
    except subprocess.TimeoutExpired:
        raise TrackerError(
            f"`git {' '.join(args)}` took over {GIT_TIMEOUT:.0f} s in {cwd}; nothing more was done"
        ) from None


def _git_ok(*args: str, cwd: Path) -> str:
    """What a git command printed; its own complaint, as one line, if it failed."""
    done = _git(*args, cwd=cwd)
    if done.returncode != 0:
        said = " ".join(done.stderr.split()) or f"exit {done.returncode}"
        raise TrackerError(f"`git {' '.join(args)}` failed in {cwd}: {said}")
    return done.stdout


def repository_of(store: Path) -> Repository:
    """The work tree holding ``store`` (which need not exist yet); not in one is an InputError."""
    folder = Path(os.path.realpath(store.absolute().parent))
    if not folder.is_dir():
        raise InputError(f"{store.parent} is not a folder: no store can be there")
    done = _git("rev-parse", "--show-toplevel", cwd=folder)
    if done.returncode != 0 or not done.stdout.strip():
        raise InputError(
            f"{store} is not in a git work tree: clone the team's record (or `git init` its folder) first, "
            "then run `tracker git setup` there"
        )
    top = Path(os.path.realpath(done.stdout.strip()))
    return Repository(top, (folder / store.name).relative_to(top).as_posix())


def _escaped(path: str) -> str:
    """A path as a pattern that matches only itself: glob characters escaped."""
    return re.sub(r"([*?\[\\])", r"\\\1", path)


def attribute_line(repo: Repository, name: str) -> str:
    """The .gitattributes line naming the driver for the store: anchored at the top; C-quoted if the
    path holds a space or a quote, as git reads such a pattern."""
    pattern = "/" + _escaped(repo.store)
    if re.search(r'[\s"]', pattern):
        pattern = '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{pattern} merge={name}"


def ignored_beside(repo: Repository) -> dict[str, str]:
    """The files a store keeps beside itself, per machine: {a file of that kind: the .gitignore pattern}.

    The names are storage.lock's, storage.index_cache's and storage.files' (``NAME.lock``,
    ``NAME.lock.owner``, ``NAME.idx``, ``.NAME.<random>.tmp``, ``NAME.<time>.bak``).
    """
    at, name = repo.folder, repo.name
    fixed = "/" + _escaped(at)
    return {
        f"{at}{name}.lock": f"{fixed}{_escaped(name)}.lock",
        f"{at}{name}.lock.owner": f"{fixed}{_escaped(name)}.lock.owner",
        f"{at}{name}.idx": f"{fixed}{_escaped(name)}.idx",
        f"{at}.{name}.abcd1234.tmp": f"{fixed}.{_escaped(name)}.*.tmp",
        f"{at}{name}.20250101T000000.bak": f"{fixed}{_escaped(name)}.*.bak",
    }


def _merge_attribute(repo: Repository) -> str:
    out = _git_ok("check-attr", "merge", "--", repo.store, cwd=repo.top)
    return out.rstrip("\n").rpartition(": ")[2]


def _append(file: Path, lines: list[str]) -> None:
    """Add ``lines`` at the end of ``file`` (created if missing), on lines of their own."""
    try:
        old = file.read_text(encoding="utf-8") if file.exists() else ""
        gap = "\n" if old and not old.endswith("\n") else ""
        file.write_text(old + gap + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        why = getattr(error, "strerror", None) or str(error)
        raise TrackerError(
            f"{file}: could not add to it ({why}); add these lines by hand: {'; '.join(lines)}"
        ) from None


def setup(store: Path, name: str = DRIVER) -> list[str]:
    """Set the clone holding ``store`` up to merge it with tracker's driver; what was done, one line each.

    Idempotent: each part is checked first (by asking git, so a line someone
    already wrote counts) and only what is missing is added.
    """
    if not NAME_RE.fullmatch(name):
        raise InputError(f"--name {name!r} must be letters, digits, - or _ (it is a git config name)")
    repo = repository_of(store)
    done: list[str] = []

    if _merge_attribute(repo) != name:
        line = attribute_line(repo, name)
        _append(repo.top / ".gitattributes", [line])
        now = _merge_attribute(repo)
        if now != name:
            raise TrackerError(
                f"{repo.store}: added {line!r} to {repo.top / '.gitattributes'}, but git still reads merge={now} "
                "for it: a .gitattributes closer to it (or .git/info/attributes) overrides that line; remove theirs"
            )
        done.append(f"{repo.top / '.gitattributes'}: added {line!r}")

    ignore = ignored_beside(repo)
    missing = [
        pattern
        for sample, pattern in ignore.items()
        if _git("check-ignore", "-q", "--no-index", "--", sample, cwd=repo.top).returncode != 0
    ]
    if missing:
        _append(repo.top / ".gitignore", missing)
        done.append(
            f"{repo.top / '.gitignore'}: added {', '.join(missing)} "
            "(the store's lock, index cache, temp and backup files)"
        )

    for key, value in (
        (f"merge.{name}.name", "tracker: merge record stores, keeping every statement revision of both sides"),
        (f"merge.{name}.driver", driver_command()),
    ):
        was = _git("config", "--local", "--get", key, cwd=repo.top).stdout.rstrip("\n")
        if was != value:
            _git_ok("config", "--local", key, value, cwd=repo.top)
            done.append(f"git config {key} = {value}" + (f" (was {was})" if was else ""))

    if not done:
        return [f"already set up: git merges {repo.store} with tracker's merge driver in this clone ({repo.top})"]
    return [
        *done,
        f"Set up: git merges {repo.store} with tracker's merge driver in this clone. Commit .gitattributes and "
        ".gitignore so every clone has them; each clone runs `tracker git setup` once (git config is not shared).",
    ]
