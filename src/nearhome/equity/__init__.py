"""Inequalities in inpatient use, from the metric catalogue with the ``stats`` methods.

For each measure and grouping: counts, denominators, crude and age-standardised rates
with limits, ratios to a reference group with a significance flag, the deprivation
gradient (SII/RII), ethnicity completeness and a funnel of providers or sub-ICBs, all
under a disclosure policy. ``equity`` sits beside ``reports`` (it reads metric frames,
as reports do) and draws its own charts.
"""

from nearhome.equity.breakdowns import BREAKDOWNS, EquityBreakdown
from nearhome.equity.measures import MEASURES, EquityMeasure
from nearhome.equity.run import EquityResult, analyse, run_equity

__all__ = [
    "BREAKDOWNS",
    "MEASURES",
    "EquityBreakdown",
    "EquityMeasure",
    "EquityResult",
    "analyse",
    "run_equity",
]
