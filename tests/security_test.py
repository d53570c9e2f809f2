from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hooks.adapters import bandit_scan
from hooks.frame.record import Record, Status
from hooks.security import SecurityTally, is_excluded, main
from tests.util import BIN, add_platform_mode, commit, run_cli, write

SHELL = "import subprocess\n\n\ndef run(cmd: str) -> None:\n    subprocess.call(cmd, shell=True)\n"
PASSWORD = 'password = "correct-horse-battery-staple"\n'
ASSERT = "def f(x: int) -> None:\n    assert x\n"


def security(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    return code, capsys.readouterr().out.splitlines()


@pytest.fixture
def project(repo: Path) -> Path:
    add_platform_mode(repo)
    return repo


def test_findings_print_with_severity_and_confidence(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "app.py", SHELL)
    code, lines = security(capsys, "app.py")
    assert code == 1
    assert "app.py:5: B602 [high/high] subprocess call with shell=True identified, security issue." in lines
    assert lines[-1].startswith(
        "platform-security: FAIL - 2 findings in 1 of 1 file: B404 x1, B602 x1; severity"
    )


def test_a_hardcoded_password_is_never_repeated(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "settings.py", PASSWORD)
    code, lines = security(capsys, "settings.py")
    assert code == 1
    assert "settings.py:1: B105 [low/medium] Possible hardcoded password: '<redacted>'" in lines
    state = b"".join(p.read_bytes() for p in (project / ".platform-gates").rglob("*") if p.is_file())
    written = (
        "\n".join(lines).encode()
        + state
        + (project / ".platform-mode").joinpath("execution/execution001.execution.md").read_bytes()
    )
    assert b"correct-horse" not in written


def test_exclude_dirs_and_skips_of_tool_bandit_hold_for_passed_paths(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project / "pyproject.toml", '[tool.bandit]\nexclude_dirs = ["tests", "legacy/"]\nskips = ["B101"]\n'
    )
    write(project / "tests/test_app.py", SHELL)
    write(project / "src/tests/test_more.py", SHELL)
    write(project / "legacy/old.py", SHELL)
    write(project / "app.py", ASSERT)
    code, lines = security(capsys, "tests/test_app.py", "src/tests/test_more.py", "legacy/old.py", "app.py")
    assert code == 0, lines
    assert "(3 excluded by the bandit config)" in lines[-1]


@pytest.mark.parametrize(
    ("path", "entries", "expected"),
    [
        ("tests/a.py", ["tests"], True),
        ("src/tests/a.py", ["tests"], True),
        ("src/testsuite/a.py", ["tests"], False),
        ("app/migrations/0001.py", ["*/migrations/*"], True),
        ("./legacy/x.py".removeprefix("./"), ["./legacy/"], True),
        ("app.py", [], False),
    ],
)
def test_is_excluded(path: str, entries: list[str], expected: bool) -> None:
    assert is_excluded(path, entries) is expected


def test_severity_threshold_and_nosec(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "app.py", ASSERT + SHELL.replace("shell=True)", "shell=True)  # nosec B602"))
    code, lines = security(capsys, "app.py", "--severity", "medium")
    assert code == 0, lines
    code, lines = security(capsys, "app.py")
    assert code == 1
    assert not any("B602" in line for line in lines)


def test_baseline_counts_identical_findings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "app.py", ASSERT)
    commit(project, "legacy")
    assert run_cli(project, "baseline", "security").returncode == 0
    baseline = json.loads((project / ".platform-gates/security.baseline.json").read_text())
    assert baseline["findings"][0]["count"] == 1
    assert security(capsys, "app.py")[0] == 0
    write(project / "app.py", "\n" + ASSERT + ASSERT.replace("def f", "def g"))
    code, lines = security(capsys, "app.py")
    assert code == 1
    assert [line for line in lines if line.startswith("app.py")] == [
        "app.py:5: B101 [low/high] Use of assert detected. The enclosed code will be removed when compiling to optimised byte code."
    ]


