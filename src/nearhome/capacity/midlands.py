"""Import the Midlands mental health inpatient bed model and reproduce its projection.

That model (The Strategy Unit, for NHS England Midlands) takes a 12-month aggregate
baseline (spells, bed days, bed days excluding home leave, delayed bed days) and adds a
percentage for each of ten demand factors, all 3-year totals:

* spells: ``spell_count × f`` for every factor, the social care factor included;
* bed days (and bed days excluding home leave): ``bed_days × f`` for every factor except
  social care pressures, which applies to delayed-discharge bed days instead.

Projections are the baseline plus every factor's change, summed over every row of the
baseline file. Beds are then ``round(round(bed days) ÷ occupancy ÷ 365.25)`` with 92% now
and 85% in future; the bed-policy table shows repatriation of outgoing placements (an
increase), expatriation of incoming ones (a decrease) and any shift to or from the
independent sector, in beds to one decimal. R's ``round`` rounds half to even, as Python's
does, so the figures here match that model's tables exactly.

:func:`risk_view` then puts Erlang B beside those beds: the share of admissions that would
be sent out of area if the fixed-occupancy bed number were built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nearhome.capacity.erlang import beds_for, erlang_b
from nearhome.capacity.scenario import MidlandsSpec
from nearhome.errors import InvalidScenario

__all__ = [
    "FACTORS",
    "PARAMETER_NAMES",
    "MidlandsInputs",
    "annualised_beds",
    "bed_policy",
    "midlands_projection",
    "read_midlands",
    "risk_view",
]

DAYS_PER_YEAR = 365.25

PARAMETER_NAMES = {
    "Incidence Change": "incidence_change",
    "Acuity Change": "acuity_change",
    "Social Care Pressures": "social_care_pressures",
    "Mental Health Act Changes": "mha_changes",
    "National Policy": "national_policy",
    "Service Models": "service_models",
    "Prevention Programme": "prevention_programme",
    "Admission Avoidance": "admission_avoidance",
    "Waiting List Reduction": "waiting_list_reduction",
    "Out of Area Repatriation": "ooa_repatriation",
    "Out of Area Expatriation": "ooa_expatriation",
    "Shift to Independent setting": "shift_to_independent",
}
"""The model's parameters file names (``Parameter`` column) → scenario field names."""

FACTORS = (
    "demographic_growth",
    "incidence_change",
    "acuity_change",
    "social_care_pressures",
    "mha_changes",
    "national_policy",
    "service_models",
    "prevention_programme",
    "admission_avoidance",
    "waiting_list_reduction",
)
"""Demand factors in the model's own order (its waterfall's order)."""

BASELINE_COLUMNS = (
    "residence_icb_code",
    "spell_count",
    "bed_days",
    "bed_days_exHL",
    "bed_days_delayed_days",
)
NUMERIC_COLUMNS = BASELINE_COLUMNS[1:]


@dataclass(frozen=True)
class MidlandsInputs:
    """A parameters file and a baseline file, read and checked."""

    spec: MidlandsSpec
    baseline: pd.DataFrame
    icb_code: str
    defaulted: tuple[str, ...]


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise InvalidScenario(f"The {what} file '{path}' does not exist.")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InvalidScenario(
            f"The {what} file '{path}' cannot be read as CSV: {exc}"
        ) from None


def _parameters(path: Path) -> tuple[dict[str, float], list[str], list[str]]:
    frame = _read_csv(path, "parameters")
    problems = [
        f"{path.name}: missing column '{c}'"
        for c in ("Parameter", "Value")
        if c not in frame.columns
    ]
    if problems:
        return {}, [], problems
    values: dict[str, float] = {}
    for line, (name, raw) in enumerate(
        zip(frame["Parameter"], frame["Value"], strict=True), start=2
    ):
        key = PARAMETER_NAMES.get(name.strip())
        if key is None:
            problems.append(
                f"{path.name} line {line}: unknown parameter '{name}' (known: {', '.join(PARAMETER_NAMES)})"
            )
            continue
        try:
            value = float(raw)
        except ValueError:
            problems.append(
                f"{path.name} line {line}: '{name}' has a value that is not a number: '{raw}'"
            )
            continue
        if not math.isfinite(value):
            problems.append(f"{path.name} line {line}: '{name}' must be finite")
        if key in values:
            problems.append(f"{path.name} line {line}: '{name}' is given twice")
        values[key] = value
    defaulted = [name for name, key in PARAMETER_NAMES.items() if key not in values]
    return values, defaulted, problems


