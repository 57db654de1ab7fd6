"""The metric catalogue: one :class:`MetricSpec` per measure, registered once.

A metric is data: an id, words for people (title, definition, numerator, denominator,
caveats) and a computation for machines (an aggregation over a family's facts, or a
composite of two registered metrics or a metric and a population). Docs, the CLI and
export definition sheets are generated from this registry, so they cannot drift from
the code. Family modules register their metrics at import with :func:`register`;
:func:`catalogue` imports every family first, so callers never see a half-built
registry.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from nearhome.errors import UnknownMetric
from nearhome.metrics.measures import Composite, FactMeasure

FAMILIES: Final = (
    "activity",
    "bed_days",
    "occupancy",
    "length_of_stay",
    "out_of_area",
    "delayed_discharge",
    "detentions",
    "restrictive",
    "readmissions",
    "follow_up",
)
"""Family modules in catalogue order; each id starts with its family."""

UNITS: Final = {
    "spells": "count",
    "people": "count",
    "discharges": "count",
    "ward_stays": "count",
    "placements": "count",
    "episodes": "count",
    "detentions": "count",
    "interventions": "count",
    "incidents": "count",
    "days": "count",
    "beds": "count",
    "pct": "share",
    "per_100k": "share",
    "per_1m": "share",
    "per_1000_bed_days": "share",
    "mean_days": "share",
    "median_days": "statistic",
    "geometric_mean_days": "statistic",
    "p90_days": "statistic",
}
"""Every unit a metric may have, and whether its value is a count, a share
(numerator ÷ denominator × scale) or a statistic of a distribution."""

_REGISTRY: dict[str, MetricSpec] = {}
"""The single source of truth, filled by :func:`register` as family modules import."""


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """One registered measure: what it means and how it is computed.

    Attributes:
        id: ``<family>.<measure>``; stable, renaming is a breaking change.
        title: Short title for tables and charts.
        unit: One of :data:`UNITS`.
        definition: Plain English, shown in docs, tooltips, footnotes and exports.
        numerator: What the numerator column counts.
        denominator: What the denominator column counts (None for plain counts).
        mhsds_id: The national measure it mirrors (``MHS24``, ``OAP01a``) or None.
        family: The module that defines it (the first part of the id).
        breakdowns: Single breakdowns it supports; any two may be crossed.
        computation: How it is computed (a fact measure or a composite).
        caveats: Simplifications and differences from the national rule.
        is_local: True when the definition is local, not a national one.
        disclosive: False for figures that are not about people (beds).
        scale: Multiplier of numerator ÷ denominator for shares (100 for %).
    """

    id: str
    title: str
    unit: str
    definition: str
    numerator: str
    denominator: str | None
    mhsds_id: str | None
    family: str
    breakdowns: tuple[str, ...]
    computation: FactMeasure | Composite
    caveats: tuple[str, ...] = ()
    is_local: bool = False
    disclosive: bool = True
    scale: float = 1.0
    internal: bool = field(default=False)

    @property
    def kind(self) -> str:
        """``count``, ``share`` or ``statistic`` (how the value relates to the columns)."""
        return UNITS[self.unit]


def register(spec: MetricSpec) -> MetricSpec:
    """Add a metric to the catalogue (family modules call this at import).

    Raises:
        ValueError: the id is taken, badly formed, or the unit is unknown; these are
            programming errors in a family module, not user errors.
    """
    family, _, measure = spec.id.partition(".")
    if family != spec.family or not measure or family not in FAMILIES:
        msg = f"metric id {spec.id!r} must be '<family>.<measure>' with family {spec.family!r}"
        raise ValueError(msg)
    if spec.unit not in UNITS:
        msg = f"metric {spec.id}: unknown unit {spec.unit!r}"
        raise ValueError(msg)
    if spec.id in _REGISTRY and _REGISTRY[spec.id] != spec:
        msg = f"metric {spec.id} is registered twice"
        raise ValueError(msg)
    _REGISTRY[spec.id] = spec
    return spec


def registered(metric_id: str) -> MetricSpec:
    """A metric already registered (for family modules building composites at import).

    Raises:
        KeyError: not registered yet; the family module must import its dependency.
    """
    return _REGISTRY[metric_id]


def _load_families() -> None:
    for family in FAMILIES:
        importlib.import_module(f"nearhome.metrics.{family}")


def catalogue(*, include_internal: bool = False) -> tuple[MetricSpec, ...]:
    """Every registered metric, in family order then id order.

    Args:
        include_internal: Also return helper measures that exist only as components
            of composites (none are internal today; kept for local extensions).

    Examples:
        >>> ids = [m.id for m in catalogue()]
        >>> "bed_days.occupied" in ids
        True
    """
    _load_families()
    order = {family: i for i, family in enumerate(FAMILIES)}
    specs = sorted(_REGISTRY.values(), key=lambda m: (order[m.family], m.id))
    return tuple(m for m in specs if include_internal or not m.internal)


def get(metric_id: str) -> MetricSpec:
    """The metric with this id.

    Raises:
        UnknownMetric: no such id; the message suggests the closest ids.

    Examples:
        >>> get("bed_days.occupied").mhsds_id
        'MHS24'
    """
    _load_families()
    if metric_id in _REGISTRY:
        return _REGISTRY[metric_id]
    close = difflib.get_close_matches(metric_id, list(_REGISTRY), n=3, cutoff=0.5)
    suggestion = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UnknownMetric(
        f"No metric has the id '{metric_id}'.{suggestion}",
        hint="List them with: nearhome metrics list",
    )


def resolve(measures: str | Sequence[str]) -> tuple[MetricSpec, ...]:
    """Metrics named by ``"all"``, a comma-separated string, a family name or a list of ids.

    A family name (``out_of_area``) selects every metric of that family.

    Raises:
        UnknownMetric: a name is neither a metric id nor a family.
    """
    names = measures.split(",") if isinstance(measures, str) else list(measures)
    names = [n.strip() for n in names if n.strip()]
    if not names or names == ["all"]:
        return catalogue()
    chosen: dict[str, MetricSpec] = {}
    for name in names:
        if name in FAMILIES:
            chosen |= {m.id: m for m in catalogue() if m.family == name}
        else:
            spec = get(name)
            chosen[spec.id] = spec
    return tuple(chosen.values())