@pytest.mark.parametrize("pool", [False, True], ids=["in-process", "worker-pool"])
def test_split_over_cores_finds_exactly_what_bandit_finds(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, pool: bool
) -> None:
    if pool:  # these files are small: lower the size above which the workers start
        monkeypatch.setattr(bandit_scan, "POOL_MIN_BYTES", 0)
    names = []
    for number in range(60):
        body = [SHELL, PASSWORD.replace("staple", str(number)), ASSERT, "x = 1\n"][number % 4]
        names.append(write(project / f"pkg/m{number:02d}.py", body).relative_to(project).as_posix())
    code, lines = security(capsys, *names)
    ours = sorted(line.split(" [")[0] for line in lines if line.startswith("pkg/"))
    raw = subprocess.run(
        [str(BIN / "bandit"), "-f", "json", "-q", *names], cwd=project, capture_output=True, text=True
    )
    theirs = sorted(
        f"{r['filename'].removeprefix('./')}:{r['line_number']}: {r['test_id']}"
        for r in json.loads(raw.stdout)["results"]
    )
    assert code == 1
    assert ours == theirs
    assert len(ours) == 15 * 2 + 15 + 15


def test_a_file_bandit_cannot_parse_is_named(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "broken.py", "def (:\n")
    code, lines = security(capsys, "broken.py")
    assert code == 0
    assert "broken.py: not scanned: syntax error while parsing AST from file" in lines


def test_bad_bandit_config_is_exit_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "pyproject.toml", "[tool.bandit]\nexclude_dirs = 'tests'\n")
    write(project / "app.py", ASSERT)
    code, lines = security(capsys, "app.py")
    assert code == 2
    assert lines == [
        "platform-security: ERROR - pyproject.toml: tool.bandit.exclude_dirs must be a list of strings"
    ]


def test_per_plugin_settings_of_tool_bandit_apply(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "pyproject.toml", '[tool.bandit.assert_used]\nskips = ["*_test.py"]\n')
    write(project / "app_test.py", ASSERT)
    write(project / "app.py", ASSERT)
    code, lines = security(capsys, "app_test.py", "app.py")
    assert code == 1
    assert [line.split(" [")[0] for line in lines[:-1]] == ["app.py:2: B101"]


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ('skips = "B101"', "pyproject.toml: tool.bandit.skips must be a list of strings"),
        ("tests = [101]", "pyproject.toml: tool.bandit.tests must be a list of strings"),
        (
            'tests = ["B101"]\nskips = ["B101"]',
            "bandit: Non-exclusive include/exclude test sets: {'B101'}",
        ),
    ],
)
def test_a_tool_bandit_table_bandit_rejects_is_exit_2_with_its_reason(
    project: Path, capsys: pytest.CaptureFixture[str], table: str, reason: str
) -> None:
    write(project / "pyproject.toml", f"[tool.bandit]\n{table}\n")
    write(project / "app.py", ASSERT)
    assert security(capsys, "app.py") == (2, [f"platform-security: ERROR - {reason}"])


def test_split_calls_of_one_pre_commit_run_leave_one_verdict_and_record(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "pyproject.toml", '[tool.bandit]\nexclude_dirs = ["tests"]\n')
    write(project / "legacy.py", ASSERT)
    commit(project, "legacy")
    assert run_cli(project, "baseline", "security").returncode == 0
    write(project / "app.py", SHELL)
    write(project / "tests/test_app.py", SHELL)
    write(project / "ok.py", "x = 1\n")
    monkeypatch.setenv("PRE_COMMIT", "1")  # both calls share pre-commit's process as parent: one run
    assert security(capsys, "legacy.py", "app.py")[0] == 1
    code, lines = security(capsys, "tests/test_app.py", "ok.py")
    assert code == 1  # the run's verdict, though this call's own files are clean
    assert lines[-1].startswith(
        "platform-security: FAIL - 2 findings in 1 of 3 files: B404 x1, B602 x1; severity high x1, low x1 "
        "(1 excused by the baseline; 1 excluded by the bandit config) · recorded"
    )
    report = json.loads(run_cli(project, "status", "--json").stdout)
    assert report["records"] == 1
    latest = report["latest"]["platform-security"]
    assert (latest["status"], latest["files"]) == ("fail", 3)
    assert latest["counts"] == {"B404": 1, "B602": 1, "low": 1, "high": 1}
    assert latest["metrics"] == {
        "excused": 1,
        "excluded": 1,
        "unscanned": 0,
        "legacy": 0,
        "flagged_files": 1,
        "findings": 2,
    }


