from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from hooks.frame.quality_block import BEGIN, END
from hooks.log_freshness import is_implementation, main
from tests.traceability_test import REAL_WORLD_LOG
from tests.util import PLAN, add_platform_mode, commit, git, run_cli, write

LOG_REL = ".platform-mode/execution/execution001.execution.md"


def freshness(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.fixture(autouse=True)
def as_a_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """As pre-commit runs the gate: a tracked log is left alone, records wait in the journal."""
    monkeypatch.setenv("PRE_COMMIT", "1")


@pytest.fixture
def project(repo: Path) -> Path:
    add_platform_mode(repo)
    write(repo / "app.py", "print('v1')\n")
    commit(repo, "app and log")
    return repo


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/app.py", True),
        ("docs/guide/index.rst", False),
        ("README.md", False),
        (".platform-mode/plans/plan001.plan.md", False),
        ("poetry.lock", False),
        ("Dockerfile", True),
    ],
)
def test_what_counts_as_implementation(path: str, expected: bool) -> None:
    from hooks.log_freshness import DEFAULT_IGNORE

    assert is_implementation(path, DEFAULT_IGNORE) is expected


def test_code_change_without_the_log_fails_and_says_what_to_do(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "app.py", "print('v2')\n")
    git(project, "add", "app.py")
    code, out = freshness(capsys)
    assert code == 1
    day = time.strftime("%Y-%m-%d")
    assert f"but {LOG_REL} is not part of staged changes (last updated {day} in " in out
    assert "implementation files: app.py" in out
    assert (
        f"add an entry to its '3. Implementation Execution Log' section and stage it: git add {LOG_REL}"
        in out
    )


def test_code_change_with_the_log_passes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "app.py", "print('v2')\n")
    log = project / LOG_REL
    log.write_text(log.read_text() + "\n#### Story 1.2 started\n")
    git(project, "add", "-A")
    code, out = freshness(capsys)
    assert code == 0
    assert "is updated with them" in out


@pytest.mark.parametrize("path", ["docs/guide.md", ".platform-mode/plans/plan001.plan.md", "uv.lock"])
def test_changes_that_are_not_implementation_pass(
    project: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    write(project / path, "text\n")
    git(project, "add", "-A")
    assert freshness(capsys)[0] == 0


def test_extend_ignore_from_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / ".platform-gates.toml", '[log-freshness]\nextend-ignore = ["scripts/*"]\n')
    write(project / "scripts/tool.sh", "echo\n")
    git(project, "add", "-A")
    assert freshness(capsys)[0] == 0


def test_max_commits_window_lets_an_earlier_update_count(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "app.py", "print('v2')\n")
    git(project, "add", "app.py")
    assert freshness(capsys, "--max-commits", "1")[0] == 0  # the log changed in HEAD itself
    commit(project, "code only")
    write(project / "app.py", "print('v3')\n")
    git(project, "add", "app.py")
    assert freshness(capsys, "--max-commits", "1")[0] == 1
    code, out = freshness(capsys, "--max-commits", "2")
    assert code == 0
    assert "within max-commits 2" in out


def test_untracked_log_counts_when_it_changed_after_the_code(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / "app.py", "print('v1')\n")
    commit(repo, "code")
    log = add_platform_mode(repo)
    write(repo / "app.py", "print('v2')\n")
    git(repo, "add", "app.py")
    assert freshness(capsys)[0] == 0
    old = time.time() - 86400 * 30
    os.utime(log, (old, old))
    assert freshness(capsys)[0] == 1


