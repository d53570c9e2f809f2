"""The merge driver for execution logs as git runs it: registered in the clone, run from the repository."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from hooks.frame import log_merge
from tests.util import PRE_COMMIT, add_platform_mode, commit, git, install_hooks, run_cli, write

LOG = ".platform-mode/execution/execution001.execution.md"


@pytest.mark.slow
def test_the_driver_merges_in_a_repository_with_a_hooks_package_of_its_own(
    repo: Path, hook_repo: Path
) -> None:
    """git runs the driver in the repository: run as `python -m hooks.cli` from pre-commit's environment
    (a plain install, unlike this checkout's editable one), it imported the user's `hooks/` package."""
    add_platform_mode(repo)
    write(repo / "hooks/__init__.py", '"""The project\'s own hooks package."""\n')
    commit(repo, "start")
    install_hooks(repo, hook_repo, "platform-log-sync")
    subprocess.run([PRE_COMMIT, "run", "platform-log-sync", "--hook-stage", "manual"], cwd=repo, check=True)
    key = f"merge.{log_merge.DRIVER}.driver"
    for _ in range(200):  # the detached writer registers it once pre-commit has exited
        if subprocess.run(["git", "config", "--get", key], cwd=repo, capture_output=True).returncode == 0:
            break
        time.sleep(0.05)
    assert log_merge.DRIVER_ARGUMENTS in git(repo, "config", "--get", key)
    text = (repo / LOG).read_text(encoding="utf-8")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo / LOG, text + "\nA note from the feature branch.\n")
    commit(repo, "feature note")
    git(repo, "checkout", "-q", "-")
    write(repo / LOG, "Main's first line.\n" + text)
    commit(repo, "main note")
    merged = subprocess.run(
        ["git", "merge", "-q", "--no-edit", "feature"], cwd=repo, capture_output=True, text=True
    )
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "No module named" not in merged.stderr
    final = (repo / LOG).read_text(encoding="utf-8")
    assert final.startswith("Main's first line.\n") and "A note from the feature branch." in final


def test_an_earlier_form_of_our_driver_is_replaced_and_a_user_s_own_is_kept(repo: Path) -> None:
    key = f"merge.{log_merge.DRIVER}.driver"
    git(repo, "config", key, f"/usr/bin/python3 -m hooks.cli {log_merge.DRIVER_ARGUMENTS}")
    log_merge.register(repo)
    assert "-m hooks.cli" not in git(repo, "config", "--get", key)
    git(repo, "config", key, "/bin/sh my-own-driver %O %A %B")
    log_merge.register(repo)
    assert git(repo, "config", "--get", key).strip() == "/bin/sh my-own-driver %O %A %B"


def test_merge_log_with_a_missing_file_is_one_line_and_exit_2(repo: Path) -> None:
    result = run_cli(repo, "merge-log", "base", "ours", "theirs")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "platform-gates: error: merge-log: base: No such file or directory"
    ]
