"""The equity analysis on small hand-built span totals, against hand-worked figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from nearhome.equity.breakdowns import EquityBreakdown, resolve_breakdowns
from nearhome.equity.disclosure import control
from nearhome.equity.measures import MEASURES, resolve_measures
from nearhome.equity.reference import reference_level
from nearhome.equity.run import analyse
from nearhome.errors import InvalidConfig

Z95 = 1.959963984540054
DETENTIONS = "detentions.detentions_per_100k"
RESTRICTIVE = "restrictive.per_1000_bed_days"
ETHNICITY = resolve_breakdowns("ethnicity")


def rows(
    metric_id: str, breakdown: str, cells: dict[str, tuple[float, float]]
) -> pd.DataFrame:
    """Span totals of one metric and breakdown: level -> (numerator, denominator)."""
    unit = {DETENTIONS: "per_100k", RESTRICTIVE: "per_1000_bed_days"}.get(
        metric_id, "detentions"
    )
    return pd.DataFrame(
        {
            "measure_id": metric_id,
            "breakdown": breakdown,
            "level": list(cells),
            "level_description": list(cells),
            "numerator": [float(n) for n, _ in cells.values()],
            "denominator": [float(d) for _, d in cells.values()],
            "unit": unit,
            "period_start": pd.Timestamp("2025-04-01").date(),
            "period_end": pd.Timestamp("2026-03-31").date(),
            "mhsds_id": None,
            "value": np.nan,
        }
    )


def pick(
    table: pd.DataFrame, statistic: str, level: str, breakdown: str = "ethnic_group"
) -> pd.Series:
    found = table[
        (table["statistic"] == statistic)
        & (table["level"] == level)
        & (table["breakdown"] == breakdown)
    ]
    assert len(found) == 1, (statistic, level, len(found))
    return found.iloc[0]


def byar(x: float, level_z: float = Z95) -> tuple[float, float]:
    """Byar's limits, written out from Breslow and Day (1987)."""
    lower = x * (1 - 1 / (9 * x) - level_z / (3 * math.sqrt(x))) ** 3
    y = x + 1
    upper = y * (1 - 1 / (9 * y) + level_z / (3 * math.sqrt(y))) ** 3
    return lower, upper


@pytest.fixture
def detentions() -> pd.DataFrame:
    """64 detentions of 100,000 White residents, 228 of 100,000 Black residents."""
    return pd.concat(
        [
            rows(DETENTIONS, "all", {"ALL": (297, 200_000)}),
            rows(
                DETENTIONS,
                "ethnic_group",
                {
                    "Black": (228, 100_000),
                    "Not stated": (5, math.nan),
                    "White": (64, 100_000),
                },
            ),
        ],
        ignore_index=True,
    )


def test_crude_rates_and_byar_limits(detentions: pd.DataFrame) -> None:
    table = analyse(detentions, resolve_measures("detentions"), ETHNICITY)
    white = pick(table, "crude_rate", "White")
    assert white["value"] == pytest.approx(64.0)
    lower, upper = byar(64)
    assert white["lower"] == pytest.approx(lower / 100_000 * 100_000, rel=1e-12)
    assert white["upper"] == pytest.approx(upper, rel=1e-12)
    assert pick(table, "count", "Black")["value"] == 228
    assert pick(table, "denominator", "Black")["value"] == 100_000
    unknown = pick(table, "crude_rate", "Not stated")
    assert math.isnan(unknown["value"])
    assert "no denominator" in unknown["suppressed_reason"]


def test_ratio_to_white_is_exact_conditional(detentions: pd.DataFrame) -> None:
    table = analyse(detentions, resolve_measures("detentions"), ETHNICITY)
    black = pick(table, "crude_ratio", "Black")
    assert black["reference"] == "White"
    assert black["value"] == pytest.approx(228 / 64, rel=1e-12)
    # Given 292 events, Black's share is binomial: Clopper-Pearson limits of that share
    # mapped to the ratio p / (1 - p) (populations are equal).
    p_low = sps.beta.ppf(0.025, 228, 64 + 1)
    p_high = sps.beta.ppf(0.975, 228 + 1, 64)
    assert black["lower"] == pytest.approx(p_low / (1 - p_low), rel=1e-9)
    assert black["upper"] == pytest.approx(p_high / (1 - p_high), rel=1e-9)
    assert round(black["lower"], 3) == 2.689 and round(black["upper"], 3) == 4.778
    assert black["significance"] == "higher"
    assert not (table["level"].eq("White") & table["statistic"].eq("crude_ratio")).any()


