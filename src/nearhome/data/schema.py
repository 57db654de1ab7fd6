"""The input contract: the MHSDS tables nearhome reads, their fields, types and keys.

Field names are the MHSDS v6 names; ``aliases`` lists the older (v5/v4) spellings that are
accepted and renamed on read, so one extract folder may mix versions. ``key`` is the record's
unique id *within one month's submission*; across months the latest record wins (latest
``UniqMonthID``, then ``RecordNumber``), as the national publications do.

This module is data, not logic: ``docs/reference/input-contract.md`` is generated from it and
a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["str", "int", "float", "date", "time"]


@dataclass(frozen=True)
class FieldSpec:
    """One column of an MHSDS table."""

    name: str
    kind: Kind = "str"
    required: bool = False
    aliases: tuple[str, ...] = ()
    code_list: str | None = None
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One MHSDS table as nearhome reads it."""

    name: str
    description: str
    key: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    versions: tuple[str, ...] = ("v5", "v6")
    person_level: bool = True
    extra_required: tuple[str, ...] = field(default=())

    @property
    def field_names(self) -> tuple[str, ...]:
        """Canonical (v6) field names in file order."""
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        """Fields that must be present as columns and non-empty in every row."""
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> FieldSpec:
        """The spec of one field by its canonical name."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def renames(self) -> dict[str, str]:
        """Old spelling -> canonical name."""
        return {alias: f.name for f in self.fields for alias in f.aliases}


def _submission(person: bool = True) -> tuple[FieldSpec, ...]:
    base = (
        FieldSpec(
            "UniqMonthID",
            "int",
            required=True,
            description="Month of the submission (April 1900 = 1).",
        ),
        FieldSpec(
            "RecordNumber",
            "int",
            required=True,
            description="Per-person-per-submission record key.",
        ),
        FieldSpec(
            "OrgIDProv",
            required=True,
            description="ODS code of the submitting provider.",
        ),
    )
    if person:
        return (
            *base,
            FieldSpec(
                "Person_ID", required=True, description="Pseudonymised person id."
            ),
        )
    return base


def _f(name: str, kind: Kind = "str", **kwargs: object) -> FieldSpec:
    return FieldSpec(name, kind, **kwargs)  # type: ignore[arg-type]


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "MHS001MPI",
        "Master patient index: one row per person per provider per month.",
        key=("Person_ID", "OrgIDProv"),
        fields=(
            *_submission(),
            _f(
                "LocalPatientId",
                description="Provider's own patient id (direct care only).",
            ),
            _f("PersonBirthDate", "date"),
            _f(
                "AgeRepPeriodEnd",
                "int",
                description="Age at the end of the reporting period.",
            ),
            _f("Gender", code_list="gender"),
            _f("GenderIDCode", code_list="gender"),
            _f("EthnicCategory", code_list="ethnic_category"),
            _f("LSOA2011", aliases=("LSOA2021",), description="LSOA of residence."),
            _f("OrgIDSubICBLocResidence", aliases=("OrgIDCCGRes",)),
            _f("OrgIDICBRes", aliases=("OrgIDICSRes",)),
            _f("LADistrictAuth"),
            _f("PersDeathDate", "date"),
        ),
    ),
    TableSpec(
        "MHS002GP",
        "GP practice registration.",
        key=("Person_ID", "OrgIDProv", "GMPReg"),
        fields=(
            *_submission(),
            _f("GMPReg", required=True, aliases=("GMPCodeReg",)),
            _f("StartDateGMPRegistration", "date"),
            _f("EndDateGMPRegistration", "date"),
            _f("OrgIDSubICBLocGP", aliases=("OrgIDCCGGPPractice",)),
        ),
    ),
    TableSpec(
        "MHS005PatInd",
        "Patient indicators: learning disability and autism status.",
        key=("Person_ID", "OrgIDProv"),
        fields=(
            *_submission(),
            _f("LDStatus", code_list="ld_autism_status"),
            _f("AutismStatus", code_list="ld_autism_status"),
        ),
    ),
    TableSpec(
        "MHS101Referral",
        "Referral (service request); ReasonOAT marks an out-of-area placement.",
        key=("UniqServReqID",),
        fields=(
            *_submission(),
            _f("UniqServReqID", required=True),
            _f("ReferralRequestReceivedDate", "date", required=True),
            _f("ServDischDate", "date"),
            _f(
                "OrgIDReferringOrg",
                aliases=("OrgIDReferring",),
                description="Referring (sending) organisation.",
            ),
            _f(
                "ReasonOAT",
                code_list="oap_reason",
                description="Reason for out of area referral (adult acute).",
            ),
            _f("PrimReasonReferralMH"),
        ),
    ),
    TableSpec(
        "MHS105OnwardReferral",
        "Onward referral; OATReason as recorded by the sending provider.",
        key=("UniqServReqID", "OnwardReferDate"),
        fields=(
            *_submission(),
            _f("UniqServReqID", required=True),
            _f("OnwardReferDate", "date", required=True),
            _f("OATReason", code_list="oap_reason"),
            _f("OrgIDReceiving"),
        ),
    ),
    TableSpec(
        "MHS201CareContact",
        "Care contacts (used for 72-hour follow-up and previous contact).",
        key=("UniqCareContID",),
        fields=(
            *_submission(),
            _f("UniqCareContID", required=True),
            _f("UniqServReqID"),
            _f("CareContDate", "date", required=True),
            _f("AttendStatus", aliases=("AttendOrDNACode",), code_list="attend_status"),
            _f(
                "ConsMechanismMH",
                aliases=("ConsMediumUsed",),
                code_list="consultation_mechanism",
            ),
        ),
    ),
    TableSpec(
        "MHS401MHActPeriod",
        "Mental Health Act legal status classification periods.",
        key=("UniqMHActEpisodeID",),
        fields=(
            *_submission(),
            _f("UniqMHActEpisodeID", required=True),
            _f("StartDateMHActLegalStatusClass", "date", required=True),
            _f("ExpiryDateMHActLegalStatusClass", "date"),
            _f("EndDateMHActLegalStatusClass", "date"),
            _f("LegalStatusCode", required=True, code_list="legal_status"),
        ),
    ),
    TableSpec(
        "MHS501HospProvSpell",
        "Hospital provider spell: one admission to one provider.",
        key=("UniqHospProvSpellID",),
        fields=(
            *_submission(),
            _f("UniqHospProvSpellID", required=True, aliases=("UniqHospProvSpellNum",)),
            _f("UniqServReqID"),
            _f("StartDateHospProvSpell", "date", required=True),
            _f("DischDateHospProvSpell", "date"),
            _f(
                "SourceAdmMHHospProvSpell",
                aliases=("SourceAdmCodeHospProvSpell",),
                code_list="admission_source",
            ),
            _f(
                "MethAdmMHHospProvSpell",
                aliases=("AdmMethCodeHospProvSpell",),
                code_list="admission_method",
            ),
            _f("EstimatedDischDateHospProvSpell", "date"),
            _f(
                "MethOfDischMHHospProvSpell",
                aliases=("DischMethCodeHospProvSpell",),
                code_list="discharge_method",
            ),
            _f(
                "DestOfDischHospProvSpell",
                aliases=("DischDestCodeHospProvSpell",),
                code_list="discharge_destination",
            ),
        ),
    ),
    TableSpec(
        "MHS502WardStay",
        "Ward stay: bed type, security level, ward and site.",
        key=("UniqWardStayID",),
        fields=(
            *_submission(),
            _f("UniqWardStayID", required=True),
            _f("UniqHospProvSpellID", required=True, aliases=("UniqHospProvSpellNum",)),
            _f("StartDateWardStay", "date", required=True),
            _f("EndDateWardStay", "date"),
            _f(
                "MHAdmittedPatientClass",
                aliases=("HospitalBedTypeMH",),
                code_list="bed_type",
            ),
            _f("WardSecLevel", code_list="ward_security_level"),
            _f("WardCode"),
            _f("UniqWardCode", description="Links to MHS903WardDetails (v6)."),
            _f(
                "SiteIDOfTreat",
                description="Site of treatment (v5; v6 moves it to MHS903).",
            ),
            _f(
                "WardLocDistanceHome",
                "float",
                description="Derived km from home to the ward site.",
            ),
        ),
    ),
    TableSpec(
        "MHS504DelayedDischarge",
        "Delayed discharge periods (v5, to March 2024).",
        key=("MHS504UniqID",),
        versions=("v5",),
        fields=(
            *_submission(),
            _f("MHS504UniqID", required=True),
            _f("UniqHospProvSpellID", required=True, aliases=("UniqHospProvSpellNum",)),
            _f("StartDateDelayDisch", "date", required=True),
            _f("EndDateDelayDisch", "date"),
            _f("DelayDischReason", required=True, code_list="delay_reason_v5"),
            _f("AttribToIndic", code_list="attributable_to"),
            _f("OrgIDRespLADelayDisch"),
        ),
    ),
    TableSpec(
        "MHS518ClinReadyforDischarge",
        "Clinically ready for discharge periods (v6, from April 2024).",
        key=("MHS518UniqID",),
        versions=("v6",),
        fields=(
            *_submission(),
            _f("MHS518UniqID", required=True),
            _f("UniqHospProvSpellID", required=True),
            _f("StartDateClinReadyforDisch", "date", required=True),
            _f("EndDateClinReadyforDisch", "date"),
            _f("ClinReadyforDischDelayReason", required=True, code_list="crfd_reason"),
            _f("AttribToIndic", code_list="attributable_to"),
            _f("OrgIDRespLAClinReadyforDisch"),
        ),
    ),
    TableSpec(
        "MHS505RestrictiveInterventInc",
        "Restrictive intervention incidents.",
        key=("UniqRestrictiveIntIncID",),
        fields=(
            *_submission(),
            _f("UniqRestrictiveIntIncID", required=True),
            _f("UniqHospProvSpellID", required=True),
            _f("StartDateRestrictiveIntInc", "date", required=True),
            _f("StartTimeRestrictiveIntInc", "time"),
            _f("EndDateRestrictiveIntInc", "date"),
            _f("EndTimeRestrictiveIntInc", "time"),
            _f("RestrictiveIntReason", code_list="ri_reason"),
        ),
    ),
    TableSpec(
        "MHS515RestrictiveInterventType",
        "Restrictive intervention types within an incident.",
        key=("UniqRestrictiveIntTypeID",),
        fields=(
            *_submission(),
            _f("UniqRestrictiveIntTypeID", required=True),
            _f("UniqRestrictiveIntIncID", required=True),
            _f("UniqHospProvSpellID", required=True),
            _f("RestrictiveIntType", required=True, code_list="ri_type"),
            _f("StartDateRestrictiveIntType", "date", required=True),
            _f("StartTimeRestrictiveIntType", "time"),
            _f("EndDateRestrictiveIntType", "date"),
            _f("EndTimeRestrictiveIntType", "time"),
            _f("RestraintInjuryPatient"),
        ),
    ),
    TableSpec(
        "MHS509HomeLeave",
        "Home leave during a ward stay.",
        key=("UniqWardStayID", "StartDateHomeLeave"),
        fields=(
            *_submission(),
            _f("UniqWardStayID", required=True),
            _f("StartDateHomeLeave", "date", required=True),
            _f("EndDateHomeLeave", "date"),
        ),
    ),
    TableSpec(
        "MHS510LeaveOfAbsence",
        "Mental Health Act leave of absence during a ward stay.",
        key=("UniqWardStayID", "StartDateMHLeaveAbs"),
        fields=(
            *_submission(),
            _f("UniqWardStayID", required=True),
            _f("StartDateMHLeaveAbs", "date", required=True),
            _f("EndDateMHLeaveAbs", "date"),
        ),
    ),
    TableSpec(
        "MHS511AbsenceWithoutLeave",
        "Absence without leave (AWOL) during a ward stay.",
        key=("UniqWardStayID", "StartDateMHAbsWOLeave"),
        fields=(
            *_submission(),
            _f("UniqWardStayID", required=True),
            _f("StartDateMHAbsWOLeave", "date", required=True),
            _f("EndDateMHAbsWOLeave", "date"),
        ),
    ),
    TableSpec(
        "MHS903WardDetails",
        "Ward details (v6): the ward's site and its available and closed bed days in the month.",
        key=("UniqWardCode",),
        versions=("v6",),
        person_level=False,
        fields=(
            *_submission(person=False),
            _f("UniqWardCode", required=True),
            _f("WardCode"),
            _f("SiteIDOfWard", required=True),
            _f("AvailBedDays", "int"),
            _f("ClosedBedDays", "int"),
        ),
    ),
)

TABLE_BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}
REQUIRED_TABLES: tuple[str, ...] = (
    "MHS001MPI",
    "MHS501HospProvSpell",
    "MHS502WardStay",
)
"""An extract without these cannot describe inpatient care; every other table may be absent."""

# --- reference folder -------------------------------------------------------------------

REFERENCE_FILES: dict[str, tuple[tuple[str, Kind], ...]] = {
    "geography": (
        ("lsoa_code", "str"),
        ("sub_icb_code", "str"),
        ("icb_code", "str"),
        ("region_code", "str"),
        ("imd_decile", "int"),
        ("latitude", "float"),
        ("longitude", "float"),
    ),
    "population": (
        ("area_code", "str"),
        ("year", "int"),
        ("sex", "str"),
        ("age_band", "str"),
        ("ethnic_group", "str"),
        ("count", "float"),
        ("source", "str"),
    ),
    "providers": (
        ("provider_code", "str"),
        ("provider_name", "str"),
        ("provider_type", "str"),
    ),
    "sites": (
        ("site_code", "str"),
        ("provider_code", "str"),
        ("site_name", "str"),
        ("latitude", "float"),
        ("longitude", "float"),
    ),
    "wards": (
        ("ward_code", "str"),
        ("site_code", "str"),
        ("provider_code", "str"),
        ("bed_type_code", "str"),
        ("beds", "int"),
        ("valid_from", "date"),
        ("valid_to", "date"),
    ),
}
"""Reference folder files and their columns (all required; ``valid_to`` may be empty)."""

POPULATION_AGE_BANDS: tuple[str, ...] = (
    *(f"{lo}-{lo + 4}" for lo in range(0, 90, 5)),
    "90+",
)
POPULATION_ETHNIC_GROUPS: tuple[str, ...] = (
    "White",
    "Mixed",
    "Asian",
    "Black",
    "Other",
)
