from __future__ import annotations

import ast
import importlib
from pathlib import Path

import tomllib
import yaml

from hooks.frame.gates import GATES, SYNC_HOOK, SYNC_STAGES
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
        assert scripts[gate.hook_id] == f"hooks.{gate.module}:main"
    assert tuple(manifest[SYNC_HOOK]["stages"]) == SYNC_STAGES
    assert scripts[SYNC_HOOK] == "hooks.log_sync:main"


def test_no_gate_runs_after_a_commit() -> None:
    """A hook without `stages` runs at every installed stage: a gate at post-commit would judge nothing."""
    for gate in GATES:
        assert not set(gate.stages) & {"post-commit", "post-merge", "post-rewrite"}


def _imports(path: Path) -> set[str]:
    """The `hooks` modules a file imports, `from hooks.frame import git` counted as `hooks.frame.git`."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in imported if name.startswith("hooks.")}


def test_a_gate_imports_no_other_gate_and_not_the_cli() -> None:
    gate_modules = {f"hooks.{gate.module}" for gate in GATES}
    for module in gate_modules:
        imported = _imports(PROJECT / f"{module.replace('.', '/')}.py")
        assert not imported & (gate_modules - {module}), module
        assert not {name for name in imported if name.startswith("hooks.cli")}, module


def test_the_frame_stands_alone_and_an_adapter_serves_below_the_gates() -> None:
    """The folders are the layers: the frame imports only itself, an adapter the frame and adapters."""
    allowed = {"frame": ("hooks.frame",), "adapters": ("hooks.frame", "hooks.adapters")}
    for layer, prefixes in allowed.items():
        for path in sorted((PROJECT / "hooks" / layer).glob("*.py")):
            strays = {name for name in _imports(path) if not name.startswith(prefixes)}
            assert not strays, f"{layer}/{path.name} imports {strays}"
