"""Breakdowns: how a facts row (or a population row) maps to a level.

Each :class:`Dimension` names the columns it reads and gives a string expression for the
level code; a missing value is the level ``UNKNOWN`` so every row lands somewhere and a
breakdown always sums to its total. A level's description is either a static label
(from the code lists, applied after the query so the SQL stays small) or a name column
read alongside it (provider and site names). Code lists (age band sets, bed groupings,
labels) come from :mod:`nearhome.data.codes`, so a new band set or bed grouping in the
reference data becomes a breakdown without code changes. Two dimensions may be crossed
(``icb*ethnic_group``); their levels are joined with ``;``.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import ibis
import pandas as pd
from ibis.expr.types import StringValue, Table, Value

from nearhome.data import codes
from nearhome.errors import UnsupportedBreakdown

UNKNOWN = "UNKNOWN"
CROSS = "*"
"""Separator of crossed breakdowns in requests (``icb*ethnic_group``)."""
JOIN = ";"
"""Separator of crossed breakdowns and levels in results."""
ALIASES = {
    "england": "all",
    "total": "all",
    "ethnicity": "ethnic_group",
    "sex": "gender",
    "imd": "imd_decile",
    "subicb": "sub_icb",
    "sub-icb": "sub_icb",
}

Level = Callable[[Table], StringValue]


@dataclass(frozen=True, slots=True)
class Dimension:
    """One breakdown.

    Attributes:
        name: Its name in requests and in the ``breakdown`` column.
        title: Words for tables and docs.
        columns: Facts columns it reads (a facts table supports it when it has them).
        level: Expression for the level code (never null).
        labels: Level code → description (codes not listed describe themselves).
        label_column: A facts column holding the description (a provider's name).
    """

    name: str
    title: str
    columns: tuple[str, ...]
    level: Level
    labels: Mapping[str, str] = field(default_factory=dict)
    label_column: str | None = None

    def description(self, t: Table) -> StringValue:
        """The description read in the query (the name column, else the level)."""
        if self.label_column is not None and self.label_column in t.columns:
            return ibis.coalesce(t[self.label_column].cast("string"), self.level(t))  # type: ignore[no-any-return]
        return self.level(t)

    def describe(self, levels: pd.Series, read: pd.Series) -> pd.Series:
        """Final descriptions: static labels where known, else what the query read."""
        if not self.labels:
            return read
        return levels.map(self.labels).fillna(read)


def _text(value: Value) -> StringValue:
    return ibis.coalesce(value.cast("string"), ibis.literal(UNKNOWN))  # type: ignore[no-any-return]


def _column(name: str) -> Level:
    return lambda t: _text(t[name])


def _mapped(column: str, mapping: Mapping[str, str], other: str = UNKNOWN) -> Level:
    def level(t: Table) -> StringValue:
        mapped = (
            t[column]
            .cast("string")
            .substitute(dict(mapping), else_=ibis.literal(other))
        )
        return ibis.coalesce(mapped, ibis.literal(other))  # type: ignore[no-any-return]

    return level


def _simple(
    name: str,
    title: str,
    column: str,
    labels: Mapping[str, str] | None = None,
    label_column: str | None = None,
) -> Dimension:
    return Dimension(
        name, title, (column,), _column(column), dict(labels or {}), label_column
    )


def _code_labels(name: str) -> dict[str, str]:
    frame = codes.code_list(name)
    return {
        str(c): str(d) for c, d in zip(frame["code"], frame["description"], strict=True)
    }


def _group_labels(name: str) -> dict[str, str]:
    frame = codes.code_list(name)
    return {str(c): str(g) for c, g in zip(frame["code"], frame["group"], strict=True)}


def _age_dimension(band_set: str, bands: pd.DataFrame) -> Dimension:
    rows = list(bands.itertuples(index=False))

    def level(t: Table) -> StringValue:
        branches = []
        for row in rows:
            condition = t.age >= int(row.min_age)
            if not pd.isna(row.max_age):
                condition = condition & (t.age <= int(row.max_age))
            branches.append((condition, ibis.literal(str(row.band))))
        return ibis.cases(*branches, else_=ibis.literal(UNKNOWN))  # type: ignore[no-any-return]

    return Dimension(
        f"age_{band_set}",
        f"Age band ({band_set} set), at the period's end",
        ("age",),
        level,
    )


def _bed_dimension(grouping: str) -> Dimension:
    frame = codes.bed_groupings(grouping)
    mapping = {
        str(c): str(g)
        for c, g in zip(frame["bed_type_code"], frame["group"], strict=True)
    }
    level = _mapped("bed_type_code", mapping, other="OTHER")
    return Dimension(
        f"bed_{grouping}",
        f"Bed type grouped as {grouping} (OTHER: not in the grouping)",
        ("bed_type_code",),
        level,
    )


def _distance(column: str = "distance_home_km") -> tuple[Level, Level]:
    frame = codes.code_list("distance_band")
    rows = list(frame.itertuples(index=False))

    def band(t: Table) -> StringValue:
        km = t[column]
        branches = []
        for row in rows:
            condition = km >= int(row.min_km)
            if not pd.isna(row.max_km):
                condition = condition & (km < int(row.max_km))
            branches.append((condition, ibis.literal(str(row.band))))
        return ibis.cases(*branches, else_=ibis.literal(UNKNOWN))  # type: ignore[no-any-return]

    threshold = min(int(r.min_km) for r in rows if bool(r.is_50km_plus))

    def fifty(t: Table) -> StringValue:
        km = t[column]
        return ibis.cases(  # type: ignore[no-any-return]
            (km >= threshold, ibis.literal(f"{threshold}km_plus")),
            (km < threshold, ibis.literal(f"under_{threshold}km")),
            else_=ibis.literal(UNKNOWN),
        )

    return band, fifty


def _flag(column: str, yes: str, no: str) -> Level:
    def level(t: Table) -> StringValue:
        return ibis.cases(  # type: ignore[no-any-return]
            (t[column], ibis.literal(yes)),
            (~t[column], ibis.literal(no)),
            else_=ibis.literal(UNKNOWN),
        )

    return level


def _all() -> Dimension:
    return Dimension(
        "all",
        "All (England, or the whole scope)",
        (),
        lambda t: ibis.literal("ALL"),  # noqa: ARG005 - the builder signature takes the table
        {"ALL": "Total"},
    )


def _geography() -> list[Dimension]:
    return [
        _simple(
            "region",
            "Commissioning region of the person (GP practice, else residence)",
            "region_code",
        ),
        _simple("icb", "ICB of the person (GP practice, else residence)", "icb_code"),
        _simple(
            "sub_icb",
            "Sub-ICB of the person (GP practice, else residence)",
            "sub_icb_code",
        ),
        _simple("site_icb", "ICB where the hospital site is", "site_icb_code"),
    ]


def _demography() -> list[Dimension]:
    gender = _code_labels("gender") | {"U": "Unknown"}
    ethnic = _code_labels("ethnic_category")
    imd = codes.code_list("imd_quintile")
    deciles = {
        str(d): str(lab)
        for d, lab in zip(imd["decile"], imd["decile_label"], strict=True)
    }
    quintiles = dict(
        zip(imd["quintile"].astype(str), imd["quintile_label"].astype(str), strict=True)
    )
    status = _group_labels("ld_autism_status")
    dims = [
        _simple(
            "gender", "Gender (identity if valid, else stated)", "gender_code", gender
        ),
        _simple(
            "ethnic_group",
            "Ethnic group (5 groups, not stated, not known)",
            "ethnic_group",
        ),
        _simple(
            "ethnic_category",
            "Ethnic category (16 categories, not stated, not known)",
            "ethnic_category_code",
            ethnic,
        ),
        _simple(
            "imd_decile",
            "IMD decile of residence (1 most deprived)",
            "imd_decile",
            deciles,
        ),
        _simple(
            "imd_quintile",
            "IMD quintile of residence (1 most deprived)",
            "imd_quintile",
            quintiles,
        ),
    ]
    for name, column, title in (
        ("ld_status", "ld_status_code", "Learning disability status"),
        ("autism_status", "autism_status_code", "Autism status"),
    ):
        dims.append(
            Dimension(name, title, (column,), _mapped(column, status, other="unknown"))
        )
    bands = codes.code_list("age_band_sets")
    dims += [
        _age_dimension(str(band_set), frame)
        for band_set, frame in bands.groupby("band_set", sort=False)
        if band_set != "esp"
    ]
    return dims


def _places() -> list[Dimension]:
    bed_labels = {
        code: label
        for code, label in _code_labels("bed_type").items()
        if code.startswith(("2", "3"))
    }
    groupings = dict.fromkeys(str(g) for g in codes.bed_groupings()["grouping"])
    return [
        _simple(
            "provider",
            "Provider (receiving provider for placements)",
            "provider_code",
            label_column="provider_name",
        ),
        _simple("provider_type", "Provider type (NHS or Independent)", "provider_type"),
        _simple("site", "Hospital site", "site_code", label_column="site_name"),
        _simple("ward", "Ward", "ward_code"),
        _simple("bed_type", "Bed type (MHSDS v6)", "bed_type_code", bed_labels),
        *[_bed_dimension(g) for g in groupings],
        Dimension(
            "area",
            "Treated inside or outside the person's own ICB (local)",
            ("is_in_area",),
            _flag("is_in_area", "in_area", "out_of_area"),
            {"in_area": "In own ICB", "out_of_area": "Outside own ICB"},
        ),
    ]


def _events() -> list[Dimension]:
    band, fifty = _distance()
    crfd = _code_labels("crfd_reason")
    attributable = _code_labels("attributable_to")
    ri = _code_labels("ri_type")
    categories = {
        "A": "Detention on admission to hospital",
        "B": "Detention subsequent to admission",
        "C": "Detention following a place of safety order",
        "D": "Detention following revocation of a CTO or conditional discharge",
        "E": "Place of safety order",
        "F": "Other short-term holding order",
        "G": "Renewal",
        "H": "Transfer on section",
        "J": "5(2) subsequent to 5(4)",
        "K": "37 subsequent to 35",
        "L": "3 subsequent to 2",
        "M": "Guardianship",
        "P": "Criminal justice admission",
        "N": "Inconsistent value",
    }
    return [
        _simple(
            "legal_status_group",
            "Mental Health Act legal status group on the day",
            "legal_status_group",
        ),
        Dimension(
            "distance_band",
            "Distance from home (km bands)",
            ("distance_home_km",),
            band,
        ),
        Dimension(
            "distance_50km",
            "Distance from home, 50 km or more",
            ("distance_home_km",),
            fifty,
        ),
        _simple(
            "sending_provider", "Sending (referring) provider", "sending_provider_code"
        ),
        _simple(
            "receiving_provider",
            "Receiving provider",
            "provider_code",
            label_column="provider_name",
        ),
        _simple("crfd_reason", "CRFD delay reason (v6 codes)", "reason_code", crfd),
        _simple("crfd_reason_group", "CRFD delay reason group", "reason_group"),
        _simple(
            "crfd_attributable_to",
            "Delay attributable to",
            "attributable_to_code",
            attributable,
        ),
        _simple("ri_type", "Restrictive intervention type", "type_code", ri),
        _simple("ri_type_group", "Restrictive intervention type group", "type_group"),
        _simple(
            "ri_duration_band",
            "Restrictive intervention duration band",
            "duration_band",
        ),
        Dimension(
            "ri_injury",
            "Patient injured during the restrictive intervention",
            ("has_injury",),
            _flag("has_injury", "injury", "no_injury"),
            {"injury": "Injury", "no_injury": "No injury"},
        ),
        _simple(
            "mha_category",
            "Mental Health Act use category (MHS81 classes)",
            "mha_class",
            categories,
        ),
    ]


@functools.cache
def _registry() -> dict[str, Dimension]:
    dims = [_all(), *_geography(), *_demography(), *_places(), *_events()]
    return {d.name: d for d in dims}


def dimensions() -> Mapping[str, Dimension]:
    """Every breakdown by name (built from the code lists on first use)."""
    return dict(_registry())


def names(prefix: str) -> tuple[str, ...]:
    """Names of the dimensions starting with ``prefix`` (``age_``, ``bed_``)."""
    return tuple(n for n in _registry() if n.startswith(prefix))


def person() -> tuple[str, ...]:
    """Breakdowns by the person: geography of residence and demography."""
    fixed = (
        "region",
        "icb",
        "sub_icb",
        "gender",
        "ethnic_group",
        "ethnic_category",
        "imd_decile",
        "imd_quintile",
        "ld_status",
        "autism_status",
    )
    return fixed + names("age_")


def provider() -> tuple[str, ...]:
    """Breakdowns by the provider."""
    return ("provider", "provider_type")


def place() -> tuple[str, ...]:
    """Breakdowns by the ward: site, ward, bed type and groupings, and its ICB."""
    groupings = tuple(n for n in names("bed_") if n != "bed_type")
    return ("site", "ward", "bed_type", *groupings, "site_icb")


def parse(spec: str) -> tuple[str, ...]:
    """One breakdown request (``icb`` or ``icb*ethnic_group``) as dimension names.

    Raises:
        UnsupportedBreakdown: an unknown name, or more than two crossed.
    """
    parts = tuple(
        ALIASES.get(p.strip().lower(), p.strip().lower()) for p in spec.split(CROSS)
    )
    known = _registry()
    for part in parts:
        if part not in known:
            close = difflib.get_close_matches(part, list(known), n=3, cutoff=0.5)
            suggestion = f" Did you mean: {', '.join(close)}?" if close else ""
            raise UnsupportedBreakdown(
                f"There is no breakdown called '{part}'.{suggestion}",
                hint="See the breakdowns with: nearhome metrics show ID",
            )
    if len(parts) > 2:
        raise UnsupportedBreakdown(
            f"Breakdown '{spec}' crosses {len(parts)} dimensions; at most two may be crossed."
        )
    if len(parts) == 2 and "all" in parts:
        return tuple(p for p in parts if p != "all") or ("all",)
    return parts


def parse_many(by: str | Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """A list of breakdown requests (``"all,icb,icb*ethnicity"`` or a list)."""
    items = by.split(",") if isinstance(by, str) else list(by)
    parsed = [parse(item) for item in items if item.strip()]
    return tuple(dict.fromkeys(parsed)) or (("all",),)


def read_by(breakdown: Sequence[str]) -> frozenset[str]:
    """The facts columns a (possibly crossed) breakdown reads: its levels' columns and
    its name columns."""
    read: set[str] = set()
    for name in breakdown:
        dim = _registry()[name]
        read.update(dim.columns)
        if dim.label_column is not None:
            read.add(dim.label_column)
    return frozenset(read)


def label(breakdown: Sequence[str]) -> str:
    """The ``breakdown`` column value of a (possibly crossed) breakdown."""
    return JOIN.join(breakdown)
