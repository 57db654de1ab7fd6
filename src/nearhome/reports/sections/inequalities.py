"""Inequalities: rates, ratios and gradients with their intervals, and data completeness.

Rates per 100,000 residents come with exact or Byar Poisson intervals, rate ratios
against White residents with their intervals (the Patient and Carer Race Equality
Framework asks for exactly this), and the deprivation gradient with the slope (SII) and
relative (RII) indices of inequality. Intervals and indices are computed from the counts
as recorded (statistical outputs, not counts), but a group whose count is suppressed has
its rate, interval and ratio suppressed too, so nothing can be worked back. Completeness
is shown beside them because a gap in recording is itself an inequality: people whose
ethnicity is not known cannot be counted in any group.
"""

from __future__ import annotations

import math

import pandas as pd

from nearhome import stats
from nearhome.reports import charts
from nearhome.reports.model import Block, Figure, Paragraph, Section, Table
from nearhome.reports.plan import Plan
from nearhome.reports.results import Needs, Results
from nearhome.reports.sections.context import Context
from nearhome.reports.sections.display import by_level, missing
from nearhome.reports.suppression import SUPPRESSED, is_suppressed

DETENTION_RATE = "detentions.detentions_per_100k"
ADMISSION_RATE = "activity.admissions_per_100k"
RI_RATE = "restrictive.per_1000_bed_days"
LOS_MEAN = "length_of_stay.mean"
OAP_SHARE = "out_of_area.inappropriate_bed_days_pct"
PEOPLE = "bed_days.people_in_hospital_during"
BED_DAYS = "bed_days.occupied"
CRFD_DAYS = "delayed_discharge.crfd_days"
MEASURES = (
    DETENTION_RATE,
    ADMISSION_RATE,
    RI_RATE,
    LOS_MEAN,
    OAP_SHARE,
    PEOPLE,
    BED_DAYS,
    CRFD_DAYS,
)
REFERENCE = "White"
UNRECORDED = ("Not stated", "Not known", "UNKNOWN")


def needs(plan: Plan | None) -> Needs:
    """Rates by ethnic group and deprivation; completeness breakdowns."""
    del plan
    return Needs(
        year={
            DETENTION_RATE: ("ethnic_group", "imd_quintile"),
            ADMISSION_RATE: ("ethnic_group", "imd_quintile"),
            RI_RATE: ("ethnic_group",),
            LOS_MEAN: ("ethnic_group",),
            OAP_SHARE: ("ethnic_group",),
            PEOPLE: ("ethnic_group", "imd_quintile"),
            BED_DAYS: ("distance_band",),
            CRFD_DAYS: ("crfd_reason",),
        }
    )


def rate_table(
    results: Results, measure: str, breakdown: str, *, reference: str | None
) -> pd.DataFrame:
    """Per level: shown count, population, rate with interval and (optionally) ratio to the reference.

    Rows whose shown count is suppressed have every derived figure suppressed.
    """
    raw = results.rows(measure, breakdown, shown=False)
    shown = results.rows(measure, breakdown).set_index("level")
    raw = raw[raw["denominator"].notna() & (raw["denominator"] > 0)].reset_index(
        drop=True
    )
    if raw.empty:
        return pd.DataFrame()
    spec = results.specs[measure]
    rates = stats.rate(raw["numerator"], raw["denominator"], multiplier=spec.scale)
    frame = pd.DataFrame(
        {
            "level": raw["level"],
            "label": raw["level_description"],
            "count": raw["level"].map(shown["numerator"]),
            "population": raw["denominator"],
            "rate": rates["value"],
            "lower": rates["lower"],
            "upper": rates["upper"],
        }
    )
    if reference is not None and reference in set(raw["level"]):
        ratios = stats.rate_ratio(
            raw.assign(level=raw["level"].astype(str)),
            group="level",
            reference=reference,
            count="numerator",
            population="denominator",
        )
        ratios = ratios[ratios["measure"] == "ratio"].set_index("group")
        for column in ("value", "lower", "upper"):
            frame[f"ratio_{column}"] = frame["level"].map(ratios[column])
        frame.loc[
            frame["level"] == reference, ["ratio_value", "ratio_lower", "ratio_upper"]
        ] = 1.0
    hidden = frame["count"].map(is_suppressed)
    derived = [
        c
        for c in frame.columns
        if c in ("rate", "lower", "upper") or c.startswith("ratio_")
    ]
    frame[derived] = frame[derived].astype(object)
    frame.loc[hidden, derived] = SUPPRESSED
    return frame


