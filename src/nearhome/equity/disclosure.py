"""Disclosure control of the equity table, with the catalogue's named policies.

Statistics are computed from the recorded counts, then controlled as the catalogue's
own results are (:func:`nearhome.metrics.disclosure.apply_policy`, including secondary
suppression within each grouping): counts in the policy's small range become ``*``,
other counts are rounded, and exposures in bed days or spells are controlled like
counts while resident populations, which are public, are not. Every figure derived
from a hidden count is hidden with it, so nothing can be worked back:

* a group's crude rate, DSR and funnel position, when its count or exposure is hidden;
* a ratio, when the group's or the reference group's count or exposure is hidden (a
  ratio and one shown rate would give away the other rate);
* the SII and RII, when any level's count or exposure is hidden;
* the not-recorded share, when either of its counts would be hidden.

Rates and shares are rounded to the policy's decimals; ratios and indices are
statistics and keep theirs.
"""

from __future__ import annotations

import math

import pandas as pd

from nearhome.equity.breakdowns import ETHNICITY_UNRECORDED
from nearhome.metrics.disclosure import (
    SUPPRESSED,
    DisclosurePolicy,
    apply_policy,
    policy,
)

RATE_STATISTICS = frozenset({"crude_rate", "dsr", "funnel_rate", "not_recorded_pct"})
RATIO_STATISTICS = frozenset({"crude_ratio", "dsr_ratio"})
INDEX_STATISTICS = frozenset({"sii", "rii"})
HIDDEN = "disclosure control: a count behind this figure is small"


def hides(chosen: DisclosurePolicy, count: float) -> bool:
    """True when the policy shows this count as ``*``."""
    if math.isnan(count) or chosen.high < chosen.low:
        return False
    return chosen.low <= count <= chosen.high


def shown_inputs(
    inputs: pd.DataFrame, choice: str | DisclosurePolicy, *, national: bool
) -> pd.DataFrame:
    """The span totals with the policy applied (``*`` in hidden cells)."""
    frame = inputs.copy()
    frame.attrs["nearhome"] = {
        **dict(inputs.attrs.get("nearhome", {})),
        "national_total": national,
    }
    return apply_policy(frame, choice)


def control(
    table: pd.DataFrame,
    inputs: pd.DataFrame,
    choice: str | DisclosurePolicy,
    *,
    national: bool = False,
) -> pd.DataFrame:
    """The equity table as the policy allows it to be shown.

    Args:
        table: the analysis table (recorded figures).
        inputs: the span totals it was computed from (recorded figures).
        choice: the policy (``mhsds``, ``hes``, ``none``) or a policy object.
        national: True for an unscoped (England) analysis, whose ``all`` rows a
            policy may exempt.
    """
    chosen = policy(choice)
    shown = shown_inputs(inputs, chosen, national=national)
    key = ["measure_id", "breakdown", "level"]
    cells = shown.set_index(key)[["numerator", "denominator"]]
    hidden = cells.map(lambda v: isinstance(v, str) and v == SUPPRESSED)
    out = table.reset_index(drop=True)
    for column in ("value", "lower", "upper"):
        out[column] = out[column].astype(object)
    index = pd.MultiIndex.from_arrays(
        [out["metric_id"], out["breakdown"], out["level"].astype(str)]
    )
    own_count = _lookup(cells["numerator"], index)
    own_hidden = _lookup(hidden["numerator"], index).eq(True)
    exposure_hidden = _lookup(hidden["denominator"], index).eq(True)
    reference_index = pd.MultiIndex.from_arrays(
        [out["metric_id"], out["breakdown"], out["reference"].astype(str)]
    )
    reference_hidden = _lookup(hidden["numerator"], reference_index).eq(True) | _lookup(
        hidden["denominator"], reference_index
    ).eq(True)
    breakdown_hidden = (
        (hidden["numerator"] | hidden["denominator"])
        .groupby(level=["measure_id", "breakdown"])
        .any()
    )
    statistic = out["statistic"]
    is_count = statistic == "count"
    is_exposure = statistic == "denominator"
    out.loc[is_count, "value"] = own_count[is_count.to_numpy()].to_numpy()
    out.loc[is_exposure, "value"] = _lookup(cells["denominator"], index)[
        is_exposure.to_numpy()
    ].to_numpy()
    rate_hidden = statistic.isin(RATE_STATISTICS - {"not_recorded_pct"}) & (
        own_hidden | exposure_hidden
    )
    ratio_hidden = statistic.isin(RATIO_STATISTICS) & (
        own_hidden | exposure_hidden | reference_hidden
    )
    index_hidden = statistic.isin(INDEX_STATISTICS) & pd.Series(
        [
            bool(breakdown_hidden.get((m, b), False))
            for m, b in zip(out["metric_id"], out["breakdown"], strict=True)
        ],
        index=out.index,
    )
    share_hidden = (statistic == "not_recorded_pct") & _completeness_hidden(
        out, inputs, chosen
    )
    hide = (rate_hidden | ratio_hidden | index_hidden | share_hidden).to_numpy()
    out.loc[hide, ["value", "lower", "upper"]] = SUPPRESSED
    out.loc[hide, "suppressed_reason"] = HIDDEN
    out.loc[hide, "significance"] = None
    if chosen.share_decimals is not None:
        rounding = statistic.isin(RATE_STATISTICS).to_numpy() & ~hide
        decimals = chosen.share_decimals
        for column in ("value", "lower", "upper"):
            out[column] = pd.Series(
                [
                    _round(v, decimals) if flag else v
                    for v, flag in zip(out[column], rounding, strict=True)
                ],
                index=out.index,
                dtype=object,
            )
    out.attrs["nearhome"] = {"disclosure": chosen.as_dict()}
    return out


def _lookup(series: pd.Series, index: pd.MultiIndex) -> pd.Series:
    """Values of ``series`` (indexed by metric, breakdown, level) at ``index``."""
    found = series[~series.index.duplicated()].reindex(index)
    return pd.Series(found.to_numpy(), dtype=object)


def _completeness_hidden(
    out: pd.DataFrame, inputs: pd.DataFrame, chosen: DisclosurePolicy
) -> pd.Series:
    flags = pd.Series(False, index=out.index)
    rows = out["statistic"] == "not_recorded_pct"
    for i in out.index[rows]:
        metric_id = out.at[i, "metric_id"]
        chosen_rows = inputs[
            (inputs["measure_id"] == metric_id)
            & (inputs["breakdown"] == out.at[i, "breakdown"])
        ]
        counts = chosen_rows["numerator"].fillna(0.0)
        missing = float(counts[chosen_rows["level"].isin(ETHNICITY_UNRECORDED)].sum())
        flags.at[i] = hides(chosen, missing) or hides(chosen, float(counts.sum()))
    return flags


def _round(value: object, decimals: int) -> object:
    if isinstance(value, float) and math.isfinite(value):
        return round(value, decimals)
    return value
