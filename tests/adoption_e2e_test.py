"""Adopting the gates in a repository with legacy findings and its own bandit config: real `git commit`
through installed hooks, real ruff and bandit, no baseline file."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.util import (
    PRE_COMMIT,
    add_platform_mode,
    commit,
    git,
    git_through_hooks,
    install_hooks,
    run_cli,
    write,
)

pytestmark = pytest.mark.slow

# ~20 ruff findings (unused imports, `== None`, bare except, ambiguous names...), 5 bandit findings, and
# unformatted code above and below a well-formatted function.
LEGACY = """\
import os, sys
import json
import re
import subprocess
import re
import pickle
import subprocess
import hashlib
from typing import *
a=1;b=2
l = 1
def old(x = None):
    if x == None: pass
    try: return eval(x)
    except: return pickle.loads(x)
def shell(cmd):
    subprocess.call(cmd, shell = True)
    return hashlib.md5(cmd).hexdigest()


def greet(name: str) -> str:
    return "hello " + name


def unused():
    I = 1
    O = 2
    if I == None or O == None: return True
    assert I
"""
PYPROJECT = '[tool.ruff.lint]\nselect = ["E", "F", "W"]\n'


@pytest.fixture
def legacy(repo: Path, hook_repo: Path) -> Path:
    write(repo / "pyproject.toml", PYPROJECT)
    write(repo / "app/legacy.py", LEGACY)
    add_platform_mode(repo)
    install_hooks(repo, hook_repo, "platform-lint", "platform-security")
    commit(repo, "legacy code")
    return repo


def changed(repo: Path, old: str, new: str) -> None:
    path = repo / "app/legacy.py"
    path.write_text(path.read_text().replace(old, new))
    git(repo, "add", "app/legacy.py")


def test_a_clean_one_line_change_in_legacy_code_commits_without_a_baseline(legacy: Path) -> None:
    changed(legacy, '"hello " + name', '"hello, " + name')
    result = git_through_hooks(legacy, "commit", "-m", "friendlier greeting")
    assert result.returncode == 0, result.stdout
    assert not (legacy / ".platform-gates/lint.baseline.json").exists()
    latest = json.loads(run_cli(legacy, "status", "--json").stdout)["latest"]
    lint, security = latest["platform-lint"], latest["platform-security"]
    # pre-commit shows a passing hook's output with `verbose: true`; the record keeps the summary line.
    legacy = lint["metrics"]["legacy"]  # ~20: the count moves a little with ruff's version
    assert (
        lint["summary"]
        == f"no findings in 1 file ({legacy} legacy findings on unchanged lines, not blocking)"
    )
    assert lint["status"] == "pass" and legacy >= 19
    assert lint["threshold"] == "changed lines: ruff check, ruff format"
    assert security["summary"].startswith("no findings in 1 file (8 legacy findings on unchanged lines")
    assert security["status"] == "pass"
    assert security["threshold"].startswith("changed lines: severity >= low")


@pytest.mark.parametrize(
    ("old", "new", "refused_by", "finding"),
    [
        ('"hello " + name', '"hello " + name if name != None else ""', "platform-lint", "E711"),
        ('"hello " + name', 'eval("name")', "platform-security", "B307"),
        ('"hello " + name', '"hello "+name', "platform-lint", "would reformat"),
    ],
)
def test_a_finding_or_unformatted_code_on_the_changed_line_is_refused(
    legacy: Path, old: str, new: str, refused_by: str, finding: str
) -> None:
    changed(legacy, old, new)
    result = git_through_hooks(legacy, "commit", "-m", "change")
    assert result.returncode == 1, result.stdout
    assert finding in result.stdout
    assert f"{refused_by}: FAIL - 1 finding in 1 of 1 file" in result.stdout
    assert git(legacy, "log", "--format=%s", "-1").strip() == "legacy code"


def test_scope_files_judges_the_whole_legacy_file(legacy: Path) -> None:
    write(legacy / "pyproject.toml", PYPROJECT + '[tool.platform-gates.lint]\nscope = "files"\n')
    git(legacy, "add", "pyproject.toml")
    changed(legacy, '"hello " + name', '"hello, " + name')
    result = git_through_hooks(legacy, "commit", "-m", "friendlier greeting")
    assert result.returncode == 1, result.stdout
    assert "app/legacy.py:1:1: E401 Multiple imports on one line" in result.stdout
    assert re.search(r"^platform-security \(bandit\)\.+Passed$", result.stdout, re.M)  # still changed lines


def test_bandit_args_copied_from_a_bandit_hook_are_honoured(repo: Path, hook_repo: Path) -> None:
    write(repo / "bandit.yaml", "exclude_dirs: ['tests']\nskips: ['B404']\n")
    write(repo / "tests/test_app.py", "def test_it():\n    assert 1 + 1 == 2\n")
    write(repo / "app.py", "import subprocess\n\nMODULE = subprocess.__name__\n")
    add_platform_mode(repo)
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    write(
        repo / ".pre-commit-config.yaml",
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n"
        "      - id: platform-security\n        args: [-c, bandit.yaml]\n",
    )
    subprocess.run([PRE_COMMIT, "install"], cwd=repo, check=True, capture_output=True, timeout=900)
    git(repo, "add", "-A")
    result = git_through_hooks(repo, "commit", "-m", "app and tests")
    assert result.returncode == 0, result.stdout  # B101 in tests/ excluded, B404 skipped
    assert "platform-security: FAIL" not in result.stdout
    latest = json.loads(run_cli(repo, "status", "--json").stdout)["latest"]["platform-security"]
    assert latest["metrics"]["excluded"] == 1
    assert latest["counts"] == {}
