"""Calibration targets of the synthetic generator: every weight and rate in one place.

The generator's numbers are parameters, not facts about any real ICB. They are set so
that a one-ICB extract lands in the national orders of magnitude (``MHSDS.md`` section 4):
about 2,900 admissions per ICB-year, adult acute mean length of stay near 40 days,
occupancy near 95 %, 15-25 inappropriate out-of-area placements active at month end,
about 1,300 detentions a year with the published ethnic and deprivation gaps, 10-15 %
of adult acute bed days clinically ready for discharge. Keeping them in frozen
dataclasses means a test or a benchmark can change one target with
``dataclasses.replace`` and see its effect, and nothing else changes by accident.

Weights are tuples of ``(code, weight)`` pairs; they are normalised where they are used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Weights = tuple[tuple[str, float], ...]
CodeMap = tuple[tuple[str, str], ...]
WardSex = Literal["single", "mixed", "female"]


@dataclass(frozen=True)
class BedTypeProfile:
    """How one kind of bed is used: who is admitted, for how long, and how it is supplied.

    ``admissions_per_100k`` counts first admissions of a care episode per 100,000
    residents per year (readmissions and transfers come on top). The stay length of the
    whole episode is log-normal with ``los_median`` and ``los_sigma`` (heavy right
    tail), plus a share of very short stays (0-2 nights) so same-day discharges exist.
    """

    code: str
    v5_code: str
    label: str
    admissions_per_100k: float
    los_median: float
    los_sigma: float
    short_stay_share: float
    age_min: int
    age_max: int
    age_risk: tuple[float, ...]
    male_risk: float
    female_risk: float
    ward_sex: WardSex
    security_level: str
    local_occupancy: float
    hosted_share: float
    oap_on_overflow: bool
    detention_share: float
    incidents_per_day: float
    leave_per_day: float


def _age_risk(*pairs: tuple[int, float]) -> tuple[float, ...]:
    """Relative admission risk per 5-year age band (19 bands, 0-4 ... 90+)."""
    risk = [0.0] * 19
    for band, value in pairs:
        risk[band] = value
    return tuple(risk)


ADULT_AGES = _age_risk(
    (3, 0.5), (4, 1.3), (5, 1.35), (6, 1.3), (7, 1.2), (8, 1.1), (9, 1.0),
    (10, 0.85), (11, 0.7), (12, 0.55), (13, 0.12), (14, 0.06),
)  # fmt: skip
OLDER_AGES = _age_risk(
    (12, 0.1), (13, 0.6), (14, 0.9), (15, 1.2), (16, 1.5), (17, 1.7), (18, 1.6),
)  # fmt: skip
YOUNG_ADULT_AGES = _age_risk(
    (3, 0.8), (4, 1.4), (5, 1.3), (6, 1.1), (7, 0.9), (8, 0.7), (9, 0.5), (10, 0.3),
    (11, 0.2), (12, 0.1),
)  # fmt: skip
SECURE_AGES = _age_risk(
    (3, 0.4), (4, 1.2), (5, 1.4), (6, 1.3), (7, 1.1), (8, 0.9), (9, 0.7), (10, 0.5),
    (11, 0.3), (12, 0.15),
)  # fmt: skip
EATING_DISORDER_AGES = _age_risk((3, 1.0), (4, 1.2), (5, 0.8), (6, 0.5), (7, 0.3))
PERINATAL_AGES = _age_risk((3, 0.3), (4, 1.0), (5, 1.4), (6, 1.4), (7, 0.8), (8, 0.2))
CYP_AGES = _age_risk((2, 0.6), (3, 1.0))


def _bed_types() -> tuple[BedTypeProfile, ...]:
    acute = BedTypeProfile(
        code="200", v5_code="10", label="Adult acute", admissions_per_100k=122.0,
        los_median=26.0, los_sigma=0.92, short_stay_share=0.04, age_min=18, age_max=74,
        age_risk=ADULT_AGES, male_risk=1.1, female_risk=1.0, ward_sex="single",
        security_level="0", local_occupancy=1.0, hosted_share=1.0, oap_on_overflow=True,
        detention_share=0.46, incidents_per_day=0.022, leave_per_day=0.09,
    )  # fmt: skip
    return (
        acute,
        BedTypeProfile(
            code="201",
            v5_code="11",
            label="Older adult acute",
            admissions_per_100k=26.0,
            los_median=52.0,
            los_sigma=0.75,
            short_stay_share=0.02,
            age_min=60,
            age_max=99,
            age_risk=OLDER_AGES,
            male_risk=0.9,
            female_risk=1.0,
            ward_sex="mixed",
            security_level="0",
            local_occupancy=0.9,
            hosted_share=1.0,
            oap_on_overflow=True,
            detention_share=0.34,
            incidents_per_day=0.012,
            leave_per_day=0.05,
        ),
        BedTypeProfile(
            code="202",
            v5_code="12",
            label="PICU",
            admissions_per_100k=4.0,
            los_median=14.0,
            los_sigma=0.7,
            short_stay_share=0.0,
            age_min=18,
            age_max=64,
            age_risk=YOUNG_ADULT_AGES,
            male_risk=1.8,
            female_risk=1.0,
            ward_sex="mixed",
            security_level="0",
            local_occupancy=1.0,
            hosted_share=1.0,
            oap_on_overflow=True,
            detention_share=0.95,
            incidents_per_day=0.16,
            leave_per_day=0.02,
        ),
        BedTypeProfile(
            code="212",
            v5_code="38",
            label="Rehabilitation",
            admissions_per_100k=2.0,
            los_median=200.0,
            los_sigma=0.7,
            short_stay_share=0.0,
            age_min=18,
            age_max=64,
            age_risk=YOUNG_ADULT_AGES,
            male_risk=1.8,
            female_risk=1.0,
            ward_sex="mixed",
            security_level="0",
            local_occupancy=0.92,
            hosted_share=1.0,
            oap_on_overflow=False,
            detention_share=0.4,
            incidents_per_day=0.004,
            leave_per_day=0.12,
        ),
        BedTypeProfile(
            code="206",
            v5_code="19",
            label="Low secure",
            admissions_per_100k=1.3,
            los_median=420.0,
            los_sigma=0.7,
            short_stay_share=0.0,
            age_min=18,
            age_max=64,
            age_risk=SECURE_AGES,
            male_risk=5.7,
            female_risk=1.0,
            ward_sex="mixed",
            security_level="1",
            local_occupancy=0.9,
            hosted_share=0.5,
            oap_on_overflow=False,
            detention_share=0.97,
            incidents_per_day=0.018,
            leave_per_day=0.04,
        ),
        BedTypeProfile(
            code="207",
            v5_code="20",
            label="Medium secure",
            admissions_per_100k=0.8,
            los_median=650.0,
            los_sigma=0.7,
            short_stay_share=0.0,
            age_min=18,
            age_max=64,
            age_risk=SECURE_AGES,
            male_risk=5.7,
            female_risk=1.0,
            ward_sex="mixed",
            security_level="2",
            local_occupancy=0.9,
            hosted_share=0.35,
            oap_on_overflow=False,
            detention_share=0.99,
            incidents_per_day=0.015,
            leave_per_day=0.02,
        ),
        BedTypeProfile(
            code="203",
            v5_code="13",
            label="Eating disorders",
            admissions_per_100k=2.0,
            los_median=75.0,
            los_sigma=0.6,
            short_stay_share=0.0,
            age_min=16,
            age_max=45,
            age_risk=EATING_DISORDER_AGES,
            male_risk=0.11,
            female_risk=1.0,
            ward_sex="mixed",
            security_level="0",
            local_occupancy=0.88,
            hosted_share=0.45,
            oap_on_overflow=False,
            detention_share=0.15,
            incidents_per_day=0.03,
            leave_per_day=0.08,
        ),
        BedTypeProfile(
            code="204",
            v5_code="14",
            label="Mother and baby",
            admissions_per_100k=2.3,
            los_median=35.0,
            los_sigma=0.5,
            short_stay_share=0.0,
            age_min=18,
            age_max=44,
            age_risk=PERINATAL_AGES,
            male_risk=0.0,
            female_risk=1.0,
            ward_sex="female",
            security_level="0",
            local_occupancy=0.85,
            hosted_share=0.35,
            oap_on_overflow=False,
            detention_share=0.15,
            incidents_per_day=0.003,
            leave_per_day=0.1,
        ),
        BedTypeProfile(
            code="301",
            v5_code="24",
            label="CYP general (young person)",
            admissions_per_100k=6.0,
            los_median=40.0,
            los_sigma=0.8,
            short_stay_share=0.02,
            age_min=13,
            age_max=17,
            age_risk=CYP_AGES,
            male_risk=0.6,
            female_risk=1.0,
            ward_sex="mixed",
            security_level="0",
            local_occupancy=0.88,
            hosted_share=0.5,
            oap_on_overflow=False,
            detention_share=0.35,
            incidents_per_day=0.09,
            leave_per_day=0.1,
        ),
    )


@dataclass(frozen=True)
class GeographyTargets:
    """Shape of the synthetic England: ICB sizes, LSOA size, deprivation and ethnicity."""

    icb_population_min: float = 1.0e6
    icb_population_max: float = 1.8e6
    sub_icbs_min: int = 3
    sub_icbs_max: int = 6
    people_per_lsoa: float = 1500.0
    people_per_practice: float = 9000.0
    lsoa_spread_deg: float = 0.12
    icb_deprivation_sd: float = 0.55
    centrality_deprivation: float = 0.7
    lsoa_deprivation_sd: float = 0.8
    minority_share_typical: float = 0.12
    minority_share_urban: float = 0.38
    urban_icb_share: float = 0.2
    minority_mix: Weights = (
        ("Mixed", 0.18),
        ("Asian", 0.46),
        ("Black", 0.2),
        ("Other", 0.16),
    )
    minority_age_tilt: float = 0.022
    annual_growth: float = 0.006
    population_source: str = "synthetic (ONS-like mid-year estimates)"


@dataclass(frozen=True)
class PeopleTargets:
    """Admission risk by ethnicity and deprivation, recording quality and indicators."""

    ethnic_admission_risk: Weights = (
        ("White", 1.0), ("Mixed", 1.45), ("Asian", 0.85), ("Black", 2.1), ("Other", 1.4),
    )  # fmt: skip
    imd_admission_slope: float = 0.1
    """Admission risk falls by this log-rate per decile from the most deprived."""
    ethnic_detention_risk: Weights = (
        ("White", 1.0), ("Mixed", 1.25), ("Asian", 1.05), ("Black", 1.55), ("Other", 1.3),
    )  # fmt: skip
    imd_detention_slope: float = 0.015
    ethnic_categories: tuple[tuple[str, Weights], ...] = (
        ("White", (("A", 0.8), ("B", 0.03), ("C", 0.17))),
        ("Mixed", (("D", 0.3), ("E", 0.15), ("F", 0.3), ("G", 0.25))),
        ("Asian", (("H", 0.35), ("J", 0.3), ("K", 0.12), ("L", 0.23))),
        ("Black", (("M", 0.3), ("N", 0.55), ("P", 0.15))),
        ("Other", (("R", 0.2), ("S", 0.8))),
    )
    not_stated_share: float = 0.03
    not_known_share: float = 0.012
    gender_identity_recorded: float = 0.7
    non_binary_share: float = 0.004
    ld_status: Weights = (("1", 0.025), ("2", 0.006), ("5", 0.9), ("X", 0.069))
    autism_status: Weights = (
        ("1", 0.045),
        ("2", 0.012),
        ("4", 0.005),
        ("5", 0.87),
        ("X", 0.068),
    )
    indicators_recorded: float = 0.65
    gp_same_sub_icb: float = 0.9
    gp_other_sub_icb_same_icb: float = 0.05
    gp_other_icb: float = 0.015
    gp_pseudo_practice: float = 0.02
    gp_missing: float = 0.015
    pseudo_practice: str = "V81999"


@dataclass(frozen=True)
class DemandTargets:
    """Arrivals over time, care pathways within an episode, and readmissions."""

    seasonal_amplitude: float = 0.06
    monthly_drift_sd: float = 0.07
    monthly_drift_persistence: float = 0.7
    icb_demand_sd: float = 0.08
    picu_transfer_share: float = 0.08
    picu_stay_median: float = 12.0
    picu_stay_sigma: float = 0.7
    rehab_stepdown_share: float = 0.025
    readmission_share: float = 0.17
    readmission_within_14: float = 0.3
    readmission_within_30: float = 0.2
    readmission_max_days: int = 540
    appropriate_oap_share: float = 0.008
    appropriate_oap_reasons: Weights = (
        ("11", 0.35),
        ("12", 0.15),
        ("13", 0.2),
        ("14", 0.3),
    )
    burn_in_days: int = 365
    lookback_quantile: float = 0.998


@dataclass(frozen=True)
class CapacityTargets:
    """Bed supply: how tight adult acute beds are, ward sizes, closures, OAP routing."""

    acute_beds_per_load_min: float = 0.93
    acute_beds_per_load_max: float = 1.03
    ward_beds_typical: int = 18
    ward_beds_min: int = 12
    ward_beds_max: int = 24
    sites_min: int = 2
    sites_max: int = 4
    independent_providers_min: int = 3
    independent_providers_max: int = 5
    independent_ward_beds: int = 16
    closures_per_ward_year: float = 0.6
    closure_days_max: int = 45
    overflow_to_nhs_share: float = 0.3
    nearby_trusts: int = 3
    independent_distance_km: float = 220.0
    repatriation_daily: float = 0.04


@dataclass(frozen=True)
class StayTargets:
    """Admission and discharge coding, estimated discharge dates, deaths."""

    emergency_methods: Weights = (
        ("21", 0.28), ("2A", 0.05), ("25", 0.3), ("22", 0.1), ("23", 0.03), ("24", 0.05),
        ("2D", 0.12), ("11", 0.04), ("12", 0.03),
    )  # fmt: skip
    planned_methods: Weights = (("11", 0.35), ("12", 0.25), ("13", 0.2), ("81", 0.2))
    transfer_methods: Weights = (("81", 0.7), ("2B", 0.3))
    community_sources: Weights = (
        ("19", 0.86), ("29", 0.04), ("51", 0.05), ("39", 0.01), ("42", 0.02), ("56", 0.01),
        ("55", 0.01),
    )  # fmt: skip
    secure_sources: Weights = (
        ("40", 0.35),
        ("37", 0.15),
        ("39", 0.1),
        ("19", 0.2),
        ("53", 0.2),
    )
    discharge_methods: Weights = (
        ("1", 0.92),
        ("6", 0.04),
        ("3", 0.02),
        ("7", 0.01),
        ("9", 0.01),
    )
    adult_destinations: Weights = (
        ("19", 0.86), ("29", 0.05), ("51", 0.02), ("40", 0.01), ("42", 0.01), ("65", 0.01),
        ("56", 0.01), ("98", 0.01), ("99", 0.02),
    )  # fmt: skip
    older_destinations: Weights = (
        ("19", 0.6), ("55", 0.15), ("56", 0.1), ("85", 0.05), ("51", 0.06), ("29", 0.04),
    )  # fmt: skip
    secure_destinations: Weights = (
        ("19", 0.35),
        ("65", 0.2),
        ("40", 0.15),
        ("29", 0.3),
    )
    death_share: float = 0.004
    older_death_share: float = 0.025
    edd_recorded: float = 0.62
    edd_low: float = 0.55
    edd_high: float = 1.15
    referral_reasons: Weights = (
        ("18", 0.3), ("02", 0.2), ("01", 0.08), ("04", 0.12), ("03", 0.1), ("14", 0.08),
        ("15", 0.07), ("09", 0.05),
    )  # fmt: skip


@dataclass(frozen=True)
class MhaTargets:
    """Mental Health Act pathways. Shares are within detained episodes unless named."""

    section2_on_admission: float = 0.45
    place_of_safety_then_section2: float = 0.2
    section3_on_admission: float = 0.2
    subsequent_to_informal: float = 0.12
    part3: float = 0.03
    section135_share: float = 0.12
    section2_to_section3: float = 0.45
    holding_power_first: float = 0.5
    holding_power_lapses: float = 0.03
    informal_recorded: float = 0.7
    section3_days: int = 182
    secure_sections: Weights = (
        ("09", 0.4), ("10", 0.2), ("15", 0.15), ("17", 0.05), ("07", 0.05), ("12", 0.05),
        ("03", 0.1),
    )  # fmt: skip


@dataclass(frozen=True)
class RestrictiveTargets:
    """Restrictive interventions: frequency, types within an incident, durations."""

    frailty_shape: float = 0.45
    early_days: int = 14
    early_multiplier: float = 2.5
    primary_types: Weights = (
        ("07", 0.14), ("09", 0.14), ("13", 0.08), ("08", 0.1), ("10", 0.07), ("11", 0.07),
        ("12", 0.04), ("01", 0.08), ("14", 0.08), ("16", 0.07), ("05", 0.1), ("06", 0.01),
        ("04", 0.01), ("15", 0.01),
    )  # fmt: skip
    add_chemical_share: float = 0.3
    add_seclusion_share: float = 0.1
    add_prone_share: float = 0.06
    chemical_types: Weights = (("14", 0.65), ("15", 0.1), ("16", 0.2), ("17", 0.05))
    minutes_median: Weights = (
        ("physical", 8.0), ("prone", 4.0), ("chemical", 2.0), ("mechanical", 20.0),
        ("seclusion", 840.0), ("segregation", 26000.0),
    )  # fmt: skip
    minutes_sigma: Weights = (
        ("physical", 0.9), ("prone", 0.7), ("chemical", 0.5), ("mechanical", 0.8),
        ("seclusion", 1.1), ("segregation", 0.9),
    )  # fmt: skip
    reasons: Weights = (
        ("10", 0.35), ("11", 0.25), ("17", 0.15), ("13", 0.1), ("16", 0.05), ("12", 0.03),
        ("14", 0.02), ("18", 0.02), ("19", 0.02), ("98", 0.01),
    )  # fmt: skip
    injury_share: float = 0.03
    prone_injury_share: float = 0.07


@dataclass(frozen=True)
class CrfdTargets:
    """Clinically ready for discharge: who, when in the stay, how long, why, whose."""

    eligible_types: tuple[str, ...] = ("200", "201", "212", "206", "207", "203")
    share_max: float = 0.5
    share_scale_days: float = 55.0
    min_stay_days: int = 10
    fraction_alpha: float = 2.0
    fraction_beta: float = 3.6
    two_period_share: float = 0.25
    adult_reasons: Weights = (
        ("14", 0.07), ("15", 0.1), ("16", 0.01), ("17", 0.03), ("18", 0.17), ("19", 0.07),
        ("32", 0.03), ("01", 0.04), ("04", 0.05), ("05", 0.06), ("09", 0.03), ("12", 0.01),
        ("13", 0.02), ("33", 0.02), ("03", 0.04), ("07", 0.02), ("34", 0.05), ("11", 0.04),
        ("35", 0.02), ("36", 0.01), ("98", 0.07),
    )  # fmt: skip
    older_reasons: Weights = (
        ("07", 0.16), ("08", 0.2), ("09", 0.14), ("04", 0.1), ("34", 0.08), ("11", 0.06),
        ("18", 0.06), ("15", 0.04), ("03", 0.05), ("26", 0.03), ("27", 0.03), ("98", 0.05),
    )  # fmt: skip
    v5_reasons: CodeMap = (
        ("01", "A2"), ("02", "A2"), ("03", "T2"), ("04", "B1"), ("05", "C1"), ("07", "D1"),
        ("08", "D2"), ("09", "E1"), ("11", "G2"), ("12", "H1"), ("13", "H1"), ("14", "I2"),
        ("15", "I2"), ("16", "I2"), ("17", "I3"), ("18", "J2"), ("19", "K2"), ("26", "N1"),
        ("27", "N1"), ("32", "J2"), ("33", "S1"), ("34", "T2"), ("35", "T1"), ("36", "T1"),
        ("98", "98"),
    )  # fmt: skip
    """v6 reason -> the v5 reason recorded before April 2024 (nearest equivalent)."""


@dataclass(frozen=True)
class ContactTargets:
    """Community contacts around an admission, 72-hour follow-up, onward referrals."""

    community_referral_share: float = 0.85
    pre_admission_share: float = 0.6
    pre_admission_contacts_max: int = 6
    follow_up_within_3_days: float = 0.78
    follow_up_day_weights: tuple[float, ...] = (0.05, 0.35, 0.35, 0.25)
    late_follow_up_share: float = 0.15
    later_contacts_max: int = 4
    mechanisms: Weights = (("01", 0.65), ("02", 0.28), ("11", 0.07))
    other_attendance: Weights = (
        ("5", 0.82),
        ("6", 0.05),
        ("3", 0.09),
        ("2", 0.02),
        ("7", 0.02),
    )
    onward_referral_share: float = 0.6
    awol_base: float = 0.015
    awol_per_day: float = 0.0007


@dataclass(frozen=True)
class Calibration:
    """Every calibration target of the synthetic generator."""

    bed_types: tuple[BedTypeProfile, ...] = field(default_factory=_bed_types)
    geography: GeographyTargets = field(default_factory=GeographyTargets)
    people: PeopleTargets = field(default_factory=PeopleTargets)
    demand: DemandTargets = field(default_factory=DemandTargets)
    capacity: CapacityTargets = field(default_factory=CapacityTargets)
    stays: StayTargets = field(default_factory=StayTargets)
    mha: MhaTargets = field(default_factory=MhaTargets)
    restrictive: RestrictiveTargets = field(default_factory=RestrictiveTargets)
    crfd: CrfdTargets = field(default_factory=CrfdTargets)
    contacts: ContactTargets = field(default_factory=ContactTargets)

    def bed_type_index(self, code: str) -> int:
        """Position of the bed type with this v6 code."""
        for index, profile in enumerate(self.bed_types):
            if profile.code == code:
                return index
        raise KeyError(code)


DEFAULT_CALIBRATION = Calibration()
"""The calibration every public function uses unless given another."""
