"""Disclosure control: the named policies, secondary suppression and its promise."""

from __future__ import annotations

import datetime as dt

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from nearhome.errors import InvalidConfig
from nearhome.metrics.disclosure import POLICIES, SUPPRESSED, apply_policy, policy

DAY = dt.date(2024, 4, 1)


def frame(
    rows: list[tuple[str, str, str, float, float | None, float, str]],
    national: bool = True,
) -> pd.DataFrame:
    out = pd.DataFrame(
        rows,
        columns=[
            "measure_id",
            "breakdown",
            "level",
            "numerator",
            "denominator",
            "value",
            "unit",
        ],
    )
    out["period_start"] = DAY
    out["period_end"] = DAY
    out.attrs["nearhome"] = {"national_total": national}
    return out


def test_unknown_policy_names_the_choices() -> None:
    with pytest.raises(InvalidConfig, match="mhsds"):
        policy("strict")


def test_mhsds_counts_rounding_and_national_exemption() -> None:
    counts = frame(
        [
            ("activity.admissions", "all", "ALL", 3, None, 3, "spells"),
            ("activity.admissions", "icb", "A", 3, None, 3, "spells"),
            ("activity.admissions", "icb", "B", 0, None, 0, "spells"),
            ("activity.admissions", "icb", "C", 12, None, 12, "spells"),
            ("activity.admissions", "icb", "D", 13, None, 13, "spells"),
            ("activity.admissions", "icb", "E", 27, None, 27, "spells"),
        ]
    )
    out = apply_policy(counts, "mhsds").set_index("level")
    assert out.loc["ALL", "value"] == 3  # national: left alone
    assert out.loc["A", "value"] == SUPPRESSED  # 1-4
    assert out.loc["D", "value"] == 15  # nearest 5
    assert out.loc["E", "value"] == 25
    # A lone suppressed cell would be total - the rest: the smallest other non-zero
    # cell (C, 12) is suppressed too; the zero stays.
    assert out.loc["C", "numerator"] == SUPPRESSED
    assert out.loc["B", "value"] == 0
    assert out.attrs["nearhome"]["disclosure"]["name"] == "mhsds"


def test_scoped_totals_are_not_national() -> None:
    counts = frame(
        [("activity.admissions", "all", "ALL", 3, None, 3, "spells")], national=False
    )
    assert apply_policy(counts, "mhsds")["value"].iloc[0] == SUPPRESSED


def test_hes_suppresses_up_to_seven_and_recomputes_shares() -> None:
    shares = frame(
        [
            ("readmissions.within_14_days", "icb", "A", 7, 40, 17.5, "pct"),
            ("readmissions.within_14_days", "icb", "B", 12, 41, 12 / 41 * 100, "pct"),
            ("readmissions.within_14_days", "icb", "C", 20, 52, 20 / 52 * 100, "pct"),
        ]
    )
    out = apply_policy(shares, "hes").set_index("level")
    assert out.loc["A", "value"] == SUPPRESSED
    assert out.loc["B", "value"] == SUPPRESSED  # secondary: next smallest numerator
    assert out.loc["C", "value"] == pytest.approx(
        round(20 / 50 * 100, 1)
    )  # from rounded counts


def test_rates_follow_their_counts_and_population_is_public() -> None:
    rates = frame(
        [
            (
                "activity.admissions_per_100k",
                "icb",
                "A",
                2,
                1234,
                2 / 1234 * 1e5,
                "per_100k",
            ),
            (
                "activity.admissions_per_100k",
                "icb",
                "B",
                30,
                1234,
                30 / 1234 * 1e5,
                "per_100k",
            ),
            (
                "activity.admissions_per_100k",
                "icb",
                "C",
                40,
                1234,
                40 / 1234 * 1e5,
                "per_100k",
            ),
        ]
    )
    out = apply_policy(rates, "mhsds").set_index("level")
    assert out.loc["A", "value"] == SUPPRESSED
    assert out.loc["A", "denominator"] == 1234  # population: neither rounded nor hidden
    assert out.loc["C", "value"] == round(40 / 1234 * 1e5)


def test_statistics_follow_the_count_behind_them() -> None:
    medians = frame(
        [
            ("length_of_stay.median", "icb", "A", np.nan, 3, 20.0, "median_days"),
            ("length_of_stay.median", "icb", "B", np.nan, 30, 25.0, "median_days"),
            ("length_of_stay.median", "icb", "C", np.nan, 60, 30.5, "median_days"),
        ]
    )
    out = apply_policy(medians, "mhsds").set_index("level")
    assert out.loc["A", "value"] == SUPPRESSED
    assert out.loc["C", "value"] == 30.5


def test_capacity_is_not_suppressed() -> None:
    beds = frame([("occupancy.available_beds", "ward", "W1", 3, None, 3, "beds")])
    assert apply_policy(beds, "mhsds")["value"].iloc[0] == 3


def test_none_changes_nothing_but_records_itself() -> None:
    counts = frame([("activity.admissions", "icb", "A", 3, None, 3, "spells")])
    out = apply_policy(counts, "none")
    assert out["value"].iloc[0] == 3
    assert out.attrs["nearhome"]["disclosure"]["name"] == "none"


def test_crossed_breakdowns_are_protected_along_rows_and_columns() -> None:
    cells = {("A", "x"): 2, ("A", "y"): 40, ("B", "x"): 30, ("B", "y"): 50}
    rows = [
        ("activity.admissions", "icb;gender", f"{a};{b}", n, None, n, "spells")
        for (a, b), n in cells.items()
    ]
    out = apply_policy(frame(rows), "mhsds").set_index("level")
    hidden = {level for level, v in out["value"].items() if v == SUPPRESSED}
    for prefix in ("A;", "B;"):
        assert len({h for h in hidden if h.startswith(prefix)}) != 1
    for suffix in (";x", ";y"):
        assert len({h for h in hidden if h.endswith(suffix)}) != 1


def _recoverable(cells: list[int], published: pd.Series, total: int) -> bool:
    """Can an attacker who knows the exact total pin down a suppressed cell?

    Published counts rounded to 5 are known to +/-2 (zeros exactly); a suppressed cell
    could be anything from 0 up. A suppressed cell is recovered exactly only when every
    other cell is known exactly (all zeros) and it is the only suppressed one.
    """
    hidden = [i for i, v in enumerate(published) if v == SUPPRESSED]
    if len(hidden) != 1:
        return False
    [published.iloc[i] for i in range(len(cells)) if i not in hidden]
    return True


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=8),
    name=st.sampled_from(["mhsds", "hes"]),
)
def test_no_suppressed_cell_is_recoverable_from_the_total(
    cells: list[int], name: str
) -> None:
    rows = [
        ("activity.admissions", "icb", f"L{i}", n, None, n, "spells")
        for i, n in enumerate(cells)
    ]
    rows.append(
        ("activity.admissions", "all", "ALL", sum(cells), None, sum(cells), "spells")
    )
    out = apply_policy(frame(rows), name)
    published = out[out["breakdown"] == "icb"]["value"].reset_index(drop=True)
    assert out[out["breakdown"] == "all"]["value"].iloc[0] == sum(cells)  # national
    assert not _recoverable(cells, published, sum(cells))
    chosen = POLICIES[name]
    for original, shown in zip(cells, published, strict=True):
        if chosen.low <= original <= chosen.high:
            assert shown == SUPPRESSED
        elif shown != SUPPRESSED:
            assert abs(shown - original) <= chosen.rounding // 2
