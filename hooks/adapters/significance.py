"""Whether two sets of measurements differ beyond their noise: one-sided Mann-Whitney U (exact or normal),
Holm's correction, a robust coefficient of variation; pure Python, held equal to scipy's by the tests."""

from __future__ import annotations

import functools
import math
import statistics
from collections import Counter
from collections.abc import Sequence

EXACT_BELOW = 20  # samples a side: the exact distribution below, the normal approximation from there
MAD_TO_SIGMA = 1.4826  # MAD x this estimates the standard deviation of normal data


def mann_whitney_greater(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """(U of `x`, one-sided p) for "x tends to be greater than y": `mannwhitneyu(x, y,
    alternative="greater")`, exact when both sides have fewer than EXACT_BELOW samples and no ties."""
    n1, n2 = len(x), len(y)
    ranks = _ranks([*x, *y])
    u1 = sum(ranks[:n1]) - n1 * (n1 + 1) / 2
    ties = [count for count in Counter([*x, *y]).values() if count > 1]
    if n1 < EXACT_BELOW and n2 < EXACT_BELOW and not ties:
        return u1, exact_p_greater(int(u1), n1, n2)
    return u1, normal_p_greater(u1, n1, n2, ties)


def exact_p_greater(u: int, n1: int, n2: int) -> float:
    """P(U >= u) when the two samples come from one distribution, counted over every arrangement."""
    counts = _u_counts(n1, n2)
    return sum(counts[u:]) / math.comb(n1 + n2, n1)


def normal_p_greater(u: float, n1: int, n2: int, ties: Sequence[int] = ()) -> float:
    """P(U >= u) by the normal approximation with tie correction and continuity correction, as scipy's."""
    n = n1 + n2
    tie_term = sum(t**3 - t for t in ties) / (n * (n - 1))
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term))
    if sigma == 0:  # every value equal: nothing tells the sides apart
        return 1.0
    z = (u - n1 * n2 / 2 - 0.5) / sigma
    return min(1.0, max(0.0, 0.5 * math.erfc(z / math.sqrt(2))))


@functools.cache
def _u_counts(n1: int, n2: int) -> tuple[int, ...]:
    """How many arrangements of n1 + n2 distinct values give U = 0, 1, …, n1·n2: the coefficients of the
    Gaussian binomial [n1+n2 choose n1], built by adding one sample at a time (f(m, n) = f(m-1, n) shifted
    by n, plus f(m, n-1))."""
    if n1 == 0 or n2 == 0:
        return (1,)
    shifted = _u_counts(n1 - 1, n2)
    smaller = _u_counts(n1, n2 - 1)
    counts = [0] * (n1 * n2 + 1)
    for u, count in enumerate(shifted):
        counts[u + n2] += count
    for u, count in enumerate(smaller):
        counts[u] += count
    return tuple(counts)


def _ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for index in order[start : end + 1]:
            ranks[index] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the given order: compare each with alpha and the family of tests keeps
    its chance of any false alarm at alpha."""
    m = len(p_values)
    adjusted = [1.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=p_values.__getitem__)):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def robust_cv(values: Sequence[float]) -> float:
    """1.4826 · MAD / median: the spread relative to the level, untouched by a few outliers (0 for fewer
    than two values or a zero median)."""
    if len(values) < 2:
        return 0.0
    middle = statistics.median(values)
    if middle == 0:
        return 0.0
    mad = statistics.median(abs(value - middle) for value in values)
    return MAD_TO_SIGMA * mad / abs(middle)