def test_compare_with_judges_the_branch(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(project, "branch", "base")
    write(project / "app.py", "print('v2')\n")
    commit(project, "code only")
    assert freshness(capsys, "--compare-with", "base")[0] == 1
    log = project / LOG_REL
    log.write_text(log.read_text() + "\nmore\n")
    commit(project, "log")
    assert freshness(capsys, "--compare-with", "base")[0] == 0


def test_pre_push_range_comes_from_pre_commit(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = git(project, "rev-parse", "HEAD").strip()
    write(project / "app.py", "print('v2')\n")
    commit(project, "code only")
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "HEAD")
    code, out = freshness(capsys)
    assert code == 1
    assert f"is not part of {base}...HEAD" in out


def test_without_platform_mode_it_is_skipped_with_a_one_line_notice(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / "app.py", "x = 1\n")
    git(repo, "add", "app.py")
    code, out = freshness(capsys)
    assert code == 0
    assert len(out.splitlines()) == 1
    assert out.startswith(
        "platform-log-freshness: SKIPPED - no .platform-mode/ directory: this repository has not opted in"
    )


def test_plans_but_no_open_log_fails_with_new_log_advice(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_platform_mode(repo)
    log = repo / LOG_REL
    log.write_text(log.read_text().replace("IN PROGRESS", "COMPLETE"))
    commit(repo, "done")
    write(repo / "app.py", "x = 1\n")
    git(repo, "add", "app.py")
    code, out = freshness(capsys)
    assert code == 1
    assert "no open execution log" in out
    assert "platform-gates new-log" in out


def test_bad_ref_is_exit_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = freshness(capsys, "--compare-with", "no-such-ref")
    assert code == 2
    assert out.startswith("platform-log-freshness: ERROR - git diff failed")
    assert len(out.strip().splitlines()) == 1


def test_stale_message_says_since_when(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for version in ("v2", "v3"):
        write(project / "app.py", f"print('{version}')\n")
        commit(project, f"code {version}")
    sha = git(project, "log", "-1", "--format=%h", "--", LOG_REL).strip()
    write(project / "app.py", "print('v4')\n")
    git(project, "add", "app.py")
    code, out = freshness(capsys)
    assert code == 1
    assert f"(last updated {time.strftime('%Y-%m-%d')} in {sha}, 2 commits ago)" in out


def test_replacing_ignore_still_never_counts_platform_mode(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / ".platform-gates.toml", '[log-freshness]\nignore = ["*.cfg"]\n')
    commit(project, "config")
    write(project / ".platform-mode/plans/plan001.plan.md", "# changed plan\n")
    write(project / "setup.cfg", "[x]\n")
    git(project, "add", "-A")
    assert freshness(capsys)[0] == 0
    write(project / "README.md", "# now implementation\n")  # no longer ignored: the list was replaced
    git(project, "add", "-A")
    assert freshness(capsys)[0] == 1


def test_a_deleted_source_file_is_an_implementation_change(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(project, "rm", "-q", "app.py")
    assert freshness(capsys)[0] == 1


def test_max_age_hours_window(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "app.py", "print('v2')\n")
    git(project, "add", "app.py")
    code, out = freshness(capsys, "--max-age-hours", "1")
    assert code == 0
    assert "within max-age-hours 1" in out
    write(project / ".platform-gates.toml", "[log-freshness]\nmax-age-hours = 0.0001\n")
    git(project, "add", "-A")
    time.sleep(0.5)
    assert freshness(capsys)[0] == 1


@pytest.mark.parametrize("args", [["--max-commits", "-1"], ["--max-age-hours", "-2"]])
def test_a_negative_window_is_bad_input(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out = freshness(capsys, *args)
    assert code == 2
    assert (
        out.strip() == "platform-log-freshness: ERROR - max-commits and max-age-hours must be 0 (off) or more"
    )


def test_pre_push_advice_is_a_commit_and_the_window_counts_to_the_pushed_tip(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = git(project, "rev-parse", "HEAD").strip()
    write(project / "app.py", "print('v2')\n")
    commit(project, "code only")
    pushed = git(project, "rev-parse", "HEAD").strip()
    for n in range(3):  # later local commits that are not being pushed
        write(project / "notes.py", f"n = {n}\n")
        commit(project, f"later {n}")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", pushed)
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")
    code, out = freshness(capsys)
    assert code == 1
    assert f"commit it within {base}...{pushed}" in out
    assert "1 commit ago" in out
    assert freshness(capsys, "--max-commits", "2")[0] == 0


def test_analysis_only_is_not_yet_a_reason_to_demand_a_log(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / ".platform-mode/analysis/analysis001.analysis.md", "# Analysis\n")
    commit(repo, "analysis")
    write(repo / "app.py", "x = 1\n")
    git(repo, "add", "app.py")
    code, out = freshness(capsys)
    assert code == 0
    assert "SKIPPED - 1 implementation file changed in staged changes; no plans or execution logs yet" in out


def test_the_new_log_template_names_its_implementation_log(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / ".platform-mode/plans/plan001.plan.md", PLAN)
    assert run_cli(repo, "new-log").returncode == 0
    commit(repo, "log")
    write(repo / "app.py", "x = 1\n")
    git(repo, "add", "app.py")
    code, out = freshness(capsys)
    assert code == 1
    assert "add an entry to its '1. Implementation Log' section" in out


def test_an_emoji_heading_in_a_real_world_log_is_named_as_written(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_platform_mode(repo, log=REAL_WORLD_LOG.replace("## 3. Implementation", "## 3. 🔄 Implementation"))
    commit(repo, "log")
    write(repo / "infra/main.tf", "resource {}\n")
    git(repo, "add", "-A")
    code, out = freshness(capsys)
    assert code == 1
    assert "add an entry to its '3. 🔄 Implementation Execution Log' section" in out


def write_block(log: Path, *rows: str) -> None:
    """The managed block of `rows` in the log's Quality Report, as platform-gates writes it; nothing else changes."""
    text = log.read_text(encoding="utf-8")
    block = "\n".join((BEGIN, "", "| Gate | Result |", "| --- | --- |", *rows, "", END)) + "\n"
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) + 1 :]
    else:
        text = text.replace("## 4. ✅ Quality Report\n", f"## 4. ✅ Quality Report\n\n{block}")
    write(log, text)


def add_entry(log: Path, entry: str) -> None:
    """A line of the user's own in the log's Implementation Log section."""
    heading = "## 3. Implementation Execution Log\n"
    write(log, log.read_text(encoding="utf-8").replace(heading, f"{heading}\n{entry}\n"))


def test_a_staged_log_whose_only_change_is_the_block_does_not_count(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "app.py", "print('v2')\n")
    write_block(project / LOG_REL, "| platform-lint | ✅ pass |")
    git(project, "add", "-A")
    code, out = freshness(capsys)
    assert code == 1
    assert f"but staged changes change only the platform-gates block of {LOG_REL}" in out
    assert (
        f"add an entry to its '3. Implementation Execution Log' section and stage it: git add {LOG_REL}"
        in out
    )


def test_a_staged_log_with_words_of_the_user_beside_the_block_counts(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "app.py", "print('v2')\n")
    log = project / LOG_REL
    write_block(log, "| platform-lint | ✅ pass |")
    add_entry(log, "#### Story 1.2: v2 of the app")
    git(project, "add", "-A")
    code, out = freshness(capsys)
    assert code == 0
    assert f"{LOG_REL} is updated with them" in out


def test_a_log_new_in_the_index_counts(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "app.py", "print('v1')\n")
    commit(repo, "code")
    add_platform_mode(repo)
    write(repo / "app.py", "print('v2')\n")
    git(repo, "add", "-A")
    assert freshness(capsys)[0] == 0


@pytest.mark.parametrize("how", ["compare-with", "pre-push"])
def test_a_range_counts_the_log_only_when_the_user_wrote_in_it(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    base = git(project, "rev-parse", "HEAD").strip()
    git(project, "checkout", "-q", "-b", "feature")
    log = project / LOG_REL
    write_block(log, "| platform-lint | ✅ pass |")
    commit(project, "results")
    write(project / "app.py", "print('v2')\n")
    write_block(log, "| platform-lint | ✅ pass |", "| platform-security | ✅ pass |")
    commit(project, "code, with the results of the first commit")
    args = ["--compare-with", base] if how == "compare-with" else []
    if how == "pre-push":
        monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
        monkeypatch.setenv("PRE_COMMIT_TO_REF", "HEAD")
        monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")
    code, out = freshness(capsys, *args)
    assert code == 1
    assert f"but {base}...HEAD change only the platform-gates block of {LOG_REL}" in out
    assert f"commit it within {base}...HEAD" in out
    add_entry(log, "#### Story 1.2: v2 of the app")
    commit(project, "log entry")
    assert freshness(capsys, *args)[0] == 0


def test_a_range_compares_with_the_merge_base_not_the_other_side(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(project, "checkout", "-q", "-b", "feature")
    write(project / "app.py", "print('v2')\n")
    write_block(project / LOG_REL, "| platform-lint | ✅ pass |")
    commit(project, "code, with results")
    git(project, "checkout", "-q", "main")
    add_entry(project / LOG_REL, "#### On main only")  # the base side moves on: not the branch's words
    commit(project, "main's entry")
    git(project, "checkout", "-q", "feature")
    assert freshness(capsys, "--compare-with", "main")[0] == 1


def test_the_window_counts_only_commits_that_changed_the_users_words(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    by_hand = git(project, "rev-parse", "--short=7", "HEAD").strip()  # "app and log": the log's first words
    log = project / LOG_REL
    write(project / "app.py", "print('v2')\n")
    write_block(log, "| platform-lint | ✅ pass |")
    commit(project, "code, with results")
    write(project / "app.py", "print('v3')\n")
    git(project, "add", "app.py")
    code, out = freshness(capsys, "--max-commits", "1")
    assert code == 1  # the log changed in HEAD, but only inside the block
    assert (
        f"(last updated {time.strftime('%Y-%m-%d')} in {by_hand}, 1 commit ago; window: max-commits 1)" in out
    )
    code, out = freshness(capsys, "--max-commits", "2")
    assert code == 0
    assert "1 commit ago, within max-commits 2" in out

    write_block(log, "| platform-lint | ✅ pass |", "| platform-lint | ❌ fail |")
    commit(project, "code, with more results")
    blocks_only = git(project, "rev-parse", "--short=7", "HEAD~1").strip()
    write(project / "app.py", "print('v4')\n")
    git(project, "add", "app.py")
    day = time.strftime("%Y-%m-%d")
    code, out = freshness(capsys, "--max-commits", "2")
    assert code == 1
    assert f"(last updated {day} in {by_hand}, 2 commits ago; window: max-commits 2)" in out
    code, out = freshness(capsys, "--max-commits", "1")  # the walk stops at the first commit past the window
    assert code == 1
    assert (
        f"(no entry of yours in the last commits that changed it (back to {blocks_only}, 1 commit ago): "
        "only results; window: max-commits 1)"
    ) in out


def test_an_hours_window_counts_only_commits_that_changed_the_users_words(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log = add_platform_mode(repo)
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{int(time.time()) - 3 * 3600} +0000")
    commit(repo, "the log, three hours ago")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    write(repo / "app.py", "print('v1')\n")
    write_block(log, "| platform-lint | ✅ pass |")
    commit(repo, "code, with results")
    write(repo / "app.py", "print('v2')\n")
    git(repo, "add", "app.py")
    assert freshness(capsys, "--max-age-hours", "1")[0] == 1
    code, out = freshness(capsys, "--max-age-hours", "4")
    assert code == 0
    assert "within max-age-hours 4" in out


def test_an_untracked_log_whose_only_change_is_the_block_does_not_pass_code(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = add_platform_mode(repo)
    old = time.time() - 86400 * 30
    os.utime(log, (old, old))
    write(repo / "app.py", "print('v1')\n")
    git(repo, "add", "app.py")
    git(repo, "commit", "-q", "--no-verify", "-m", "code, the log left untracked")
    write(repo / "app.py", "print('v2')\n")
    git(repo, "add", "app.py")
    write_block(log, "| platform-lint | ✅ pass |")
    os.utime(log, (old, old))  # as our writer leaves an untracked log whose user text it did not touch
    assert git(repo, "ls-files", "--", LOG_REL) == ""
    code, out = freshness(capsys)
    assert code == 1
    assert f"but {LOG_REL} is not part of staged changes (not committed yet, last saved " in out


def test_the_refusal_followed_literally_without_an_entry_still_refuses(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "app.py", "print('v2')\n")
    git(project, "add", "app.py")
    code, out = freshness(capsys)
    assert code == 1
    advice = next(line for line in out.splitlines() if line.startswith("to fix: "))
    assert advice == (
        f"to fix: add an entry to its '3. Implementation Execution Log' section and stage it: git add {LOG_REL}"
    )
    assert "sync" not in advice
    # Everything the output names as a command, without the entry: the pending record written, the log staged.
    assert run_cli(project, "sync").returncode == 0
    assert BEGIN in (project / LOG_REL).read_text(encoding="utf-8")
    git(project, "add", LOG_REL)
    assert freshness(capsys)[0] == 1
    add_entry(project / LOG_REL, "#### Story 1.2: v2 of the app")
    git(project, "add", LOG_REL)
    assert freshness(capsys)[0] == 0


def test_a_refused_run_does_not_refresh_an_untracked_log_for_the_next_attempt(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = add_platform_mode(repo)
    old = time.time() - 86400 * 30
    os.utime(log, (old, old))
    write(repo / "app.py", "print('v1')\n")
    git(repo, "add", "app.py")
    git(repo, "commit", "-q", "--no-verify", "-m", "code, the log left untracked")
    write(repo / "app.py", "print('v2')\n")
    git(repo, "add", "app.py")
    assert freshness(capsys)[0] == 1
    assert freshness(capsys)[0] == 1


def test_a_story_document_in_also_counts_keeps_the_log_fresh(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_platform_mode(repo)
    commit(repo, "plan and log")
    write(repo / "app.py", "print('v2')\n")
    write(repo / ".platform-mode/stories/story001.story.md", "# Story 001\n\n- [x] done\n")
    git(repo, "add", "-A")
    assert freshness(capsys)[0] == 1  # by default only the execution log counts
    write(repo / ".platform-gates.toml", '[log-freshness]\nalso-counts = [".platform-mode/stories/*.md"]\n')
    code, out = freshness(capsys)
    assert code == 0
    assert ".platform-mode/stories/story001.story.md (also-counts) is updated with them" in out
