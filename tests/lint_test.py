from __future__ import annotations

import json
from pathlib import Path

import pytest

from hooks.frame.errors import GateError
from hooks.frame.record import Record, Status
from hooks.lint import (
    Finding,
    LintSettings,
    LintTally,
    Ruff,
    format_diff_findings,
    main,
    parse_findings,
    ruff_commands,
    ruff_reason,
)
from hooks.lint import lint as lint_files
from tests.util import add_platform_mode, commit, git, run_cli, write

CLEAN = 'def greet(name: str) -> str:\n    return f"hello {name}"\n'
UNUSED_IMPORT = "import os\n\n\ndef f() -> int:\n    return 1\n"
COMPLEX = """\
def route(a: int, b: int, c: int) -> int:
    if a:
        return 1
    if b:
        return 2
    if c:
        return 3
    return 4
"""
RUFF_CONFIG = (
    '[tool.ruff]\nline-length = 100\nextend-exclude = ["generated"]\n[tool.ruff.lint]\nselect = ["E", "F"]\n'
)


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    return code, capsys.readouterr().out.splitlines()


@pytest.fixture
def project(repo: Path) -> Path:
    write(repo / "pyproject.toml", RUFF_CONFIG)
    add_platform_mode(repo)
    return repo


def test_clean_files_pass_and_record_the_ruff_version(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "good.py", CLEAN)
    code, lines = lint(capsys, "good.py")
    assert code == 0
    assert lines[-1].startswith("platform-lint: PASS - no findings in 1 file · recorded in ")
    latest = json.loads(run_cli(project, "status", "--json").stdout)["latest"]["platform-lint"]
    assert set(latest["tools"]) == {"ruff"}
    assert latest["fingerprint"].startswith("sha256:")


def test_findings_and_unformatted_files_fail(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "bad.py", UNUSED_IMPORT)
    write(project / "ugly.py", "x  =  1\n")
    code, lines = lint(capsys, "bad.py", "ugly.py")
    assert code == 1
    assert "bad.py:1:8: F401 `os` imported but unused" in lines
    assert "ugly.py: would reformat" in lines
    assert "2 findings in 2 of 2 files: F401 x1, format x1" in lines[-1]


def test_the_users_excludes_hold_for_passed_paths(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "generated/api.py", UNUSED_IMPORT + "x  =  1\n")
    assert lint(capsys, "generated/api.py")[0] == 0


def test_max_complexity_turns_on_c901(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "route.py", COMPLEX)
    assert lint(capsys, "route.py")[0] == 0
    write(project / ".platform-gates.toml", "[lint]\nmax-complexity = 3\n")
    code, lines = lint(capsys, "route.py")
    assert code == 1
    assert "route.py:1:5: C901 `route` is too complex (4 > 3)" in lines
    assert lint(capsys, "route.py", "--max-complexity", "5")[0] == 0


def test_an_unformatted_file_is_annotated_under_github_actions(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "ugly.py", "x  =  1\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, lines = lint(capsys, "--scope", "files", "ugly.py")  # no event to find a range in: whole files
    assert code == 1
    assert "ugly.py: would reformat" in lines
    assert any(line.startswith("::error file=ugly.py") and "would reformat" in line for line in lines), lines


def test_format_check_can_be_turned_off(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "ugly.py", "x  =  1\n")
    write(project / ".platform-gates.toml", "[lint]\nformat = false\n")
    assert lint(capsys, "ugly.py")[0] == 0


def test_a_fix_true_config_never_edits_a_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project / "pyproject.toml", RUFF_CONFIG.replace("line-length = 100", "line-length = 100\nfix = true")
    )
    bad = write(project / "bad.py", UNUSED_IMPORT)
    assert lint(capsys, "bad.py")[0] == 1
    assert bad.read_text() == UNUSED_IMPORT


