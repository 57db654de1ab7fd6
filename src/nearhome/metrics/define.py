"""Building :class:`MetricSpec` records: the one helper family modules call.

It fills in what follows from the computation — the family (from the id), and the
breakdowns: a facts measure supports its facts table's breakdowns; a composite supports
what both of its parts support (plus the numerator-only breakdowns it broadcasts), and
a population rate only breakdowns the population file can be cut by.
"""

from __future__ import annotations

from collections.abc import Sequence

from nearhome.metrics import dimensions
from nearhome.metrics.measures import Composite, FactMeasure, Population
from nearhome.metrics.population import supports as population_supports
from nearhome.metrics.registry import MetricSpec, register, registered


def breakdowns_of(
    computation: FactMeasure | Composite, exclude: Sequence[str] = ()
) -> tuple[str, ...]:
    """The single breakdowns a computation supports, ``all`` first."""
    if isinstance(computation, FactMeasure):
        names = computation.facts.dimensions
    else:
        numerator = registered(computation.numerator).breakdowns
        if isinstance(computation.denominator, Population):
            dims = dimensions.dimensions()
            names = tuple(n for n in numerator if population_supports([dims[n]]))
        else:
            denominator = set(registered(computation.denominator).breakdowns)
            broadcast = set(computation.broadcast)
            names = tuple(n for n in numerator if n in denominator or n in broadcast)
    ordered = ("all", *(n for n in names if n != "all"))
    return tuple(n for n in dict.fromkeys(ordered) if n not in exclude)


def metric(  # noqa: PLR0913
    metric_id: str,
    *,
    title: str,
    unit: str,
    definition: str,
    numerator: str,
    computation: FactMeasure | Composite,
    denominator: str | None = None,
    mhsds_id: str | None = None,
    caveats: Sequence[str] = (),
    is_local: bool = False,
    disclosive: bool = True,
    scale: float = 1.0,
    exclude: Sequence[str] = (),
) -> MetricSpec:
    """Build and register one metric; returns the registered spec.

    Args:
        metric_id: ``<family>.<measure>``.
        title: Short title.
        unit: A unit from :data:`nearhome.metrics.registry.UNITS`.
        definition: Plain-English definition.
        numerator: What the numerator counts.
        computation: A :class:`FactMeasure` or :class:`Composite`.
        denominator: What the denominator counts (shares and statistics).
        mhsds_id: National measure mirrored, if any.
        caveats: Simplifications and differences from the national rule.
        is_local: The definition is local, not national.
        disclosive: False for figures not about people (beds).
        scale: Multiplier for shares (100, 1,000, 100,000, 1,000,000).
        exclude: Breakdowns of the facts table that make no sense for this metric.
    """
    spec = MetricSpec(
        id=metric_id,
        title=title,
        unit=unit,
        definition=definition,
        numerator=numerator,
        denominator=denominator,
        mhsds_id=mhsds_id,
        family=metric_id.partition(".")[0],
        breakdowns=breakdowns_of(computation, exclude),
        computation=computation,
        caveats=tuple(caveats),
        is_local=is_local,
        disclosive=disclosive,
        scale=scale,
    )
    return register(spec)
