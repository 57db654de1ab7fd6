"""DSR and ISR: hand-worked examples, PHE rules at the edges, properties, PHStatsMethods."""

from __future__ import annotations

import doctest
import math
from typing import Any

import numpy as np
import pandas as pd
import PHStatsMethods as PHS
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearhome import stats
from nearhome.errors import DataError, InvalidConfig
from nearhome.stats import standardise

ESP = stats.esp2013()
TWO_BANDS = pd.DataFrame({"age_band": ["0-49", "50+"], "population": [60_000, 40_000]})


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def tag(level: float) -> str:
    return "95" if level == 0.95 else "99_8"


def test_docstring_examples_run() -> None:
    assert doctest.testmod(standardise).failed == 0


def test_dsr_hand_worked_with_a_two_band_standard() -> None:
    # DSR = (20 * 60000/10000 + 30 * 40000/5000) / 100000 * 100000 = 120 + 240 = 360.
    # Variance = 20 * 6^2 + 30 * 8^2 = 2640 (per 100,000 squared); O = 50.
    # Byar(50) = 37.1076 / 65.9209; sqrt(2640 / 50) = 7.26636;
    # limits 360 - 7.26636 * 12.8924 = 266.32 and 360 + 7.26636 * 15.9209 = 475.69.
    frame = pd.DataFrame({"band": ["0-49", "50+"], "x": [20, 30], "n": [10_000, 5_000]})
    result = stats.dsr(
        frame, count="x", population="n", age_band="band", standard=TWO_BANDS
    )
    row = result.iloc[0]
    assert row["value"] == pytest.approx(360.0, rel=1e-12)
    assert row["variance"] == pytest.approx(2640.0, rel=1e-12)
    assert row["count"] == 50
    assert row["population"] == 15_000
    assert row["lower"] == pytest.approx(266.32, abs=0.01)
    assert row["upper"] == pytest.approx(475.69, abs=0.01)
    assert row["method"] == "Dobson (Byar)"


def test_dsr_non_independent_events_hand_worked() -> None:
    # Band 0-49: 10 people with 1 admission, 5 with 2 (20 events); band 50+: 10 with 1,
    # 10 with 2 (30 events). Same DSR (360) but variance sum f^2 x (w/n)^2 =
    # (10 + 4*5) * 36 + (10 + 4*10) * 64 = 1080 + 3200 = 4280.
    frame = pd.DataFrame(
        {
            "band": ["0-49", "0-49", "50+", "50+"],
            "people": [10, 5, 10, 10],
            "freq": [1, 2, 1, 2],
            "n": [10_000, 10_000, 5_000, 5_000],
        }
    )
    row = stats.dsr(
        frame,
        count="people",
        population="n",
        age_band="band",
        standard=TWO_BANDS,
        independent_events=False,
        event_frequency="freq",
    ).iloc[0]
    assert row["value"] == pytest.approx(360.0, rel=1e-12)
    assert row["count"] == 50
    assert row["population"] == 15_000  # each band's population counted once
    assert row["variance"] == pytest.approx(4280.0, rel=1e-12)
    scale = math.sqrt(4280 / 50)
    assert row["lower"] == pytest.approx(360 - scale * 12.8924, abs=0.01)
    assert row["upper"] == pytest.approx(360 + scale * 15.9209, abs=0.01)
    assert row["method"] == "Dobson (Byar), adjusted for non-independent events"


def test_non_independent_with_one_event_each_equals_independent() -> None:
    frame = esp_frame(events=[3 * (i + 1) for i in range(19)], pops=[10_000] * 19)
    plain = stats.dsr(frame, count="x", population="n", age_band="band")
    once = stats.dsr(
        frame.assign(f=1),
        count="x",
        population="n",
        age_band="band",
        independent_events=False,
        event_frequency="f",
    )
    cols = ["count", "population", "value", "lower", "upper", "variance"]
    pd.testing.assert_frame_equal(plain[cols], once[cols], rtol=1e-12)


def test_non_independent_needs_the_frequency_and_consistent_populations() -> None:
    frame = pd.DataFrame(
        {"band": ["0-4", "0-4"], "x": [5, 5], "f": [1, 2], "n": [100, 200]}
    )
    with pytest.raises(InvalidConfig, match="event_frequency"):
        stats.dsr(
            frame, count="x", population="n", age_band="band", independent_events=False
        )
    with pytest.raises(DataError, match="different populations"):
        stats.dsr(
            frame,
            count="x",
            population="n",
            age_band="band",
            independent_events=False,
            event_frequency="f",
        )


def esp_frame(events: list[int], pops: list[int], group: object = "A") -> pd.DataFrame:
    return pd.DataFrame({"g": group, "band": ESP["age_band"], "x": events, "n": pops})


