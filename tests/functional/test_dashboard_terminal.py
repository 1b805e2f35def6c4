"""The README's first command, as a new user runs it: the dashboard on the bundled record, in a real
terminal (a pseudo-terminal), paints the matrix and quits on ``q`` without a traceback.

Pilot tests give the app a size from the start; a terminal may not (a pty whose size is not set reads
0×0 until the first resize): the matrix once drew its cells for one row height and indexed them with
another, and the first paint died with an IndexError that no Pilot test saw.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import shutil
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

from tests.helpers import BUNDLED, TRACKER, child_env

ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[A-Za-z~]|\x1b[()][A-Z0-9]|\x1b[=>]|\x1b\][^\x07]*\x07")


def _read_for(fd: int, seconds: float) -> bytes:
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


@pytest.mark.parametrize("size", [None, (24, 80), (40, 120)], ids=["size not set", "80x24", "120x40"])
def test_the_dashboard_paints_in_a_terminal_and_quits(tmp_path: Path, size: tuple[int, int] | None) -> None:
    store = tmp_path / "positions.json"
    shutil.copyfile(BUNDLED, store)
    leader, follower = os.openpty()
    if size is not None:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    env = child_env(TERM="xterm-256color")
    process = subprocess.Popen(
        [str(TRACKER), "--db", str(store)], stdin=follower, stdout=follower, stderr=follower, env=env,
        start_new_session=True,
    )  # fmt: skip
    os.close(follower)
    try:
        painted = _read_for(leader, 6)
        os.write(leader, b"q")
        rest = _read_for(leader, 3)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    shown = ANSI.sub("", (painted + rest).decode("utf-8", "replace"))
    assert "Traceback" not in shown and "Error" not in shown, shown[-3000:]
    assert "Russia" in shown and "NATO" in shown
    assert process.returncode == 0
