"""Disclosure control of figures the report derives itself."""

from __future__ import annotations

import math

import pytest

from nearhome.errors import InvalidConfig
from nearhome.metrics.disclosure import POLICIES
from nearhome.reports.suppression import (
    controlled_count,
    hides,
    is_suppressed,
    resolve_policy,
    share_allowed,
)


@pytest.mark.parametrize(
    ("policy", "count", "shown"),
    [
        ("mhsds", 0, 0.0),
        ("mhsds", 1, "*"),
        ("mhsds", 4, "*"),
        ("mhsds", 5, 5.0),
        ("mhsds", 7, 5.0),
        ("mhsds", 8, 10.0),
        ("mhsds", 12.5, 15.0),
        ("hes", 7, "*"),
        ("hes", 8, 10.0),
        ("none", 3, 3.0),
    ],
)
def test_counts_follow_the_policy(policy: str, count: float, shown: object) -> None:
    assert controlled_count(POLICIES[policy], count) == shown


def test_missing_counts_stay_missing() -> None:
    assert math.isnan(float(controlled_count(POLICIES["mhsds"], math.nan)))  # type: ignore[arg-type]
    assert not hides(POLICIES["mhsds"], math.nan)


def test_shares_need_every_count_shown() -> None:
    mhsds = POLICIES["mhsds"]
    assert share_allowed(mhsds, 50, 100)
    assert not share_allowed(mhsds, 3, 100)
    assert share_allowed(POLICIES["none"], 3, 4)


def test_policy_names() -> None:
    assert resolve_policy("hes").high == 7
    with pytest.raises(InvalidConfig):
        resolve_policy("lenient")
    assert is_suppressed("*")
    assert not is_suppressed(4.0)
