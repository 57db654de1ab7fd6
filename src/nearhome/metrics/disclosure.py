"""Statistical disclosure control: named, configurable policies applied to results.

Any output leaving direct care must hide small numbers. A policy says which counts are
replaced by ``*`` (1–4 for ``mhsds``, 1–7 for ``hes``), what the other counts are
rounded to (the nearest 5), whether national totals are exempt, and how shares are
treated. Shares (percentages, rates, means) and statistics are suppressed when a count
they are computed from is suppressed; population denominators are public and are
neither rounded nor suppressed.

Secondary suppression: a suppressed cell must not be recoverable by subtracting the
other cells from a total, so within every group of cells that add up to a total (one
measure, period and breakdown; for crossed breakdowns also each row and each column)
a lone suppressed cell is joined by the next smallest cell. The policy applied is
written to ``frame.attrs["nearhome"]["disclosure"]`` and so into every export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from nearhome.errors import InvalidConfig

SUPPRESSED: Final = "*"
POPULATION_UNITS: Final = frozenset({"per_100k", "per_1m"})
STATISTIC_UNITS: Final = frozenset({"median_days", "geometric_mean_days", "p90_days"})
SHARE_UNITS: Final = (
    frozenset({"pct", "per_1000_bed_days", "mean_days"}) | POPULATION_UNITS
)


@dataclass(frozen=True, slots=True)
class DisclosurePolicy:
    """A small-number rule.

    Attributes:
        name: Its name in requests and metadata.
        description: One line for metadata and docs.
        low: Smallest count replaced by ``*`` (0 would hide zeros too).
        high: Largest count replaced by ``*``; below ``low`` nothing is hidden.
        rounding: Other counts are rounded to the nearest multiple (1: no rounding).
        national_exempt: National (``all`` breakdown, unscoped) rows are left as they are.
        secondary: Apply secondary suppression.
        share_decimals: Round shares to this many decimals (None: leave them).
        recompute_from_rounded: Recompute shares from the rounded counts (HES rule).
    """

    name: str
    description: str
    low: int = 1
    high: int = 4
    rounding: int = 5
    national_exempt: bool = True
    secondary: bool = True
    share_decimals: int | None = 0
    recompute_from_rounded: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The policy as plain data, for metadata."""
        return asdict(self)


POLICIES: Final = {
    "mhsds": DisclosurePolicy(
        "mhsds",
        "MHSDS publications: sub-national counts 1-4 shown as *, others rounded to the "
        "nearest 5; shares suppressed when their numerator or denominator is; shares "
        "rounded to whole numbers; national figures unsuppressed",
    ),
    "hes": DisclosurePolicy(
        "hes",
        "HES/ECDS: sub-national counts 1-7 shown as *, others rounded to the nearest 5; "
        "shares computed from the rounded counts; national figures unsuppressed",
        high=7,
        share_decimals=1,
        recompute_from_rounded=True,
    ),
    "none": DisclosurePolicy(
        "none",
        "No suppression: for direct care and role-restricted analysis only",
        low=1,
        high=0,
        rounding=1,
        secondary=False,
        share_decimals=None,
    ),
}


def policy(choice: str | DisclosurePolicy) -> DisclosurePolicy:
    """The named policy (or the policy given).

    Raises:
        InvalidConfig: no policy has that name.
    """
    if isinstance(choice, DisclosurePolicy):
        return choice
    if choice in POLICIES:
        return POLICIES[choice]
    raise InvalidConfig(
        f"There is no disclosure policy called '{choice}'.",
        hint=f"Use one of: {', '.join(POLICIES)}.",
    )


def _round(values: pd.Series, step: int) -> pd.Series:
    """Round half up to the nearest ``step`` (NaN stays NaN)."""
    return np.floor(values / step + 0.5) * step if step > 1 else values


def _disclosive_ids(ids: Iterable[str]) -> dict[str, bool]:
    from nearhome.metrics.registry import get

    out = {}
    for metric_id in set(ids):
        try:
            out[metric_id] = get(metric_id).disclosive
        except (
            Exception
        ):  # an id not in the catalogue (a test frame): assume disclosive
            out[metric_id] = True
    return out


def count_columns(unit: str) -> tuple[str, ...]:
    """Columns of a row with this unit that hold counts about people or events."""
    if unit in STATISTIC_UNITS:
        return ("denominator",)
    if unit in POPULATION_UNITS:
        return ("numerator",)
    if unit in SHARE_UNITS:
        return ("numerator", "denominator")
    return ("numerator",)


def _primary(
    frame: pd.DataFrame, controlled: pd.Series, chosen: DisclosurePolicy
) -> dict[str, pd.Series]:
    flags = {}
    for column in ("numerator", "denominator"):
        counted = (
            frame["unit"].map(lambda u, c=column: c in count_columns(u)).astype(bool)
        )
        values = frame[column]
        small = (
            values.between(chosen.low, chosen.high)
            if chosen.high >= chosen.low
            else values < -1
        )
        flags[column] = controlled & counted & small.fillna(False)
    return flags


