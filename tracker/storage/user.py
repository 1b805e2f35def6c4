"""Who is writing: the analyst's name, as a revision's ``recorded_by`` and the lock's owner file give it.

In order: ``$TRACKER_USER`` (set it to be named the same on every machine);
else, when the store's folder is inside a git work tree, ``git config
user.name`` (a team that shares the record through git is already named there,
and a login name such as ``ubuntu`` or ``root`` says nothing about who wrote
what); else the login name. Only writers ask, so git runs only for a write, in
a folder with a ``.git`` above it, and at most :data:`GIT_TIMEOUT` seconds; git
missing, failing or silent falls back to the login name without a word.
"""

from __future__ import annotations

import os
from pathlib import Path

USER_ENV = "TRACKER_USER"
GIT_TIMEOUT = 2.0
"""Seconds ``git config user.name`` may take before the login name is used instead."""


def current_user(folder: Path | None = None) -> str:
    """The analyst writing to the store in ``folder`` (see the module's notes); "unknown" if nothing says.

    Not cleaned: callers treat it as input (``sanitise`` before storing).
    """
    if user := os.environ.get(USER_ENV):
        return user
    if folder is not None and (name := git_user_name(folder)):
        return name
    return login_name()


def login_name() -> str:
    """The operating system's name for this user, or "unknown"."""
    try:
        import getpass  # writers only: read commands start faster without it

        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def in_git_work_tree(folder: Path) -> bool:
    """True if ``folder`` or a folder above it holds ``.git`` (a repository's folder, or a worktree's file).

    Looked for on disk, so that a store outside git (most stores, and every
    test's) costs no process.
    """
    folder = Path(os.path.abspath(folder))
    return any((place / ".git").exists() for place in (folder, *folder.parents))


def git_user_name(folder: Path) -> str:
    """``git config user.name`` as git reads it in ``folder`` (the repository's, else the global one);
    empty outside a git work tree, or if git is missing, fails, is slow or has no name."""
    if not in_git_work_tree(folder):
        return ""
    import subprocess  # only for a write in a git work tree

    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "config", "--get", "user.name"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):  # no git on PATH, or it took too long
        return ""
    if done.returncode != 0:
        return ""
    return done.stdout.decode("utf-8", "replace").strip()