def test_baseline_ignores_line_numbers_but_counts(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "legacy.py", "def f(x: object) -> bool:\n    return x == None\n")
    commit(project, "legacy")
    result = run_cli(project, "baseline", "lint")
    assert result.returncode == 0, result.stderr
    assert "1 lint finding(s) written to .platform-gates/lint.baseline.json" in result.stdout
    code, lines = lint(capsys, "legacy.py")
    assert code == 0
    assert "(1 excused by the baseline)" in lines[-1]
    # The legacy finding moved down: still excused. An identical twin is new: one entry excuses one.
    moved = "\n\ndef f(x: object) -> bool:\n    return x == None\n\n\ndef g(y: object) -> bool:\n    return y == None\n"
    write(project / "legacy.py", moved)
    code, lines = lint(capsys, "legacy.py", "--no-format")
    assert code == 1
    assert [line for line in lines if line.startswith("legacy.py")] == [
        "legacy.py:8:17: E711 Comparison to `None` should be `cond is None`"
    ]
    assert "1 finding in 1 of 1 file: E711 x1 (1 excused by the baseline)" in lines[-1]


def test_a_missing_baseline_named_explicitly_is_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "good.py", CLEAN)
    code, lines = lint(capsys, "good.py", "--baseline", "nope.json")
    assert code == 2
    assert lines == ["platform-lint: ERROR - baseline nope.json does not exist"]


@pytest.mark.parametrize("files", [["good.py"], []])
def test_a_bad_log_setting_is_exit_2_in_one_line_with_or_without_files(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, files: list[str]
) -> None:
    # The log is looked up while ruff runs (or at once when there is nothing to lint): the error is the same.
    write(project / "good.py", CLEAN)
    monkeypatch.setenv("PLATFORM_GATES_LOG", "nope.md")
    code, lines = lint(capsys, *files)
    assert code == 2
    assert lines == ["platform-lint: ERROR - PLATFORM_GATES_LOG names a log that does not exist: nope.md"]


@pytest.mark.parametrize(
    ("settings", "version", "runs"),
    [
        (LintSettings(), "0.9.0", ["check", "format"]),
        (LintSettings(format=False), "0.9.0", ["check"]),
        (LintSettings(), None, ["check", "version", "format"]),
    ],
)
def test_ruff_runs_check_and_format_and_asks_its_version_only_when_unknown(
    settings: LintSettings, version: str | None, runs: list[str]
) -> None:
    commands = ruff_commands(Ruff("ruff", version), ["a.py"], settings)
    assert list(commands) == runs
    assert all(command[-2:] == ["--", "a.py"] for name, command in commands.items() if name != "version")


def test_a_complexity_ceiling_selects_c901_at_that_ceiling() -> None:
    check = ruff_commands(Ruff("ruff", "0.9.0"), ["a.py"], LintSettings(max_complexity=7))["check"]
    assert check[check.index("--extend-select") :][:4] == [
        "--extend-select",
        "C901",
        "--config",
        "lint.mccabe.max-complexity=7",
    ]


def test_findings_are_parsed_from_both_outputs_in_file_order(tmp_path: Path) -> None:
    items = [
        {
            "filename": str(tmp_path / "b.py"),
            "location": {"row": 3, "column": 1},
            "end_location": {"row": 4, "column": 2},
            "code": "F401",
            "message": "x",
        },
        {"filename": str(tmp_path / "a.py"), "location": None, "code": None, "message": "bad"},
    ]
    check = "".join(json.dumps(item) + "\n" for item in items).encode()
    format_check = b"b.py:1:1: unformatted: File would be reformatted\n"
    assert parse_findings(tmp_path, check, format_check) == [
        Finding("a.py", 0, 0, "syntax-error", "bad"),
        Finding("b.py", 0, 0, "format", "would reformat"),
        Finding("b.py", 3, 1, "F401", "x", frozenset({3, 4})),  # a finding spans its lines
    ]
    assert parse_findings(tmp_path, b"", None) == []


def test_a_ruff_that_cannot_run_is_a_one_line_gate_error(project: Path) -> None:
    write(project / "good.py", CLEAN)
    fake = write(project / "ruff", "not a program\n")  # not executable
    with pytest.raises(GateError) as info:
        lint_files(project, ["good.py"], LintSettings(), Ruff(str(fake), "0.0.0"))
    assert str(info.value) == f"cannot run ruff check ({fake}): Permission denied"