def _groups(frame: pd.DataFrame) -> list[list[str]]:
    keys = ["measure_id", "period_start", "period_end", "breakdown"]
    groupings = [keys]
    if frame["breakdown"].str.contains(";", regex=False).any():
        parts = frame["level"].str.split(";", n=1, expand=True)
        if parts.shape[1] == 2:
            frame["_row"] = parts[0]
            frame["_col"] = parts[1].fillna("")
            groupings += [[*keys, "_row"], [*keys, "_col"]]
    return groupings


def secondary(
    frame: pd.DataFrame, flags: dict[str, pd.Series], eligible: pd.Series
) -> dict[str, pd.Series]:
    """Add secondary suppressions so no group has exactly one suppressed cell.

    Within each group of cells summing to a total, a lone suppressed cell is joined by
    the smallest other non-zero cell (a zero when there is none); repeated until no
    group changes, so crossed breakdowns are protected along rows and columns.
    """
    work = frame.copy()
    groupings = _groups(work)
    out = {column: flag.copy() for column, flag in flags.items()}
    for column, flag in out.items():
        candidates = eligible & work["unit"].map(
            lambda u, c=column: c in count_columns(u)
        ).astype(bool)
        for _ in range(20):
            changed = False
            for keys in groupings:
                changed |= _protect(work, column, flag, candidates, keys)
            if not changed:
                break
    return out


def _protect(
    work: pd.DataFrame,
    column: str,
    flag: pd.Series,
    candidates: pd.Series,
    keys: Sequence[str],
) -> bool:
    changed = False
    marked = work.assign(_flag=flag, _cand=candidates)
    lone = marked.groupby(keys, dropna=False)["_flag"].transform("sum") == 1
    for _, group in marked[lone & marked["_cand"]].groupby(keys, dropna=False):
        if group["_flag"].sum() != 1:
            continue
        others = group[~group["_flag"] & group[column].notna()]
        if others.empty:
            continue
        positive = others[others[column] > 0]
        pick = (positive if not positive.empty else others)[column].idxmin()
        flag.loc[pick] = True
        changed = True
    return changed


def apply_policy(frame: pd.DataFrame, choice: str | DisclosurePolicy) -> pd.DataFrame:
    """The frame with the policy applied (counts as numbers or ``*``), and recorded.

    Numbers stay numbers; suppressed cells become the string ``*``, so the three value
    columns have object dtype after any policy but ``none``.
    """
    chosen = policy(choice)
    meta = dict(frame.attrs.get("nearhome", {}))
    meta["disclosure"] = chosen.as_dict()
    out = frame.copy()
    out.attrs["nearhome"] = meta
    if (
        chosen.high < chosen.low
        and chosen.rounding <= 1
        and chosen.share_decimals is None
    ):
        return out
    national = bool(meta.get("national_total", True))
    exempt = (out["breakdown"] == "all") & national & chosen.national_exempt
    disclosive = out["measure_id"].map(_disclosive_ids(out["measure_id"]))
    controlled = disclosive & ~exempt
    flags = _primary(out, controlled, chosen)
    if chosen.secondary:
        flags = secondary(out, flags, controlled)
    return _render(out, flags, controlled, chosen)


def _render(
    out: pd.DataFrame,
    flags: dict[str, pd.Series],
    controlled: pd.Series,
    chosen: DisclosurePolicy,
) -> pd.DataFrame:
    rounded = {}
    for column in ("numerator", "denominator"):
        counted = (
            out["unit"].map(lambda u, c=column: c in count_columns(u)).astype(bool)
        )
        values = out[column].astype("float64")
        apply = controlled & counted & values.notna()
        rounded[column] = values.where(~apply, _round(values, chosen.rounding))
    hidden = flags["numerator"] | flags["denominator"]
    value = out["value"].astype("float64")
    share = out["unit"].isin(SHARE_UNITS)
    count = ~share & ~out["unit"].isin(STATISTIC_UNITS)
    value = value.where(~(count & controlled), rounded["numerator"])
    if chosen.recompute_from_rounded:
        numbers = out[["value", "numerator", "denominator"]].astype("float64")
        ratio = numbers["value"] / (numbers["numerator"] / numbers["denominator"])
        scale = ratio.where(np.isfinite(ratio))
        recomputed = (
            rounded["numerator"]
            / rounded["denominator"].where(rounded["denominator"] != 0)
            * scale
        )
        value = value.where(~(share & controlled & recomputed.notna()), recomputed)
    if chosen.share_decimals is not None:
        value = value.where(~(share & controlled), value.round(chosen.share_decimals))
    result = out.copy()
    for column in ("numerator", "denominator"):
        result[column] = _with_marks(rounded[column], flags[column])
    result["value"] = _with_marks(value, hidden & controlled)
    return result


def _with_marks(values: pd.Series, hidden: pd.Series) -> pd.Series:
    marked = values.astype(object)
    marked[hidden.to_numpy()] = SUPPRESSED
    return marked