def _baseline(path: Path) -> tuple[pd.DataFrame, list[str]]:
    frame = _read_csv(path, "baseline")
    problems = [
        f"{path.name}: missing column '{c}'"
        for c in BASELINE_COLUMNS
        if c not in frame.columns
    ]
    if problems:
        return frame, problems
    for column in NUMERIC_COLUMNS:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = frame.index[numbers.isna()].tolist()
        if bad:
            lines = ", ".join(str(i + 2) for i in bad[:5])
            problems.append(
                f"{path.name}: column '{column}' is not a number on line(s) {lines}"
            )
        frame[column] = numbers
    if "oap_flag" in frame.columns:
        frame["oap_flag"] = pd.to_numeric(frame["oap_flag"], errors="coerce")
    return frame, problems


def _top_icb(baseline: pd.DataFrame) -> str:
    """The model picks the residence ICB with the most spells."""
    totals = (
        baseline.groupby("residence_icb_code")["spell_count"]
        .sum()
        .sort_values(ascending=False, kind="stable")
    )
    return str(totals.index[0])


def read_midlands(
    parameters: str | Path,
    baseline: str | Path,
    *,
    demographic_growth: float = 0.0,
    current_occupancy: float = 92.0,
    future_occupancy: float = 85.0,
    icb_code: str | None = None,
) -> MidlandsInputs:
    """Read the model's ``Parameter,Value`` file and aggregate baseline, listing every problem.

    Parameters missing from the file keep the model's defaults (as its app does), and are
    named in ``defaulted``. ``demographic_growth`` is the model's manual override (%).
    """
    values, defaulted, problems = _parameters(Path(parameters))
    frame, more = _baseline(Path(baseline))
    problems += more
    if not problems and frame.empty:
        problems.append(f"{Path(baseline).name}: no rows")
    for name, value in (
        ("current occupancy", current_occupancy),
        ("future occupancy", future_occupancy),
    ):
        if not 0 < value <= 100:
            problems.append(f"{name} must be in (0, 100], got {value}")
    if problems:
        raise InvalidScenario(
            f"The Midlands model files have {len(problems)} problem(s):\n"
            + "\n".join(f"  - {p}" for p in problems),
            hint="The parameters file needs columns Parameter,Value; the baseline needs "
            + ", ".join(BASELINE_COLUMNS)
            + ".",
        )
    icb = icb_code or _top_icb(frame)
    delayed = float(frame["bed_days_delayed_days"].sum()) / max(
        float(frame["bed_days"].sum()), 1e-12
    )
    spec = MidlandsSpec(
        demographic_growth=demographic_growth,
        current_occupancy=current_occupancy,
        future_occupancy=future_occupancy,
        delayed_share_of_bed_days=min(max(delayed, 0.0), 1.0),
        **values,
    )
    return MidlandsInputs(
        spec=spec,
        baseline=_with_groups(frame, icb),
        icb_code=icb,
        defaulted=tuple(defaulted),
    )


def _with_groups(frame: pd.DataFrame, icb: str) -> pd.DataFrame:
    """The model's ``ooa_group``; rows it cannot classify are dropped, as its filter does."""
    out = frame.copy()
    flag = (
        out["oap_flag"] if "oap_flag" in out.columns else pd.Series(0, index=out.index)
    )
    home = out["residence_icb_code"] == icb
    group = np.select(
        [flag == 0, (flag == 1) & home, (flag == 1) & ~home],
        ["not_oap", "oap_outgoing", "oap_incoming"],
        default="",
    )
    out["ooa_group"] = group
    return out[out["ooa_group"] != ""].reset_index(drop=True)


def _growth(baseline: pd.DataFrame, spec: MidlandsSpec) -> pd.DataFrame:
    """Per-row factor changes (``sp_*``, ``bd_*``, ``exHL_bedday_*``) and projections."""
    rows = baseline.copy()
    for factor in FACTORS:
        pct = getattr(spec, factor) / 100.0
        rows[f"sp_{factor}"] = rows["spell_count"] * pct
        bed_base = (
            rows["bed_days_delayed_days"]
            if factor == "social_care_pressures"
            else rows["bed_days"]
        )
        exhl_base = (
            rows["bed_days_delayed_days"]
            if factor == "social_care_pressures"
            else rows["bed_days_exHL"]
        )
        rows[f"bd_{factor}"] = bed_base * pct
        rows[f"exHL_bedday_{factor}"] = exhl_base * pct
    rows["spell_proj"] = rows["spell_count"] + rows[[f"sp_{f}" for f in FACTORS]].sum(
        axis=1
    )
    rows["bed_days_proj"] = rows["bed_days"] + rows[[f"bd_{f}" for f in FACTORS]].sum(
        axis=1
    )
    rows["bed_days_exHL_proj"] = rows["bed_days_exHL"] + rows[
        [f"exHL_bedday_{f}" for f in FACTORS]
    ].sum(axis=1)
    return rows