def test_a_broken_ruff_config_is_exit_2_with_ruffs_reason(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", "[tool.ruff]\nline-length = 'long'\n")
    write(project / "good.py", CLEAN)
    code, lines = lint(capsys, "good.py")
    assert code == 2
    assert len(lines) == 1
    assert lines[0].startswith("platform-lint: ERROR - ruff check failed: Failed to parse ")
    assert lines[0].endswith(
        'TOML parse error at line 2, column 15: invalid type: string "long", expected i64'
    )


def test_an_unknown_rule_in_the_ruff_config_is_exit_2_with_ruffs_reason(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", '[tool.ruff.lint]\nselect = ["XYZ"]\n')
    write(project / "good.py", CLEAN)
    code, lines = lint(capsys, "good.py")
    assert code == 2
    assert lines == [
        f"platform-lint: ERROR - ruff check failed: Unknown rule selector `XYZ` in `select` from `{project / 'pyproject.toml'}`"
    ]


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        ("ruff failed\n  Cause: Unknown rule selector `XYZ`\n", "Unknown rule selector `XYZ`"),
        (
            "ruff failed\n  Cause: Failed to parse a.toml\n  Cause: TOML parse error at line 2, column 15\n"
            '  |\n2 | x = "long"\n  |     ^^^^^^\ninvalid type: string "long", expected i64\n',
            'Failed to parse a.toml: TOML parse error at line 2, column 15: invalid type: string "long", expected i64',
        ),
        (
            "error: unexpected argument '--bogus' found\n\n  tip: ...\n",
            "error: unexpected argument '--bogus' found",
        ),
        ("", ""),
    ],
)
def test_ruff_reason_is_one_line(stderr: str, reason: str) -> None:
    assert ruff_reason(stderr.encode()) == reason


def test_a_file_ruff_cannot_parse_is_a_finding_not_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "broken.py", "x = (\n")
    write(project / "ugly.py", "x  =  1\n")
    code, lines = lint(capsys, "broken.py", "ugly.py")
    assert code == 1
    assert "broken.py:2:1: invalid-syntax unexpected EOF while parsing" in lines
    assert "ugly.py: would reformat" in lines


def test_a_complexity_ceiling_below_one_is_exit_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "good.py", CLEAN)
    assert lint(capsys, "good.py", "--max-complexity", "0") == (
        2,
        ["platform-lint: ERROR - max-complexity must be 1 or more, got 0"],
    )


def test_a_named_baseline_and_the_config_key_point_elsewhere(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "legacy.py", UNUSED_IMPORT)
    commit(project, "legacy")
    assert run_cli(project, "baseline", "lint", "--output", "ci/lint.json").returncode == 0
    assert not (project / ".platform-gates/lint.baseline.json").exists()
    assert lint(capsys, "legacy.py")[0] == 1  # no default baseline
    assert lint(capsys, "legacy.py", "--baseline", "ci/lint.json")[0] == 0
    write(project / ".platform-gates.toml", '[lint]\nbaseline = "ci/lint.json"\n')
    code, lines = lint(capsys, "legacy.py")
    assert code == 0
    assert "(1 excused by the baseline)" in lines[-1]


def test_split_calls_of_one_pre_commit_run_leave_one_record(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "a.py", UNUSED_IMPORT)
    write(project / "b.py", CLEAN)
    write(project / "c.py", UNUSED_IMPORT)
    monkeypatch.setenv("PRE_COMMIT", "1")  # both calls share pre-commit's process as parent: one run
    assert lint(capsys, "a.py", "b.py")[0] == 1
    code, lines = lint(capsys, "c.py")
    assert code == 1
    assert "2 findings in 2 of 3 files: F401 x2" in lines[-1]
    report = json.loads(run_cli(project, "status", "--json").stdout)
    assert report["records"] == 1
    assert report["latest"]["platform-lint"]["files"] == 3


