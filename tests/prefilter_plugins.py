"""Plugins the pre-filter tests add to the gate's (detect-secrets loads this file by path)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector


class LineReader(BasePlugin):
    """A plugin the pre-filter knows nothing about: it reads lines its own way."""

    secret_type = "Anything Marked"  # pragma: allowlist secret (a name)

    def analyze_string(self, string: str) -> Iterator[str]:
        yield from re.findall(r"marked:(\w+)", string)

    def analyze_line(self, filename: str, line: str, line_number: int = 0, **kwargs: Any) -> set[Any]:
        return super().analyze_line(filename=filename, line=line, line_number=line_number)


class ShoutedTokenDetector(RegexBasedDetector):
    """A plugin whose pattern carries an inline flag: merged into the union with its flag scoped."""

    secret_type = "Shouted Token"  # pragma: allowlist secret (a name)
    denylist: ClassVar[list[re.Pattern[str]]] = [re.compile(r"(?i)acme_tok_[a-z0-9]{12}")]


class RepeatedTokenDetector(RegexBasedDetector):
    """A plugin whose pattern refers to its own group: it cannot join a union and sees every line."""

    secret_type = "Repeated Token"  # pragma: allowlist secret (a name)
    denylist: ClassVar[list[re.Pattern[str]]] = [re.compile(r"(?i)(rep)-\1-[a-z0-9]{12}")]
