"""Tests for nearhome.data.codes and the code-list CSV files it reads."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from nearhome.data import codes, schema
from nearhome.errors import NearhomeError, NotFound

REFERENCE = resources.files("nearhome.data") / "reference"
DOCS_PAGE = Path(__file__).parents[3] / "docs" / "reference" / "code-lists.md"
V6_BED_TYPES = {str(c) for c in [*range(200, 214), *range(300, 312)]}


def _codes_where(name: str, column: str, value: object) -> set[str]:
    frame = codes.code_list(name)
    return set(frame.loc[frame[column] == value, "code"])


# --- the files and sources.csv ------------------------------------------------------------


def test_every_list_in_sources_has_a_csv_and_every_csv_is_in_sources() -> None:
    files = {
        p.name[: -len(".csv")] for p in REFERENCE.iterdir() if p.name.endswith(".csv")
    }
    files.discard("sources")
    assert set(codes.list_names()) == files


def test_sources_columns_and_every_list_has_title_and_source() -> None:
    with (REFERENCE / "sources.csv").open(encoding="utf-8") as handle:
        sources = pd.read_csv(handle, dtype=str, keep_default_na=False)
    assert list(sources.columns) == ["list_name", "title", "source", "notes"]
    assert sources["list_name"].is_unique
    assert (sources["title"] != "").all()
    assert (sources["source"] != "").all()


def test_every_code_list_named_by_the_input_contract_exists() -> None:
    named = {f.code_list for t in schema.TABLES for f in t.fields if f.code_list}
    assert named <= set(codes.list_names())


@pytest.mark.parametrize("name", codes.list_names())
def test_keys_are_present_and_unique_within_each_list(name: str) -> None:
    frame = codes.code_list(name)
    keys = list(codes.key_columns(name))
    assert set(keys) <= set(frame.columns)
    assert frame[keys].notna().all().all()
    assert not frame.duplicated(subset=keys).any()


@pytest.mark.parametrize("name", codes.list_names())
def test_column_types_follow_the_naming_rules(name: str) -> None:
    frame = codes.code_list(name)
    for column in frame.columns:
        if column.startswith(("is_", "has_", "excluded_")):
            assert frame[column].dtype == bool, column
        elif column in {"decile", "quintile", "min_age", "max_age", "min_km", "max_km"}:
            assert str(frame[column].dtype) == "Int64", column
        else:
            assert all(v is None or isinstance(v, str) for v in frame[column]), column


@pytest.mark.parametrize("name", codes.list_names())
def test_lists_with_codes_describe_every_code(name: str) -> None:
    frame = codes.code_list(name)
    if "description" not in frame.columns:
        return
    assert frame["description"].notna().all()
    for code in frame["code"]:
        assert codes.describe(name, code)


def test_info_and_docs_page_match_the_csvs() -> None:
    assert codes.info("bed_type").title.startswith("Mental health admitted patient")
    assert DOCS_PAGE.read_text(encoding="utf-8") == codes.render_markdown(), (
        "docs/reference/code-lists.md is stale; regenerate it with "
        "python -c 'from nearhome.data.codes import render_markdown as r; "
        'open("docs/reference/code-lists.md", "w").write(r())\''
    )


# --- the API ------------------------------------------------------------------------------


def test_unknown_list_raises_not_found_naming_close_matches() -> None:
    with pytest.raises(NotFound, match="bed_type") as caught:
        codes.code_list("bed_typ")
    assert isinstance(caught.value, NearhomeError)
    assert caught.value.hint is not None
    assert "ethnic_category" in caught.value.hint
    with pytest.raises(NotFound) as nothing_close:
        codes.code_values("zzzz")
    assert nothing_close.value.message == "No code list named 'zzzz'."


def test_code_list_returns_a_copy() -> None:
    frame = codes.code_list("gender")
    frame.loc[0, "description"] = "changed"
    assert codes.describe("gender", "1") == "Male"


def test_describe_known_unknown_and_default() -> None:
    assert codes.describe("bed_type", "200") == "Acute Adult Mental Health Care"
    assert codes.describe("crfd_reason", "36") == "Hospital staff shortages"
    assert codes.describe("crfd_reason", "1", default="?") == "?"
    with pytest.raises(NotFound, match="'1' is not in code list 'crfd_reason'"):
        codes.describe("crfd_reason", "1")
    with pytest.raises(ValueError, match="no code and description"):
        codes.describe("bed_grouping", "200")


def test_code_values_keeps_leading_zeros_and_refuses_composite_keys() -> None:
    assert "01" in codes.code_values("crfd_reason")
    assert "1" not in codes.code_values("crfd_reason")
    assert codes.code_values("imd_quintile") == {str(d) for d in range(1, 11)}
    assert "37" in codes.code_values("bed_type_crosswalk")
    with pytest.raises(ValueError, match="keyed by"):
        codes.code_values("age_band_sets")


def test_a_bad_boolean_cell_is_a_packaging_error() -> None:
    with pytest.raises(ValueError, match="true/false"):
        codes._typed("x.csv", "is_flag", pd.Series(["true", "yes"]))


# --- bed types, crosswalk and groupings ---------------------------------------------------


def test_bed_types_by_version() -> None:
    frame = codes.code_list("bed_type")
    by_version = frame.groupby("version")["code"].apply(set).to_dict()
    assert by_version["v6"] == V6_BED_TYPES
    v5 = {str(c) for c in [*range(10, 16), 17, *range(19, 41)]}
    assert by_version["v5"] == v5
    assert by_version["v4.1"] == {"16", "18"}


def test_crosswalk_published_values() -> None:
    walk = codes.bed_type_crosswalk()
    assert list(walk.columns) == ["v5_code", "v6_code", "is_one_to_one"]
    v6_of = dict(zip(walk["v5_code"], walk["v6_code"], strict=True))
    assert v6_of["10"] == "200"
    assert v6_of["11"] == "201"
    assert v6_of["12"] == "202"
    assert v6_of["25"] == v6_of["26"] == "302"
    assert v6_of["40"] == "210"
    assert v6_of["39"] == "211"
    assert v6_of["30"] == "310"
    assert {v6_of[c] for c in ("17", "35", "36", "38")} == {"212"}
    assert v6_of["37"] == "213"
    assert v6_of["16"] is None
    assert v6_of["18"] is None


def test_crosswalk_covers_every_old_code_and_points_at_v6_codes() -> None:
    walk = codes.bed_type_crosswalk()
    bed = codes.code_list("bed_type")
    assert set(walk["v5_code"]) == set(bed.loc[bed["version"] != "v6", "code"])
    assert set(walk["v6_code"].dropna()) <= V6_BED_TYPES
    judged = set(walk.loc[~walk["is_one_to_one"], "v5_code"])
    assert judged == {"16", "17", "18", "30", "35", "36", "37", "38"}
    notes = codes.code_list("bed_type_crosswalk").set_index("v5_code")["note"]
    assert notes[sorted(judged)].notna().all()


def test_bed_groupings_are_v6_and_each_code_is_in_one_group_per_grouping() -> None:
    frame = codes.bed_groupings()
    assert set(frame["bed_type_code"]) <= V6_BED_TYPES
    assert not frame.duplicated(subset=["grouping", "bed_type_code"]).any()
    expected = {
        "los_publication",
        "oap_adult_acute",
        "mhs27a",
        "nhse_dashboard",
        "follow_up_72h",
        "capacity_pool",
    }
    assert set(frame["grouping"]) == expected


def _groups(grouping: str) -> dict[str, set[str]]:
    frame = codes.bed_groupings(grouping)
    assert set(frame["grouping"]) == {grouping}
    return frame.groupby("group")["bed_type_code"].apply(set).to_dict()


def test_bed_groupings_published_values() -> None:
    assert _groups("los_publication") == {
        "adult_acute": {"200"},
        "older_adult_acute": {"201"},
        "picu": {"202"},
    }
    assert _groups("oap_adult_acute") == {"adult_acute": {"200", "201", "202"}}
    assert _groups("follow_up_72h") == {
        "acute": {"200", "201", "202", "205", "212", "213"}
    }
    mhs27a = _groups("mhs27a")
    assert mhs27a["Adult Acute"] == {"200", "202"}
    assert mhs27a["Older Adult Acute"] == {"201"}
    assert mhs27a["CYP Acute"] == {"300", "301"}
    assert set().union(*mhs27a.values()) == V6_BED_TYPES - {"210", "211"}
    dashboard = _groups("nhse_dashboard")
    assert dashboard["Adult Acute (ICB commissioned)"] == {"200", "201", "202"}
    assert set().union(*dashboard.values()) == V6_BED_TYPES


def test_capacity_pool_partitions_every_v6_bed_type() -> None:
    pools = _groups("capacity_pool")
    assert set().union(*pools.values()) == V6_BED_TYPES
    assert sum(len(c) for c in pools.values()) == len(V6_BED_TYPES)
    assert pools["rehabilitation"] == {"212", "213"}
    assert pools["secure"] == {"206", "207", "208"}


def test_unknown_bed_grouping_names_close_matches() -> None:
    with pytest.raises(NotFound, match="oap_adult_acute"):
        codes.bed_groupings("oap_acute")


# --- delays -------------------------------------------------------------------------------

DELAY_GROUPS = {"housing", "social_care", "community", "hospital", "not_known"}


def test_crfd_reasons_and_nhse_groups() -> None:
    groups = codes.crfd_reason_groups()
    assert set(groups) == {f"{c:02d}" for c in range(1, 38)} | {"98"}
    assert set(groups.values()) == DELAY_GROUPS
    housing = {c for c, g in groups.items() if g == "housing"}
    assert housing == {"14", "15", "16", "17", "18", "19", "32"}
    assert {c for c, g in groups.items() if g == "hospital"} == {"11", "35", "36"}
    assert {c for c, g in groups.items() if g == "social_care"} == {
        "03",
        "07",
        "20",
        "21",
        "34",
    }
    assert groups["08"] == "community"
    assert groups["98"] == "not_known"


def test_v5_delay_reasons_groups_and_v6_codes() -> None:
    frame = codes.code_list("delay_reason_v5")
    assert set(frame["group"]) <= DELAY_GROUPS
    group = dict(zip(frame["code"], frame["group"], strict=True))
    for code in ("I2", "I3", "J2", "K2", "G8", "G9", "G10"):
        assert group[code] == "housing", code
    for code in ("D1", "D2", "E1", "F2", "T2"):
        assert group[code] == "social_care", code
    assert group["98"] == "not_known"
    v6 = dict(zip(frame["code"], frame["v6_code"], strict=True))
    assert set(frame["v6_code"].dropna()) <= codes.code_values("crfd_reason")
    assert v6["A2"] == "01"
    assert v6["J2"] == "18"
    assert v6["K2"] == "19"
    assert v6["H1"] is None


def test_attributable_to() -> None:
    assert codes.code_values("attributable_to") == {"04", "05", "06", "07"}
    assert (
        "v5 only" in codes.code_list("attributable_to").set_index("code")["note"]["07"]
    )


# --- people, MHA, restrictive interventions, OAPs -----------------------------------------


def test_ethnic_category_groups() -> None:
    groups = codes.ethnic_groups()
    letters = set("ABCDEFGHJKLMNPRSZ")
    assert set(groups) == letters | {"99"}
    assert groups["A"] == "White"
    assert groups["N"] == "Black"
    assert groups["R"] == "Other"
    assert groups["Z"] == "Not stated"
    assert groups["99"] == "Not known"
    known = {g for c, g in groups.items() if c not in {"Z", "99"}}
    assert known == set(schema.POPULATION_ETHNIC_GROUPS)
    assert _codes_where("ethnic_category", "is_white_british", True) == {"A"}
    dashboard = codes.code_list("ethnic_category").set_index("code")[
        "group_nhse_dashboard"
    ]
    assert dashboard["B"] == "White Other"
    assert dashboard["99"] == "Missing/Invalid"


def test_gender_codes() -> None:
    assert codes.code_values("gender") == {"1", "2", "3", "4", "9", "X", "Z"}
    assert _codes_where("gender", "is_valid_gender", True) == {"1", "2", "9", "X"}


def test_legal_status_groups() -> None:
    groups = codes.legal_status_groups()
    assert groups["01"] == "informal"
    assert groups["03"] == "detention"
    detention = {c for c, g in groups.items() if g == "detention"}
    assert detention == {
        *("02", "03", "07", "08", "09", "10", "12", "13", "14", "15"),
        *("16", "17", "18", "31", "32", "37", "38"),
    }
    assert {c for c, g in groups.items() if g == "short_term"} == {
        "04",
        "05",
        "06",
        "19",
        "20",
    }
    assert {c for c, g in groups.items() if g == "guardianship"} == {"35", "36"}
    assert {c for c, g in groups.items() if g == "other"} == {"34", "98", "99"}


def test_restrictive_intervention_types_and_reasons() -> None:
    groups = codes.ri_type_groups()
    assert set(groups) == {"01", "02", "03", *(f"{c:02d}" for c in range(4, 18))}
    assert groups["01"] == "prone"
    assert groups["04"] == "mechanical"
    assert groups["05"] == "seclusion"
    assert groups["06"] == "segregation"
    assert {c for c, g in groups.items() if g == "chemical"} == {
        "03",
        "14",
        "15",
        "16",
        "17",
    }
    reasons = codes.code_values("ri_reason")
    assert reasons == {str(c) for c in range(10, 20)} | {"98", "99"}


def test_oap_reasons() -> None:
    assert codes.code_values("oap_reason") == {"10", "11", "12", "13", "14", "15", "99"}
    assert _codes_where("oap_reason", "is_inappropriate", True) == {"10"}
    assert _codes_where("oap_reason", "is_oap", False) == {"99"}


def test_ld_autism_status_groups() -> None:
    frame = codes.code_list("ld_autism_status")
    group = dict(zip(frame["code"], frame["group"], strict=True))
    assert group == {
        "1": "confirmed",
        "2": "suspected",
        "3": "suspected",
        "4": "suspected",
        "5": "none",
        "U": "unknown",
        "X": "unknown",
        "Z": "unknown",
    }


# --- spells and contacts ------------------------------------------------------------------


def test_admission_codes_and_transfers_in() -> None:
    assert _codes_where("admission_source", "is_transfer_in", True) == {
        "49",
        "53",
        "87",
    }
    method = codes.code_list("admission_method").set_index("code")["group"]
    assert method["25"] == "emergency_crht"
    assert method["2A"] == "emergency_ae"
    assert method["81"] == "transfer"


def test_discharge_exclusion_flags() -> None:
    ex72 = {
        *("30", "37", "38", "40", "42", "48", "49"),
        *("50", "53", "79", "84", "87", "89"),
    }
    assert _codes_where("discharge_destination", "excluded_from_72h", True) == ex72
    readmit = {"48", "49", "50", "53", "84", "87", "79"}
    assert (
        _codes_where("discharge_destination", "excluded_from_readmission", True)
        == readmit
    )
    assert _codes_where("discharge_method", "excluded_from_72h", True) == {"4", "5"}


def test_contact_attendance_and_mechanisms() -> None:
    assert codes.code_values("attend_status") == {"2", "3", "4", "5", "6", "7"}
    assert _codes_where("attend_status", "is_attended", True) == {"5", "6"}
    mechanisms = codes.code_values("consultation_mechanism")
    assert mechanisms == {
        *("01", "02", "03", "04", "05", "06"),
        *("09", "10", "11", "12", "13", "98"),
    }
    qualifying = _codes_where("consultation_mechanism", "is_qualifying_72h", True)
    assert qualifying == {"01", "02", "04", "11"}


def test_ward_security_levels() -> None:
    assert codes.code_values("ward_security_level") == {"0", "1", "2", "3"}
    assert codes.describe("ward_security_level", "0") == "General (non-secure)"


# --- bands --------------------------------------------------------------------------------


def test_imd_deciles_pair_into_quintiles() -> None:
    frame = codes.code_list("imd_quintile")
    assert list(frame["decile"]) == list(range(1, 11))
    assert list(frame["quintile"]) == [(d + 1) // 2 for d in range(1, 11)]
    labels = dict(zip(frame["quintile"], frame["quintile_label"], strict=False))
    assert labels[1] == "01 Most deprived"
    assert labels[5] == "05 Least deprived"
    assert (
        frame.loc[frame["decile"] == 10, "decile_label"].item() == "10 Least deprived"
    )


def test_age_band_sets_tile_from_zero_without_gaps() -> None:
    frame = codes.code_list("age_band_sets")
    expected = {
        "mhs07",
        "los",
        "oap",
        "mha",
        "mha_broad",
        "ri",
        "main_monthly",
        "five_year",
        "esp",
    }
    assert set(frame["band_set"]) == expected
    for band_set, bands in frame.groupby("band_set", sort=False):
        mins, maxes = list(bands["min_age"]), list(bands["max_age"])
        assert mins[0] == 0, band_set
        for lo, prev_hi in zip(mins[1:], maxes[:-1], strict=True):
            assert lo == prev_hi + 1, band_set
        assert pd.isna(maxes[-1]) or maxes[-1] == 120, band_set


def test_five_year_and_esp_bands_match_the_population_file() -> None:
    frame = codes.code_list("age_band_sets")
    for band_set in ("five_year", "esp"):
        bands = tuple(frame.loc[frame["band_set"] == band_set, "band"])
        assert bands == schema.POPULATION_AGE_BANDS
    mhs07 = tuple(frame.loc[frame["band_set"] == "mhs07", "band"])
    assert mhs07 == ("00-18", "19-64", "65-120")


def test_distance_bands_tile_and_flag_50km() -> None:
    frame = codes.code_list("distance_band")
    mins, maxes = list(frame["min_km"]), list(frame["max_km"])
    assert mins[0] == 0
    assert mins[1:] == maxes[:-1]
    assert pd.isna(maxes[-1])
    assert frame["band"].iloc[-1] == "70+km"
    assert list(frame["is_50km_plus"]) == [lo >= 50 for lo in mins]
    assert list(dict.fromkeys(frame["coarse_band"])) == [
        "0-4km",
        "5-9km",
        "10-19km",
        "20-29km",
        "30-49km",
        "50-69km",
        "70+km",
    ]
