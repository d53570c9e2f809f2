from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hooks.frame.locking import FileLock, LockTimeout

HOLD = """
import sys, time
from pathlib import Path
from hooks.frame.locking import FileLock
with FileLock(Path(sys.argv[1]), 5).held():
    print("held", flush=True)
    time.sleep(60)
"""


def test_the_lock_is_re_entrant_in_one_object(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / "j.lock", 0.1)
    with lock.held(), lock.held():
        pass
    with lock.held():  # released after the outer hold, taken again
        pass


def test_a_second_holder_waits_and_times_out(tmp_path: Path) -> None:
    first, second = FileLock(tmp_path / "j.lock", 0.1), FileLock(tmp_path / "j.lock", 0.2)
    with first.held():
        started = time.monotonic()
        with pytest.raises(LockTimeout, match=r"^j\.lock stayed locked for 0\.2 s$"), second.held():
            pass
        assert time.monotonic() - started >= 0.2
    with second.held():  # free once the first lets go
        pass


def test_a_holder_killed_with_sigkill_leaves_the_lock_free(tmp_path: Path) -> None:
    path = tmp_path / "j.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "held\n"
    with pytest.raises(LockTimeout), FileLock(path, 0.1).held():
        pass
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    with FileLock(path, 5).held():
        pass