def _rate_display(
    frame: pd.DataFrame, label: str, what: str, *, ratio: bool
) -> pd.DataFrame:
    columns = {
        "label": label,
        "count": what,
        "population": "Population",
        "rate": "Rate",
        "lower": "Lower 95%",
        "upper": "Upper 95%",
    }
    if ratio:
        columns |= {
            "ratio_value": f"Ratio to {REFERENCE}",
            "ratio_lower": "Ratio lower",
            "ratio_upper": "Ratio upper",
        }
    return frame[[c for c in columns if c in frame.columns]].rename(columns=columns)


def _rate_kinds(frame: pd.DataFrame, what: str) -> dict[str, str]:
    kinds = dict.fromkeys(frame.columns, "number")
    kinds[frame.columns[0]] = "label"
    kinds[what] = "count"
    for column in frame.columns:
        if column.startswith("Ratio"):
            kinds[column] = "ratio"
    return kinds


def _ethnicity(results: Results, measure: str, key: str, what: str) -> list[Block]:
    if not results.has(measure):
        return []
    frame = rate_table(results, measure, "ethnic_group", reference=REFERENCE)
    if frame.empty:
        return []
    frame = frame.sort_values("level").reset_index(drop=True)
    display = _rate_display(
        frame, "Ethnic group", what, ratio="ratio_value" in frame.columns
    )
    title = f"{results.title(measure)} by ethnic group"
    table = Table(
        key=key,
        title=title,
        frame=display,
        kinds=_rate_kinds(display, what),  # type: ignore[arg-type]
        decimals={
            c: (0 if c == "Population" else 2 if c.startswith("Ratio") else 1)
            for c in display.columns
        },
        note=f"Rates per {results.specs[measure].scale:,.0f} residents with 95% Poisson intervals; "
        f"ratios to {REFERENCE} residents with 95% intervals. People whose ethnicity is "
        "not known have no population and no rate.",
    )
    blocks: list[Block] = [table]
    if "ratio_value" in frame.columns:
        chart_frame = frame[frame["level"] != REFERENCE]
        svg = charts.interval_chart(
            chart_frame,
            label="label",
            value="ratio_value",
            lower="ratio_lower",
            upper="ratio_upper",
            title=f"{title}: ratio to {REFERENCE}",
            reference=1.0,
            log=True,
            decimals=2,
        )
        blocks.insert(
            0,
            Figure(
                f"{key}-ratio",
                f"{title}: ratio to {REFERENCE}",
                svg,
                caption=f"Rate ratios to {REFERENCE} residents with 95% intervals (log scale); "
                "1 means the same rate.",
            ),
        )
    return blocks


def _deprivation(results: Results) -> list[Block]:
    if not results.has(DETENTION_RATE):
        return []
    frame = rate_table(results, DETENTION_RATE, "imd_quintile", reference=None)
    frame = frame[frame["level"].astype(str).str.fullmatch(r"\d+")].copy()
    if len(frame) < 3:
        return []
    frame = (
        frame.assign(q=frame["level"].astype(int))
        .sort_values("q")
        .reset_index(drop=True)
    )
    blocks: list[Block] = []
    svg = charts.interval_chart(
        frame,
        label="label",
        value="rate",
        lower="lower",
        upper="upper",
        title="Detentions per 100,000 residents by deprivation quintile",
        decimals=1,
    )
    blocks.append(
        Figure(
            "detention-imd",
            "Detentions per 100,000 residents by deprivation quintile",
            svg,
            caption="Quintile 1 is the most deprived fifth of neighbourhoods (IMD).",
        )
    )
    display = _rate_display(frame, "IMD quintile", "Detentions", ratio=False)
    blocks.append(
        Table(
            key="detention_imd",
            title="Detention rate by deprivation quintile",
            frame=display,
            kinds=_rate_kinds(display, "Detentions"),  # type: ignore[arg-type]
            decimals={"Population": 0, "Rate": 1, "Lower 95%": 1, "Upper 95%": 1},
        )
    )
    blocks += _gradient(frame)
    return blocks


