from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

from hooks.frame.config import config_source, load_config
from hooks.frame.errors import GateError
from tests.util import write


class DemoSettings(NamedTuple):
    max_complexity: int | None = None
    format: bool = True
    ratio: float = 1.0
    ignore: Sequence[str] = ()


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.source is None
    assert config.gate("lint", DemoSettings) == DemoSettings()
    assert config.core().log is None


def test_pyproject_table_with_kebab_case_keys(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        "[tool.platform-gates]\nlog = 'x.md'\n[tool.platform-gates.lint]\n"
        "max-complexity = 10\nformat = false\nratio = 2\nignore = ['*.md']\n",
    )
    config = load_config(tmp_path)
    assert config.core().log == "x.md"
    assert config.gate("lint", DemoSettings) == DemoSettings(10, False, 2, ["*.md"])


def test_a_pyproject_that_does_not_name_us_is_not_parsed(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.ruff\nthis is not toml\n")  # ruff's to complain about
    assert load_config(tmp_path).source is None
    write(tmp_path / "pyproject.toml", "[tool.ruff\n# platform-gates: soon\n")
    with pytest.raises(GateError, match=r"pyproject\.toml: cannot read TOML"):
        load_config(tmp_path)


def test_a_quoted_table_name_is_ours_too(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool."platform-gates".lint]\nmax-complexity = 7\n')
    assert load_config(tmp_path).gate("lint", DemoSettings).max_complexity == 7


@pytest.mark.parametrize(
    ("files", "source"),
    [
        ({}, None),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}, None),
        ({"pyproject.toml": '[project]\ndependencies = ["platform-gates"]\n'}, None),
        ({"pyproject.toml": "[tool.platform-gates]\n"}, "pyproject.toml"),
        ({"pyproject.toml": '[tool."platform-gates".lint]\nformat = false\n'}, "pyproject.toml"),
        ({"pyproject.toml": "[tool]\n'platform-gates' = {}\n"}, "pyproject.toml"),
        ({"pyproject.toml": "[tool.platform-gates]\n", ".platform-gates.toml": ""}, ".platform-gates.toml"),
    ],
)
def test_config_source_names_the_file_that_holds_our_table(
    tmp_path: Path, files: dict[str, str], source: str | None
) -> None:
    for name, text in files.items():
        write(tmp_path / name, text)
    assert config_source(tmp_path) == source
    assert load_config(tmp_path).source == source


def test_own_file_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.platform-gates.lint]\nmax-complexity = 10\n")
    write(tmp_path / ".platform-gates.toml", "[lint]\nmax-complexity = 5\n")
    assert load_config(tmp_path).gate("lint", DemoSettings).max_complexity == 5


def test_section_aliases_are_a_table_of_lists(tmp_path: Path) -> None:
    write(tmp_path / ".platform-gates.toml", '[section-aliases]\n"Quality Report" = ["QA"]\n')
    assert load_config(tmp_path).core().section_aliases == {"Quality Report": ["QA"]}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[lint]\nmax-complexty = 3\n", "unknown key tool.platform-gates.lint.max-complexty"),
        ("[lint]\nmax-complexity = '10'\n", "lint.max-complexity must be an integer, got '10'"),
        ("[lint]\nmax-complexity = true\n", "lint.max-complexity must be an integer"),
        ("[lint]\nformat = 1\n", "lint.format must be true or false"),
        ("[lint]\nignore = ['a', 2]\n", "lint.ignore must be a list of a string"),
        ("lint = 3\n", "tool.platform-gates.lint must be a table"),
        ("colour = 'red'\n", "unknown key tool.platform-gates.colour"),
        ("this is not toml", "cannot read TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, toml: str, message: str) -> None:
    write(tmp_path / ".platform-gates.toml", toml)
    with pytest.raises(GateError) as info:
        load_config(tmp_path).gate("lint", DemoSettings)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
