"""The capacity scenario: a typed description of bed pools, demand and levers.

A scenario is written as TOML, validated by the pydantic models below and then passed
around as a typed object (never a raw dict). Validation collects every problem and raises
one :class:`~nearhome.errors.InvalidScenario` listing them all, each with its location in
the file, so a planner fixes a file in one pass. ``nearhome capacity schema`` writes the JSON
Schema of :class:`Scenario`.

The layout of a scenario:

* plan settings: ICB, start date, years, seed, OAP target and cost per day;
* ``[[pools]]``: each bed pool (adult acute male, PICU…) with its beds, bed changes by date,
  admissions (level, trend, seasonality), length of stay and current census;
* ``[[transfers]]``: movements between pools (acute → PICU and back, acute → rehabilitation);
* ``[repatriation]``: what happens when a local bed frees while residents are out of area;
* ``[levers]``: the changes a plan makes, each neutral by default;
* ``[midlands]``: the Midlands bed model's parameters, for its deterministic view (and,
  if asked, applied to the simulation);
* ``[[population]]``: projections by year, age band and sex for demographic growth.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nearhome.errors import InvalidScenario

__all__ = [
    "CRFD_GROUPS",
    "AdmissionsSpec",
    "AvoidanceSpec",
    "BedChange",
    "CensusSpec",
    "Levers",
    "LosSpec",
    "MidlandsSpec",
    "PoolSpec",
    "PopulationRow",
    "RepatriationSpec",
    "Scenario",
    "TransferSpec",
    "load_scenario",
    "parse_scenario",
    "sample_scenario",
    "scenario_hash",
    "scenario_json_schema",
]

CRFD_GROUPS = ("housing", "social_care", "community", "hospital", "not_known")
"""Reason groups of clinically-ready-for-discharge days (``crfd_period.reason_group``)."""

PoolId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Pct = Annotated[float, Field(ge=-100.0, le=100.0)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AdmissionsSpec(_Model):
    """Admissions to a pool: level, trend and seasonality (a log-linear rate)."""

    per_day: float = Field(
        ge=0.0, description="Mean admissions a day in the first plan year."
    )
    trend_pct_per_year: float = Field(
        0.0, ge=-50.0, le=100.0, description="Underlying growth in the rate, % a year."
    )
    annual_cos: list[float] = Field(
        default_factory=list,
        description="Log-rate Fourier cosine terms k=1..K over the year (from the GLM).",
    )
    annual_sin: list[float] = Field(
        default_factory=list,
        description="Log-rate Fourier sine terms, same length as cosines.",
    )
    weekday_factors: list[float] = Field(
        default_factory=lambda: [1.0] * 7,
        min_length=7,
        max_length=7,
        description="Relative rate Monday..Sunday (rescaled to mean 1).",
    )
    monthly_rate_cv: float = Field(
        0.0,
        ge=0.0,
        le=2.0,
        description="Extra-Poisson variation: coefficient of variation of a monthly rate multiplier.",
    )
    when_full: Literal["out_of_area", "wait"] = Field(
        "out_of_area",
        description="What happens to an admission that finds every bed full.",
    )

    @model_validator(mode="after")
    def _fourier_pairs(self) -> AdmissionsSpec:
        problems = []
        if len(self.annual_cos) != len(self.annual_sin):
            problems.append("annual_cos and annual_sin must have the same length")
        if any(f <= 0 for f in self.weekday_factors):
            problems.append("weekday_factors must all be > 0")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class LosSpec(_Model):
    """Length of stay in the pool (one visit: consecutive days on wards of this pool)."""

    kind: Literal["exponential", "lognormal", "deterministic", "empirical"] = Field(
        description="Distribution family; empirical resamples observed stays."
    )
    mean_days: float | None = Field(
        None, gt=0.0, description="Mean stay (parametric kinds)."
    )
    sd_days: float | None = Field(
        None, gt=0.0, description="Standard deviation (lognormal)."
    )
    clinical_days: list[Annotated[float, Field(ge=0.0)]] | None = Field(
        None, description="Empirical: days of each observed stay before CRFD."
    )
    crfd_days: dict[str, list[Annotated[float, Field(ge=0.0)]]] = Field(
        default_factory=dict,
        description="Empirical: CRFD days of each observed stay, by reason group.",
    )
    crfd_share: dict[str, Share] = Field(
        default_factory=dict,
        description="Parametric: average share of a stay spent CRFD, by reason group.",
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> LosSpec:
        problems: list[str] = []
        if (
            self.kind in ("exponential", "deterministic", "lognormal")
            and self.mean_days is None
        ):
            problems.append(f"kind '{self.kind}' needs mean_days")
        if self.kind == "lognormal" and self.sd_days is None:
            problems.append("kind 'lognormal' needs sd_days")
        if self.kind == "empirical":
            if not self.clinical_days:
                problems.append("kind 'empirical' needs a non-empty clinical_days list")
            n = len(self.clinical_days or [])
            for group, days in self.crfd_days.items():
                if len(days) != n:
                    problems.append(
                        f"crfd_days.{group} has {len(days)} values, clinical_days {n}"
                    )
        unknown = sorted(
            (set(self.crfd_days) | set(self.crfd_share)) - set(CRFD_GROUPS)
        )
        if unknown:
            problems.append(
                f"unknown CRFD reason groups {unknown}; use {list(CRFD_GROUPS)}"
            )
        if sum(self.crfd_share.values()) >= 1.0:
            problems.append("crfd_share must add up to less than 1")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class CensusSpec(_Model):
    """Who is in a bed now: days already spent, for residents in local beds and away."""

    local_elapsed_days: list[Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=list,
        description="Days each resident in a local bed has been there.",
    )
    out_of_area_elapsed_days: list[Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=list,
        description="Days each resident placed out of area has been away.",
    )


class BedChange(_Model):
    """Beds opened (positive) or closed (negative) on a date."""

    date: dt.date
    change: int = Field(description="Beds opened (+) or closed (−) from this date.")
    note: str = ""

    @model_validator(mode="after")
    def _nonzero(self) -> BedChange:
        if self.change == 0:
            raise ValueError("change must not be 0")
        return self


class PoolSpec(_Model):
    """One bed pool as the ICB sees it (beds of one type any resident may use)."""

    id: PoolId
    label: str = ""
    beds: int = Field(ge=0, description="Local beds for residents at the plan start.")
    bed_changes: list[BedChange] = Field(default_factory=list)
    admissions: AdmissionsSpec
    los: LosSpec
    census: CensusSpec = Field(default_factory=CensusSpec)
    long_stay_days: float | None = Field(
        None,
        gt=0.0,
        description="Threshold of a long stay (60 adult acute, 90 older adult).",
    )
    age_sex_mix: dict[str, Share] = Field(
        default_factory=dict,
        description="Share of admissions by 'age_band|sex' (for demographic growth).",
    )
    non_resident_census: float = Field(
        0.0,
        ge=0.0,
        description="Local beds occupied on average by other ICBs' residents.",
    )


class TransferSpec(_Model):
    """A movement between pools at the end of a visit (acute → PICU, PICU → acute…)."""

    from_pool: PoolId
    to_pool: PoolId
    probability: Share = Field(
        description="Share of visits to from_pool that end in this transfer."
    )
    when_full: Literal["wait", "out_of_area"] = Field(
        "wait",
        description="If to_pool is full: wait in the current bed (blocking) or go out of area.",
    )


class RepatriationSpec(_Model):
    """What happens when a local bed frees while residents are placed out of area."""

    rule: Literal["none", "longest_away_first", "longest_remaining_first"] = (
        "longest_away_first"
    )
    min_remaining_days: float = Field(
        0.0,
        ge=0.0,
        description="Do not bring back someone due to leave within this many days.",
    )


class AvoidanceSpec(_Model):
    """A community alternative (crisis house, home treatment) that avoids admissions."""

    name: str
    pct_of_admissions: float = Field(ge=0.0, le=100.0)
    pools: list[PoolId] = Field(
        default_factory=list, description="Pools affected (all if empty)."
    )
    start: dt.date | None = Field(
        None, description="Opening date (plan start if empty)."
    )


class Levers(_Model):
    """Changes a plan makes; every lever's default is neutral (changes nothing)."""

    start: dt.date | None = Field(
        None, description="Levers begin (plan start if empty)."
    )
    full_effect: dt.date | None = Field(
        None,
        description="Levers reach full effect (linear ramp from start; immediate if empty).",
    )
    demographic_growth: bool = Field(
        False,
        description="Grow admissions with the population projection by age and sex.",
    )
    incidence_change_pct_per_year: float = Field(0.0, ge=-50.0, le=100.0)
    acuity_change_pct_per_year: float = Field(
        0.0,
        ge=-50.0,
        le=100.0,
        description="Change in clinical length of stay, % a year.",
    )
    admission_avoidance: list[AvoidanceSpec] = Field(default_factory=list)
    los_reduction_pct: Pct = Field(
        0.0, description="Cut in clinical days of each stay, %."
    )
    crfd_removal_pct: dict[str, Annotated[float, Field(ge=0.0, le=100.0)]] = Field(
        default_factory=dict,
        description="Share of CRFD days removed, % by reason group.",
    )
    long_stay_reduction_pct: float = Field(
        0.0,
        ge=0.0,
        le=100.0,
        description="Cut in days beyond each pool's long-stay threshold, %.",
    )
    expatriation_pct: float = Field(
        0.0,
        ge=0.0,
        le=100.0,
        description="Share of other ICBs' residents returned home, %.",
    )

    @model_validator(mode="after")
    def _groups(self) -> Levers:
        problems = []
        unknown = [g for g in self.crfd_removal_pct if g not in CRFD_GROUPS]
        if unknown:
            problems.append(
                f"unknown CRFD reason groups {unknown}; use {list(CRFD_GROUPS)}"
            )
        if self.start and self.full_effect and self.full_effect < self.start:
            problems.append("full_effect must not be before start")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class MidlandsSpec(_Model):
    """Every parameter of the Midlands mental health inpatient bed model (3-year % changes)."""

    demographic_growth: float = Field(0.0, description="Demographic change, %.")
    incidence_change: float = 3.5
    acuity_change: float = 6.7
    social_care_pressures: float = 6.6
    mha_changes: float = -5.0
    national_policy: float = -4.8
    service_models: float = -5.0
    prevention_programme: float = -4.8
    admission_avoidance: float = -4.0
    waiting_list_reduction: float = -3.7
    ooa_repatriation: float = 50.0
    ooa_expatriation: float = 50.0
    shift_to_independent: float = 0.0
    current_occupancy: float = Field(92.0, gt=0.0, le=100.0)
    future_occupancy: float = Field(85.0, gt=0.0, le=100.0)
    delayed_share_of_bed_days: Share = Field(
        0.0,
        description="Delayed-discharge share of bed days (the social care factor's base).",
    )
    apply_to_simulation: bool = Field(
        False, description="Also ramp these factors into the simulation over the plan."
    )


