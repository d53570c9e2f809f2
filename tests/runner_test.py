from __future__ import annotations

import json
from pathlib import Path

import pytest

from hooks.cli.runner import candidate_files, files_for, select_gates
from hooks.frame.output import github_annotation
from tests.util import add_platform_mode, commit, run_cli, write


def test_gates_are_named_by_id_or_short_name() -> None:
    assert [spec.hook_id for spec in select_gates(["lint", "platform-lint", "security"])] == [
        "platform-lint",
        "platform-security",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "nonsense"], "unknown gate 'nonsense'"),
        (["run"], "no .platform-mode/"),
    ],
)
def test_run_bad_input_is_one_line_and_exit_2(repo: Path, args: list[str], message: str) -> None:
    result = run_cli(repo, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_run_outside_a_repository_is_exit_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run", env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert result.returncode == 2
    assert "not inside a git repository" in result.stderr


def test_candidate_files_are_changes_or_everything(repo: Path) -> None:
    write(repo / "a.py", "x = 1\n")
    commit(repo, "a")
    write(repo / "a.py", "x = 2\n")
    write(repo / "b.py", "y = 1\n")
    write(repo / "ignored.py", "")
    write(repo / ".gitignore", "ignored.py\n")
    assert sorted(candidate_files(repo, all_files=False)) == [".gitignore", "a.py", "b.py"]
    assert sorted(candidate_files(repo, all_files=True)) == ["README.md", "a.py"]


def test_files_are_filtered_by_identify_tags(repo: Path) -> None:
    write(repo / "a.py", "")
    write(repo / "b.pyi", "")
    write(repo / "script", "#!/usr/bin/env python3\n")
    (repo / "script").chmod(0o755)
    write(repo / "data.bin", "")
    (repo / "data.bin").write_bytes(b"\x00\x01\x02")
    lint = select_gates(["lint"])[0]
    security = select_gates(["security"])[0]
    names = ["a.py", "b.pyi", "script", "data.bin", "README.md"]
    assert files_for(lint, repo, names) == ["a.py", "b.pyi", "script"]
    assert files_for(security, repo, names) == ["a.py", "script"]


def test_report_prints_latest_results_and_coverage_trend(repo: Path, tmp_path: Path) -> None:
    add_platform_mode(repo)
    for value in ("80.0", "82.5"):
        write(repo / "app.py", f"coverage = {value}\n")
        commit(repo, f"coverage {value}")
        run_cli(
            repo, "record", "--gate", "platform-coverage", "--status", "pass", "--metric", f"total={value}"
        )
    run_cli(repo, "record", "--gate", "platform-lint", "--status", "fail", "--summary", "3 findings")
    summary = tmp_path / "summary.md"
    result = run_cli(repo, "report", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 0, result.stderr
    assert "| platform-lint | ❌ fail | 3 findings | new |" in result.stdout
    assert "| platform-coverage | ✅ pass | pass (recorded by hand) | +2.5 |" in result.stdout
    assert "line [80, 82.5]" in result.stdout  # the coverage chart
    assert summary.read_text() == result.stdout + "\n"


def test_report_with_github_summary_flag_but_no_variable_is_exit_2(repo: Path) -> None:
    result = run_cli(repo, "report", "--github-summary")
    assert result.returncode == 2
    assert "GITHUB_STEP_SUMMARY" in result.stderr


def test_report_shows_pending_records(repo: Path) -> None:
    add_platform_mode(repo)
    commit(repo, "log")
    run_cli(repo, "record", "--gate", "x", "--status", "pass", env={"PRE_COMMIT": "1"})
    assert json.loads(run_cli(repo, "status", "--json").stdout)["pending"] == 1
    assert "| x | ✅ pass |" in run_cli(repo, "report").stdout  # the report places what is pending


@pytest.mark.parametrize(
    ("path", "line", "message", "expected"),
    [
        ("src/a.py", 3, "E501 line too long", "::error file=src/a.py,line=3::E501 line too long"),
        ("a,b:c.py", None, "50% done\nnext", "::error file=a%2Cb%3Ac.py::50%25 done%0Anext"),
    ],
)
def test_github_annotations_escape_their_fields(
    path: str, line: int | None, message: str, expected: str
) -> None:
    assert github_annotation(path, line, None, message) == expected


@pytest.mark.slow
def test_run_executes_every_gate_in_parallel_with_one_summary(repo: Path) -> None:
    add_platform_mode(repo)
    write(repo / "app.py", "import os\n")
    write(repo / "settings.py", 'STRIPE = "sk_live_51HqLyjWDarjtT1zdp7dc4eC3"\n')
    commit(repo, "code")
    result = run_cli(repo, "run", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    table = result.stdout.split("\ngate ", 1)[1].splitlines()
    verdicts = {line.split()[0]: line.split()[1] for line in table[1:] if line.strip()}
    assert verdicts == {
        "platform-lint": "FAIL",
        "platform-security": "pass",
        "platform-secrets": "FAIL",
        "platform-coverage": "FAIL",
        "platform-log-freshness": "pass",
        "platform-traceability": "FAIL",  # the plan cites FR-001, which no analysis defines
        "platform-perf": "FAIL",  # no benchmark results
        "platform-docs": "pass",  # nothing staged: only the figure is recorded
    }
    assert "app.py:1:8: F401 `os` imported but unused" in result.stdout
    assert "sk_live" not in result.stdout
    latest = json.loads(run_cli(repo, "status", "--json").stdout)["latest"]
    assert set(latest) == set(verdicts)


def test_run_named_gates_only(repo: Path) -> None:
    add_platform_mode(repo)
    write(repo / "app.py", "x = 1\n")
    commit(repo, "code")
    result = run_cli(repo, "run", "lint", "security", "--all-files")
    assert result.returncode == 0, result.stdout
    assert sorted(json.loads(run_cli(repo, "status", "--json").stdout)["latest"]) == [
        "platform-lint",
        "platform-security",
    ]