def _gradient(frame: pd.DataFrame) -> list[Block]:
    if frame["rate"].map(is_suppressed).any():
        return [
            Paragraph(
                "No index of inequality: a quintile's count is suppressed.", tone="note"
            )
        ]
    data = frame.assign(
        rate=frame["rate"].astype(float),
        lower=frame["lower"].astype(float),
        upper=frame["upper"].astype(float),
    )
    result = stats.sii(
        data,
        quantile="q",
        population="population",
        value="rate",
        lower="lower",
        upper="upper",
        value_type="rate",
        repetitions=10_000,
        seed=1,
    )
    rows = [
        {
            "Index": "Slope index of inequality (SII)"
            if r["measure"] == "sii"
            else "Relative index of inequality (RII)",
            "Value": r["value"],
            "Lower 95%": r["lower"],
            "Upper 95%": r["upper"],
        }
        for _, r in result.iterrows()
    ]
    return [
        Table(
            key="detention_gradient",
            title="Deprivation gradient in detention rates",
            frame=pd.DataFrame(rows),
            kinds={"Value": "ratio", "Lower 95%": "ratio", "Upper 95%": "ratio"},
            decimals={"Value": 2, "Lower 95%": 2, "Upper 95%": 2},
            note="SII: the modelled gap in rate per 100,000 between the most and least deprived "
            "ends of the population; RII: their ratio. Intervals by simulation (seeded).",
        )
    ]


def _share_recorded(
    results: Results, measure: str, breakdown: str, bad: tuple[str, ...]
) -> float:
    """% of the total in recorded levels, from the shown counts (``*`` counted as the
    policy's largest hidden count, so the share is never flattered and reveals nothing)."""
    rows = results.rows(measure, breakdown)
    if rows.empty:
        return math.nan
    worst = float(max(results.policy.high, 0))
    counts = rows["numerator"].map(lambda v: worst if is_suppressed(v) else float(v))
    total = float(counts.sum())
    unknown = float(
        counts[rows["level"].isin(bad) | rows["level_description"].isin(bad)].sum()
    )
    return math.nan if total == 0 else (1 - unknown / total) * 100


def _completeness(results: Results) -> Table:
    checks = (
        ("Ethnicity recorded (people in hospital)", PEOPLE, "ethnic_group", UNRECORDED),
        (
            "Home neighbourhood known, for deprivation (people in hospital)",
            PEOPLE,
            "imd_quintile",
            UNRECORDED,
        ),
        ("Distance from home known (bed days)", BED_DAYS, "distance_band", UNRECORDED),
        (
            "CRFD reason recorded, not 98 (CRFD days)",
            CRFD_DAYS,
            "crfd_reason",
            ("98", *UNRECORDED),
        ),
    )
    rows = [
        {"Item": label, "% complete": _share_recorded(results, m, b, bad)}
        for label, m, b, bad in checks
    ]
    return Table(
        key="data_completeness",
        title="Data completeness",
        frame=pd.DataFrame(rows),
        kinds={"% complete": "pct"},
        decimals={"% complete": 1},
        note="Shares of the year's people, bed days or CRFD days with the item recorded, from "
        "the counts after disclosure control (a suppressed count is taken at its largest "
        "possible value, so the share is never flattered); blank where there is no data.",
    )


def build(context: Context) -> Section:
    """The inequalities section."""
    results = context.results
    blocks: list[Block] = [*missing(results, MEASURES)]
    blocks += _ethnicity(results, DETENTION_RATE, "detention_ethnicity", "Detentions")
    blocks += _ethnicity(results, ADMISSION_RATE, "admission_ethnicity", "Admissions")
    blocks += _deprivation(results)
    other = by_level(
        results,
        [
            (LOS_MEAN, "Mean LOS (days)"),
            (RI_RATE, "Restrictive interventions per 1,000 bed days"),
            (OAP_SHARE, "Inappropriate OAP bed days (%)"),
        ],
        "ethnic_group",
        key="ethnicity_other",
        title="Length of stay, restrictive practice and "
        "out-of-area placement by ethnic group",
        label="Ethnic group",
        order="level",
    )
    if other is not None:
        blocks.append(other)
    blocks.append(_completeness(results))
    return Section("inequalities", "Inequalities", tuple(blocks), MEASURES)