class PopulationRow(_Model):
    """Projected residents of one age band and sex in one year."""

    year: int
    age_band: str
    sex: str
    count: float = Field(ge=0.0)


class Scenario(_Model):
    """A whole capacity scenario for one ICB."""

    schema_version: Literal[1] = 1
    name: str = Field(min_length=1)
    icb_code: str = Field(min_length=1)
    start_date: dt.date
    years: int = Field(3, ge=1, le=10)
    seed: int = Field(ge=0)
    replications: int = Field(1000, ge=1, le=100_000)
    target_out_of_area: float = Field(0.05, gt=0.0, lt=1.0)
    oap_cost_per_day: float = Field(
        0.0, ge=0.0, description="Cost of one OAP bed day, £."
    )
    pools: list[PoolSpec] = Field(min_length=1)
    transfers: list[TransferSpec] = Field(default_factory=list)
    repatriation: RepatriationSpec = Field(default_factory=RepatriationSpec)
    levers: Levers = Field(default_factory=Levers)
    midlands: MidlandsSpec | None = None
    population: list[PopulationRow] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        problems = _cross_problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def end_date(self) -> dt.date:
        """First day after the plan."""
        return _add_years(self.start_date, self.years)

    def pool_ids(self) -> list[str]:
        """Pool ids in file order."""
        return [p.id for p in self.pools]


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _cross_problems(s: Scenario) -> list[str]:
    ids = s.pool_ids()
    problems = [
        f"pools: id '{i}' appears more than once"
        for i in sorted(set(ids))
        if ids.count(i) > 1
    ]
    out_share: dict[str, float] = {}
    for n, t in enumerate(s.transfers):
        problems.extend(
            f"transfers.{n}.{end}: no pool '{getattr(t, end)}'"
            for end in ("from_pool", "to_pool")
            if getattr(t, end) not in ids
        )
        if t.from_pool == t.to_pool:
            problems.append(f"transfers.{n}: a pool cannot transfer to itself")
        out_share[t.from_pool] = out_share.get(t.from_pool, 0.0) + t.probability
    problems += [
        f"transfers from '{p}' add up to {v:.3f} > 1"
        for p, v in out_share.items()
        if v > 1
    ]
    for n, pool in enumerate(s.pools):
        for k, change in enumerate(pool.bed_changes):
            if not s.start_date < change.date < s.end_date:
                problems.append(
                    f"pools.{n}.bed_changes.{k}: {change.date} is outside the plan "
                    f"({s.start_date} to {s.end_date}); fold earlier changes into beds"
                )
        running = pool.beds
        for change in sorted(pool.bed_changes, key=lambda c: c.date):
            running += change.change
            if running < 0:
                problems.append(
                    f"pools.{n}.bed_changes: beds fall below zero on {change.date}"
                )
                break
    for n, item in enumerate(s.levers.admission_avoidance):
        problems += [
            f"levers.admission_avoidance.{n}.pools: no pool '{p}'"
            for p in item.pools
            if p not in ids
        ]
    if s.levers.demographic_growth:
        problems += _demography_problems(s)
    return problems