def test_dsr_suppressed_below_ten_events_and_shown_from_ten() -> None:
    nine = [0] * 19
    nine[5] = 9
    ten = [0] * 19
    ten[5] = 10
    frame = pd.concat(
        [esp_frame(nine, [1000] * 19, "nine"), esp_frame(ten, [1000] * 19, "ten"),
         esp_frame([0] * 19, [1000] * 19, "zero")]
    )  # fmt: skip
    result = stats.dsr(frame, count="x", population="n", age_band="band", by="g")
    result = result.set_index("g")
    for name in ("nine", "zero"):
        assert result.loc[[name], ["value", "lower"]].isna().all(axis=None)
        assert result.loc[name, "suppressed_reason"] == (
            "total count under 10: a DSR is not reliable (PHE rule)"
        )
    assert result.loc["nine", "count"] == 9
    # 10 events in 25-29 (w = 6000, n = 1000): DSR = 10 * 6 / 100000 * 100000 = 60.
    assert result.loc["ten", "value"] == pytest.approx(60.0)
    assert result.loc["ten", "suppressed_reason"] is None


def test_zero_population_band_is_harmless_without_events_and_suppressed_with() -> None:
    pops = [1000] * 19
    pops[0] = 0
    quiet = [20] * 19
    quiet[0] = 0
    loud = [20] * 19
    frame = pd.concat([esp_frame(quiet, pops, "quiet"), esp_frame(loud, pops, "loud")])
    result = stats.dsr(frame, count="x", population="n", age_band="band", by="g")
    result = result.set_index("g")
    assert result.loc["quiet", "suppressed_reason"] is None
    # 20 events per 1000 in every populated band; band 0-4 adds nothing: 2000 * 95000/1e5.
    assert result.loc["quiet", "value"] == pytest.approx(1900.0)
    assert result.loc[["loud"], "value"].isna().all()
    assert result.loc["loud", "suppressed_reason"] == (
        "population is zero in an age band that has events"
    )


def test_repeated_band_in_a_group_is_refused() -> None:
    frame = esp_frame([5] * 19, [1000] * 19)
    with pytest.raises(DataError, match="more than one row"):
        stats.dsr(pd.concat([frame, frame]), count="x", population="n", age_band="band")


def test_missing_columns_are_named() -> None:
    with pytest.raises(DataError, match="'pop'"):
        stats.dsr(
            esp_frame([1] * 19, [1] * 19), count="x", population="pop", age_band="band"
        )


band_counts = st.lists(
    st.integers(min_value=0, max_value=400), min_size=19, max_size=19
)
band_pops = st.lists(
    st.integers(min_value=1, max_value=200_000), min_size=19, max_size=19
)


@given(
    groups=st.lists(st.tuples(band_counts, band_pops), min_size=1, max_size=4),
    level=st.sampled_from((0.95, 0.998)),
)
@settings(max_examples=60, deadline=None)
def test_dsr_matches_phstatsmethods(
    groups: list[tuple[list[int], list[int]]], level: float
) -> None:
    frame = pd.concat([esp_frame(x, n, g) for g, (x, n) in enumerate(groups)])
    frame["esp"] = np.tile(ESP["population"].to_numpy(), len(groups))
    ours = stats.dsr(
        frame, count="x", population="n", age_band="band", by="g", confidence=level
    )
    theirs = PHS.ph_dsr(
        frame.reset_index(drop=True),
        "x",
        "n",
        "esp",
        group_cols="g",
        euro_standard_pops=False,
        confidence=level,
    )
    for (_, a), (_, b) in zip(ours.iterrows(), theirs.iterrows(), strict=True):
        assert a["count"] == b["Total Count"]
        assert a["population"] == b["Total Pop"]
        if b["Total Count"] < 10:
            assert (
                np.isnan(a["value"]) and np.isnan(a["lower"]) and np.isnan(a["upper"])
            )
            continue
        assert close(a["value"], b["Value"])
        assert close(a["lower"], b[f"lower_{tag(level)}_ci"])
        assert close(a["upper"], b[f"upper_{tag(level)}_ci"])


@given(
    events=band_counts,
    scale=st.integers(min_value=1, max_value=50),
    multiplier=st.sampled_from((1_000, 100_000)),
)
@settings(max_examples=60, deadline=None)
def test_population_shaped_like_the_standard_gives_the_crude_rate(
    events: list[int], scale: int, multiplier: int
) -> None:
    pops = (ESP["population"] * scale).tolist()
    frame = esp_frame(events, pops)
    row = stats.dsr(
        frame, count="x", population="n", age_band="band", multiplier=multiplier
    )
    crude = stats.rate(sum(events), sum(pops), multiplier=multiplier)
    if sum(events) < 10:
        assert np.isnan(row["value"].iloc[0])
    else:
        assert math.isclose(row["value"].iloc[0], crude["value"].iloc[0], rel_tol=1e-12)


