"""The README walked as a new user walks it: its everyday commands, in order, in an empty work folder.

Each ``tracker …`` line of the "Everyday use" block is run with the venv's
console script (what ``source .venv/bin/activate`` puts on PATH), with the
placeholders filled in (``ST_ID``: a real id, a different one each line;
``…``: words); every one must succeed. The dashboard line is only checked to
be there: it needs a terminal.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

from tests.helpers import ROOT, TRACKER, child_env


def everyday_block() -> list[str]:
    """The logical lines of the first shell block under "## Everyday use" (continuations joined)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Everyday use", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return block.group(1).replace("\\\n", " ").splitlines()


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(TRACKER), *args], cwd=cwd, capture_output=True, text=True, timeout=60, env=child_env())
    assert done.returncode == 0, f"tracker {shlex.join(args)} exited {done.returncode}: {done.stderr}"
    return done


def a_file_to_import(path: Path, scratch: Path) -> None:
    """An export (CSV or JSON, as the name says) of one statement of another record, as a colleague sends one."""
    scratch.mkdir()
    run(["init"], scratch)
    run(["add", "--party", "europe", "--issue", "kursk", "--stance", "exchange", "--date", "2025-03-20"], scratch)
    run(["export", "-o", str(path)], scratch)


def test_the_everyday_commands_run_in_an_empty_work_folder(tmp_path: Path) -> None:
    lines = everyday_block()
    assert lines[0].startswith("source .venv/bin/activate")
    assert any(shlex.split(line, comments=True) == ["tracker"] for line in lines)  # the dashboard
    work: Path | None = None
    ids: list[str] = []
    ran = 0
    for line in lines:
        for command in line.split("&&"):
            filled = command.replace("https://…", "https://example.org/said").replace("…", "words")
            words = shlex.split(filled, comments=True)
            if not words or words[0] == "source":
                continue
            if words[0] == "mkdir":
                work = tmp_path / Path(words[-1]).name
                work.mkdir()
                assert not any(work.iterdir())
                continue
            if words[0] == "cd" or words == ["tracker"]:
                continue
            assert words[0] == "tracker" and work is not None, line
            if "ST_ID" in words:
                if not ids:
                    ids = [s["id"] for s in json.loads(run(["log", "--format", "json"], work).stdout)]
                words = [ids.pop(0) if word == "ST_ID" else word for word in words]
            if words[1] == "import" and not (work / words[-1]).exists():  # the file is the last word
                a_file_to_import(work / words[-1], tmp_path / f"colleague-{ran}")
            run(words[1:], work)
            ran += 1
    assert ran >= 10
    assert work is not None and (work / "positions.json").exists()


def test_the_readme_says_what_the_first_command_opens() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    opening = readme.split("## Everyday use", 1)[0]
    assert ".venv/bin/tracker --db positions.json" in opening
    assert "changes the bundled file" in " ".join(opening.split())
    assert "tracker init --demo" in opening
