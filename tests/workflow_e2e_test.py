"""The workflow gates as users meet them: installed hooks, a real `git commit`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.traceability_test import ANALYSIS, COMPLETE_LOG
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

LOG_REL = ".platform-mode/execution/execution001.execution.md"


def test_code_only_commit_is_refused_and_the_same_change_with_a_log_entry_goes_in(
    repo: Path, hook_repo: Path
) -> None:
    write(repo / ".platform-mode/analysis/analysis001.analysis.md", ANALYSIS)
    log = add_platform_mode(repo)
    write(repo / "app.py", "print('v1')\n")
    commit(repo, "start")
    install_hooks(repo, hook_repo, "platform-log-freshness", "platform-traceability")
    commit(repo, "hooks")
    head = git(repo, "rev-parse", "HEAD")

    write(repo / "app.py", "print('v2')\n")
    git(repo, "add", "app.py")
    refused = git_through_hooks(repo, "commit", "-m", "code only")
    assert refused.returncode == 1, refused.stdout
    assert "platform-log-freshness" in refused.stdout and "Failed" in refused.stdout
    assert f"git add {LOG_REL}" in refused.stdout
    assert git(repo, "rev-parse", "HEAD") == head

    # The commands the refusal names, without an entry of the user's: only the results block changes.
    assert run_cli(repo, "sync").returncode == 0
    assert "<!-- platform-gates:results:begin -->" in log.read_text()
    git(repo, "add", LOG_REL)
    refused_again = git_through_hooks(repo, "commit", "-m", "code only")
    assert refused_again.returncode == 1, refused_again.stdout
    assert "change only the platform-gates block" in refused_again.stdout
    assert git(repo, "rev-parse", "HEAD") == head

    log.write_text(log.read_text() + "\n#### Story 1.1: v2 of the app (FR-001)\n")
    git(repo, "add", LOG_REL)
    accepted = git_through_hooks(repo, "commit", "-m", "code and log")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert git(repo, "rev-parse", "HEAD") != head
    assert git(repo, "status", "--porcelain") == ""  # the hooks changed no tracked file


def test_complete_log_with_an_unchecked_criterion_fails_traceability(repo: Path, hook_repo: Path) -> None:
    write(repo / ".platform-mode/analysis/analysis001.analysis.md", ANALYSIS)
    write(
        repo / ".platform-mode/design/design001.design.md",
        "# Design\n\n**Document ID**: design001.design.md\n**Status**: DONE\n\n### ADR-001: x\n",
    )
    log = add_platform_mode(repo, log=COMPLETE_LOG)
    commit(repo, "complete")
    install_hooks(repo, hook_repo, "platform-traceability")
    commit(repo, "hooks")
    log.write_text(log.read_text().replace("- [x] A bookmark", "- [ ] A bookmark"))
    git(repo, "add", LOG_REL)
    result = git_through_hooks(repo, "commit", "-m", "reopen a criterion")
    assert result.returncode == 1
    assert f"{LOG_REL}:12: ERROR unchecked acceptance criterion in a COMPLETE log" in result.stdout


def test_pre_push_refuses_a_pushed_range_of_code_commits_without_the_log(
    repo: Path, hook_repo: Path, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    log = add_platform_mode(repo)
    write(repo / "app.py", "print('v1')\n")
    commit(repo, "start")
    install_hooks(repo, hook_repo, "platform-log-freshness")
    commit(repo, "hooks")
    subprocess.run(
        [PRE_COMMIT, "install", "--hook-type", "pre-push"],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=900,
    )
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")  # the first push of a branch holds the whole history

    write(repo / "app.py", "print('v2')\n")
    commit(repo, "code only, committed past the hook")
    refused = git_through_hooks(repo, "push", "origin", "main")
    assert refused.returncode != 0, refused.stdout
    assert "platform-log-freshness" in refused.stdout and "Failed" in refused.stdout
    assert "commit it within" in refused.stdout

    log.write_text(log.read_text() + "\n#### Story 1.1: v2 of the app\n")
    commit(repo, "log entry for v2")
    accepted = git_through_hooks(repo, "push", "origin", "main")
    assert accepted.returncode == 0, accepted.stdout
