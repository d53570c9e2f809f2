from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hooks.coverage_check import Verdict, main, missing_data, ranges, unjudged
from hooks.frame.record import Status
from tests.util import (
    BIN,
    PRE_COMMIT,
    add_platform_mode,
    commit,
    git,
    git_through_hooks,
    install_hooks,
    run_cli,
    try_repo,
    write,
)

COVERAGE = str(BIN / "coverage")
MODULE = "def f(x):\n    if x:\n        return 1\n    return 2\n\n\ndef g():\n    return 3\n"
TEST = "import sys\n\nsys.path.insert(0, 'src')\nfrom calc import f\n\nassert f(1) == 1\n"
PYPROJECT = '[tool.coverage.run]\nsource = ["src"]\nbranch = true\n'


def coverage(project: Path, *args: str) -> None:
    subprocess.run([COVERAGE, *args], cwd=project, check=True, capture_output=True)


def make_data(project: Path, *formats: str) -> None:
    coverage(project, "run", "tests/check.py")
    for name in formats:
        coverage(project, name, "-q")


def gate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    return code, capsys.readouterr().out.splitlines()


@pytest.fixture
def project(repo: Path) -> Path:
    write(repo / "pyproject.toml", PYPROJECT)
    write(repo / "src/calc.py", MODULE)
    write(repo / "tests/check.py", TEST)
    write(repo / ".gitignore", ".coverage\ncoverage.*\n*.lcov\n")
    add_platform_mode(repo)
    commit(repo, "project")
    return repo


@pytest.mark.parametrize(
    ("formats", "data"),
    [
        ((), ".coverage"),
        (("xml",), "coverage.xml"),
        (("json",), "coverage.json"),
        (("lcov",), "coverage.lcov"),
    ],
)
def test_every_format_gives_coverage_py_s_total(
    project: Path, capsys: pytest.CaptureFixture[str], formats: tuple[str, ...], data: str
) -> None:
    make_data(project, *formats)
    code, lines = gate(capsys, "--data", data)
    assert code == 0
    # 4 of 6 statements and 1 of 2 branches: coverage.py reports 62.5%
    assert lines[-1].startswith("platform-coverage: PASS - coverage 62.5% (with branches)")


