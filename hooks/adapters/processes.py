"""Other processes, read without a library: a parent, a name, waiting for one to exit (/proc on Linux,
`ps` elsewhere); a zombie still answers `kill(pid, 0)`, so "running" is read from the process state."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

_POLL_S = 0.002


def _stat(pid: int) -> list[str] | None:
    """Linux: the fields of /proc/<pid>/stat after the command name (state first), or None when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _ps(pid: int, field: str) -> str | None:
    try:
        result = subprocess.run(
            ["ps", "-o", f"{field}=", "-p", str(pid)],  # nosec B607: ps from PATH
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None


def parent_of(pid: int) -> int | None:
    if sys.platform == "linux":
        fields = _stat(pid)
        return int(fields[1]) if fields else None
    value = _ps(pid, "ppid")
    return int(value) if value and value.isdigit() else None


def name_of(pid: int) -> str:
    """The executable's name (`git`), or "" when the process is gone."""
    if sys.platform == "linux":
        try:
            return Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            return ""
    return Path(_ps(pid, "comm") or "").name


def is_running(pid: int) -> bool:
    if sys.platform == "linux":
        fields = _stat(pid)
        return fields is not None and fields[0] not in ("Z", "X")
    state = _ps(pid, "stat")
    return state is not None and not state.startswith("Z")


def wait_for_exit(pid: int, timeout_s: float) -> bool:
    """Wait until `pid` has exited; False when it is still running after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    poll = _POLL_S if sys.platform == "linux" else 0.05  # ps costs a process start
    while is_running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True