def test_per_bed_day_measure_uses_bed_days_not_population() -> None:
    """10 interventions in 2,000 White bed days, 10 in 500 Black bed days: 4 times the
    rate per bed day, although the counts are equal."""
    inputs = pd.concat(
        [
            rows(RESTRICTIVE, "all", {"ALL": (20, 2_500)}),
            rows(
                RESTRICTIVE,
                "ethnic_group",
                {"Black": (10, 500), "White": (10, 2_000)},
            ),
            # a population metric in the same frame must not be used as the denominator
            rows(DETENTIONS, "ethnic_group", {"Black": (1, 1e6), "White": (1, 1e6)}),
        ],
        ignore_index=True,
    )
    measure = MEASURES["restrictive_per_1000_bed_days"]
    table = analyse(inputs, [measure], ETHNICITY)
    black = pick(table, "crude_rate", "Black")
    assert black["metric_id"] == RESTRICTIVE
    assert black["value"] == pytest.approx(10 / 500 * 1_000)
    assert black["per"] == "per 1,000 occupied bed days"
    assert pick(table, "denominator", "White")["value"] == 2_000
    assert pick(table, "crude_ratio", "Black")["value"] == pytest.approx(4.0)


def test_dsr_with_the_esp_2013() -> None:
    """Two age bands present: 20-24 (ESP 6,000) and 40-44 (ESP 7,000)."""
    crossed = {
        "White;20-24": (12, 40_000),
        "White;40-44": (8, 20_000),
        "Black;20-24": (30, 20_000),
        "Black;40-44": (6, 5_000),
    }
    inputs = pd.concat(
        [
            rows(
                DETENTIONS,
                "ethnic_group",
                {"Black": (36, 25_000), "White": (20, 60_000)},
            ),
            rows(DETENTIONS, "ethnic_group;age_five_year", crossed),
        ],
        ignore_index=True,
    )
    table = analyse(inputs, resolve_measures("detentions"), ETHNICITY)
    white = (12 / 40_000 * 6_000 + 8 / 20_000 * 7_000) / 13_000 * 100_000
    black = (30 / 20_000 * 6_000 + 6 / 5_000 * 7_000) / 13_000 * 100_000
    assert pick(table, "dsr", "White")["value"] == pytest.approx(white, rel=1e-12)
    assert pick(table, "dsr", "Black")["value"] == pytest.approx(black, rel=1e-12)
    var_w = (12 * (6_000 / 40_000) ** 2 + 8 * (7_000 / 20_000) ** 2) / 13_000**2 * 1e10
    var_b = (30 * (6_000 / 20_000) ** 2 + 6 * (7_000 / 5_000) ** 2) / 13_000**2 * 1e10
    ratio = pick(table, "dsr_ratio", "Black")
    se = math.sqrt(var_b / black**2 + var_w / white**2)
    assert ratio["value"] == pytest.approx(black / white, rel=1e-12)
    assert ratio["lower"] == pytest.approx(
        black / white * math.exp(-Z95 * se), rel=1e-9
    )
    assert ratio["upper"] == pytest.approx(black / white * math.exp(Z95 * se), rel=1e-9)


def test_dsr_under_10_events_is_suppressed_with_the_reason() -> None:
    inputs = pd.concat(
        [
            rows(DETENTIONS, "ethnic_group", {"White": (9, 60_000)}),
            rows(
                DETENTIONS, "ethnic_group;age_five_year", {"White;20-24": (9, 60_000)}
            ),
        ],
        ignore_index=True,
    )
    table = analyse(inputs, resolve_measures("detentions"), ETHNICITY)
    dsr = pick(table, "dsr", "White")
    assert math.isnan(dsr["value"]) and "under 10" in dsr["suppressed_reason"]


def test_reference_groups() -> None:
    by_size = pd.DataFrame(
        {"level": ["1", "2", "U"], "denominator": [900.0, 1_100.0, 5_000.0]}
    )
    sex, imd, ld = (
        resolve_breakdowns(n)[0] for n in ("sex", "imd_quintile", "ld_autism")
    )
    assert reference_level(by_size, sex) == "2"  # largest recorded, not "U"
    assert reference_level(by_size, imd) == "5"  # least deprived quintile
    assert reference_level(by_size, ld) == "none"
    assert reference_level(by_size, ETHNICITY[0]) == "White"
    assert resolve_breakdowns("ethnic_category")[0].reference == "A"  # White British


def test_imd_gradient_sii() -> None:
    """Rates 50, 40, 30, 20, 10 per 100,000 from most to least deprived, equal
    populations: the SII is the slope over the population rank, -10 / 0.2 = -50."""
    cells = {str(q): (60 - 10 * q, 100_000) for q in range(1, 6)}
    inputs = rows(DETENTIONS, "imd_quintile", cells)
    table = analyse(
        inputs, resolve_measures("detentions"), resolve_breakdowns("imd_quintile")
    )
    sii = pick(table, "sii", "all levels", "imd_quintile")
    assert sii["value"] == pytest.approx(-50.0, rel=1e-9)
    assert sii["lower"] < sii["value"] < sii["upper"]
    ratio = pick(table, "crude_ratio", "1", "imd_quintile")
    assert ratio["reference"] == "5" and ratio["value"] == pytest.approx(5.0)