def test_the_baseline_and_its_excuses_span_the_calls_of_one_pre_commit_run(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.py", "b.py", "c.py"):
        write(project / name, UNUSED_IMPORT)
    commit(project, "legacy")
    assert run_cli(project, "baseline", "lint").returncode == 0
    write(project / "c.py", UNUSED_IMPORT.replace("import os", "import os\nimport sys"))
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert lint(capsys, "a.py", "b.py")[0] == 0
    code, lines = lint(capsys, "c.py")
    assert code == 1
    assert "c.py:2:8: F401 `sys` imported but unused" in lines
    assert "1 finding in 1 of 3 files: F401 x1 (3 excused by the baseline)" in lines[-1]
    report = json.loads(run_cli(project, "status", "--json").stdout)
    assert report["records"] == 1
    assert report["latest"]["platform-lint"]["metrics"] == {
        "excused": 3,
        "legacy": 0,
        "flagged_files": 1,
        "findings": 1,
    }


@pytest.mark.parametrize(
    ("earlier", "now", "summary"),
    [
        (LintTally({}, 2, 0), LintTally({}, 1, 0), "no findings in 3 files"),
        (LintTally({}, 2, 3), LintTally({}, 1, 0), "no findings in 3 files (3 excused by the baseline)"),
        (
            LintTally({"F401": 1}, 2, 1, 0, 1),
            LintTally({"E501": 2, "F401": 1}, 1, 0, 0, 1),
            "4 findings in 2 of 3 files: E501 x2, F401 x2 (1 excused by the baseline)",
        ),
        (
            LintTally({}, 2, 0, 20, 0),
            LintTally({"F401": 1}, 1, 1, 1, 1),
            "1 finding in 1 of 3 files: F401 x1 "
            "(21 legacy findings on unchanged lines, not blocking; 1 excused by the baseline)",
        ),
    ],
)
def test_a_lint_tally_adds_up_the_calls_and_reads_back_from_its_record(
    earlier: LintTally, now: LintTally, summary: str
) -> None:
    assert (earlier + now).summary() == summary
    record = Record(
        "platform-lint", Status.FAIL, "", "", 0.0, "0", earlier.files, earlier.counts, earlier.metrics
    )
    assert LintTally.from_record(record) == earlier


def test_a_format_diff_spans_the_lines_formatting_would_change(tmp_path: Path) -> None:
    diff = b"""\
--- a.py
+++ a.py
@@ -1,6 +1,10 @@
 import os
-x  =  1
-def f(a,b):
+
+x = 1
+
+
+def f(a, b):
     return a
 y = 2
+
 --- = 3
@@ -20,2 +23,3 @@
 z = 1
+
 w = 2
--- b.py
+++ b.py
@@ -4 +4 @@
-q  = 1
+q = 1
"""
    assert format_diff_findings(tmp_path, diff) == [
        # a replaced line is touched; a pure insertion touches both lines beside it; a source line
        # that starts with "---" inside a hunk is not a file header
        Finding("a.py", 0, 0, "format", "would reformat", frozenset({2, 3, 5, 6, 20, 21})),
        Finding("b.py", 0, 0, "format", "would reformat", frozenset({4})),
    ]


def test_a_changed_line_formatting_would_touch_fails_and_legacy_findings_are_counted(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "legacy.py", "import os\nx  =  1\n\n\ndef f() -> int:\n    return 1\n")
    commit(project, "legacy")
    write(project / "legacy.py", "import os\nx  =  1\n\n\ndef f() -> int:\n    return 2\n")
    git(project, "add", "legacy.py")
    code, lines = lint(capsys, "legacy.py")
    assert code == 0
    assert "no findings in 1 file (2 legacy findings on unchanged lines, not blocking)" in lines[-1]
    write(project / "legacy.py", "import os\nx  =  1\n\n\ndef f() -> int:\n    return  2\n")
    git(project, "add", "legacy.py")
    code, lines = lint(capsys, "legacy.py")
    assert (code, lines[0]) == (1, "legacy.py: would reformat")
    assert "1 finding in 1 of 1 file: format x1 (1 legacy finding on unchanged lines" in lines[-1]
