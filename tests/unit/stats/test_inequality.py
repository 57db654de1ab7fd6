"""SII and RII: the regression against statsmodels, simulated limits against theory."""

from __future__ import annotations

import doctest
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from nearhome import stats
from nearhome.errors import InvalidConfig
from nearhome.stats import inequality

POPS = [1200, 900, 1500, 800, 1000, 1100, 950, 1300, 700, 1050]
RATES = [310.0, 280.0, 265.0, 240.0, 250.0, 205.0, 190.0, 185.0, 160.0, 150.0]


def deciles(
    values: list[float] = RATES, pops: list[int] = POPS, se: float = 10.0
) -> pd.DataFrame:
    return pd.DataFrame(
        {"decile": range(1, 11), "pop": pops, "value": values, "se": se}
    ).sample(frac=1.0, random_state=3)  # order must not matter


def relative_rank(pops: list[int]) -> np.ndarray:
    share = np.asarray(pops, dtype=float) / sum(pops)
    return np.cumsum(share) - share / 2


def wls(values: list[float], pops: list[int]) -> tuple[float, float, float]:
    """Intercept, slope and slope standard error by statsmodels' weighted least squares."""
    share = np.asarray(pops, dtype=float) / sum(pops)
    fit = sm.WLS(
        np.asarray(values), sm.add_constant(relative_rank(pops)), weights=share
    ).fit()
    return float(fit.params[0]), float(fit.params[1]), float(fit.bse[1])


def sii_of(frame: pd.DataFrame, **options: Any) -> pd.DataFrame:
    settings = {"quantile": "decile", "population": "pop", "value": "value"} | options
    result: pd.DataFrame = stats.sii(frame, **settings).set_index("measure")
    return result


def num(result: pd.DataFrame, measure: str, column: str) -> float:
    return float(np.asarray(result.loc[measure, column], dtype=np.float64))


def test_docstring_examples_run() -> None:
    assert doctest.testmod(inequality).failed == 0


def test_relative_ranks_follow_the_published_example() -> None:
    # PHEindicatormethods: a first decile with 12% of people has rank 0.06; a second with
    # 10% has rank 0.12 + 0.10 / 2 = 0.17.
    ranks = relative_rank([12, 10, 78])
    assert ranks[:2].tolist() == pytest.approx([0.06, 0.17])


def test_point_estimates_equal_weighted_least_squares() -> None:
    result = sii_of(deciles(), se="se", repetitions=1000)
    intercept, slope, _ = wls(RATES, POPS)
    assert num(result, "sii", "value") == pytest.approx(slope, rel=1e-10)
    assert num(result, "rii", "value") == pytest.approx(
        (intercept + slope) / intercept, rel=1e-10
    )
    assert num(result, "sii", "quantiles") == 10
    assert list(result.reset_index().columns) == [
        "measure", "quantiles", "value", "lower", "upper", "confidence", "multiplier",
        "method", "suppressed_reason",
    ]  # fmt: skip


def test_simulated_limits_match_the_slope_standard_error() -> None:
    # For value_type "other" the simulated slope is exactly normal with variance
    # sum(c_i^2 se_i^2), c the slope row of the WLS solver; its 95% limits are
    # slope ± 1.96 sd up to Monte Carlo error.
    share = np.asarray(POPS, dtype=float) / sum(POPS)
    design = np.column_stack([np.sqrt(share), relative_rank(POPS) * np.sqrt(share)])
    c = np.linalg.solve(design.T @ design, design.T)[1] * np.sqrt(share)
    sd = float(np.sqrt(np.sum(c**2 * 10.0**2)))
    result = sii_of(deciles(), se="se", repetitions=200_000, seed=11)
    slope = num(result, "sii", "value")
    assert num(result, "sii", "lower") == pytest.approx(slope - 1.959964 * sd, rel=0.02)
    assert num(result, "sii", "upper") == pytest.approx(slope + 1.959964 * sd, rel=0.02)


