"""Tidy results of a scenario run: per pool, per month, per replication, plus metadata.

Every frame is long and tidy so it can be filtered, charted or reconciled in a spreadsheet.
Shares sent out of area are pooled ratio estimates (total sent away ÷ total admissions over
all replications) with a delta-method standard error; the p10/p50/p90 columns describe how
much one plan period can differ from another by chance.

Beside the simulation sit two analytic answers for the same offered load, because which one
applies depends on the repatriation rule: Erlang B (``erlang_b_at_beds_end``,
``beds_for_target_erlang``) when people sent away stay away for their whole stay (rule
``none``), and the Poisson tail (``p_out_of_area_repatriating``,
``beds_for_target_repatriating``) when everyone away is brought back the moment a bed
frees. Bringing people back keeps the local beds full, so the second is much higher near
capacity; a simulation with repatriation on lands near it (or between the two when
``min_remaining_days`` holds some people away), not near Erlang B.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nearhome.capacity.erlang import (
    beds_for,
    beds_for_repatriating,
    erlang_b,
    out_of_area_repatriating,
)
from nearhome.capacity.goalseek import beds_at_occupancy
from nearhome.capacity.measures import RepMeasures, ratio_estimate
from nearhome.capacity.scenario import Scenario

__all__ = ["ScenarioResult"]

FloatArray = NDArray[np.float64]
DAYS_PER_YEAR = 365.25
Z95 = 1.959963984540054


def _quantiles(values: FloatArray) -> tuple[float, float, float]:
    q = np.quantile(values, [0.1, 0.5, 0.9], method="inverted_cdf")
    return float(q[0]), float(q[1]), float(q[2])


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of :func:`nearhome.capacity.run_scenario`."""

    scenario: Scenario
    scenario_hash: str
    measures: RepMeasures
    month_labels: tuple[str, ...]
    month_days: FloatArray
    available_bed_days: FloatArray  # [P, M]
    beds_start: NDArray[np.int64]
    beds_end: NDArray[np.int64]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def pool_ids(self) -> list[str]:
        """Pools in scenario order."""
        return self.scenario.pool_ids()

    @property
    def years(self) -> float:
        """Length of the measured window in years."""
        return float(self.month_days.sum()) / DAYS_PER_YEAR

    def _per_year(self, values: FloatArray) -> FloatArray:
        return np.asarray(values / self.years, dtype=np.float64)

    def offered_load(self) -> FloatArray:
        """Mean beds demand would fill with no limit: local plus out-of-area bed days per day."""
        m = self.measures
        days = float(self.month_days.sum())
        total = (m.local_bed_days.sum(axis=2) + m.oap_bed_days.sum(axis=2)).mean(axis=0)
        return np.asarray(total / days, dtype=np.float64)

    def pool_summary(self) -> pd.DataFrame:
        """One row per pool: beds, share sent out of area with its interval and spread, costs."""
        m, s = self.measures, self.scenario
        loads = self.offered_load()
        rows = []
        for p, pool in enumerate(s.pools):
            arrivals = m.arrivals[:, p].astype(np.float64)
            sent = m.sent_away[:, p].astype(np.float64)
            share, se = ratio_estimate(sent, arrivals)
            per_rep = np.divide(
                sent, arrivals, out=np.zeros_like(sent), where=arrivals > 0
            )
            one_in = np.divide(
                1.0, per_rep, out=np.full_like(per_rep, np.inf), where=per_rep > 0
            )
            occupancy = m.local_bed_days[:, p].sum(axis=1) / max(
                self.available_bed_days[p].sum(), 1e-9
            )
            oap = self._per_year(m.oap_bed_days[:, p].sum(axis=1))
            load = float(loads[p])
            beds_end = int(self.beds_end[p])
            rows.append(
                {
                    "pool": pool.id,
                    "label": pool.label or pool.id,
                    "beds_start": int(self.beds_start[p]),
                    "beds_end": beds_end,
                    "admissions_per_year": float(self._per_year(arrivals).mean()),
                    "p_out_of_area": share,
                    "p_out_of_area_se": se,
                    "p_out_of_area_lower": max(share - Z95 * se, 0.0)
                    if math.isfinite(se)
                    else math.nan,
                    "p_out_of_area_upper": share + Z95 * se
                    if math.isfinite(se)
                    else math.nan,
                    **dict(
                        zip(
                            (
                                "p_out_of_area_p10",
                                "p_out_of_area_p50",
                                "p_out_of_area_p90",
                            ),
                            _quantiles(per_rep),
                            strict=True,
                        )
                    ),
                    "one_in_n": 1.0 / share if share > 0 else math.inf,
                    **dict(
                        zip(
                            ("one_in_n_p10", "one_in_n_p50", "one_in_n_p90"),
                            _quantiles(one_in),
                            strict=True,
                        )
                    ),
                    "meets_target": bool(share <= s.target_out_of_area),
                    **dict(
                        zip(
                            ("occupancy_p10", "occupancy_p50", "occupancy_p90"),
                            _quantiles(occupancy),
                            strict=True,
                        )
                    ),
                    "occupancy_mean": float(occupancy.mean()),
                    "oap_bed_days_per_year": float(oap.mean()),
                    **dict(
                        zip(
                            (
                                "oap_bed_days_p10",
                                "oap_bed_days_p50",
                                "oap_bed_days_p90",
                            ),
                            _quantiles(oap),
                            strict=True,
                        )
                    ),
                    "oap_cost_per_year": float(oap.mean()) * s.oap_cost_per_day,
                    "blocked_bed_days_per_year": float(
                        self._per_year(m.blocked_bed_days[:, p].sum(axis=1)).mean()
                    ),
                    "repatriations_per_year": float(
                        self._per_year(m.repatriations[:, p].astype(float)).mean()
                    ),
                    "transfers_in_per_year": float(
                        self._per_year(m.transfers_in[:, p].astype(float)).mean()
                    ),
                    "share_waited": ratio_estimate(
                        m.waited[:, p].astype(float), arrivals
                    )[0],
                    "offered_load": load,
                    "erlang_b_at_beds_end": erlang_b(load, beds_end),
                    "beds_for_target_erlang": beds_for(load, s.target_out_of_area)
                    if load > 0
                    else 0,
                    "repatriation_rule": s.repatriation.rule,
                    "p_out_of_area_repatriating": out_of_area_repatriating(
                        load, beds_end
                    ),
                    "beds_for_target_repatriating": beds_for_repatriating(
                        load, s.target_out_of_area
                    ),
                    "beds_at_85pct_occupancy": beds_at_occupancy(load, 0.85),
                }
            )
        return pd.DataFrame(rows)

    def monthly(self) -> pd.DataFrame:
        """Occupancy and OAP bed days by pool and month with p10/p50/p90 (the fan chart)."""
        m, s = self.measures, self.scenario
        rows = []
        for p, pool in enumerate(s.pools):
            for k, label in enumerate(self.month_labels):
                days = float(self.month_days[k])
                available = float(self.available_bed_days[p, k])
                occ = (
                    m.local_bed_days[:, p, k] / available
                    if available > 0
                    else np.full(m.reps, np.nan)
                )
                oap = m.oap_bed_days[:, p, k]
                o10, o50, o90 = _quantiles(occ) if available > 0 else (math.nan,) * 3
                b10, b50, b90 = _quantiles(oap)
                rows.append(
                    {
                        "pool": pool.id,
                        "month": label,
                        "days": days,
                        "available_beds": available / days if days else math.nan,
                        "occupied_beds_mean": float(
                            m.local_bed_days[:, p, k].mean() / days
                        )
                        if days
                        else math.nan,
                        "occupancy_mean": float(np.mean(occ)),
                        "occupancy_p10": o10,
                        "occupancy_p50": o50,
                        "occupancy_p90": o90,
                        "oap_bed_days_mean": float(oap.mean()),
                        "oap_bed_days_p10": b10,
                        "oap_bed_days_p50": b50,
                        "oap_bed_days_p90": b90,
                        "oap_cost_mean": float(oap.mean()) * s.oap_cost_per_day,
                    }
                )
        return pd.DataFrame(rows)

    def replications(self) -> pd.DataFrame:
        """One row per replication and pool (carries ``replication`` and ``scenario_hash``)."""
        m = self.measures
        reps, pools = m.arrivals.shape
        first = int(self.metadata.get("first_replication", 0))
        frame = pd.DataFrame(
            {
                "scenario_hash": self.scenario_hash,
                "replication": np.repeat(np.arange(first, first + reps), pools),
                "pool": np.tile(self.pool_ids, reps),
                "admissions": m.arrivals.ravel(),
                "sent_out_of_area": m.sent_away.ravel(),
                "waited": m.waited.ravel(),
                "repatriations": m.repatriations.ravel(),
                "transfers_in": m.transfers_in.ravel(),
                "local_bed_days": m.local_bed_days.sum(axis=2).ravel(),
                "oap_bed_days": m.oap_bed_days.sum(axis=2).ravel(),
                "blocked_bed_days": m.blocked_bed_days.sum(axis=2).ravel(),
            }
        )
        frame["p_out_of_area"] = frame["sent_out_of_area"] / frame["admissions"].where(
            frame["admissions"] > 0
        )
        return frame

    def conservation(self) -> pd.DataFrame:
        """People at the start + admitted = discharged + still in a bed or away at the end."""
        m = self.measures
        return pd.DataFrame(
            {
                "replication": np.arange(m.reps),
                "at_start": m.people_start,
                "admitted": m.people_arrived,
                "discharged": m.people_discharged,
                "at_end": m.people_in_system,
            }
        )

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write every frame as CSV, metadata as JSON and the charts as SVG into ``out_dir``."""
        from nearhome.capacity import charts

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        summary, monthly = self.pool_summary(), self.monthly()
        for name, frame in (
            ("pools", summary),
            ("monthly", monthly),
            ("replications", self.replications()),
        ):
            path = out / f"{name}.csv"
            frame.to_csv(path, index=False, float_format="%.6g")
            written.append(path)
        meta = out / "metadata.json"
        meta.write_text(
            json.dumps(self.metadata, indent=2, sort_keys=True, default=str) + "\n",
            encoding="utf-8",
        )
        written.append(meta)
        for pool in self.pool_ids:
            path = out / f"occupancy_{pool}.svg"
            path.write_text(charts.fan_chart(monthly, pool), encoding="utf-8")
            written.append(path)
        path = out / "out_of_area.svg"
        path.write_text(charts.out_of_area_chart(summary), encoding="utf-8")
        written.append(path)
        return written