def midlands_projection(inputs: MidlandsInputs) -> pd.DataFrame:
    """The model's deterministic projection as a long frame ``name, value`` in its order."""
    rows = _growth(inputs.baseline, inputs.spec)
    names = [
        "spell_count",
        "bed_days",
        "bed_days_exHL",
        *(f"sp_{f}" for f in FACTORS),
        *(f"bd_{f}" for f in FACTORS),
        *(f"exHL_bedday_{f}" for f in FACTORS),
        "spell_proj",
        "bed_days_proj",
        "bed_days_exHL_proj",
    ]
    return pd.DataFrame({"name": names, "value": [float(rows[n].sum()) for n in names]})


def annualised_beds(projection: pd.DataFrame, spec: MidlandsSpec) -> pd.DataFrame:
    """The model's "Occupancy rate adjusted beds" table, rounded exactly as it rounds."""
    labels = {
        "bed_days": ("Baseline", spec.current_occupancy),
        "bed_days_exHL": ("Baseline - excl home leave", spec.current_occupancy),
        "bed_days_proj": ("Projected", spec.future_occupancy),
        "bed_days_exHL_proj": ("Projected - excl home leave", spec.future_occupancy),
    }
    rows = []
    for name, value in zip(projection["name"], projection["value"], strict=True):
        if name not in labels:
            continue
        measure, occupancy = labels[name]
        bed_days = round(float(value))
        rows.append(
            {
                "measure": measure,
                "bed_days": bed_days,
                "occupancy_pct": occupancy,
                "annualised_beds": round(
                    bed_days / (occupancy / 100.0) / DAYS_PER_YEAR
                ),
            }
        )
    return pd.DataFrame(rows)


def bed_policy(
    inputs: MidlandsInputs, *, exclude_home_leave: bool = False
) -> pd.DataFrame:
    """The model's bed-policy table: projected demand and out-of-area / independent shifts.

    Bed days are unrounded; annualised beds at the future occupancy, to one decimal.
    """
    spec = inputs.spec
    rows = _growth(inputs.baseline, spec)
    proj = rows["bed_days_exHL_proj" if exclude_home_leave else "bed_days_proj"]
    group = rows["ooa_group"]
    provider = (
        rows["provider_type"]
        if "provider_type" in rows.columns
        else pd.Series("", index=rows.index)
    )
    oap = np.select(
        [group == "oap_outgoing", group == "oap_incoming"],
        [proj * spec.ooa_repatriation / 100.0, -proj * spec.ooa_expatriation / 100.0],
        default=0.0,
    )
    shift = spec.shift_to_independent / 100.0
    to_ind = np.where((shift > 0) & (provider == "NHS"), -proj * shift, 0.0)
    from_ind = np.where((shift < 0) & (provider == "Independent"), -proj * shift, 0.0)
    values = {
        "Projected demand": float(proj.sum()),
        "Out-of-area policy impact": float(np.sum(oap)),
        "Shift to independent sector": float(np.sum(to_ind)),
        "Shift from independent sector": float(np.sum(from_ind)),
    }
    return pd.DataFrame(
        {
            "measure": list(values),
            "bed_days": list(values.values()),
            "annualised_beds": [
                round(v / (spec.future_occupancy / 100.0) / DAYS_PER_YEAR, 1)
                for v in values.values()
            ],
        }
    )


def risk_view(beds_table: pd.DataFrame, target: float = 0.05) -> pd.DataFrame:
    """Erlang B beside each fixed-occupancy bed number: the share that would be sent away.

    The offered load is bed days ÷ 365.25. The model's beds treat the ICB's whole baseline
    as one pool; separate wards (by sex, type) are smaller pools and fare worse, so this
    view is the best case.
    """
    rows = []
    for measure, bed_days, annualised in zip(
        beds_table["measure"],
        beds_table["bed_days"],
        beds_table["annualised_beds"],
        strict=True,
    ):
        load = float(bed_days) / DAYS_PER_YEAR
        beds = int(annualised)
        share = erlang_b(load, beds)
        need = beds_for(load, target) if load > 0 else 0
        rows.append(
            {
                "measure": measure,
                "offered_load": load,
                "annualised_beds": beds,
                "p_out_of_area_at_annualised_beds": share,
                "one_in_n_at_annualised_beds": (1.0 / share) if share > 0 else math.inf,
                "beds_for_target": need,
                "target": target,
                "p_out_of_area_at_target_beds": erlang_b(load, need),
                "occupancy_at_target_beds": load * (1 - erlang_b(load, need)) / need
                if need
                else 0.0,
            }
        )
    return pd.DataFrame(rows)