def test_fail_under(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_data(project, "xml")
    code, lines = gate(capsys, "--fail-under", "80")
    assert code == 1
    assert "total coverage 62.5% is under fail-under 80%" in lines


def measured(project: Path, executed: int, missed: int) -> None:
    """Real coverage data of one module whose statements are `executed` run and `missed` never run."""
    body = [f"v{number} = {number}" for number in range(executed - 1)]
    body += ["def never():", *["    v = 0"] * missed] if missed else ["v = 0"]
    write(project / "src/calc.py", "\n".join(body) + "\n")
    write(project / "tests/check.py", "import sys\n\nsys.path.insert(0, 'src')\nimport calc  # noqa: F401\n")
    make_data(project, "json")


@pytest.mark.parametrize(
    ("executed", "missed", "fail_under", "fails"),
    [
        (25_000, 0, 100, False),
        (24_999, 1, 100, True),  # 99.996% rounds to 100.00, and is not 100
        (24_999, 1, 99.99, False),
        (19_999, 5_001, 80, False),  # 79.996%: 80.00 at coverage.py's precision 2
        (19_998, 5_002, 80, True),  # 79.992%
    ],
)
def test_fail_under_judges_the_total_as_coverage_py_does(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    executed: int,
    missed: int,
    fail_under: float,
    fails: bool,
) -> None:
    measured(project, executed, missed)
    code, lines = gate(capsys, "--data", "coverage.json", "--fail-under", f"{fail_under:g}")
    theirs = subprocess.run(
        [COVERAGE, "report", "--fail-under", f"{fail_under:g}", "--precision", "2"],
        cwd=project,
        capture_output=True,
    )
    assert code == (1 if fails else 0), lines
    assert theirs.returncode == (2 if fails else 0)  # coverage.py's own exit code for "under fail-under"
    if missed:
        assert "100.0%" not in "\n".join(lines)


def test_a_total_just_under_100_is_recorded_under_100_and_is_a_drop_from_100(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    measured(project, 24_999, 1)  # 99.996%
    code, lines = gate(capsys, "--data", "coverage.json", "--max-drop", "0", "--baseline", "100")
    assert code == 1
    assert "coverage dropped 0.01 points since --baseline (max-drop 0)" in lines
    assert lines[-1].startswith("platform-coverage: FAIL - coverage 99.9% ")
    latest = json.loads(run_cli(project, "status", "--json").stdout)["latest"]["platform-coverage"]
    assert latest["metrics"]["total"] == 99.99


def test_drop_since_the_last_recorded_figure(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "tests/check.py", TEST + "from calc import g\n\nassert f(0) == 2 and g() == 3\n")
    make_data(project, "json")
    assert gate(capsys, "--max-drop", "1")[0] == 0
    write(project / "tests/check.py", TEST)
    make_data(project, "json")
    code, lines = gate(capsys, "--max-drop", "1")
    assert code == 1
    day = time.strftime("%Y-%m-%d")
    assert f"coverage dropped 37.5 points since {day} " in "\n".join(lines)
    assert "(-37.5 since " in lines[-1]


def test_baseline_figure_for_ci_without_a_journal(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_data(project, "xml")
    code, lines = gate(capsys, "--max-drop", "0.5", "--baseline", "70")
    assert code == 1
    assert "coverage dropped 7.5 points since --baseline (max-drop 0.5)" in lines


def test_changed_lines_are_measured_and_the_misses_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "src/calc.py", MODULE + "\n\ndef h():\n    return 4\n")
    git(project, "add", "src/calc.py")
    make_data(project, "xml")
    code, lines = gate(capsys, "--diff-fail-under", "80")
    assert code == 1
    assert "src/calc.py:12: not covered" in lines
    assert "changed lines 1/2 = 50.0%" in lines[-1]
    assert "changed-line coverage 50.0% is under diff-fail-under 80%" in lines


def test_a_changed_source_file_the_data_does_not_mention_fails(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_data(project, "xml")
    write(project / "src/new.py", "VALUE = 1\n")
    write(project / "tests/test_new.py", "def test_x():\n    pass\n")
    git(project, "add", "-A")
    os.utime(project / "src/new.py", (time.time() - 3600,) * 2)
    code, lines = gate(capsys)
    assert code == 1
    assert any(
        line.startswith("src/new.py changed but the coverage data does not mention it") for line in lines
    )
    assert not any(line.startswith("tests/test_new.py") for line in lines)


def test_missing_data_fails_and_says_what_to_run(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = gate(capsys)
    assert code == 1
    assert lines[0].startswith(
        "no coverage data (.coverage, coverage.xml, coverage.json, lcov.info, coverage.lcov in the repository root): run the tests with coverage"
    )


@pytest.mark.parametrize(
    ("verdict", "summary", "to_do"),
    [
        (
            missing_data(None, []),
            "no coverage data (.coverage, coverage.xml, coverage.json, lcov.info, coverage.lcov in the repository root)",
            "run the tests with coverage (e.g. `coverage run -m pytest && coverage xml`)",
        ),
        (
            missing_data(None, [".coverage.host.1"]),
            "no combined coverage data (1 parallel .coverage.* files)",
            "run `coverage combine`",
        ),
        (
            missing_data("ci/coverage.json", [".coverage.host.1"]),
            "no coverage data (ci/coverage.json)",
            "run the tests with coverage (e.g. `coverage run -m pytest && coverage json`)",
        ),
        (  # the summary is the whole reason, colons and all
            unjudged(".coverage: no measured files (No data to report.)", "run the tests"),
            ".coverage: no measured files (No data to report.)",
            "run the tests",
        ),
    ],
)
def test_a_verdict_on_missing_or_unusable_data_fails_saying_what_and_what_to_do(
    verdict: Verdict, summary: str, to_do: str
) -> None:
    assert (verdict.status, verdict.summary, verdict.problems) == (
        Status.FAIL,
        summary,
        [f"{summary}: {to_do}"],
    )
    assert (verdict.metrics, verdict.files, verdict.missed) == ({}, 0, {})


def test_data_older_than_the_code_fails(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_data(project, "xml")
    later = time.time() + 5
    os.utime(project / "src/calc.py", (later, later))
    code, lines = gate(capsys)
    assert code == 1
    assert lines[0].startswith("coverage.xml is older than src/calc.py: run the tests")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("coverage.xml", "<coverage><unclosed>", "coverage.xml: not well-formed XML"),
        (
            "coverage.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><coverage>&b;</coverage>',
            "coverage.xml: refused unsafe XML (EntitiesForbidden)",
        ),
        ("coverage.json", "{not json", "coverage.json is not readable coverage data (JSONDecodeError"),
        ("coverage.json", '{"files": 3}', "coverage.json: not a coverage.py JSON report"),
        (".coverage", "SQLite format 3\x00 but not really", ".coverage: coverage.py 7."),
    ],
)
def test_corrupt_or_hostile_data_is_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    write(project / name, content)
    code, lines = gate(capsys, "--data", name)
    assert code == 2
    assert len(lines) == 1
    assert lines[0].startswith(f"platform-coverage: ERROR - {message}"), lines[0]


def test_paths_from_another_machine_are_mapped(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_data(project, "json")
    data = json.loads((project / "coverage.json").read_text())
    data["files"] = {"C:\\ci\\build\\src\\calc.py": data["files"]["src/calc.py"]}
    write(project / "coverage.json", json.dumps(data))
    write(project / "src/calc.py", MODULE + "\n\ndef h():\n    return 4\n")
    git(project, "add", "src/calc.py")
    os.utime(project / "src/calc.py", (time.time() - 3600,) * 2)
    code, lines = gate(capsys, "--data", "coverage.json")
    assert code == 0
    assert "src/calc.py changed but" not in "\n".join(lines)


def test_ranges() -> None:
    assert ranges([9, 3, 4, 5, 11]) == "3-5, 9, 11"


def test_record_carries_total_delta_and_changed_lines(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_data(project, "xml")
    gate(capsys)
    gate(capsys)
    latest = json.loads(run_cli(project, "status", "--json").stdout)["latest"]["platform-coverage"]
    assert latest["metrics"] == {"total": 62.5, "delta": 0.0, "diff_covered": 0, "diff_lines": 0}


@pytest.mark.slow
def test_deleting_tests_makes_the_gate_fail_with_the_drop_named(project: Path, hook_repo: Path) -> None:
    write(project / ".platform-gates.toml", "[coverage]\nmax-drop = 1.0\n")
    write(project / "tests/check.py", TEST + "from calc import g\n\nassert f(0) == 2 and g() == 3\n")
    commit(project, "full tests")
    make_data(project, "xml")
    first = try_repo(project, hook_repo, "platform-coverage", "--hook-stage", "manual", "--verbose")
    assert first.returncode == 0, first.stdout
    assert "coverage 100.0% (with branches)" in first.stdout

    write(project / "tests/check.py", TEST)  # tests deleted
    commit(project, "fewer tests")
    make_data(project, "xml")
    second = try_repo(project, hook_repo, "platform-coverage", "--hook-stage", "manual")
    assert second.returncode == 1
    assert "coverage dropped 37.5 points since " in second.stdout
    assert "(max-drop 1)" in second.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "coverage.xml",
            "",
            "coverage.xml is empty: run the tests with coverage (e.g. `coverage run -m pytest && coverage xml`)",
        ),
        (
            "coverage.json",
            '{"files": {}}',
            "coverage.json lists no files: run the tests with coverage (e.g. `coverage run -m pytest && coverage json`)",
        ),
    ],
)
def test_empty_data_fails_and_says_what_to_run(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    write(project / name, content)
    code, lines = gate(capsys)
    assert code == 1
    assert lines[0] == message
    assert lines[-1].startswith(f"platform-coverage: FAIL - {message.split(':')[0]} · ")


def test_unreadable_data_fails(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "coverage.xml").mkdir()
    code, lines = gate(capsys, "--data", "coverage.xml")
    assert code == 1
    assert lines[0].startswith("cannot read coverage.xml (Is a directory): run the tests with coverage")


def test_parallel_data_not_combined_says_to_combine(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    coverage(project, "run", "--parallel-mode", "tests/check.py")
    code, lines = gate(capsys)
    assert code == 1
    assert lines[0] == "no combined coverage data (1 parallel .coverage.* files): run `coverage combine`"


def test_the_first_figure_is_named_and_an_unchanged_one_is_plus_minus_zero(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_data(project, "xml")
    first = gate(capsys, "--max-drop", "1")[1][-1]
    assert (
        "coverage 62.5% (with branches) (first recorded figure, max drop 1) · changed lines 0/0 = n/a"
        in first
    )
    second = gate(capsys, "--max-drop", "1")[1][-1]
    assert re.search(
        r"\(±0\.0 since \d{4}-\d\d-\d\d [0-9a-f]{7}, max drop 1\) · changed lines 0/0 = n/a", second
    )


def test_baseline_data_file_for_ci(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "tests/check.py", TEST + "from calc import g\n\nassert f(0) == 2 and g() == 3\n")
    make_data(project, "json")
    (project / "coverage.json").rename(project / "main-coverage.json")
    write(project / "tests/check.py", TEST)
    make_data(project, "xml")
    code, lines = gate(capsys, "--max-drop", "5", "--baseline", "main-coverage.json")
    assert code == 1
    assert "coverage dropped 37.5 points since main-coverage.json (max-drop 5)" in lines
    assert gate(capsys, "--baseline", "missing.xml")[1] == [
        "platform-coverage: ERROR - --baseline cannot read missing.xml (No such file or directory)"
    ]


def test_pre_push_judges_the_pushed_range(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = git(project, "rev-parse", "HEAD").strip()
    write(project / "src/calc.py", MODULE + "\n\ndef h():\n    return 4\n")
    commit(project, "h")
    write(project / "src/calc.py", MODULE + "\n\ndef h():\n    return 4\n\n\ndef k():\n    return 5\n")
    commit(project, "k")
    make_data(project, "xml")
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "HEAD")
    code, lines = gate(capsys)
    assert code == 0
    assert "src/calc.py:12, 16: not covered" in lines
    assert "changed lines 2/4 = 50.0%" in lines[-1]


def test_a_changed_file_outside_what_the_data_measures_is_not_required(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / "app/calc.py", MODULE)
    write(repo / "run_app.py", "from app.calc import f\n\nassert f(1) == 1\n")
    write(repo / ".gitignore", ".coverage\ncoverage.*\n")
    commit(repo, "app without coverage settings")
    coverage(repo, "run", "--include=app/*", "run_app.py")  # as `pytest --cov=app` does: no config file
    coverage(repo, "xml", "-q")
    write(repo / "scripts/tool.py", "print('a helper')\n")
    write(repo / "app/new.py", "VALUE = 1\n")
    git(repo, "add", "-A")
    for path in ("scripts/tool.py", "app/new.py"):
        os.utime(repo / path, (time.time() - 3600,) * 2)
    code, lines = gate(capsys)
    assert code == 1
    assert [line.split(" changed")[0] for line in lines if "does not mention" in line] == ["app/new.py"]


def test_python_dash_m_reads_coverage_data_with_the_coverage_library(project: Path) -> None:
    make_data(project)  # .coverage, read through `import coverage`: the gate module does not shadow it
    result = subprocess.run(
        [sys.executable, "-m", "hooks.coverage_check"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "coverage 62.5% (with branches)" in result.stdout


@pytest.mark.slow
def test_installed_pre_push_hook_stops_a_push_that_drops_coverage(
    project: Path, hook_repo: Path, tmp_path: Path
) -> None:
    write(project / ".platform-gates.toml", "[coverage]\nmax-drop = 1.0\n")
    write(project / "tests/check.py", TEST + "from calc import g\n\nassert f(0) == 2 and g() == 3\n")
    install_hooks(project, hook_repo, "platform-coverage")
    subprocess.run(
        [PRE_COMMIT, "install", "--hook-type", "pre-push"], cwd=project, check=True, capture_output=True
    )
    commit(project, "full tests, hooks")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project, "remote", "add", "origin", str(remote))
    make_data(project, "xml")
    first = git_through_hooks(project, "push", "origin", "main")
    assert first.returncode == 0, first.stdout

    write(project / "tests/check.py", TEST)  # tests deleted
    committed = git_through_hooks(project, "commit", "-am", "fewer tests")
    assert committed.returncode == 0, committed.stdout
    assert "platform-coverage" not in committed.stdout  # default stages: not at commit time
    make_data(project, "xml")
    refused = git_through_hooks(project, "push", "origin", "main")
    assert refused.returncode != 0, refused.stdout
    assert "coverage dropped 37.5 points since " in refused.stdout
    assert "(max-drop 1)" in refused.stdout
