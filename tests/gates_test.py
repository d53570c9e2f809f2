from __future__ import annotations

import ast
import importlib

import tomllib
import yaml

from hooks.lib.gates import GATES, SYNC_HOOK, SYNC_STAGES
from tests.util import PROJECT


def test_gate_table_agrees_with_the_manifest_and_the_console_scripts() -> None:
    manifest = {hook["id"]: hook for hook in yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())}
    scripts = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["scripts"]
    assert list(manifest) == [gate.hook_id for gate in GATES] + [SYNC_HOOK]
    for gate in GATES:
        hook = manifest[gate.hook_id]
        takes_files = hook.get("pass_filenames", True)
        assert (gate.tags is not None) is takes_files
        if takes_files:
            assert gate.tags == frozenset(hook.get("types_or") or hook.get("types"))
        assert tuple(hook["stages"]) == gate.stages
        assert hasattr(importlib.import_module(f"hooks.{gate.module}"), "main")
        assert gate.hook_id in scripts
    assert tuple(manifest[SYNC_HOOK]["stages"]) == SYNC_STAGES
    assert SYNC_HOOK in scripts


def test_no_gate_runs_after_a_commit() -> None:
    """A hook without `stages` runs at every installed stage: a gate at post-commit would judge nothing."""
    for gate in GATES:
        assert not set(gate.stages) & {"post-commit", "post-merge", "post-rewrite"}


def test_a_gate_imports_no_other_gate_and_not_the_cli() -> None:
    gate_modules = {f"hooks.{gate.module}" for gate in GATES}
    for module in gate_modules:
        tree = ast.parse((PROJECT / f"{module.replace('.', '/')}.py").read_text())
        imported = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {
            f"{node.module}.{alias.name}" if node.module == "hooks" else str(node.module)
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        assert not imported & (gate_modules - {module}), module
        assert not imported & {"hooks.cli", "hooks.lib.runner"}, module
