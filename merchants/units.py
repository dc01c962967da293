"""Cần Thơ's commune-level units on today's two-tier map, read from the
vietnam-provinces dataset (province code 92 since 1 July 2025: the old city
with the former Hậu Giang and Sóc Trăng, 31 phường and 72 xã), and the
conversion of a market's former district and ward to its current unit.

The dataset is the single source of unit codes and names: nothing here types
a unit by hand. The one exception is EARLIER_MERGES, whole wards merged the
year before the reform, which the dataset's pre-2025 list no longer holds.
"""

import difflib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import vietnam_provinces
from vietnam_provinces import Ward
from vietnam_provinces.helpers import normalize_search_name
from vietnam_provinces.legacy import District as FormerDistrict
from vietnam_provinces.legacy import Ward as FormerWard
from vietnam_provinces.legacy.codes import ProvinceCode as FormerProvinceCode

PROVINCE_CODE = 92
DATASET_VERSION = f"vietnam-provinces {vietnam_provinces.__version__} ({vietnam_provinces.__data_version__})"
DATASET_PATH = vietnam_provinces.NESTED_DIVISIONS_JSON_PATH

# Nghị quyết 1192/NQ-UBTVQH15 (28/9/2024, in force 1/11/2024) merged the whole
# of phường An Phú, An Nghiệp and An Cư into phường Thới Bình (quận Ninh Kiều).
# The dataset's former wards are those of 30/6/2025, so a register line that
# still names one of the three goes through Thới Bình.
EARLIER_MERGES: dict[tuple[str, str], str] = {
    ("Ninh Kiều", "An Phú"): "Thới Bình",
    ("Ninh Kiều", "An Nghiệp"): "Thới Bình",
    ("Ninh Kiều", "An Cư"): "Thới Bình",
}

TOWN_PREFIX = "Thị trấn "


@dataclass(frozen=True)
class Unit:
    code: str  # five digits, as the official list writes it: "31135"
    name: str  # with its kind, as the dataset writes it: "Phường Ninh Kiều"
    kind: str  # "phường" or "xã"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


@cache
def city_units(dataset: Path = DATASET_PATH) -> dict[str, Unit]:
    """Every current unit of the city by code, from the dataset's JSON (a
    copy of it in tests and in the unit-change report)."""
    provinces = json.loads(dataset.read_text(encoding="utf-8"))
    city = next(p for p in provinces if p["code"] == PROVINCE_CODE)
    units = (Unit(official_code(w["code"]), w["name"], w["division_type"]) for w in city["wards"])
    return {u.code: u for u in units}


def official_code(code: int) -> str:
    return f"{code:05d}"


def unit_choices() -> list[tuple[str, str]]:
    return sorted(((u.code, u.label) for u in city_units().values()), key=lambda c: normalize_search_name(c[1]))


def nearest_units(text: str, limit: int = 3, *, dataset: Path = DATASET_PATH) -> list[Unit]:
    """The units whose names are closest to what someone typed: the hint
    that goes with a refused unit code or name."""
    units = list(city_units(dataset).values())
    by_name = {normalize_search_name(u.name): u for u in units}
    matches = difflib.get_close_matches(normalize_search_name(text), by_name, n=limit, cutoff=0.0)
    return [by_name[m] for m in matches]


@dataclass(frozen=True)
class Conversion:
    """Where a former ward went. One candidate is an exact mapping; several
    mean the former ward was split, and a person has to settle it."""

    former_ward: str  # as the dataset names it
    candidates: tuple[Unit, ...]

    @property
    def unit(self) -> Unit | None:
        return self.candidates[0] if len(self.candidates) == 1 else None


def _key(name: str) -> str:
    return normalize_search_name(name.removeprefix("Quận ").removeprefix("Huyện "))


def convert_former(district: str, ward: str) -> Conversion | None:
    """The current unit(s) of a former ward of old Cần Thơ, named as the
    register names them ("Ninh Kiều", "Tân An"; a town as "Thị trấn Cờ Đỏ").
    None when the dataset knows no such former ward."""
    ward = EARLIER_MERGES.get((district, ward), ward)
    former_districts = [
        d for d in FormerDistrict.iter_by_province(FormerProvinceCode(PROVINCE_CODE)) if _key(d.name) == _key(district)
    ]
    if len(former_districts) != 1:
        return None
    is_town = ward.startswith(TOWN_PREFIX)
    former = [
        w
        for w in FormerWard.iter_by_district(former_districts[0].code)
        if normalize_search_name(w.name) == normalize_search_name(ward) and w.name.startswith(TOWN_PREFIX) == is_town
    ]
    if len(former) != 1:
        return None
    units = city_units()
    found = Ward.search_from_legacy(code=int(former[0].code))
    candidates = tuple(sorted((units[official_code(int(f.ward.code))] for f in found), key=lambda u: u.code))
    return Conversion(former[0].name, candidates)
