"""Awkward but legal input never crashes a gate: each one gives its verdict, with a finding or a note for
what it could not read, and never a traceback. Odd file names, unreadable files, 10,000 staged files and
every shape of repository, through real pre-commit."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.secret_seeds import UPPER, run
from tests.util import (
    BIN,
    PLAN,
    add_platform_mode,
    commit,
    git,
    git_through_hooks,
    install_hooks,
    run_cli,
    try_repo,
    write,
)

pytestmark = pytest.mark.slow

GATES = (
    "platform-lint",
    "platform-security",
    "platform-secrets",
    "platform-log-freshness",
    "platform-traceability",
)
LOG_REL = ".platform-mode/execution/execution001.execution.md"
KEY = "AKIA" + run(16, UPPER, seed=80)  # a fake AWS key id, made at run time
RISKY = f'import os\nimport subprocess\nimport sys\n\nsubprocess.call(os.sep, shell=True)\nKEY_ID = "{KEY}"\n'
PLAN_WITHOUT_IDS = PLAN.replace(" implements FR-001", "")  # no analysis document defines FR-001 here
VERDICT = re.compile(r"^(platform-[a-z-]+): (PASS|FAIL|SKIPPED|ERROR) - ", re.MULTILINE)


def verdicts(output: str) -> dict[str, str]:
    assert "Traceback" not in output, output
    return dict(VERDICT.findall(output))


def gate(repo: Path, name: str, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / name), *files], cwd=repo, capture_output=True, text=True, timeout=300)


ODD_NAMES = ["with space.py", "ünïcødé.py", "-dash.py", "dir with space/-dash too.py"]


def test_odd_file_names_reach_every_gate_as_files(repo: Path, hook_repo: Path) -> None:
    add_platform_mode(repo, plan=PLAN_WITHOUT_IDS)
    for name in ODD_NAMES:
        write(repo / name, RISKY)
    commit(repo, "odd names")

    result = try_repo(repo, hook_repo, "--all-files", "--verbose")

    assert verdicts(result.stdout) == {
        "platform-lint": "FAIL",
        "platform-security": "FAIL",
        "platform-secrets": "FAIL",
        "platform-log-freshness": "PASS",
        "platform-traceability": "PASS",
        "platform-docs": "PASS",
    }
    for name in ODD_NAMES:
        assert f"{name}:3:8: F401 `sys` imported but unused" in result.stdout
        assert f"{name}:5: B602 [high/high] subprocess call with shell=True" in result.stdout
        assert re.search(
            rf"^{re.escape(name)}:6: AWS Access Key \(hash [0-9a-f]{{8}}\)$", result.stdout, re.M
        )
    assert KEY not in result.stdout


def test_files_a_gate_cannot_read_are_named_with_the_reason(repo: Path) -> None:
    (repo / "latin.py").write_bytes(b'# -*- coding: latin-1 -*-\nname = "caf\xe9"\n')
    (repo / "notes.txt").write_bytes(b'caf\xe9 password = "hunter2hunter2"\n')
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)))
    with (repo / "huge.py").open("w") as huge:  # 50 MB of generated code
        huge.writelines(f"value_{n:08d} = {n}\n" for n in range(2_200_000))
    with (repo / "huge.txt").open("w") as huge:
        huge.writelines(f"line {n:08d} of a 50 MB log, nothing secret in it\n" for n in range(1_000_000))
    (repo / "loop.py").symlink_to("loop2.py")
    (repo / "loop2.py").symlink_to("loop.py")
    write(repo / "gone.py", "x = 1\n")
    git(repo, "add", "-A")
    (repo / "gone.py").unlink()  # deleted after it was staged

    secrets = gate(
        repo, "platform-secrets", "latin.py", "notes.txt", "logo.png", "huge.txt", "loop.py", "gone.py"
    )
    assert verdicts(secrets.stdout) == {"platform-secrets": "PASS"}
    for note in [
        "latin.py: skipped (not UTF-8)",
        "notes.txt: skipped (not UTF-8)",
        "logo.png: skipped (binary)",
        "huge.txt: skipped (48.6 MiB, over max-file-size-kib 1024)",
        "loop.py: skipped (symlink)",
        "gone.py: skipped (deleted or not a file)",
    ]:
        assert note in secrets.stdout.splitlines()

    security = gate(repo, "platform-security", "latin.py", "huge.py", "loop.py", "gone.py")
    assert verdicts(security.stdout) == {"platform-security": "PASS"}
    assert re.search(
        r"^huge\.py: not scanned: 5\d\.\d MiB, over max-file-size-kib 1024$", security.stdout, re.M
    )
    assert "loop.py: not scanned: Too many levels of symbolic links" in security.stdout
    assert "gone.py: not scanned: No such file or directory" in security.stdout
    assert "(3 not scanned)" in security.stdout

    lint = gate(repo, "platform-lint", "latin.py", "loop.py", "gone.py")  # ruff reads UTF-8 only
    assert verdicts(lint.stdout) == {"platform-lint": "FAIL"}
    assert "latin.py:1:1: E902 stream did not contain valid UTF-8" in lint.stdout
    assert "loop.py:1:1: E902 Too many levels of symbolic links (os error 40)" in lint.stdout
    assert "gone.py:1:1: E902 No such file or directory (os error 2)" in lint.stdout


def commit_work(repo: Path, code: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Code and a log entry for it, committed through the installed hooks."""
    for name, text in code.items():
        write(repo / name, text)
    log = repo / LOG_REL
    log.write_text(log.read_text() + "\n- Added the code.\n")
    git(repo, "add", "-A")
    return git_through_hooks(repo, "commit", "-m", "work")


