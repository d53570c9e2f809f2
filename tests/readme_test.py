from __future__ import annotations

import re
import subprocess
from pathlib import Path

import tomllib
import yaml

from tests.util import PROJECT, run_cli

README = (PROJECT / "README.md").read_text(encoding="utf-8")


def test_every_hook_id_has_its_own_readme_section() -> None:
    manifest = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    for hook in manifest:
        assert f"### `{hook['id']}`" in README, f"README has no section for {hook['id']}"


def test_every_hook_entry_is_a_console_script_that_runs_its_own_gate() -> None:
    manifest = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    scripts = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["scripts"]
    for hook in manifest:
        assert re.fullmatch(r"hooks\.\w+(\.\w+)?:main", scripts[hook["entry"]])
        usage = subprocess.run([hook["entry"], "--help"], capture_output=True, text=True, check=True).stdout
        assert usage.startswith(f"usage: {hook['entry']} "), usage


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (PROJECT / ".ci/run").read_text()


def test_the_readme_s_config_lists_the_hooks_as_init_prints_them(repo: Path) -> None:
    printed = run_cli(repo, "init").stdout
    hook_lines = [line for line in printed.splitlines() if line.lstrip().startswith("- id: ")]
    assert hook_lines and all(line in README.splitlines() for line in hook_lines)
    assert any("platform-perf" in line and "leave it out without benchmarks" in line for line in hook_lines)
