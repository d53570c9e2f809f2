"""The platform-mode vocabulary: the execution log's required sections and the names real logs give them,
the statuses a document moves through, and the dates its header holds."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

REQUIRED_SECTIONS = (
    "Implementation Log",
    "Quality Report",
    "Decision Log",
    "Validation Report",
    "Deployment Package",
    "Lessons Learned",
)
# What real logs call the execute phase's outputs (reference/platform-mode-files.md §3.1).
SECTION_SYNONYMS = {
    "Quality Report": ("Quality Assurance", "Quality Status"),
    "Validation Report": ("Validation and Verification", "Implementation Validation"),
    "Deployment Package": ("Readiness Assessment", "Deployment"),
}
OPEN_STATUSES = ("INITIATED", "IN PROGRESS", "BLOCKED", "READY TO START", "WAITING", "PENDING")
TERMINAL_STATUSES = ("COMPLETE", "COMPLETED", "CLOSED", "SUPERSEDED", "ABANDONED")
_DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%B %d %Y")


def section_names(section: str, aliases: Iterable[str] = ()) -> tuple[str, ...]:
    """What a required section may be called: its name, the synonyms real logs use, the user's aliases."""
    return (section, *SECTION_SYNONYMS.get(section, ()), *aliases)


def strip_symbols(title: str) -> str:
    """The emoji and marks agents decorate headings and statuses with, removed: `✅ Complete` → `Complete`."""
    return "".join(char for char in title if unicodedata.category(char)[0] not in "SC").strip()


def status_word(value: str | None) -> str:
    """`**Status**: ✅ In progress` → `IN PROGRESS`."""
    if not value:
        return ""
    return " ".join(strip_symbols(value).upper().replace("_", " ").split())


def is_terminal_status(value: str | None) -> bool:
    words = status_word(value).replace("-", " ").split()
    return bool(words) and words[0] in TERMINAL_STATUSES


def parse_date(value: str) -> dt.date | None:
    """ISO `2025-10-25` or the prose `October 25, 2025` real logs use; None when neither."""
    cleaned = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(cleaned).date()
    except ValueError:
        return None