def _demography_problems(s: Scenario) -> list[str]:
    problems = []
    if not s.population:
        problems.append("levers.demographic_growth needs [[population]] rows")
    groups = {f"{r.age_band}|{r.sex}" for r in s.population}
    for n, pool in enumerate(s.pools):
        if not pool.age_sex_mix:
            problems.append(f"pools.{n}.age_sex_mix: needed for demographic growth")
        missing = sorted(set(pool.age_sex_mix) - groups)
        if missing:
            problems.append(f"pools.{n}.age_sex_mix: no population for {missing[:5]}")
    return problems


def _format_errors(exc: ValidationError) -> list[str]:
    lines: list[str] = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"]) or "scenario"
        message = str(err["msg"]).removeprefix("Value error, ")
        lines.extend(f"{where}: {part}" for part in message.split("\n"))
    return lines


def parse_scenario(data: dict[str, Any], *, source: str = "scenario") -> Scenario:
    """Validate a decoded scenario, raising one :class:`InvalidScenario` listing every problem."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        lines = _format_errors(exc)
        raise InvalidScenario(
            f"{source} has {len(lines)} problem(s):\n"
            + "\n".join(f"  - {x}" for x in lines),
            hint="See `nearhome capacity schema` for every field and its meaning.",
        ) from None


def load_scenario(source: str | Path) -> Scenario:
    """Read and validate a scenario from a TOML file path (or TOML text)."""
    path = Path(source) if not isinstance(source, str) or "\n" not in source else None
    if path is not None:
        if not path.is_file():
            raise InvalidScenario(f"Scenario file '{path}' does not exist.")
        text, name = path.read_text(encoding="utf-8"), str(path)
    else:
        text, name = str(source), "scenario"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidScenario(f"{name} is not valid TOML: {exc}") from None
    return parse_scenario(data, source=name)


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def sample_scenario(**overrides: Any) -> Scenario:
    """The packaged sample scenario (synthetic), with top-level or nested overrides.

    Examples:
        >>> sample_scenario(years=2).years
        2
    """
    text = (
        resources.files("nearhome.capacity")
        .joinpath("sample_scenario.toml")
        .read_text("utf-8")
    )
    data = _merge(tomllib.loads(text), overrides)
    return parse_scenario(data, source="sample scenario")


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`Scenario` (published with each release)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "nearhome capacity scenario"
    return schema


def scenario_hash(scenario: Scenario) -> str:
    """A short, stable fingerprint of everything that shapes results (not ``replications``)."""
    data = scenario.model_dump(mode="json", exclude={"replications"})
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