def recorded(repo: Path) -> dict[str, dict[str, object]]:
    """Gate → its newest record, after checking that each gate has exactly one."""
    result = run_cli(repo, "status", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["records"] == len(GATES)
    latest: dict[str, dict[str, object]] = report["latest"]
    return latest


def verdicts_recorded(repo: Path) -> dict[str, object]:
    return {name: record["status"] for name, record in recorded(repo).items()}


def test_ten_thousand_staged_files_commit_with_one_record_per_gate(repo: Path, hook_repo: Path) -> None:
    add_platform_mode(repo, plan=PLAN_WITHOUT_IDS)
    install_hooks(repo, hook_repo, *GATES)
    commit(repo, "hooks")
    code = {f"pkg{n // 100:03d}/mod{n % 100:03d}.py": f"VALUE = {n}\n" for n in range(10_000)}

    result = commit_work(repo, code)

    assert result.returncode == 0, result.stdout[-3000:]
    assert "Traceback" not in result.stdout
    latest = recorded(repo)  # pre-commit's split calls merged into one record per gate
    assert {name: record["status"] for name, record in latest.items()} == dict.fromkeys(GATES, "pass")
    assert latest["platform-lint"]["files"] == 10_000
    assert latest["platform-security"]["files"] == 10_000


def detached(repo: Path) -> Path:
    git(repo, "checkout", "-q", "--detach")
    return repo


def shallow(repo: Path) -> Path:
    clone = repo.parent / "shallow"
    git(repo.parent, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    return clone


def worktree(repo: Path) -> Path:
    tree = repo.parent / "worktree"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(tree))
    return tree


def submodule(repo: Path) -> Path:
    """The repository as a submodule of another, committed to from inside the submodule."""
    outer = repo.parent / "outer"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    git(outer, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(repo), "inner")
    commit(outer, "submodule")
    return outer / "inner"


@pytest.mark.parametrize("shape", [detached, shallow, worktree, submodule])
def test_every_shape_of_repository_commits_through_the_collection(
    repo: Path, hook_repo: Path, shape: Callable[[Path], Path]
) -> None:
    add_platform_mode(repo, plan=PLAN_WITHOUT_IDS)
    commit(repo, "platform-mode")
    where = shape(repo)
    install_hooks(where, hook_repo, *GATES)
    commit(where, "hooks")

    result = commit_work(where, {"app.py": 'def greet(name: str) -> str:\n    return f"hello {name}"\n'})

    assert result.returncode == 0, result.stdout
    assert "Traceback" not in result.stdout
    assert verdicts_recorded(where) == dict.fromkeys(GATES, "pass")
    assert git(where, "status", "--porcelain") == ""


def test_a_repository_without_commits_commits_through_the_collection(tmp_path: Path, hook_repo: Path) -> None:
    repo = tmp_path / "new"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    add_platform_mode(repo, plan=PLAN_WITHOUT_IDS)
    install_hooks(repo, hook_repo, *GATES)

    result = commit_work(repo, {"app.py": "VALUE = 1\n"})

    assert result.returncode == 0, result.stdout
    assert "Traceback" not in result.stdout
    assert verdicts_recorded(repo) == dict.fromkeys(GATES, "pass")