def test_a_file_over_max_file_size_kib_is_not_scanned_and_said_so(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / ".platform-gates.toml", "[security]\nmax-file-size-kib = 1\n")
    write(project / "generated.py", SHELL + "# padding\n" * 200)
    write(project / "app.py", ASSERT)
    code, lines = security(capsys, "generated.py", "app.py")
    assert code == 1
    assert lines[:-1] == [
        "app.py:2: B101 [low/high] Use of assert detected. The enclosed code will be removed when compiling to optimised byte code.",
        "generated.py: not scanned: 2.0 KiB, over max-file-size-kib 1",
    ]
    assert "(1 not scanned)" in lines[-1]


def test_a_security_tally_reads_tests_and_severities_back_from_the_record_counts() -> None:
    tally = SecurityTally({"B404": 1, "B602": 1}, {"low": 1, "high": 1}, 3, 1, 1, 0, 4, 1)
    record = Record("platform-security", Status.FAIL, "", "", 0.0, "0", 3, tally.counts, tally.metrics)
    assert record.counts == {"B404": 1, "B602": 1, "low": 1, "high": 1}
    assert SecurityTally.from_record(record) == tally
    assert (tally + SecurityTally({"B602": 1}, {"high": 1}, 2, 0, 0, 1, 0, 1)).summary() == (
        "3 findings in 2 of 5 files: B602 x2, B404 x1; severity high x2, low x1 "
        "(4 legacy findings on unchanged lines, not blocking; 1 excused by the baseline; "
        "1 excluded by the bandit config; 1 not scanned)"
    )


@pytest.mark.parametrize(
    ("files", "args"),
    [
        ({"bandit.yaml": "exclude_dirs: ['tests']\nskips: ['B404']\n"}, ["-c", "bandit.yaml"]),
        (
            {"ci/bandit.toml": '[tool.bandit]\nexclude_dirs = ["tests"]\nskips = ["B404"]\n'},
            ["--configfile", "ci/bandit.toml"],
        ),
        ({".bandit": "[bandit]\nexclude = ./tests\nskips = B404\n"}, []),
        ({"ci/bandit.ini": "[bandit]\nexclude = tests\nskips = B404,B101\n"}, ["--ini", "ci/bandit.ini"]),
    ],
)
def test_bandits_own_config_files_are_read_as_bandit_reads_them(
    project: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], args: list[str]
) -> None:
    for name, text in files.items():
        write(project / name, text)
    write(project / "tests/test_app.py", SHELL)
    write(project / "app.py", "import subprocess\n\nMODULE = subprocess.__name__\n")
    code, lines = security(capsys, *args, "tests/test_app.py", "app.py")
    assert code == 0, lines
    assert lines[-1].startswith(
        "platform-security: PASS - no findings in 1 file (1 excluded by the bandit config)"
    )
    assert security(capsys, "tests/test_app.py", "app.py")[0] == (0 if ".bandit" in files else 1)


@pytest.mark.parametrize(
    ("args", "files", "message"),
    [
        (["-c", "missing.yaml"], {}, "bandit config file missing.yaml does not exist"),
        (["--ini", "nope.ini"], {}, "bandit INI file nope.ini does not exist"),
        (
            [],
            {".bandit": "[flake8]\nx = 1\n"},
            ".bandit: not a bandit INI file (it needs a [bandit] section)",
        ),
        (
            ["-c", "b.yaml"],
            {"b.yaml": "exclude_dirs: tests\n"},
            "b.yaml: exclude_dirs must be a list of strings",
        ),
    ],
)
def test_a_bandit_config_that_cannot_be_used_is_one_line_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], files: dict[str, str], message: str
) -> None:
    for name, text in files.items():
        write(project / name, text)
    write(project / "app.py", "x = 1\n")
    assert security(capsys, *args, "app.py") == (2, [f"platform-security: ERROR - {message}"])