def test_simulation_is_reproducible_from_a_seed() -> None:
    a = sii_of(deciles(), se="se", repetitions=2000, seed=5)
    b = sii_of(deciles(), se="se", repetitions=2000, seed=5)
    c = sii_of(deciles(), se="se", repetitions=2000, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert num(a, "sii", "lower") != num(c, "sii", "lower")
    generator = stats.sii(
        deciles(), quantile="decile", population="pop", value="value", se="se",
        repetitions=2000, seed=np.random.default_rng(5),
    )  # fmt: skip
    assert generator["value"].tolist() == a["value"].tolist()


def test_rates_use_log_scale_errors_and_transform_fits_on_the_log_scale() -> None:
    frame = deciles()
    frame["lower"] = frame["value"] * 0.9
    frame["upper"] = frame["value"] / 0.9
    plain = sii_of(
        frame, lower="lower", upper="upper", value_type="rate", repetitions=5000
    )
    _, slope, _ = wls(RATES, POPS)
    assert num(plain, "sii", "value") == pytest.approx(slope, rel=1e-10)
    assert num(plain, "sii", "lower") < slope < num(plain, "sii", "upper")
    logged = sii_of(
        frame,
        lower="lower",
        upper="upper",
        value_type="rate",
        transform=True,
        repetitions=5000,
    )
    a, b, _ = wls(list(np.log(RATES)), POPS)
    assert num(logged, "sii", "value") == pytest.approx(
        np.exp(a + b) - np.exp(a), rel=1e-10
    )
    assert num(logged, "rii", "value") == pytest.approx(np.exp(b), rel=1e-10)
    assert (
        num(logged, "sii", "lower")
        < num(logged, "sii", "value")
        < num(logged, "sii", "upper")
    )
    assert "log scale" in str(logged.loc["sii", "method"])


def test_negative_multiplier_flips_the_sii_and_inverts_the_rii() -> None:
    plain = sii_of(deciles(), se="se", repetitions=2000, seed=1)
    flipped = sii_of(deciles(), se="se", repetitions=2000, seed=1, multiplier=-1)
    assert num(flipped, "sii", "value") == pytest.approx(-num(plain, "sii", "value"))
    # Same draws, sorted the other way: neighbouring order statistics.
    assert num(flipped, "sii", "lower") == pytest.approx(
        -num(plain, "sii", "upper"), rel=0.01
    )
    assert num(flipped, "rii", "value") == pytest.approx(1 / num(plain, "rii", "value"))


def test_groups_are_suppressed_with_reasons() -> None:
    good = deciles().assign(area="good")
    few = deciles().head(4).assign(area="few")
    empty = deciles().assign(area="empty")
    empty.loc[empty["decile"] == 3, "pop"] = 0
    result = stats.sii(
        pd.concat([good, few, empty]), quantile="decile", population="pop", value="value",
        se="se", by="area", repetitions=1000,
    )  # fmt: skip
    reasons = result.groupby("area")["suppressed_reason"].first().to_dict()
    assert reasons == {
        "empty": "a quantile has a zero or missing population",
        "few": "4 quantiles: the SII needs between 5 and 100",
        "good": None,
    }
    assert result[result["area"] != "good"]["value"].isna().all()
    assert result["measure"].tolist()[:2] == ["sii", "rii"]


def test_zero_rate_cannot_be_logged() -> None:
    frame = deciles()
    frame.loc[frame["decile"] == 1, "value"] = 0.0
    frame["lower"] = frame["value"] * 0.9
    frame["upper"] = frame["value"] * 1.1 + 1
    result = sii_of(
        frame, lower="lower", upper="upper", value_type="rate", repetitions=1000
    )
    assert (
        result["suppressed_reason"].str.contains("outside the range of its scale").all()
    )


def test_option_errors() -> None:
    with pytest.raises(InvalidConfig, match="1,000"):
        sii_of(deciles(), se="se", repetitions=999)
    with pytest.raises(InvalidConfig, match="standard error"):
        sii_of(deciles(), se="se", value_type="rate")
    with pytest.raises(InvalidConfig, match="transform"):
        sii_of(deciles(), se="se", transform=True)
    with pytest.raises(InvalidConfig, match="lower= and upper="):
        sii_of(deciles())
