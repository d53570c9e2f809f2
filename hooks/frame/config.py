"""Settings from `[tool.platform-gates]` in pyproject.toml or from `.platform-gates.toml` (same keys at its
top level; it wins), validated: an unknown key or a wrong type is a GateError naming the key."""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from hooks.frame.errors import GateError
from hooks.frame.gates import TABLES

PYPROJECT = "pyproject.toml"
OWN_FILE = ".platform-gates.toml"

SettingsT = TypeVar("SettingsT")


class CoreSettings(NamedTuple):
    """The top-level keys: which log is active, and extra heading aliases per required section."""

    log: str | None = None
    section_aliases: Mapping[str, Sequence[str]] = types.MappingProxyType({})
    history: int = 0  # the Quality Report keeps the newest N commits of history (0: all)
    base: str | None = None  # in a CI this does not know, the ref a job's change is judged against


class Config(NamedTuple):
    """The raw, parsed `[tool.platform-gates]` table and the file it came from."""

    table: Mapping[str, Any]
    source: str | None

    def core(self) -> CoreSettings:
        top = {key: value for key, value in self.table.items() if key not in TABLES}
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
    table = _pyproject_table(root)
    return Config({}, None) if table is None else _checked(Config(table, PYPROJECT))


def config_source(root: Path) -> str | None:
    """The file that holds the repository's config (`.platform-gates.toml`, else pyproject.toml with our
    table, however spelt), or None when neither does. It does not validate the settings."""
    if (root / OWN_FILE).is_file():
        return OWN_FILE
    return None if _pyproject_table(root) is None else PYPROJECT


def _pyproject_table(root: Path) -> Any:
    """`[tool.platform-gates]` of pyproject.toml as parsed (any TOML spelling of it), None when absent."""
    pyproject = root / PYPROJECT
    if not (pyproject.is_file() and _may_hold_our_table(pyproject)):
        return None
    tool = read_toml(pyproject).get("tool")
    return tool.get("platform-gates") if isinstance(tool, dict) else None


def _may_hold_our_table(pyproject: Path) -> bool:
    """Most pyproject.toml files do not name us: a gate then spares itself the TOML parser, whose import
    and run cost more than ruff's own work on a small change."""
    try:
        return b"platform-gates" in pyproject.read_bytes()
    except OSError as exc:
        raise GateError(f"{PYPROJECT}: cannot read TOML: {exc.strerror or exc}") from exc


def read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib  # here, not at the top: see _may_hold_our_table
    else:  # pragma: no cover
        import tomli as tomllib
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
    fields = {name.replace("_", "-"): name for name in schema._fields}  # type: ignore[attr-defined]
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
    if origin in (list, Sequence):
        return isinstance(value, list) and all(_matches(item, args[0]) for item in value)
    if origin in (dict, Mapping):
        return isinstance(value, dict) and all(
            _matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items()
        )
    return isinstance(value, expected)


def _describe(expected: Any) -> str:
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in args if arg is not type(None))
    if origin in (list, Sequence):
        return f"a list of {_describe(args[0])}"
    if origin in (dict, Mapping):
        return f"a table of {_describe(args[1])}"
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    return names.get(expected, getattr(expected, "__name__", str(expected)))
