"""Settings from `[tool.platform-gates]` in pyproject.toml or from `.platform-gates.toml`, validated.

`.platform-gates.toml` holds the same keys at its top level (`log = ...`, `[lint]`), and wins.
Each gate describes its sub-table as a frozen dataclass; field `max_complexity` is key `max-complexity`.
An unknown key or a value of the wrong type is bad config: a GateError naming the key (exit 2).
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from hooks.lib.errors import GateError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
OWN_FILE = ".platform-gates.toml"
GATE_TABLES = ("lint", "security", "secrets", "coverage", "log-freshness", "traceability")

SettingsT = TypeVar("SettingsT")


@dataclasses.dataclass(frozen=True)
class CoreSettings:
    """The top-level keys: which log is active, and extra heading aliases per required section."""

    log: str | None = None
    section_aliases: dict[str, list[str]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Config:
    """The raw, parsed `[tool.platform-gates]` table and the file it came from."""

    table: Mapping[str, Any]
    source: str | None

    def core(self) -> CoreSettings:
        top = {key: value for key, value in self.table.items() if key not in GATE_TABLES}
        return _build(CoreSettings, top, "tool.platform-gates", self.source)

    def gate(self, name: str, schema: type[SettingsT]) -> SettingsT:
        """The sub-table `[tool.platform-gates.<name>]`, validated against `schema`."""
        sub = self.table.get(name, {})
        where = f"tool.platform-gates.{name}"
        if not isinstance(sub, dict):
            raise GateError(f"{self.source}: {where} must be a table")
        return _build(schema, sub, where, self.source)


def load_config(root: Path) -> Config:
    """Read the config of the repository at `root`; `.platform-gates.toml` wins over pyproject.toml."""
    own = root / OWN_FILE
    if own.is_file():
        return _checked(Config(read_toml(own), OWN_FILE))
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        table = read_toml(pyproject).get("tool", {}).get("platform-gates", {})
        return _checked(Config(table, PYPROJECT))
    return Config({}, None)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GateError(f"{path.name}: cannot read TOML: {exc}") from exc


def _checked(config: Config) -> Config:
    if not isinstance(config.table, dict):
        raise GateError(f"{config.source}: tool.platform-gates must be a table")
    config.core()  # unknown top-level keys fail early, whichever gate runs
    return config


def _build(schema: type[SettingsT], table: Mapping[str, Any], where: str, source: str | None) -> SettingsT:
    hints = typing.get_type_hints(schema)
    fields = {field.name.replace("_", "-"): field.name for field in dataclasses.fields(schema)}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise GateError(f"{source}: unknown key {where}.{key} (known keys: {known})")
        expected = hints[fields[key]]
        if not _matches(value, expected):
            raise GateError(f"{source}: {where}.{key} must be {_describe(expected)}, got {value!r}")
        values[fields[key]] = value
    return schema(**values)


def _matches(value: Any, expected: Any) -> bool:
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if expected is type(None):
        return value is None
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if origin is list:
        return isinstance(value, list) and all(_matches(item, args[0]) for item in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            _matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items()
        )
    return isinstance(value, expected)


def _describe(expected: Any) -> str:
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in args if arg is not type(None))
    if origin is list:
        return f"a list of {_describe(args[0])}"
    if origin is dict:
        return f"a table of {_describe(args[1])}"
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    return names.get(expected, getattr(expected, "__name__", str(expected)))
