"""The tidy result frame shared by every statistic, and the public API surface."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from nearhome import stats
from nearhome.errors import DataError, InvalidConfig
from nearhome.stats import results


def test_docstring_examples_run() -> None:
    assert doctest.testmod(results).failed == 0


def test_public_api() -> None:
    assert sorted(stats.__all__) == [
        "SpcResult", "assurance", "dsr", "esp2013", "isr", "mean", "proportion", "rate",
        "rate_ratio", "sii", "xmr",
    ]  # fmt: skip


@pytest.mark.parametrize("bad", [95, 0, 1, 1.5, -0.5, (), (0.95, 0.95)])
def test_confidence_levels_are_fractions_given_once(bad: object) -> None:
    with pytest.raises(InvalidConfig):
        results.confidence_levels(bad)  # type: ignore[arg-type]


def test_as_float_array_accepts_scalars_and_refuses_negatives_and_matrices() -> None:
    assert results.as_float_array(3, "x").tolist() == [3.0]
    assert results.as_float_array(pd.Series([1, 2]), "x").tolist() == [1.0, 2.0]
    with pytest.raises(DataError, match="negative"):
        results.as_float_array([1, -2], "count")
    with pytest.raises(DataError, match="one-dimensional"):
        results.as_float_array([[1, 2]], "count")


def test_reasons_take_the_first_true_condition() -> None:
    a = np.array([True, False, False])
    b = np.array([True, True, False])
    assert results.reasons((a, "first"), (b, "second")).tolist() == [
        "first",
        "second",
        None,
    ]


def test_tidy_frame_repeats_rows_per_level_and_blanks_suppressed_rows() -> None:
    keys = pd.DataFrame({"g": ["a", "b", "c"]})
    out = results.tidy_frame(
        keys,
        (0.95, 0.998),
        lambda level: (np.array([1.0, 2.0, 3.0]) * level, np.array([9.0, 9.0, 9.0])),
        value=np.array([5.0, 6.0, 7.0]),
        method="m",
        reason=np.array([None, "gone", None], dtype=object),
        limits_reason=np.array([None, None, "no limits"], dtype=object),
        extra={"multiplier": 10.0},
    )
    assert list(out.columns) == [
        "g", "value", "lower", "upper", "confidence", "multiplier", "method",
        "suppressed_reason",
    ]  # fmt: skip
    assert out["g"].tolist() == ["a", "a", "b", "b", "c", "c"]
    assert out["confidence"].tolist() == [0.95, 0.998] * 3
    assert out["lower"].iloc[:2].tolist() == [0.95, 0.998]
    assert out["value"].iloc[2:4].isna().all()  # suppressed: no value, no limits
    assert out["lower"].iloc[2:6].isna().all()
    assert out["value"].iloc[4] == 7.0  # limits-only reason keeps the value
    assert out["suppressed_reason"].tolist() == [
        None, None, "gone", "gone", "no limits", "no limits",
    ]  # fmt: skip
    assert (out["multiplier"] == 10.0).all()
    assert (out["method"] == "m").all()
