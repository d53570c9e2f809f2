"""The safe-write rule, through a real `pre-commit try-repo`: a tracked log is never touched by a hook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hooks.frame.quality_block import find_block
from tests.util import add_platform_mode, commit, git, run_cli, try_repo, write

DEMO_MANIFEST = """\
- id: demo
  name: demo gate
  entry: platform-gates exec --gate demo -- true
  language: unsupported
  pass_filenames: false
  always_run: true
"""


@pytest.fixture
def demo_hooks(tmp_path: Path) -> Path:
    """A hook repository whose one hook records through `platform-gates exec`."""
    hooks = tmp_path / "demo-hooks"
    write(hooks / ".pre-commit-hooks.yaml", DEMO_MANIFEST)
    git(hooks.parent, "init", "-q", str(hooks))
    commit(hooks, "demo hook")
    return hooks


def pending(repo: Path) -> int:
    return int(json.loads(run_cli(repo, "status", "--json").stdout)["pending"])


def test_tracked_log_stays_unchanged_under_pre_commit_and_sync_writes_it_later(
    repo: Path, demo_hooks: Path
) -> None:
    log = add_platform_mode(repo)
    commit(repo, "plan and log")
    before = log.read_bytes()

    result = try_repo(repo, demo_hooks, "demo", "--all-files")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo gate" in result.stdout and "Passed" in result.stdout
    assert git(repo, "diff", "--stat") == ""
    assert git(repo, "status", "--porcelain") == ""
    assert log.read_bytes() == before
    assert pending(repo) == 1

    assert run_cli(repo, "sync").returncode == 0
    block = find_block(log.read_text())
    assert block is not None
    assert list(block.state.status) == ["demo"]
    assert pending(repo) == 0


def test_unstaged_edits_to_a_tracked_log_survive_a_hook_run(repo: Path, demo_hooks: Path) -> None:
    log = add_platform_mode(repo)
    commit(repo, "plan and log")
    write(repo / "app.py", "print('hi')\n")
    git(repo, "add", "app.py")
    edited = log.read_text() + "\nA note written while the commit runs.\n"
    log.write_text(edited)

    result = try_repo(repo, demo_hooks, "demo")

    assert result.returncode == 0, result.stdout + result.stderr
    assert log.read_text() == edited
    assert pending(repo) == 1


def test_untracked_log_gets_its_row_at_once(repo: Path, demo_hooks: Path) -> None:
    log = add_platform_mode(repo)

    result = try_repo(repo, demo_hooks, "demo", "--all-files")

    assert result.returncode == 0, result.stdout + result.stderr
    block = find_block(log.read_text())
    assert block is not None
    assert list(block.state.status) == ["demo"]
    assert pending(repo) == 0


def test_two_pre_commit_runs_at_once_both_finish_and_both_record(repo: Path, demo_hooks: Path) -> None:
    import subprocess

    from tests.util import PRE_COMMIT

    add_platform_mode(repo)
    rev = git(demo_hooks, "rev-parse", "HEAD").strip()
    write(
        repo / ".pre-commit-config.yaml",
        f"repos:\n  - repo: {demo_hooks}\n    rev: {rev}\n    hooks:\n      - id: demo\n",
    )
    commit(repo, "config")
    runs = [
        subprocess.Popen(
            [PRE_COMMIT, "run", "--all-files"], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    report = json.loads(run_cli(repo, "status", "--json").stdout)
    assert report["records"] == 2
    assert report["pending"] == 2
