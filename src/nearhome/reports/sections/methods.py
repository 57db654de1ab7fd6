"""Methods and definitions: generated from the metric registry, with the disclosure policy.

Every measure the report used is defined here in the registry's own words (the same text
the docs and the web app show), so the appendix cannot drift from the code that computed
the figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nearhome.metrics.disclosure import DisclosurePolicy
from nearhome.reports.model import Block, Paragraph, Section, Table
from nearhome.reports.results import Results

METHODS = (
    "Period and population. Figures are for residents of the ICB (by GP practice, else "
    "home address), wherever they were treated, over the reporting year unless a chart "
    "says otherwise. Bed days count midnights: the admission day counts, the discharge day "
    "does not.",
    "SPC. XmR charts follow NHS England's Making Data Count rules: the centre line is the "
    "mean, the process limits are the mean plus and minus 2.66 average moving ranges, and "
    "special cause is a point beyond a limit, a run of 7 on one side of the mean, a trend "
    "of 7 rising or falling, or two of three points beyond two sigma. Charts are drawn "
    "from the figures after disclosure control; a series with any suppressed month is not "
    "charted. Assurance compares the limits with the plan's target.",
    "Rates and ratios. Rates per 100,000 residents have exact Poisson intervals below 10 "
    "events and Byar's above; rate ratios have intervals on the log scale; the slope and "
    "relative indices of inequality are fitted across deprivation quintiles with simulated "
    "intervals. A group whose count is suppressed has its rate and ratio suppressed.",
    "Demand and capacity. Beds needed come from Erlang's loss formula (the share of "
    "admissions finding every bed full) beside the fixed 85% occupancy rule; with a "
    "scenario, a seeded Monte Carlo simulation of the bed pools adds the plan's bed "
    "changes, the spread across replications and the levers' waterfall. Simulated figures "
    "are model estimates, not counts of people, and are not suppressed.",
    "Community pilots are evaluated separately (nearhome evaluate) with an interrupted "
    "time series: a segmented quasi-Poisson regression with seasonality, and an SPC chart "
    "rebased at the pilot's start.",
)


def policy_words(policy: DisclosurePolicy) -> str:
    """The disclosure policy in a sentence or two, as applied to this report."""
    if policy.high < policy.low:
        return (
            f"Disclosure control: policy '{policy.name}' ({policy.description}). No figure "
            "is suppressed; this report is for direct care or role-restricted analysis only."
        )
    rounding = (
        f" and other counts are rounded to the nearest {policy.rounding}"
        if policy.rounding > 1
        else ""
    )
    return (
        f"Disclosure control: policy '{policy.name}' ({policy.description}). In this report, "
        f"counts of {policy.low} to {policy.high} people or events are shown as *{rounding}; "
        "percentages, rates and averages are suppressed when a count they are made from is; "
        "where one cell alone would be suppressed in a group that adds up to a total, the next "
        "smallest is suppressed too. Nothing is exempt: the report is about one ICB, not England."
    )


def definitions(results: Results, measures: Sequence[str]) -> Table:
    """One row per measure used: ids, title, definition, numerator, denominator, caveats."""
    rows = []
    for measure in dict.fromkeys(measures):
        spec = results.specs.get(measure)
        if spec is None:
            continue
        national = spec.mhsds_id or ("local definition" if spec.is_local else "")
        rows.append(
            {
                "Measure": f"{spec.title} ({spec.id}{'; ' + national if national else ''})",
                "Definition": spec.definition,
                "Numerator": spec.numerator,
                "Denominator": spec.denominator or "",
                "Caveats": " ".join(spec.caveats),
                "_id": spec.id,
            }
        )
    columns = ["Measure", "Definition", "Numerator", "Denominator", "Caveats", "_id"]
    frame = pd.DataFrame(rows, columns=columns).sort_values("_id").drop(columns="_id")
    return Table(
        key="definitions",
        title="Definitions of the measures used (from the metric registry)",
        frame=frame.reset_index(drop=True),
        layout="definitions",
    )


def build(results: Results, measures: Sequence[str]) -> Section:
    """The methods and definitions appendix for the measures the other sections used."""
    blocks: list[Block] = [Paragraph(policy_words(results.policy), tone="note")]
    blocks += [Paragraph(text) for text in METHODS]
    blocks.append(definitions(results, measures))
    return Section("methods", "Methods and definitions", tuple(blocks))
