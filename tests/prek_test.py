"""prek may run hooks of one priority at the same time: no record is lost or doubled."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hooks.frame.journal import Journal
from hooks.frame.quality_block import find_block
from tests.util import add_platform_mode, commit, git, run_cli, write

PREK = shutil.which("prek", path=str(Path(sys.executable).parent)) or shutil.which("prek")
pytestmark = pytest.mark.skipif(PREK is None, reason="prek is installed by requirements-dev.txt")

MANIFEST = "".join(
    f"""\
- id: gate-{n}
  name: gate {n}
  entry: platform-gates exec --gate gate-{n} -- python3 -c "import time; time.sleep(0.5)"
  language: unsupported
  pass_filenames: false
  always_run: true
"""
    for n in range(8)
)


def test_hooks_run_concurrently_by_prek_each_record_once(repo: Path, tmp_path: Path) -> None:
    hooks = tmp_path / "hooks"
    write(hooks / ".pre-commit-hooks.yaml", MANIFEST)
    git(tmp_path, "init", "-q", str(hooks))
    commit(hooks, "hooks")
    rev = git(hooks, "rev-parse", "HEAD").strip()
    ids = "".join(f"      - id: gate-{n}\n        priority: 0\n" for n in range(8))
    write(repo / ".pre-commit-config.yaml", f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n{ids}")
    log = add_platform_mode(repo)
    commit(repo, "config")
    log.write_text(log.read_text())  # keep it tracked and unchanged

    for _ in range(3):
        result = subprocess.run(
            [str(PREK), "run", "--all-files"], cwd=repo, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout + result.stderr

    journal = Journal(repo, ".platform-mode/execution/execution001.execution.md")
    records = [record for _, record in journal.records()]
    assert journal.skipped_lines == 0
    assert sorted(r.gate for r in records) == sorted(f"gate-{n}" for n in range(8) for _ in range(3))
    assert git(repo, "status", "--porcelain") == ""  # the tracked log was left alone
    assert json.loads(run_cli(repo, "status", "--json").stdout)["pending"] == 24
    assert run_cli(repo, "sync").returncode == 0
    block = find_block(log.read_text())
    assert block is not None
    assert sorted(block.state.status) == sorted(f"gate-{n}" for n in range(8))


GATES = (
    ("platform-lint", "types_or: [python, pyi]\n        require_serial: true"),
    ("platform-security", "types: [python]\n        require_serial: true"),
    ("platform-secrets", "types: [text]\n        require_serial: true"),
    ("platform-coverage", "pass_filenames: false\n        always_run: true"),
    ("platform-log-freshness", "pass_filenames: false\n        always_run: true"),
    ("platform-traceability", "pass_filenames: false\n        always_run: true"),
)


def test_the_collection_under_prek_leaves_one_record_per_gate(repo: Path) -> None:
    hooks = "".join(
        f"      - id: {gate}\n        name: {gate}\n        entry: {gate}\n        language: unsupported\n"
        f"        priority: 0\n        {shape}\n"
        for gate, shape in GATES
    )
    write(repo / ".pre-commit-config.yaml", f"repos:\n  - repo: local\n    hooks:\n{hooks}")
    add_platform_mode(repo)
    for number in range(12):
        write(repo / f"src/module{number}.py", f"VALUE_{number} = {number}\n")
    commit(repo, "project")

    result = subprocess.run(
        [str(PREK), "run", "--all-files"], cwd=repo, capture_output=True, text=True, timeout=600
    )

    output = result.stdout + result.stderr
    assert "platform-coverage" in output  # it ran, and failed: no coverage data yet
    journal = Journal(repo, ".platform-mode/execution/execution001.execution.md")
    gates = sorted(record.gate for _, record in journal.records())
    assert journal.skipped_lines == 0
    assert gates == sorted(gate for gate, _ in GATES)