@given(groups=st.lists(st.tuples(band_counts, band_pops), min_size=1, max_size=3))
@settings(max_examples=40, deadline=None)
def test_dsr_limits_bracket_the_value(
    groups: list[tuple[list[int], list[int]]],
) -> None:
    frame = pd.concat([esp_frame(x, n, g) for g, (x, n) in enumerate(groups)])
    result = stats.dsr(
        frame,
        count="x",
        population="n",
        age_band="band",
        by="g",
        confidence=(0.95, 0.998),
    ).dropna(subset=["value"])
    assert (result["lower"] <= result["value"]).all()
    assert (result["value"] <= result["upper"]).all()


def isr_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["a", "a", "b", "b", "c", "c"],
            "band": ["18-64", "65+"] * 3,
            "obs": [30, 20, 4, 3, 0, 0],
            "pop": [1000, 200, 500, 100, 400, 0],
            "ref_obs": [200, 150] * 3,
            "ref_pop": [10_000, 1000] * 3,
        }
    )


def test_isr_ratio_and_rate_hand_worked() -> None:
    # Area b: expected = 0.02 * 500 + 0.15 * 100 = 25; observed 7 (exact method).
    kwargs: dict[str, Any] = {
        "count": "obs",
        "population": "pop",
        "reference_count": "ref_obs",
        "reference_population": "ref_pop",
        "by": "area",
    }
    ratio = stats.isr(isr_frame(), **kwargs).set_index("area")
    assert ratio.loc["b", "expected"] == pytest.approx(25.0)
    assert ratio.loc["b", "value"] == pytest.approx(7 / 25)
    assert ratio.loc["b", "method"] == "exact (chi-square)"
    assert ratio.loc["a", "method"] == "Byar"
    # Area c: 0 observed, expected 0.02 * 400 = 8: ratio 0 with an exact upper limit.
    assert ratio.loc["c", "value"] == 0.0
    assert ratio.loc["c", "lower"] == 0.0
    assert ratio.loc["c", "upper"] == pytest.approx(-math.log(0.025) / 8)
    rate = stats.isr(isr_frame(), statistic="rate", **kwargs).set_index("area")
    # Reference crude rate = 350 / 11000 per 100,000.
    assert rate.loc["b", "value"] == pytest.approx(7 / 25 * 350 / 11_000 * 100_000)
    assert rate.loc["b", "multiplier"] == 100_000


def test_isr_zero_expected_is_suppressed() -> None:
    frame = isr_frame()
    frame["pop"] = 0
    result = stats.isr(
        frame,
        count="obs",
        population="pop",
        reference_count="ref_obs",
        reference_population="ref_pop",
        by="area",
    )
    assert result["value"].isna().all()
    assert (result["suppressed_reason"] == (
        "expected count is zero: no reference events or no population"
    )).all()  # fmt: skip


@given(
    obs=st.lists(st.integers(min_value=1, max_value=500), min_size=3, max_size=3),
    pops=st.lists(st.integers(min_value=1, max_value=100_000), min_size=3, max_size=3),
    refs=st.lists(st.integers(min_value=1, max_value=5_000), min_size=3, max_size=3),
    level=st.sampled_from((0.95, 0.998)),
)
@settings(max_examples=60, deadline=None)
def test_isr_matches_phstatsmethods(
    obs: list[int], pops: list[int], refs: list[int], level: float
) -> None:
    frame = pd.DataFrame(
        {"band": ["a", "b", "c"], "x": obs, "n": pops, "rx": refs, "rn": [50_000] * 3}
    )
    kwargs: dict[str, Any] = {"count": "x", "population": "n", "reference_count": "rx",
              "reference_population": "rn", "confidence": level}  # fmt: skip
    ours_ratio = stats.isr(frame, **kwargs).iloc[0]
    ours_rate = stats.isr(frame, statistic="rate", **kwargs).iloc[0]
    theirs_ratio = PHS.ph_ISRatio(frame, "x", "n", "rx", "rn", confidence=level).iloc[0]
    theirs_rate = PHS.ph_ISRate(frame, "x", "n", "rx", "rn", confidence=level).iloc[0]
    for ours, theirs in ((ours_ratio, theirs_ratio), (ours_rate, theirs_rate)):
        assert close(ours["observed"], theirs["Observed"])
        assert close(ours["expected"], theirs["Expected"])
        assert close(ours["value"], theirs["Value"])
        assert close(ours["lower"], theirs[f"lower_{tag(level)}_ci"])
        assert close(ours["upper"], theirs[f"upper_{tag(level)}_ci"])


def test_isr_rejects_an_unknown_statistic() -> None:
    with pytest.raises(InvalidConfig, match="statistic"):
        stats.isr(
            isr_frame(),
            count="obs",
            population="pop",
            reference_count="ref_obs",
            reference_population="ref_pop",
            statistic="odds",  # type: ignore[arg-type]
        )
