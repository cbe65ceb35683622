"""Synthetic people: Vietnamese names in Vietnamese order, birth dates, personal ID numbers.

Names follow the ethnic mix of each district: Kinh names from weighted surname frequencies,
ethnic-minority names from hand-written samples (``data/names.py``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from typing import ClassVar

from vnemis.core.bulk import BulkWriter
from vnemis.core.text import fold
from vnemis.demo.data import names
from vnemis.demo.laocai_2022 import ETHNIC_MIX, VILLAGES
from vnemis.people.identity import century_sex_digit

_PHONE_PREFIXES = (
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "086",
    "096",
    "097",
    "098",
    "091",
    "094",
    "088",
    "081",
    "082",
    "083",
    "084",
    "085",
    "070",
    "079",
)
_OCCUPATIONS = (
    "Làm nông",
    "Làm nông",
    "Làm nông",
    "Công nhân",
    "Buôn bán",
    "Công chức",
    "Lao động tự do",
    "Giáo viên",
    "Bộ đội",
    "Làm nông",
)
_QUALIFICATIONS = ("dai_hoc",) * 14 + ("cao_dang",) * 3 + ("thac_si",) * 2 + ("trung_cap",)
# Birth-registration provinces of adults born elsewhere (pre-2025 codes): Yên Bái, Phú Thọ,
# Hà Nội, Thái Bình, Nam Định, Tuyên Quang.
_OTHER_PROVINCES = ("015", "025", "001", "034", "036", "008")
_LAO_CAI = "010"
# A multiplier coprime with 10**6 turns a counter into a scattered but unique 6-digit tail.
_SCATTER = 104_729


class _Picker:
    """Weighted choice by binary search over cumulative weights (faster than random.choices)."""

    def __init__(self, items: list[str], weights: list[float]) -> None:
        self.items = items
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> str:
        x = rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_right(self.cumulative, x)]


class PersonFactory:
    """Makes person rows through a ``BulkWriter`` and remembers the last child for its parent."""

    FIELDS: ClassVar[list[str]] = [
        "family_name",
        "middle_name",
        "given_name",
        "birth_date",
        "sex",
        "ethnicity",
        "national_id",
        "phone",
        "email",
        "address",
        "user",
        "search_name",
    ]

    def __init__(self, rng: random.Random, writer: BulkWriter) -> None:
        self.rng = rng
        self.writer = writer
        self.surnames = _Picker(
            [s for s, _ in names.KINH_SURNAMES], [w for _, w in names.KINH_SURNAMES]
        )
        self.mix = {
            d: _Picker(list(m), [float(w) for w in m.values()]) for d, m in ETHNIC_MIX.items()
        }
        self.default_mix = _Picker(["01", "02", "08", "09"], [60.0, 15.0, 15.0, 10.0])
        self.id_counters: dict[str, int] = {}
        self.last_child: tuple[str, str, str] = ("", "01", "")

    # Parts of a person -------------------------------------------------------------------

    def _ethnicity(self, district: str | None) -> str:
        picker = self.mix.get(district or "", self.default_mix)
        return picker.pick(self.rng)

    def _name(self, ethnicity: str, sex: str, family: str | None = None) -> tuple[str, str, str]:
        rng = self.rng
        minority = names.MINORITY_NAMES.get(ethnicity)
        if minority:
            surname = family or rng.choice(minority["surnames"])
            middle = rng.choice(minority["middle_male" if sex == "M" else "middle_female"])
            given = rng.choice(minority["given_male" if sex == "M" else "given_female"])
            return surname, middle, given
        surname = family or self.surnames.pick(rng)
        middle = rng.choice(names.KINH_MIDDLE_MALE if sex == "M" else names.KINH_MIDDLE_FEMALE)
        given = rng.choice(names.GIVEN_MALE if sex == "M" else names.GIVEN_FEMALE)
        return surname, middle, given

    def _national_id(self, province: str, birth: dt.date, sex: str) -> str:
        head = (
            f"{province}{century_sex_digit(birth_year=birth.year, sex=sex)}{birth.year % 100:02d}"
        )
        n = self.id_counters.get(head, 0)
        self.id_counters[head] = n + 1
        return f"{head}{(n * _SCATTER + 7) % 1_000_000:06d}"

    def _birth(self, year: int) -> dt.date:
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def _phone(self) -> str:
        return self.rng.choice(_PHONE_PREFIXES) + f"{self.rng.randrange(10**7):07d}"

    def _address(self, place: str) -> str:
        return f"Thôn {self.rng.choice(VILLAGES)}, {place}"

    def _add(
        self,
        family: str,
        middle: str,
        given: str,
        birth: dt.date,
        sex: str,
        ethnicity: str,
        national_id: str | None,
        phone: str,
        address: str,
    ) -> int:
        full = f"{family} {middle} {given}" if middle else f"{family} {given}"
        return self.writer.add(
            family,
            middle,
            given,
            birth,
            sex,
            ethnicity,
            national_id,
            phone,
            "",
            address,
            None,
            fold(full),
        )

    # People -------------------------------------------------------------------------------

    def child(self, *, district: str | None, age: int, place: str) -> int:
        """A child aged ``age`` on 31 December 2021; about 3% are a year older."""
        rng = self.rng
        sex = "M" if rng.random() < 0.515 else "F"
        ethnicity = self._ethnicity(district)
        family, middle, given = self._name(ethnicity, sex)
        older = 1 if rng.random() < 0.03 else 0
        birth = self._birth(2021 - age - older)
        # Most children born from 2016 on had a number issued at birth registration.
        national_id = self._national_id(_LAO_CAI, birth, sex) if rng.random() < 0.97 else None
        address = self._address(place)
        self.last_child = (family, ethnicity, address)
        return self._add(family, middle, given, birth, sex, ethnicity, national_id, "", address)

    def parent_of(self, child_id: int) -> tuple[int, str]:
        """A parent of the child made last: the father carries the family name."""
        family, ethnicity, address = self.last_child
        rng = self.rng
        is_father = rng.random() < 0.45
        sex = "M" if is_father else "F"
        surname, middle, given = self._name(ethnicity, sex, family if is_father else None)
        birth = self._birth(rng.randint(1972, 1996))
        person_id = self._add(
            surname,
            middle,
            given,
            birth,
            sex,
            ethnicity,
            self._national_id(_LAO_CAI, birth, sex),
            self._phone(),
            address,
        )
        return person_id, ("father" if is_father else "mother")

    def adult(self, *, district: str | None, place: str) -> int:
        """A member of staff; a fifth were born outside the province."""
        rng = self.rng
        sex = "F" if rng.random() < 0.68 else "M"
        ethnicity = "01" if rng.random() < 0.6 else self._ethnicity(district)
        family, middle, given = self._name(ethnicity, sex)
        birth = self._birth(rng.randint(1965, 1999))
        province = rng.choice(_OTHER_PROVINCES) if rng.random() < 0.2 else _LAO_CAI
        return self._add(
            family,
            middle,
            given,
            birth,
            sex,
            ethnicity,
            self._national_id(province, birth, sex),
            self._phone(),
            self._address(place),
        )

    def qualification(self) -> str:
        return self.rng.choice(_QUALIFICATIONS)

    def occupation(self) -> str:
        return self.rng.choice(_OCCUPATIONS)
