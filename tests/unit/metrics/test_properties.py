"""Properties that must hold for any data: breakdowns add up to the total, bed days fit
in the days available, lengths of stay are never negative."""

from __future__ import annotations

import datetime as dt

import hypothesis.strategies as st
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

from nearhome.data.warehouse import from_frames
from nearhome.metrics import dimensions
from nearhome.metrics.measures import Count, Distinct, FactMeasure, Total
from nearhome.metrics.registry import catalogue
from nearhome.metrics.run import run_metrics

from .conftest import SPAN

PERSON_DIMENSIONS = set(dimensions.person())
DATE = pd.ArrowDtype(pa.date32())
START = dt.date(2024, 1, 1)


def additive_pairs() -> list[tuple[str, str]]:
    """(metric, breakdown) pairs whose levels partition what is counted."""
    pairs = []
    for spec in catalogue():
        measure = spec.computation
        if not isinstance(measure, FactMeasure) or spec.kind != "count":
            continue
        for breakdown in spec.breakdowns[1:]:
            numerator = measure.numerator
            counts_rows = isinstance(numerator, Count | Total)
            counts_people = (
                isinstance(numerator, Distinct)
                and numerator.column == "person_id"
                and breakdown in PERSON_DIMENSIONS
            )
            if counts_rows or counts_people:
                pairs.append((spec.id, breakdown))
    return pairs


PAIRS = additive_pairs()


@pytest.fixture(scope="module")
def every_breakdown(tiny_warehouse) -> pd.DataFrame:
    return run_metrics(
        tiny_warehouse, "all", period=SPAN, by=list(dimensions.dimensions())
    )


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pair=st.sampled_from(PAIRS))
def test_breakdowns_sum_to_the_total(
    every_breakdown: pd.DataFrame, pair: tuple[str, str]
) -> None:
    metric_id, breakdown = pair
    rows = every_breakdown[every_breakdown["measure_id"] == metric_id]
    total = rows[rows["breakdown"] == "all"].set_index("period_start")["value"]
    parts = rows[rows["breakdown"] == breakdown].groupby("period_start")["value"].sum()
    for period, value in total.items():
        assert parts.get(period, 0.0) == pytest.approx(value), (
            metric_id,
            breakdown,
            period,
        )


# --- generated stays ------------------------------------------------------------------

stays = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=150),  # admission, days after 1 January 2024
        st.one_of(
            st.none(), st.integers(min_value=0, max_value=120)
        ),  # length (None: open)
    ),
    min_size=1,
    max_size=6,
)
"""One spell (and ward stay) per person: a person cannot be in two beds at once."""