def test_completeness_share_with_wilson_limits(detentions: pd.DataFrame) -> None:
    inputs = pd.concat(
        [detentions, rows(DETENTIONS, "ethnic_group", {"Not known": (2, math.nan)})],
        ignore_index=True,
    )
    table = analyse(inputs, resolve_measures("detentions"), ETHNICITY)
    share = pick(table, "not_recorded_pct", "not recorded")
    n, x = 299, 7  # 228 + 5 + 64 + 2 events, 5 not stated and 2 not known
    p = x / n
    centre = p + Z95**2 / (2 * n)
    spread = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    assert share["value"] == pytest.approx(100 * x / n)
    assert share["lower"] == pytest.approx(100 * (centre - spread) / (1 + Z95**2 / n))
    assert share["upper"] == pytest.approx(100 * (centre + spread) / (1 + Z95**2 / n))


def test_disclosure_hides_small_counts_and_everything_built_on_them() -> None:
    inputs = pd.concat(
        [
            rows(DETENTIONS, "all", {"ALL": (95, 300_000)}),
            rows(
                DETENTIONS,
                "ethnic_group",
                {"Asian": (3, 50_000), "Black": (28, 100_000), "White": (64, 150_000)},
            ),
        ],
        ignore_index=True,
    )
    table = analyse(inputs, resolve_measures("detentions"), ETHNICITY)
    shown = control(table, inputs, "mhsds")
    assert pick(shown, "count", "Asian")["value"] == "*"
    asian_rate = pick(shown, "crude_rate", "Asian")
    assert asian_rate["value"] == asian_rate["lower"] == asian_rate["upper"] == "*"
    assert "disclosure control" in asian_rate["suppressed_reason"]
    assert pick(shown, "crude_ratio", "Asian")["value"] == "*"
    assert pick(shown, "crude_ratio", "Asian")["significance"] is None
    # a lone hidden cell is joined by the next smallest (secondary suppression)
    assert pick(shown, "count", "Black")["value"] == "*"
    assert pick(shown, "count", "White")["value"] == 65.0  # rounded to 5
    assert pick(shown, "denominator", "White")["value"] == 150_000  # public: as is
    assert pick(shown, "crude_rate", "White")["value"] == round(64 / 150_000 * 1e5)
    assert shown.attrs["nearhome"]["disclosure"]["name"] == "mhsds"
    # no policy: every figure as computed
    plain = control(table, inputs, "none")
    assert pick(plain, "count", "Asian")["value"] == 3.0


def test_reference_hidden_hides_every_ratio() -> None:
    inputs = rows(
        DETENTIONS,
        "ethnic_group",
        {"Black": (40, 100_000), "Mixed": (30, 100_000), "White": (2, 100_000)},
    )
    table = analyse(inputs, resolve_measures("detentions"), ETHNICITY)
    shown = control(table, inputs, "mhsds")
    ratios = shown[shown["statistic"] == "crude_ratio"]
    assert len(ratios) == 2 and (ratios["value"] == "*").all()


def test_unknown_names_are_refused() -> None:
    with pytest.raises(InvalidConfig, match="restraint"):
        resolve_measures("admissions,restraint")
    with pytest.raises(InvalidConfig, match="religion"):
        resolve_breakdowns("religion")
    assert isinstance(resolve_breakdowns("ld_autism")[1], EquityBreakdown)


def test_hidden_exposure_hides_the_rate_and_the_ratio() -> None:
    """6 interventions in 3 bed days: the count may be shown (rounded to 5), but the
    bed days are small, so the rate and the ratio (which with the reference's shown
    rate would give the bed days back) are hidden."""
    inputs = rows(
        RESTRICTIVE,
        "ethnic_group",
        {"Black": (6, 3), "Mixed": (0, 2), "White": (40, 4_000)},
    )
    measure = MEASURES["restrictive_per_1000_bed_days"]
    table = analyse(inputs, [measure], ETHNICITY)
    shown = control(table, inputs, "mhsds")
    assert pick(shown, "count", "Black")["value"] == 5.0
    assert pick(shown, "denominator", "Black")["value"] == "*"
    assert pick(shown, "crude_rate", "Black")["value"] == "*"
    assert pick(shown, "crude_ratio", "Black")["value"] == "*"
    assert pick(shown, "crude_rate", "White")["value"] == 10.0
