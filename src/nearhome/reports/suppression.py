"""Disclosure control of figures the report derives itself.

Metric results arrive already controlled by :mod:`nearhome.metrics.disclosure`. A few
figures are derived in the report from unsuppressed counts (a cost from placement bed
days, a rate ratio, a scorecard share, a carer-involvement share from the board), and
they follow the same named policy here: a count in the policy's small range becomes
``*``, other counts are rounded, and a share whose numerator or denominator would be
suppressed is suppressed with it. A report is always about an ICB, never England, so
nothing is exempt as a national total.
"""

from __future__ import annotations

import math
from typing import Final

from nearhome.metrics.disclosure import SUPPRESSED, DisclosurePolicy, policy

__all__ = [
    "SUPPRESSED",
    "controlled_count",
    "hides",
    "is_suppressed",
    "resolve_policy",
    "share_allowed",
]

Cell = float | str

NO_CONTROL: Final = "none"


def resolve_policy(choice: str | DisclosurePolicy) -> DisclosurePolicy:
    """The named policy (``mhsds``, ``hes`` or ``none``).

    Raises:
        InvalidConfig: no policy has that name.
    """
    return policy(choice)


def hides(chosen: DisclosurePolicy, count: float) -> bool:
    """True when the policy replaces this count by ``*``."""
    if math.isnan(count) or chosen.high < chosen.low:
        return False
    return chosen.low <= count <= chosen.high


def controlled_count(chosen: DisclosurePolicy, count: float) -> Cell:
    """A count as the policy shows it: ``*``, or rounded to the policy's multiple.

    Examples:
        >>> from nearhome.metrics.disclosure import POLICIES
        >>> [controlled_count(POLICIES["mhsds"], c) for c in (0, 3, 7, 12.0)]
        [0.0, '*', 5.0, 10.0]
    """
    if math.isnan(count):
        return count
    if hides(chosen, count):
        return SUPPRESSED
    step = chosen.rounding
    if step <= 1:
        return float(count)
    return float(math.floor(count / step + 0.5) * step)


def share_allowed(chosen: DisclosurePolicy, *counts: float) -> bool:
    """True when no count behind a share would be suppressed."""
    return not any(hides(chosen, c) for c in counts)


def is_suppressed(cell: object) -> bool:
    """True for a ``*`` cell."""
    return isinstance(cell, str) and cell == SUPPRESSED
