"""A combined pre-filter for detect-secrets: a line no plugin can match never reaches its plugin dispatch;
the lines that pass go through detect-secrets' own loop: the findings are exactly its own (DEC-003).
A plugin whose pattern cannot join the union, or of a kind it does not know, sees every line."""

from __future__ import annotations

import math
import re
from collections.abc import Generator, Sequence
from typing import Any, NamedTuple

_SCOPED_FLAGS = {re.IGNORECASE: "i", re.VERBOSE: "x", re.MULTILINE: "m", re.DOTALL: "s"}
_LEADING_FLAGS = re.compile(r"^(?:\(\?[aiLmsux]+\))+")
_compiled: dict[
    tuple[int, ...], Prefilter
] = {}  # by the plugins in scope, for the plugin list in `_built_for`
_built_for: list[object] = []
VERIFIED = "1.5"  # the detect-secrets series whose loop _prefiltered_lines copies; pyproject.toml pins it


def supported(version: str) -> bool:
    """Whether this detect-secrets version is one the pre-filter was verified against."""
    return version.split(".")[:2] == VERIFIED.split(".")


def install(version: str) -> None:
    """Route detect-secrets' per-line loop through the pre-filter (in this process only) if `version` is
    supported; with any other version detect-secrets keeps its own loop."""
    from detect_secrets.core import scan

    global _original
    if not supported(version):
        if _original is not None:  # routed earlier in this process: back to detect-secrets' own loop
            scan._process_line_based_plugins = _original
        return
    if scan._process_line_based_plugins is not _prefiltered_lines:
        _original = scan._process_line_based_plugins
        scan._process_line_based_plugins = _prefiltered_lines


_original: Any = None


class Prefilter(NamedTuple):
    """The merged pattern of the plugins that have one, and the plugins that see every line."""

    pattern: re.Pattern[str] | None  # None: no plugin could be merged
    unfiltered: list[Any]  # plugins the pre-filter knows nothing about, or whose pattern does not merge


def combined_pattern(plugins: Sequence[Any], filename: str = "") -> Prefilter:
    """One regex that matches every line any of `plugins` could report in `filename` (a plugin that
    declares `applies_to` and says no to the file has nothing to add); the rest see every line."""
    parts: list[str] = []
    unfiltered = []
    for plugin in plugins:
        if filename and hasattr(plugin, "prefilter_patterns") and not plugin.applies_to(filename):
            continue
        own = _parts(plugin)
        if own is None:
            unfiltered.append(plugin)
        else:
            parts += own
    # Each entropy part refers back to its own quote: a named group, numbered as the parts are joined.
    numbered = [part.replace("q%d", f"q{index}") for index, part in enumerate(parts)]
    pattern = re.compile("|".join(f"(?:{part})" for part in numbered)) if numbered else None
    return Prefilter(pattern, unfiltered)


def _parts(plugin: Any) -> list[str] | None:
    """Alternatives one of which a line must match for `plugin` to report on it; None if not known."""
    from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.keyword import DENYLIST, KeywordDetector

    kind = type(plugin)
    if hasattr(
        plugin, "prefilter_patterns"
    ):  # ours: it checks them itself before it reports (secret_plugins)
        return _merged(plugin.prefilter_patterns)
    if isinstance(plugin, KeywordDetector) and kind.analyze_line is KeywordDetector.analyze_line:
        return ["(?i:" + "|".join(DENYLIST) + ")"]
    if (
        isinstance(plugin, HighEntropyStringsPlugin)
        and kind.analyze_line is HighEntropyStringsPlugin.analyze_line
    ):
        # Shannon entropy is at most log2(length): passing the limit takes more than 2**limit characters.
        shortest = math.floor(2**plugin.entropy_limit) + 1
        return [r"(?P<q%d>['\"])[" + re.escape(plugin.charset) + "]{" + str(shortest) + r",}(?P=q%d)"]
    if (
        isinstance(plugin, RegexBasedDetector)
        and kind.analyze_line is BasePlugin.analyze_line
        # JWT only drops matches of its own pattern that are not well-formed tokens
        and (kind.analyze_string is RegexBasedDetector.analyze_string or kind is JwtTokenDetector)
    ):
        return _merged(kind.denylist)
    return None


def _merged(patterns: Sequence[re.Pattern[str]]) -> list[str] | None:
    parts = [_scoped(pattern) for pattern in patterns]
    return None if None in parts else [part for part in parts if part is not None]


def _scoped(pattern: re.Pattern[str]) -> str | None:
    """The pattern as a group that carries its own flags, or None if it cannot join a union: flags a
    group cannot carry, a group referred to by name or number (the union renumbers), bytes."""
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    allowed = re.UNICODE | sum(_SCOPED_FLAGS)
    if pattern.flags & ~allowed or pattern.groupindex or re.search(r"\\[1-9]|\(\?P=", pattern.pattern):
        return None
    # Inline flags such as a leading `(?i)` are already in pattern.flags; inside a union they would raise.
    source = _LEADING_FLAGS.sub("", pattern.pattern)
    letters = "".join(letter for flag, letter in _SCOPED_FLAGS.items() if pattern.flags & flag)
    part = f"(?{letters}:{source})" if letters else source
    try:
        re.compile(part)
    except re.error:
        return None
    return part


def _prefiltered_lines(lines: list[tuple[int, str]], filename: str) -> Generator[Any, None, None]:
    """detect-secrets' own loop over lines and plugins, entered only for lines the pre-filter passes."""
    from detect_secrets.core.scan import _is_filtered_out, _scan_line
    from detect_secrets.settings import get_plugins
    from detect_secrets.util.code_snippet import get_code_snippet

    plugins = get_plugins()
    # Built for the list object itself, kept alive here: an id() alone can be reused by a new list.
    if not _built_for or _built_for[0] is not plugins:
        _built_for[:] = [plugins]
        _compiled.clear()
    scope = tuple(i for i, p in enumerate(plugins) if not hasattr(p, "applies_to") or p.applies_to(filename))
    if scope not in _compiled:
        _compiled[scope] = combined_pattern(plugins, filename)
    prefilter, unfiltered = _compiled[scope]
    line_content = [line[1] for line in lines]
    for line_number, raw in lines:
        line = raw.rstrip()
        chosen = plugins if prefilter is not None and prefilter.search(line) else unfiltered
        if not chosen:
            continue
        # From here on, detect-secrets 1.5's `_process_line_based_plugins`, step for step; a line the
        # pre-filter holds back goes only to the plugins it cannot speak for.
        code_snippet = get_code_snippet(lines=line_content, line_number=line_number)
        if _is_filtered_out(
            required_filter_parameters=["line"], filename=filename, line=line, context=code_snippet
        ):
            continue
        for plugin in chosen:
            for secret in _scan_line(
                plugin=plugin, filename=filename, line=line, line_number=line_number, context=code_snippet
            ):
                if not _is_filtered_out(
                    required_filter_parameters=["context"],
                    filename=secret.filename,
                    secret=secret.secret_value,
                    plugin=plugin,
                    line=line,
                    context=code_snippet,
                ):
                    yield secret
