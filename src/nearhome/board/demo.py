"""Synthetic warehouse tables for the board: demos, tests and the benchmark.

``demo_frames`` builds the canonical tables the census reads (provider, site, ward, person,
referral, spell, ward_stay, mha_period, crfd_period) for a home trust, a neighbouring trust
and an independent provider, with current inpatients spread over wards of 18 beds. Every
value is made up from a seeded generator: synthetic people have ids, never names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from argon2 import PasswordHasher
from sqlalchemy import select

from nearhome.appdb import BoardDatabase, User
from nearhome.appdb.accounts import NewUser, create_user
from nearhome.board.queries import fetch_census_overview
from nearhome.data.warehouse import Warehouse

HOME_ICB = "QNH"
OTHER_ICB = "QZZ"
HOME_TRUST = "RNH"
BEDS_PER_WARD = 20
PATIENTS_PER_WARD = 18

_PROVIDERS = (
    (HOME_TRUST, "Nearhome Mental Health NHS Trust", "NHS", HOME_ICB),
    ("RFA", "Faraway Partnership NHS Trust", "NHS", OTHER_ICB),
    ("NIP", "Independent Care Hospitals", "Independent", OTHER_ICB),
)
_SITE_NAMES = {
    "RNHS1": "Riverside Hospital",
    "RNHS2": "Hillcrest Unit",
    "RNHS3": "Meadow Lodge",
    "RFAS1": "Faraway General Hospital",
    "NIPS1": "Oakfield Independent Hospital",
}
_BED_TYPES = ("200", "200", "200", "201", "202", "212")
_LEGAL = (
    ("01", "informal"),
    ("02", "detention"),
    ("03", "detention"),
    ("37", "detention"),
)
_DATE = pd.ArrowDtype(pa.date32())
_TEXT = pd.ArrowDtype(pa.string())
_FLOAT = pd.ArrowDtype(pa.float64())
_BOOL = pd.ArrowDtype(pa.bool_())


@dataclass(frozen=True)
class DemoWard:
    """One synthetic ward: its code, trust and bed type."""

    ward_code: str
    site_code: str
    provider_code: str
    bed_type_code: str


def demo_wards(n_inpatients: int) -> list[DemoWard]:
    """Enough wards for ``n_inpatients``: most in the home trust, two away."""
    n_home = max(4, math.ceil(n_inpatients * 0.9 / PATIENTS_PER_WARD))
    wards = [
        DemoWard(
            f"W{i + 1:02d}", f"{HOME_TRUST}S{i % 3 + 1}", HOME_TRUST, _BED_TYPES[i % 6]
        )
        for i in range(n_home)
    ]
    wards.append(DemoWard("FA1", "RFAS1", "RFA", "200"))
    wards.append(DemoWard("IP1", "NIPS1", "NIP", "200"))
    return wards


def demo_frames(
    n_inpatients: int = 120, *, today: date, seed: int = 7
) -> dict[str, pd.DataFrame]:
    """Canonical tables with ``n_inpatients`` current inpatients (and some discharged spells)."""
    rng = np.random.default_rng(seed)
    wards = demo_wards(n_inpatients)
    people = _people(rng, n_inpatients + n_inpatients // 4, today)
    spells, stays, referrals = _spells(rng, wards, people, n_inpatients, today)
    return {
        "provider": _typed(
            [
                {"provider_code": p[0], "provider_name": p[1], "provider_type": p[2]}
                for p in _PROVIDERS
            ]
        ),
        "site": _typed(_sites(wards)),
        "ward": _typed(_ward_rows(wards)),
        "person": _typed(people),
        "referral": _typed(referrals),
        "spell": _typed(spells),
        "ward_stay": _typed(stays),
        "mha_period": _typed(_mha(rng, spells)),
        "crfd_period": _typed(_crfd(rng, spells, today)),
    }


def _people(rng: np.random.Generator, n: int, today: date) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        age = int(rng.integers(18, 90))
        rows.append(
            {
                "person_id": f"P{i + 1:06d}",
                "local_patient_id": f"LP{100000 + i}",
                "birth_date": today
                - timedelta(days=age * 365 + int(rng.integers(0, 365))),
                "gender_code": str(rng.choice(["1", "2", "3"], p=[0.5, 0.48, 0.02])),
                "icb_code": HOME_ICB if rng.random() < 0.9 else OTHER_ICB,
                "sub_icb_code": "QNH01",
            }
        )
    return rows


def _spells(
    rng: np.random.Generator,
    wards: Sequence[DemoWard],
    people: Sequence[dict[str, Any]],
    n_current: int,
    today: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    spells: list[dict[str, Any]] = []
    stays: list[dict[str, Any]] = []
    referrals: list[dict[str, Any]] = []
    home = [w for w in wards if w.provider_code == HOME_TRUST]
    away = [w for w in wards if w.provider_code != HOME_TRUST]
    for i, person in enumerate(people):
        current = i < n_current
        ward = away[i % len(away)] if i % 12 == 11 else home[i % len(home)]
        admitted = today - timedelta(
            days=int(rng.gamma(1.6, 30)) + (0 if current else 120)
        )
        discharged = (
            None if current else admitted + timedelta(days=int(rng.integers(3, 90)))
        )
        oap_reason = _oap_reason(rng, ward)
        spell_id, referral_id = f"S{i + 1:06d}", f"R{i + 1:06d}"
        referrals.append(
            {
                "referral_id": referral_id,
                "person_id": person["person_id"],
                "provider_code": ward.provider_code,
                "referring_org_code": HOME_TRUST,
                "received_date": admitted,
                "closed_date": discharged,
                "oap_reason_code": oap_reason,
                "is_oap": oap_reason is not None,
                "is_inappropriate_oap": oap_reason == "10",
            }
        )
        spells.append(
            _spell_row(
                rng,
                i,
                person,
                ward,
                admitted,
                discharged,
                oap_reason,
                today,
            )
        )
        stays.extend(
            _stay_rows(rng, spell_id, person, ward, home, admitted, discharged)
        )
    return spells, stays, referrals


def _oap_reason(rng: np.random.Generator, ward: DemoWard) -> str | None:
    if ward.provider_code == HOME_TRUST:
        return None
    return str(rng.choice(["10", "10", "11", "14"]))


def _spell_row(
    rng: np.random.Generator,
    index: int,
    person: dict[str, Any],
    ward: DemoWard,
    admitted: date,
    discharged: date | None,
    oap_reason: str | None,
    today: date,
) -> dict[str, Any]:
    spell_id, referral_id = f"S{index + 1:06d}", f"R{index + 1:06d}"
    has_edd = rng.random() < 0.6
    edd = admitted + timedelta(days=int(rng.integers(14, 90))) if has_edd else None
    if discharged is None and edd is not None and edd < today:
        edd = today + timedelta(days=int(rng.integers(0, 21)))
    return {
        "spell_id": spell_id,
        "person_id": person["person_id"],
        "referral_id": referral_id,
        "provider_code": ward.provider_code,
        "admission_date": admitted,
        "discharge_date": discharged,
        "estimated_discharge_date": edd,
        "los_days": None if discharged is None else float((discharged - admitted).days),
        "is_oap": oap_reason is not None,
        "is_inappropriate_oap": oap_reason == "10",
        "oap_reason_code": oap_reason,
        "sending_provider_code": HOME_TRUST if oap_reason else None,
        "first_bed_type_code": ward.bed_type_code,
        "last_bed_type_code": ward.bed_type_code,
    }


def _stay_rows(
    rng: np.random.Generator,
    spell_id: str,
    person: dict[str, Any],
    ward: DemoWard,
    home: Sequence[DemoWard],
    admitted: date,
    discharged: date | None,
) -> list[dict[str, Any]]:
    distance = (
        float(round(rng.uniform(60, 240), 1))
        if ward.provider_code != HOME_TRUST
        else float(round(rng.uniform(1, 30), 1))
    )
    base = {
        "spell_id": spell_id,
        "person_id": person["person_id"],
        "distance_home_km": distance,
    }
    moved = (
        discharged is None and ward.provider_code == HOME_TRUST and rng.random() < 0.2
    )
    if not moved:
        return [_stay(base, f"{spell_id}-1", ward, admitted, discharged)]
    first = home[int(rng.integers(0, len(home)))]
    moved_on = admitted + timedelta(days=1)
    return [
        _stay(base, f"{spell_id}-1", first, admitted, moved_on),
        _stay(base, f"{spell_id}-2", ward, moved_on, None),
    ]


def _stay(
    base: dict[str, Any], stay_id: str, ward: DemoWard, start: date, end: date | None
) -> dict[str, Any]:
    return {
        **base,
        "ward_stay_id": stay_id,
        "provider_code": ward.provider_code,
        "ward_code": ward.ward_code,
        "site_code": ward.site_code,
        "start_date": start,
        "end_date": end,
        "bed_type_code": ward.bed_type_code,
    }


def _mha(
    rng: np.random.Generator, spells: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    rows = []
    for spell in spells:
        code, group = _LEGAL[int(rng.integers(0, len(_LEGAL)))]
        rows.append(
            {
                "mha_id": f"M{spell['spell_id'][1:]}",
                "person_id": spell["person_id"],
                "provider_code": spell["provider_code"],
                "legal_status_code": code,
                "legal_status_group": group,
                "start_date": spell["admission_date"],
                "expiry_date": None,
                "end_date": spell["discharge_date"],
            }
        )
    return rows


def _crfd(
    rng: np.random.Generator, spells: Sequence[dict[str, Any]], today: date
) -> list[dict[str, Any]]:
    rows = []
    for spell in spells:
        if spell["discharge_date"] is not None or rng.random() > 0.15:
            continue
        stay = (today - spell["admission_date"]).days
        start = today - timedelta(days=int(rng.integers(0, max(1, stay))))
        reason = str(rng.choice(["14", "18", "07", "09", "35"]))
        rows.append(
            {
                "crfd_id": f"C{spell['spell_id'][1:]}",
                "spell_id": spell["spell_id"],
                "person_id": spell["person_id"],
                "provider_code": spell["provider_code"],
                "start_date": start,
                "end_date": None,
                "reason_code": reason,
                "reason_source_code": reason,
                "reason_group": None,
                "attributable_to_code": "05",
                "responsible_la_code": None,
                "source_table": "MHS518",
            }
        )
    return rows


def _sites(wards: Sequence[DemoWard]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    icb = {p[0]: p[3] for p in _PROVIDERS}
    for ward in wards:
        seen.setdefault(
            ward.site_code,
            {
                "site_code": ward.site_code,
                "provider_code": ward.provider_code,
                "site_name": _SITE_NAMES.get(
                    ward.site_code, f"{ward.site_code} Hospital"
                ),
                "icb_code": icb[ward.provider_code],
            },
        )
    return list(seen.values())


def _ward_rows(wards: Sequence[DemoWard]) -> list[dict[str, Any]]:
    return [
        {
            "ward_code": w.ward_code,
            "site_code": w.site_code,
            "provider_code": w.provider_code,
            "bed_type_code": w.bed_type_code,
            "beds": BEDS_PER_WARD,
            "valid_from": date(2020, 1, 1),
            "valid_to": None,
        }
        for w in wards
    ]


def _typed(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """A frame whose columns keep their types even when every value is missing."""
    frame = pd.DataFrame(list(rows))
    out = {}
    for column in frame.columns:
        out[column] = frame[column].astype(_dtype(column))
    return pd.DataFrame(out)


def _dtype(column: str) -> Any:
    if column.endswith("_date") or column in {"valid_from", "valid_to"}:
        return _DATE
    if column.startswith("is_"):
        return _BOOL
    if column in {"los_days", "distance_home_km"}:
        return _FLOAT
    if column == "beds":
        return pd.ArrowDtype(pa.int64())
    return _TEXT


@dataclass(frozen=True)
class DemoAccount:
    """A demo user created by :func:`seed_demo_users`."""

    username: str
    role: str
    scope: str


def seed_demo_users(
    database: BoardDatabase,
    warehouse: Warehouse,
    *,
    password: str,
    today: date,
    hasher: PasswordHasher | None = None,
) -> list[DemoAccount]:
    """One account per role, scoped to the wards, trust and ICB with most inpatients today.

    Existing accounts with the same usernames are left alone, so this can be run again.
    """
    overview = fetch_census_overview(warehouse, today=today)
    overview = overview[overview["ward_code"].notna()]
    trust = _top(overview, "provider_code")
    icb = _top(overview, "person_icb_code")
    wards = tuple(
        str(w)
        for w in overview[overview["provider_code"] == trust]["ward_code"].head(2)
    )
    plans = (
        NewUser("ward", "ward_staff", "Ward team (demo)", wards=wards),
        NewUser("flow", "flow_manager", "Flow manager (demo)", provider_code=trust),
        NewUser(
            "casemanager", "icb_case_manager", "ICB case manager (demo)", icb_code=icb
        ),
        NewUser("analyst", "analyst", "Analyst (demo)", icb_code=icb),
        NewUser("admin", "admin", "Administrator (demo)"),
    )
    hasher = hasher or PasswordHasher()
    now = datetime.now(UTC)
    accounts = []
    with database.transaction() as session:
        for plan in plans:
            exists = session.scalar(
                select(User.id).where(User.username == plan.username)
            )
            if exists is None:
                create_user(session, hasher, plan, password=password, now=now)
            scope = ", ".join(plan.wards) or plan.provider_code or plan.icb_code or "-"
            accounts.append(DemoAccount(plan.username, plan.role, scope))
    return accounts


def _top(frame: pd.DataFrame, column: str) -> str | None:
    counts = frame.groupby(column)["patients"].sum().sort_values(ascending=False)
    return None if counts.empty else str(counts.index[0])
