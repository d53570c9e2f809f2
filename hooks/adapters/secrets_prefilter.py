"""A combined pre-filter for detect-secrets: a line no plugin can match never reaches its plugin dispatch;
the lines that pass go through detect-secrets' own loop: the findings are exactly its own (DEC-003)."""

from __future__ import annotations

import math
import re
from collections.abc import Generator, Sequence
from typing import Any

_SCOPED_FLAGS = {re.IGNORECASE: "i", re.VERBOSE: "x", re.MULTILINE: "m", re.DOTALL: "s"}
_compiled: list[tuple[object, re.Pattern[str] | None]] = []  # (the plugin list it was built for, pattern)
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


def combined_pattern(plugins: Sequence[Any]) -> re.Pattern[str] | None:
    """One regex that matches every line any of `plugins` could report; None if one is unknown."""
    from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.keyword import DENYLIST, KeywordDetector

    parts: list[str] = []
    for plugin in plugins:
        kind = type(plugin)
        if isinstance(plugin, KeywordDetector) and kind.analyze_line is KeywordDetector.analyze_line:
            parts.append("(?i:" + "|".join(DENYLIST) + ")")
        elif (
            isinstance(plugin, HighEntropyStringsPlugin)
            and kind.analyze_line is HighEntropyStringsPlugin.analyze_line
        ):
            # Shannon entropy is at most log2(length): passing the limit takes more than 2**limit characters.
            shortest = math.floor(2**plugin.entropy_limit) + 1
            parts.append(
                r"(?P<q%d>['\"])[" + re.escape(plugin.charset) + "]{" + str(shortest) + r",}(?P=q%d)"
            )
        elif (
            isinstance(plugin, RegexBasedDetector)
            and kind.analyze_line is BasePlugin.analyze_line
            # JWT only drops matches of its own pattern that are not well-formed tokens
            and (kind.analyze_string is RegexBasedDetector.analyze_string or kind is JwtTokenDetector)
            and all(_combinable(pattern) for pattern in kind.denylist)
        ):
            parts += [_scoped(pattern) for pattern in kind.denylist]
        else:
            return None
    # Each entropy part refers back to its own quote: a named group, numbered as the parts are joined.
    numbered = [part.replace("q%d", f"q{index}") for index, part in enumerate(parts)]
    return re.compile("|".join(f"(?:{part})" for part in numbered))


def _combinable(pattern: re.Pattern[str]) -> bool:
    """Flags a scoped group can carry, and no group referred to by name or number (the union renumbers)."""
    allowed = re.UNICODE | sum(_SCOPED_FLAGS)
    references = re.search(r"\\[1-9]|\(\?P=", pattern.pattern)
    return not (pattern.flags & ~allowed) and not pattern.groupindex and not references


def _scoped(pattern: re.Pattern[str]) -> str:
    letters = "".join(letter for flag, letter in _SCOPED_FLAGS.items() if pattern.flags & flag)
    return f"(?{letters}:{pattern.pattern})" if letters else pattern.pattern


def _prefiltered_lines(lines: list[tuple[int, str]], filename: str) -> Generator[Any, None, None]:
    """detect-secrets' own loop over lines and plugins, entered only for lines the pre-filter passes."""
    from detect_secrets.core.scan import _is_filtered_out, _scan_line
    from detect_secrets.settings import get_plugins
    from detect_secrets.util.code_snippet import get_code_snippet

    plugins = get_plugins()
    # Keyed by the list object itself, kept alive here: an id() alone can be reused by a new list.
    if not _compiled or _compiled[0][0] is not plugins:
        _compiled[:] = [(plugins, combined_pattern(plugins))]
    prefilter = _compiled[0][1]
    if prefilter is None:
        yield from _original(lines, filename)
        return
    line_content = [line[1] for line in lines]
    for line_number, raw in lines:
        if not prefilter.search(raw.rstrip()):
            continue
        # From here on, detect-secrets 1.5's `_process_line_based_plugins`, step for step.
        line = raw.rstrip()
        code_snippet = get_code_snippet(lines=line_content, line_number=line_number)
        if _is_filtered_out(
            required_filter_parameters=["line"], filename=filename, line=line, context=code_snippet
        ):
            continue
        for plugin in plugins:
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
