"""The vectorised special-cause rules on hand-made segments."""

from __future__ import annotations

import doctest
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from nearhome.errors import InvalidConfig
from nearhome.stats import spc_rules
from nearhome.stats.spc_rules import RULES, VARIATIONS, RuleFlags


def test_docstring_examples_run() -> None:
    assert doctest.testmod(spc_rules).failed == 0


def test_windows_covering_marks_whole_runs_only() -> None:
    flags = np.array([[1, 1, 1, 1, 0, 1, 1, 1, 0, 1]], dtype=bool)
    assert spc_rules.windows_covering(flags, 4).astype(int).tolist() == [
        [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    ]
    assert spc_rules.windows_covering(flags, 3).astype(int).tolist() == [
        [1, 1, 1, 1, 0, 1, 1, 1, 0, 0]
    ]
    assert not spc_rules.windows_covering(flags, 11).any()


def test_sigma_lines_are_thirds_of_the_limit_distance() -> None:
    lines = spc_rules.sigma_lines(np.array([0.0]), np.array([3.0]))
    assert lines["upper_process_limit"][0] == pytest.approx(7.98)
    assert lines["upper_two_sigma"][0] == pytest.approx(5.32)
    assert lines["upper_one_sigma"][0] == pytest.approx(2.66)
    assert lines["lower_one_sigma"][0] == pytest.approx(-2.66)


def flags_for(
    values: Sequence[float], mean: float, amr: float, **options: Any
) -> RuleFlags:
    grid = np.array([values])
    lines = spc_rules.sigma_lines(np.array([[mean]]), np.array([[amr]]))
    settings = {
        "run_length": 7,
        "trend_length": 7,
        "two_sigma_rule": "current",
    } | options
    return spc_rules.detect(grid, mean=np.array([[mean]]), lines=lines, **settings)  # type: ignore[arg-type]


def test_a_trend_needs_every_step_in_the_same_direction() -> None:
    rising = [1, 2, 3, 4, 5, 6, 7, 6]
    flags = flags_for(rising, mean=4.0, amr=100.0)
    assert flags.high["trend"][0].tolist() == [True] * 7 + [False]
    flat_step = [1, 2, 3, 3, 4, 5, 6, 7]
    assert not flags_for(flat_step, mean=4.0, amr=100.0).high["trend"].any()
    six = [1, 2, 3, 4, 5, 6]
    assert not flags_for(six, mean=4.0, amr=100.0).high["trend"].any()
    assert flags_for(six, mean=4.0, amr=100.0, trend_length=6).high["trend"].all()


def test_a_point_on_the_mean_breaks_a_run() -> None:
    values = [5, 5, 5, 0, 5, 5, 5, 5]
    assert not flags_for(values, mean=0.0, amr=100.0).high["run"].any()
    values[3] = 5
    assert flags_for(values, mean=0.0, amr=100.0).high["run"].all()


def test_two_of_three_current_and_earlier_rules() -> None:
    # mean 0, amr 3: two sigma at 5.32, limits at 7.98.
    values = [6.0, 1.0, 9.0]
    current = flags_for(values, mean=0.0, amr=3.0)
    earlier = flags_for(values, mean=0.0, amr=3.0, two_sigma_rule="earlier")
    assert current.high["two_sigma"][0].tolist() == [True, False, True]
    assert not earlier.high["two_sigma"].any()  # 9 is beyond the limit, not "close"
    assert current.high["outside_limits"][0].tolist() == [False, False, True]


def test_two_of_three_needs_all_three_on_one_side() -> None:
    assert not flags_for([6.0, -1.0, 6.0], mean=0.0, amr=3.0).high["two_sigma"].any()
    assert not flags_for([6.0, 6.0, -1.0], mean=0.0, amr=3.0).high["two_sigma"].any()
    assert flags_for([1.0, 6.0, 6.0], mean=0.0, amr=3.0).high["two_sigma"][
        0
    ].tolist() == [
        False,
        True,
        True,
    ]


def test_classify_prefers_improvement_in_a_conflict_unless_told_otherwise() -> None:
    # A rising trend entirely below the mean: trend says high, run says low.
    values = [-7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0]
    flags = flags_for(values, mean=0.0, amr=100.0)
    grid = np.array([values])
    variation, rule = spc_rules.classify(
        flags, grid, improvement="increase", conflict="improvement", priority=RULES
    )
    assert {VARIATIONS[v] for v in variation[0]} == {"improvement_high"}
    assert {RULES[r] for r in rule[0]} == {"trend"}
    variation, rule = spc_rules.classify(
        flags, grid, improvement="increase", conflict="concern", priority=RULES
    )
    assert {VARIATIONS[v] for v in variation[0]} == {"concern_low"}
    assert {RULES[r] for r in rule[0]} == {"run"}
    variation, _ = spc_rules.classify(
        flags, grid, improvement="neither", conflict="improvement", priority=RULES
    )
    assert {VARIATIONS[v] for v in variation[0]} == {
        "neither_high"
    }  # trend outranks run
    order = ("run", "outside_limits", "trend", "two_sigma")
    variation, rule = spc_rules.classify(
        flags, grid, improvement="neither", conflict="improvement", priority=order
    )
    assert {VARIATIONS[v] for v in variation[0]} == {"neither_low"}
    assert {order[r] for r in rule[0]} == {"run"}


def test_rule_priority_must_name_every_rule_once() -> None:
    assert spc_rules.check_priority(list(reversed(RULES))) == tuple(reversed(RULES))
    with pytest.raises(InvalidConfig, match="rule_priority"):
        spc_rules.check_priority(("run", "trend"))
