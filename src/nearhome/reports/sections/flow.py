"""Flow and discharge readiness: days clinically ready for discharge (CRFD) by reason,
length of stay, and long stays.

A CRFD day is a bed day a person did not need. The reason groups say who can act:
housing, social care, community services or the hospital itself; housing is highlighted
because it is the largest reason nationally and the one the NHS cannot fix alone.
"""

from __future__ import annotations

import pandas as pd

from nearhome.data import codes
from nearhome.reports import charts
from nearhome.reports.model import Block, Figure, Paragraph, Section, Table
from nearhome.reports.plan import Plan
from nearhome.reports.results import Needs, Results
from nearhome.reports.sections.context import Context
from nearhome.reports.sections.display import by_level, missing, totals

CRFD_DAYS = "delayed_discharge.crfd_days"
CRFD_PEOPLE = "delayed_discharge.people_at_end"
CRFD_PCT = "delayed_discharge.crfd_bed_days_pct"
LOS_MEAN = "length_of_stay.mean"
LOS_MEDIAN = "length_of_stay.median"
LOS_EXCL = "length_of_stay.mean_excluding_crfd"
IN_HOSPITAL_60 = "length_of_stay.in_hospital_60_plus"
COHORTS = ("adult_acute", "older_adult_acute", "under_18")
COHORT_WORDS = {
    "adult_acute": "Adult acute, 18 to 64",
    "older_adult_acute": "Older adult acute, 65 and over",
    "under_18": "Under 18, any bed",
}
HOUSING = "housing"


def _cohort_measures() -> tuple[str, ...]:
    out = []
    for cohort in COHORTS:
        base = f"length_of_stay.{cohort}"
        out += [
            f"{base}_discharged",
            f"{base}_mean",
            f"{base}_median",
            f"{base}_60_plus",
            f"{base}_90_plus",
        ]
    return tuple(out)


MEASURES = (
    CRFD_DAYS,
    CRFD_PEOPLE,
    CRFD_PCT,
    LOS_MEAN,
    LOS_MEDIAN,
    LOS_EXCL,
    IN_HOSPITAL_60,
    *_cohort_measures(),
)


def needs(plan: Plan | None) -> Needs:
    """CRFD days by reason group, reason and responsible body; LOS by cohort."""
    del plan
    reasons = ("crfd_reason_group", "crfd_reason", "crfd_attributable_to")
    year: dict[str, tuple[str, ...]] = {
        CRFD_DAYS: reasons,
        CRFD_PEOPLE: ("crfd_reason_group",),
    }
    year |= dict.fromkeys(
        (CRFD_PCT, LOS_MEAN, LOS_MEDIAN, LOS_EXCL, IN_HOSPITAL_60, *_cohort_measures()),
        (),
    )
    return Needs(monthly=(CRFD_DAYS, LOS_MEAN), year=year)


def _housing_codes() -> tuple[str, ...]:
    frame = codes.code_list("crfd_reason")
    return tuple(str(c) for c in frame.loc[frame["group"] == HOUSING, "code"])


def _reason_groups(results: Results) -> list[Block]:
    table = by_level(
        results,
        [(CRFD_DAYS, "CRFD days"), (CRFD_PEOPLE, "People CRFD at period end")],
        "crfd_reason_group",
        key="crfd_reason_group",
        title="Days clinically ready for discharge by reason group",
        label="Reason group",
        highlight=(HOUSING,),
        note="Housing (reasons 14 to 19 and 32) is highlighted.",
    )
    if table is None:
        return []
    frame = table.frame.rename(columns={"Reason group": "label", "CRFD days": "value"})
    labels = [str(v) for v in frame["label"]]
    housing = [labels[i] for i in table.highlight]
    svg = charts.bar_chart(
        frame, title="CRFD days by reason group", unit="days", highlight=housing
    )
    figure = Figure(
        "crfd-groups",
        "CRFD days by reason group",
        svg,
        caption="Housing in orange. Bars of 1 to 4 days are suppressed and shown as *.",
        kind="count",
    )
    return [figure, table]


def _los_cohorts(results: Results) -> Table | None:
    rows = []
    for cohort in COHORTS:
        base = f"length_of_stay.{cohort}"
        values = {}
        for suffix, header in (
            ("discharged", "People discharged"),
            ("mean", "Mean LOS (days)"),
            ("median", "Median LOS (days)"),
            ("60_plus", "LOS 60+ days"),
            ("90_plus", "LOS 90+ days"),
        ):
            total = results.total(f"{base}_{suffix}")
            values[header] = total["value"] if total is not None else float("nan")
        rows.append({"Cohort": COHORT_WORDS[cohort], **values})
    if all(results.total(f"length_of_stay.{c}_discharged") is None for c in COHORTS):
        return None
    return Table(
        key="los_cohorts",
        title="Length of stay of discharges by cohort (the publication's cohorts)",
        frame=pd.DataFrame(rows),
        kinds={
            "People discharged": "count",
            "Mean LOS (days)": "number",
            "Median LOS (days)": "number",
            "LOS 60+ days": "count",
            "LOS 90+ days": "count",
        },
        decimals={"Mean LOS (days)": 1, "Median LOS (days)": 1},
        note="Long stays: people discharged after 60 or more (and 90 or more) days. Means and "
        "medians are suppressed when the number of discharges behind them is.",
    )


def _los_overall(results: Results) -> Table | None:
    return totals(
        results,
        (LOS_MEAN, LOS_MEDIAN, LOS_EXCL, CRFD_PCT, IN_HOSPITAL_60),
        key="flow_summary",
        title="Flow over the year",
        note="Mean length of stay excluding CRFD days shows how long stays would be without delays.",
    )


def build(context: Context) -> Section:
    """The flow and discharge readiness section."""
    results = context.results
    blocks: list[Block] = [*missing(results, MEASURES)]
    blocks += _reason_groups(results)
    reasons = by_level(
        results,
        [(CRFD_DAYS, "CRFD days")],
        "crfd_reason",
        key="crfd_reason",
        title="CRFD days by delay reason",
        label="Delay reason",
        highlight=_housing_codes(),
        note="Housing reasons highlighted; reason 98 means the reason was not recorded.",
    )
    attributable = by_level(
        results,
        [(CRFD_DAYS, "CRFD days")],
        "crfd_attributable_to",
        key="crfd_attributable",
        title="CRFD days by who the delay is attributable to",
        label="Attributable to",
    )
    blocks += [
        t
        for t in (reasons, attributable, _los_overall(results), _los_cohorts(results))
        if t is not None
    ]
    if not blocks:
        blocks.append(Paragraph("No flow measures are available.", tone="note"))
    return Section("flow", "Flow and discharge readiness", tuple(blocks), MEASURES)
