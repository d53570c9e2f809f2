from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from hooks.coverage_check import main, ranges
from hooks.lib.coverage_data import Scope
from tests.util import BIN, add_platform_mode, commit, git, run_cli, write

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
        "no coverage data (.coverage, coverage.xml, coverage.json, lcov.info in the repository root): run the tests with coverage"
    )


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
        (".coverage", "SQLite format 3\x00 but not really", ".coverage: coverage.py cannot read it"),
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


@pytest.mark.parametrize(
    ("scope", "path", "expected"),
    [
        (Scope(("src",), (), ()), "src/pkg/a.py", True),
        (Scope(("src",), (), ()), "tests/test_a.py", False),
        (Scope(("bookmarks",), (), ()), "src/bookmarks/store.py", True),
        (Scope((), (), ("*/migrations/*",)), "app/migrations/0001.py", False),
        (Scope((), (), ()), "app/views.py", True),
        (Scope((), (), ()), "tests/test_views.py", False),
        (Scope((), (), ()), "README.md", False),
    ],
)
def test_scope_follows_coverage_settings(scope: Scope, path: str, expected: bool) -> None:
    assert scope.covers(path) is expected


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
    from tests.util import try_repo

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
