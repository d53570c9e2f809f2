"""A wrapped tool that is not installed is exit 2 with one line that says so, never a pass."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.util import add_platform_mode, write

SITE = Path(sysconfig.get_paths()["purelib"])


def environment_without(tmp_path: Path, tool: str) -> Path:
    """A real virtual environment with every package of this one but `tool` (and its scripts)."""
    venv = tmp_path / f"without-{tool}"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(subprocess.run(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip())  # fmt: skip
    for entry in SITE.iterdir():
        if not entry.name.lower().startswith(tool):
            (site / entry.name).symlink_to(entry)
    return venv / "bin" / "python"


@pytest.mark.parametrize(
    ("gate", "tool", "reason"),
    [
        ("hooks.lint", "ruff", "platform-lint: ERROR - ruff is not installed (pip install ruff)"),
        (
            "hooks.security",
            "bandit",
            "platform-security: ERROR - bandit is not installed (pip install bandit)",
        ),
    ],
)
def test_a_missing_tool_is_exit_2_with_one_line(
    repo: Path, tmp_path: Path, gate: str, tool: str, reason: str
) -> None:
    add_platform_mode(repo)
    write(repo / "app.py", "x = 1\n")
    python = environment_without(tmp_path, tool)
    result = subprocess.run(
        [python, "-m", gate, "app.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": "/usr/bin:/bin"},  # no tool on PATH either
        timeout=120,
    )
    assert result.returncode == 2
    [line] = result.stdout.splitlines()
    assert line.startswith(reason)
    assert "Traceback" not in result.stdout + result.stderr