def warehouse_of(rows: list[tuple[int, int | None]]):
    """A warehouse holding just what bed days and LOS read, one ward stay per spell."""
    spells, ward_stays = [], []
    for i, (offset, length) in enumerate(rows):
        person = i
        admitted = START + dt.timedelta(days=offset)
        discharged = None if length is None else admitted + dt.timedelta(days=length)
        spells.append(
            {
                "spell_id": f"S{i}",
                "person_id": f"P{person}",
                "referral_id": None,
                "provider_code": "RAA",
                "admission_date": admitted,
                "discharge_date": discharged,
                "admission_method_code": "21",
                "admission_source_code": "19",
                "discharge_method_code": "1" if length is not None else None,
                "discharge_destination_code": "19" if length is not None else None,
                "estimated_discharge_date": None,
                "los_days": None if length is None else float(length),
                "is_transfer_in": False,
                "first_bed_type_code": "200",
                "last_bed_type_code": "200",
                "is_oap": False,
                "is_inappropriate_oap": False,
                "oap_reason_code": None,
                "sending_provider_code": None,
            }
        )
        ward_stays.append(
            {
                "ward_stay_id": f"W{i}",
                "spell_id": f"S{i}",
                "person_id": f"P{person}",
                "provider_code": "RAA",
                "ward_code": "W1",
                "site_code": "RAA01",
                "start_date": admitted,
                "end_date": discharged,
                "bed_type_code": "200",
                "bed_type_source_code": "200",
                "security_level_code": "0",
                "distance_home_km": 5.0,
                "is_distance_derived": False,
                "site_icb_code": "QAA",
            }
        )
    people = pd.DataFrame(
        {
            "person_id": [f"P{i}" for i in range(6)],
            "birth_date": [dt.date(1980, 1, 1)] * 6,
            "gender_code": ["1"] * 6,
            "ethnic_category_code": ["A"] * 6,
            "ethnic_group": ["White"] * 6,
            "lsoa_code": ["E1"] * 6,
            "sub_icb_code": ["01A"] * 6,
            "icb_code": ["QAA"] * 6,
            "region_code": ["Y60"] * 6,
            "imd_decile": [1] * 6,
            "imd_quintile": [1] * 6,
            "ld_status_code": [None] * 6,
            "autism_status_code": [None] * 6,
            "death_date": [None] * 6,
            "la_code": ["E06000001"] * 6,
        }
    )
    empty_dates = {
        "start_date": pd.Series([], dtype=DATE),
        "end_date": pd.Series([], dtype=DATE),
    }
    frames = {
        "spell": _dates(pd.DataFrame(spells)),
        "ward_stay": _dates(pd.DataFrame(ward_stays)),
        "person": _dates(people),
        "provider": pd.DataFrame(
            {
                "provider_code": ["RAA"],
                "provider_name": ["Trust"],
                "provider_type": ["NHS"],
            }
        ),
        "site": pd.DataFrame(
            {
                "site_code": ["RAA01"],
                "provider_code": ["RAA"],
                "site_name": ["Site"],
                "latitude": [52.0],
                "longitude": [-1.0],
                "lsoa_code": ["E1"],
                "icb_code": ["QAA"],
            }
        ),
        "leave": pd.DataFrame(
            {
                "ward_stay_id": pd.Series([], dtype="string"),
                "spell_id": pd.Series([], dtype="string"),
                "person_id": pd.Series([], dtype="string"),
                "kind": pd.Series([], dtype="string"),
                **empty_dates,
            }
        ),
        "mha_period": pd.DataFrame(
            {
                "mha_id": pd.Series([], dtype="string"),
                "person_id": pd.Series([], dtype="string"),
                "provider_code": pd.Series([], dtype="string"),
                "legal_status_code": pd.Series([], dtype="string"),
                "legal_status_group": pd.Series([], dtype="string"),
                **empty_dates,
                "expiry_date": pd.Series([], dtype=DATE),
            }
        ),
        "crfd_period": pd.DataFrame(
            {
                "crfd_id": pd.Series([], dtype="string"),
                "spell_id": pd.Series([], dtype="string"),
                "person_id": pd.Series([], dtype="string"),
                **empty_dates,
            }
        ),
    }
    return from_frames(frames)


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as dates; columns with no values typed, so every table has a schema."""
    for column in frame.columns:
        if column.endswith("_date"):
            days = [None if pd.isna(v) else v for v in frame[column]]
            frame[column] = pd.Series(days, dtype=DATE, index=frame.index)
        elif column.endswith("_days"):
            frame[column] = frame[column].astype("float64")
        elif frame[column].isna().all():
            frame[column] = frame[column].astype("string")
    return frame


@settings(max_examples=8, deadline=None)
@given(rows=stays)
def test_bed_days_fit_in_the_days_and_los_is_never_negative(
    rows: list[tuple[int, int | None]],
) -> None:
    warehouse = warehouse_of(rows)
    frame = run_metrics(
        warehouse,
        "bed_days.occupied,bed_days.people_in_hospital_during,length_of_stay.mean,length_of_stay.median,length_of_stay.in_hospital_mean",
        period="2024-01..2024-06",
    )
    wide = frame.pivot(index="period_start", columns="measure_id", values="value")
    days = (
        frame.groupby("period_start")["period_end"].first()
        - frame.groupby("period_start")["period_start"].first()
    )
    for period, row in wide.iterrows():
        capacity = (days[period].days + 1) * row["bed_days.people_in_hospital_during"]
        assert 0 <= row["bed_days.occupied"] <= capacity
    for metric in (
        "length_of_stay.mean",
        "length_of_stay.median",
        "length_of_stay.in_hospital_mean",
    ):
        assert (wide[metric].dropna() >= 0).all()
