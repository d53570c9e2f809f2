from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hooks.security import is_excluded, main
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
    assert lines[-1].startswith("platform-security: FAIL - 2 findings in 1 file: B404 x1, B602 x1; severity")


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
    assert "(3 excluded by tool.bandit.exclude_dirs)" in lines[-1]


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


def test_split_over_cores_finds_exactly_what_bandit_finds(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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
