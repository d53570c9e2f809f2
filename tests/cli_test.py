from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hooks.frame.config import load_config
from hooks.frame.journal import Journal
from hooks.frame.quality_block import find_block
from tests.util import LOG, add_platform_mode, commit, git, run_cli, write

LOG_REL = ".platform-mode/execution/execution001.execution.md"


def status(repo: Path, **env: str) -> dict[str, object]:
    result = run_cli(repo, "status", "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_init_creates_the_folders_and_a_config_stub_and_prints_the_snippet(repo: Path) -> None:
    result = run_cli(repo, "init")
    assert result.returncode == 0
    assert (repo / ".platform-mode/plans").is_dir()
    assert (repo / ".platform-mode/execution").is_dir()
    assert (repo / ".platform-gates.toml").is_file()
    assert "repos:" in result.stdout
    for hook_id in ("platform-lint", "platform-security", "platform-secrets", "platform-coverage",
                    "platform-log-freshness", "platform-traceability"):  # fmt: skip
        assert f"- id: {hook_id}" in result.stdout
    assert run_cli(repo, "status").returncode == 0  # the stub is valid config
    assert run_cli(repo, "init").returncode == 0  # twice is fine: nothing is overwritten


@pytest.mark.parametrize(
    "table",
    ['[tool."platform-gates"]\nlog = "mine.md"\n', '[tool]\n"platform-gates" = { log = "mine.md" }\n'],
)
def test_init_keeps_a_pyproject_table_however_spelt(repo: Path, table: str) -> None:
    write(repo / "pyproject.toml", "[project]\nname = 'demo'\n\n" + table)
    result = run_cli(repo, "init")
    assert result.returncode == 0, result.stderr
    assert not (repo / ".platform-gates.toml").exists()
    assert "created .platform-gates.toml" not in result.stdout
    assert load_config(repo).core().log == "mine.md"


def test_init_writes_the_stub_when_pyproject_only_names_us_elsewhere(repo: Path) -> None:
    write(repo / "pyproject.toml", '[project]\nname = "demo"\ndependencies = ["platform-gates>=0.1"]\n')
    assert run_cli(repo, "init").returncode == 0
    assert (repo / ".platform-gates.toml").is_file()


def test_new_log_numbers_on_and_references_the_latest_plan(repo: Path) -> None:
    write(repo / ".platform-mode/plans/plan001.plan.md", "# Plan 001: Bookmarks\n")
    write(repo / ".platform-mode/plans/plan002.plan.md", "# Plan 002: Search\n")
    result = run_cli(repo, "new-log")
    assert result.returncode == 0, result.stderr
    text = (repo / ".platform-mode/execution/execution001.execution.md").read_text()
    assert "**Document ID**: execution001.execution.md" in text
    assert "**References**: [plan002.plan.md](../plans/plan002.plan.md)" in text
    assert text.startswith("# Execution Log 001: Search\n")
    for number, section in enumerate(
        ["Implementation Log", "Quality Report", "Decision Log", "Validation Report"], start=1
    ):
        assert f"## {number}. {section}\n" in text
    assert status(repo)["active_log"] == ".platform-mode/execution/execution001.execution.md"
    assert status(repo)["plan"] == ".platform-mode/plans/plan002.plan.md"


def test_new_log_with_an_open_log_is_refused_and_offers_to_supersede_it(repo: Path) -> None:
    log = add_platform_mode(repo)
    before = log.read_bytes()
    result = run_cli(repo, "new-log")
    assert result.returncode == 2
    assert "still open" in result.stderr and "--supersede" in result.stderr
    assert log.read_bytes() == before
    assert not (repo / ".platform-mode/execution/execution002.execution.md").exists()


def test_new_log_supersede_marks_the_old_log_and_keeps_its_shape(repo: Path) -> None:
    log = add_platform_mode(
        repo, LOG.replace("**Status**: IN PROGRESS", "**Status**: IN PROGRESS\n**Sprint**: 001")
    )
    before = log.read_text()
    write(repo / ".platform-mode/plans/plan002.plan.md", "# Plan 002: Search\n")
    result = run_cli(repo, "new-log", "--supersede")
    assert result.returncode == 0, result.stderr
    assert f"{LOG_REL}: Status set to SUPERSEDED" in result.stdout
    assert log.read_text() == before.replace("**Status**: IN PROGRESS", "**Status**: SUPERSEDED")
    text = (repo / ".platform-mode/execution/execution002.execution.md").read_text()
    assert "**Document ID**: execution002.execution.md\n" in text
    assert "**Status**: IN PROGRESS\n**Sprint**:\n" in text  # the previous log's own field, to fill in
    # the previous log's headings, empty: not the template's words
    assert "## 3. Implementation Execution Log\n\n## 4. ✅ Quality Report\n" in text
    assert "## 6. Decision Log and Lessons Learned\n" in text
    assert "Sprint Start" not in text
    assert status(repo)["active_log"] == ".platform-mode/execution/execution002.execution.md"


def test_new_log_with_a_missing_plan_is_bad_input(repo: Path) -> None:
    result = run_cli(repo, "new-log", "--plan", "nope.plan.md")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1


def test_record_writes_a_row_into_an_untracked_log(repo: Path) -> None:
    log = add_platform_mode(repo)
    result = run_cli(repo, "record", "--gate", "pytest", "--status", "pass", "--metric", "tests=12")
    assert result.returncode == 0, result.stderr
    assert f"recorded in {LOG_REL}" in result.stdout
    block = find_block(log.read_text())
    assert block is not None
    assert list(block.state.status) == ["pytest"]
    assert [row.commit for row in block.state.history] == [
        git(repo, "rev-parse", "--short=7", "HEAD").strip()
    ]
    report = status(repo)
    assert (report["records"], report["pending"]) == (1, 0)
    latest = report["latest"]
    assert isinstance(latest, dict)
    assert latest["pytest"]["metrics"] == {"tests": 12.0}
    assert latest["pytest"]["commit"] == git(repo, "rev-parse", "HEAD").strip()


def test_record_status_fail_exits_one(repo: Path) -> None:
    add_platform_mode(repo)
    assert run_cli(repo, "record", "--gate", "x", "--status", "fail").returncode == 1


def test_inside_pre_commit_a_tracked_log_is_left_alone_and_the_record_is_pending(repo: Path) -> None:
    log = add_platform_mode(repo)
    commit(repo, "log")
    before = log.read_bytes()
    result = run_cli(repo, "record", "--gate", "demo", "--status", "pass", env={"PRE_COMMIT": "1"})
    assert result.returncode == 0, result.stderr
    assert f"pending for {LOG_REL}" in result.stdout
    assert log.read_bytes() == before
    assert status(repo)["pending"] == 1
    assert run_cli(repo, "sync").returncode == 0
    assert status(repo)["pending"] == 0
    block = find_block(log.read_text())
    assert block is not None
    assert list(block.state.status) == ["demo"]


def test_exec_keeps_the_exit_code_and_records_it(repo: Path) -> None:
    add_platform_mode(repo)
    result = run_cli(repo, "exec", "--gate", "check", "--", "python3", "-c", "raise SystemExit(3)")
    assert result.returncode == 3
    latest = status(repo)["latest"]
    assert isinstance(latest, dict)
    assert latest["check"]["status"] == "fail"
    assert latest["check"]["metrics"] == {"exit_code": 3.0}


def test_exec_of_a_missing_command_is_an_error_record(repo: Path) -> None:
    add_platform_mode(repo)
    result = run_cli(repo, "exec", "--gate", "check", "--", "no-such-command-here")
    assert result.returncode == 2
    assert "command not found: no-such-command-here" in result.stdout
    latest = status(repo)["latest"]
    assert isinstance(latest, dict)
    assert latest["check"]["status"] == "error"


def test_without_an_active_log_the_record_goes_to_a_journal_of_its_own(repo: Path) -> None:
    result = run_cli(repo, "record", "--gate", "demo", "--status", "pass")
    assert result.returncode == 0
    assert "no active log" in result.stdout
    assert [r.gate for _, r in Journal(repo, None).records()] == ["demo"]
    assert status(repo)["active_log"] is None


def test_a_terminal_log_is_not_active(repo: Path) -> None:
    add_platform_mode(repo, log=LOG.replace("IN PROGRESS", "✅ COMPLETE"))
    assert status(repo)["active_log"] is None


def test_two_open_logs_warn_and_the_highest_number_wins(repo: Path) -> None:
    add_platform_mode(repo)
    write(repo / ".platform-mode/execution/execution010.execution.md", LOG.replace("001", "010"))
    result = run_cli(repo, "status", "--json")
    assert json.loads(result.stdout)["active_log"].endswith("execution010.execution.md")
    assert "several open execution logs" in result.stderr


def test_platform_gates_log_overrides_the_rule(repo: Path) -> None:
    add_platform_mode(repo)
    write(repo / "docs/log.md", "# My log\n")
    report = status(repo, PLATFORM_GATES_LOG="docs/log.md")
    assert report["active_log"] == "docs/log.md"


def _bad_inputs(repo: Path, outside: Path) -> dict[str, tuple[dict[str, str], str]]:
    return {
        "front matter": ({}, "malformed front matter"),
        "symlink": ({}, "leaves the repository"),
        "non-utf8": ({}, "not UTF-8"),
        "env outside": ({"PLATFORM_GATES_LOG": str(outside)}, "outside the repository"),
        "unknown key": ({}, "unknown key tool.platform-gates.colour"),
        "wrong type": ({}, "tool.platform-gates.log must be a string"),
    }


@pytest.mark.parametrize(
    "case", ["front matter", "symlink", "non-utf8", "env outside", "unknown key", "wrong type"]
)
def test_bad_input_is_exit_2_with_one_line_and_nothing_written_outside(
    repo: Path, tmp_path: Path, case: str
) -> None:
    outside = write(tmp_path / "outside.md", "# not yours\n## Quality Report\n")
    logs = repo / ".platform-mode/execution"
    if case == "front matter":
        write(logs / "execution001.execution.md", "---\nstatus: [oops\n---\n# Log\n")
    elif case == "symlink":
        logs.mkdir(parents=True)
        (logs / "execution001.execution.md").symlink_to(outside)
    elif case == "non-utf8":
        (logs).mkdir(parents=True)
        (logs / "execution001.execution.md").write_bytes(b"# Log\n**Status**: OPEN\n\xff\xfe\n")
    elif case == "unknown key":
        write(repo / "pyproject.toml", '[tool.platform-gates]\ncolour = "blue"\n')
    elif case == "wrong type":
        write(repo / "pyproject.toml", "[tool.platform-gates]\nlog = 3\n")
    env, message = _bad_inputs(repo, outside)[case]
    before = sorted(p.name for p in tmp_path.iterdir())
    for command in (["record", "--gate", "demo", "--status", "pass"], ["status"], ["sync"]):
        result = run_cli(repo, *command, env=env)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        output = result.stdout + result.stderr
        assert message in output
        assert "Traceback" not in output
        assert len(output.strip().splitlines()) == 1
    assert outside.read_text() == "# not yours\n## Quality Report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_bad_arguments_exit_2(repo: Path) -> None:
    assert run_cli(repo, "record", "--gate", "Bad Name", "--status", "pass").returncode == 2
    assert run_cli(repo, "record", "--gate", "x", "--status", "maybe").returncode == 2
    assert run_cli(repo, "record", "--gate", "x", "--status", "pass", "--metric", "novalue").returncode == 2


def test_outside_a_repository_is_exit_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "status", env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert result.returncode == 2
    assert "not inside a git repository" in result.stderr


def test_a_symlinked_log_inside_the_repository_is_written_through(repo: Path) -> None:
    target = write(repo / "docs/real-log.md", LOG)
    logs = repo / ".platform-mode/execution"
    logs.mkdir(parents=True)
    (logs / "execution001.execution.md").symlink_to(os.path.relpath(target, logs))
    assert run_cli(repo, "record", "--gate", "demo", "--status", "pass").returncode == 0
    assert (logs / "execution001.execution.md").is_symlink()
    assert find_block(target.read_text()) is not None


def test_status_and_report_write_nothing(repo: Path) -> None:
    add_platform_mode(repo)
    commit(repo, "log")
    assert run_cli(repo, "status").returncode == 0
    assert run_cli(repo, "report").returncode == 0
    assert git(repo, "status", "--porcelain", "--ignored") == ""


def test_records_name_commit_and_branch_even_detached_or_before_the_first_commit(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    git(tmp_path, "init", "-q", "-b", "trunk", str(fresh))
    add_platform_mode(fresh)
    assert run_cli(fresh, "record", "--gate", "demo", "--status", "pass").returncode == 0
    latest = status(fresh)["latest"]
    assert isinstance(latest, dict)
    assert (latest["demo"]["commit"], latest["demo"]["branch"]) == (None, "trunk")
    commit(fresh, "first")
    git(fresh, "checkout", "-q", "--detach")
    assert run_cli(fresh, "record", "--gate", "demo", "--status", "pass").returncode == 0
    latest = status(fresh)["latest"]
    assert isinstance(latest, dict)
    assert latest["demo"]["commit"] == git(fresh, "rev-parse", "HEAD").strip()
    assert latest["demo"]["branch"] is None


def test_a_journal_deleted_and_begun_anew_still_reaches_the_log(repo: Path) -> None:
    log = add_platform_mode(repo)
    for number in range(3):
        assert (
            run_cli(
                repo, "record", "--gate", "g", "--status", "pass", "--summary", f"old {number}"
            ).returncode
            == 0
        )
    Journal(repo, LOG_REL).path.unlink()  # someone cleans the state directory
    assert run_cli(repo, "record", "--gate", "g", "--status", "pass", "--summary", "new").returncode == 0
    block = find_block(log.read_text())
    assert block is not None
    assert block.state.status["g"][1] == "new"
