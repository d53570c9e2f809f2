"""platform-lint and platform-security as users get them: `pre-commit try-repo` on a real project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.util import add_platform_mode, commit, run_cli, try_repo, write

pytestmark = pytest.mark.slow

PYPROJECT = """\
[tool.ruff]
line-length = 100
[tool.ruff.lint]
select = ["E", "F", "B"]
[tool.bandit]
exclude_dirs = ["tests"]
"""
MODULE = "def double_{n}(value: int) -> int:\n    return value * 2\n"


@pytest.fixture
def project(repo: Path) -> Path:
    write(repo / "pyproject.toml", PYPROJECT)
    for n in range(24):
        write(repo / f"src/app/mod{n:02d}.py", MODULE.format(n=n))
    write(repo / "tests/test_shell.py", 'import subprocess\n\nsubprocess.call("ls", shell=True)\n')
    add_platform_mode(repo)
    commit(repo, "project")
    return repo


def latest(repo: Path) -> dict[str, dict[str, object]]:
    return json.loads(run_cli(repo, "status", "--json").stdout)["latest"]  # type: ignore[no-any-return]


def test_clean_project_passes_both_gates(project: Path, hook_repo: Path) -> None:
    result = try_repo(project, hook_repo, "platform-lint", "--all-files")
    assert result.returncode == 0, result.stdout
    result = try_repo(project, hook_repo, "platform-security", "--all-files")
    assert result.returncode == 0, result.stdout  # tests/ holds a shell call, but it is excluded
    records = latest(project)
    assert records["platform-lint"]["files"] == 25
    assert records["platform-security"]["status"] == "pass"


def test_each_tool_flags_its_file(project: Path, hook_repo: Path) -> None:
    write(project / "src/app/unused.py", "import os\n")
    write(
        project / "src/app/shell.py",
        "import subprocess\n\n\ndef run(cmd: str) -> None:\n    subprocess.call(cmd, shell=True)\n",
    )
    commit(project, "bad code")
    lint = try_repo(project, hook_repo, "platform-lint", "--all-files", "--verbose")
    assert lint.returncode == 1
    assert "src/app/unused.py:1:8: F401 `os` imported but unused" in lint.stdout
    security = try_repo(project, hook_repo, "platform-security", "--all-files", "--verbose")
    assert security.returncode == 1
    assert (
        "src/app/shell.py:5: B602 [high/high] subprocess call with shell=True identified" in security.stdout
    )
    records = latest(project)
    assert records["platform-lint"]["counts"] == {"F401": 1}
    assert records["platform-security"]["counts"]["B602"] == 1


def test_a_file_list_too_long_for_one_command_line_gives_one_verdict_and_record(
    project: Path, hook_repo: Path
) -> None:
    deep = "a_rather_long_directory_name_that_makes_the_command_line_grow/" * 3
    for n in range(800):
        write(project / deep / f"module_with_a_long_name_{n:04d}.py", MODULE.format(n=n))
    # Both findings sit in the first of pre-commit's calls; the last call's files are clean.
    first = project / deep / "module_with_a_long_name_0000.py"
    write(first, "import os\nimport subprocess\n\nsubprocess.call(os.sep, shell=True)\nx  =  1\n")
    commit(project, "many files")
    for hook, finding in [
        ("platform-lint", f"{deep}module_with_a_long_name_0000.py: would reformat"),
        ("platform-security", f"{deep}module_with_a_long_name_0000.py:4: B602 [high/high] subprocess call"),
    ]:
        result = try_repo(project, hook_repo, hook, "--all-files", "--verbose")
        assert result.returncode == 1, result.stdout
        assert result.stdout.count(f"{hook}: FAIL") >= 2  # pre-commit called the hook more than once
        assert finding in result.stdout
    report = json.loads(run_cli(project, "status", "--json").stdout)
    assert report["records"] == 2  # one per gate
    lint, security = report["latest"]["platform-lint"], report["latest"]["platform-security"]
    assert (lint["status"], lint["files"], lint["counts"]) == ("fail", 825, {"format": 1})
    assert (security["status"], security["files"]) == ("fail", 824)  # tests/ is excluded
    assert security["counts"] == {"B404": 1, "B602": 1, "low": 1, "high": 1}
    assert security["metrics"]["excluded"] == 1
