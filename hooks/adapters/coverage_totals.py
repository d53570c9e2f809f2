"""Coverage totals as coverage.py counts them: statements and branches, covered and not; the one place
they are counted from a file's lines, added across files, and turned into a percentage."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable


@dataclasses.dataclass(frozen=True, slots=True)
class Totals:
    statements: int = 0
    covered: int = 0
    branches: int = 0
    covered_branches: int = 0

    @classmethod
    def of_lines(cls, hits: Collection[object], branch_lines: Iterable[tuple[int, int]]) -> Totals:
        """A file's totals: a hit count per statement line (truthy: run), (covered, total) per branch line."""
        covered = total = 0
        for line_covered, line_total in branch_lines:
            covered += line_covered
            total += line_total
        return cls(len(hits), sum(1 for hit in hits if hit), total, covered)

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.statements + other.statements,
            self.covered + other.covered,
            self.branches + other.branches,
            self.covered_branches + other.covered_branches,
        )

    @property
    def percent(self) -> float:
        """coverage.py's figure: covered statements and branches over all statements and branches."""
        total = self.statements + self.branches
        return 100.0 * (self.covered + self.covered_branches) / total if total else 100.0
