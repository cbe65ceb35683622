"""Digital-transformation records of the Lào Cai 2022 demo.

The records are chosen so that, counted by the indicator engine as of 30 June 2022, they give
the figures of the Department's report for the first half of 2022; earlier profiles (from the
start of the school year) give the second half of 2021 a lower, plausible level. The students'
results and transcripts of 2021-22 are the learning records of ``laocai_learning``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from vnemis.core.bulk import BulkWriter, reset_sequences
from vnemis.demo.laocai_2022 import YEAR_START
from vnemis.digital.models import PROFILE_COLUMNS, DigitalProfile
from vnemis.organisations.choices import GroupSetCode, OrgUnitKind
from vnemis.organisations.models import OrgUnit, SchoolYear

# Schools, as of 30 June 2022 (report 2022H1), and at the start of the year.
CASHLESS = 199
CASHLESS_AT_START = 150
CONTACT_BOOK = 168
CONTACT_BOOK_AT_START = 120
WEBSITES = {"mn": 103, "th": 123, "thcs": 142, "multi": 4}  # every school under the Sở has one
WEBSITES_AT_START = {"mn": 95, "th": 118, "thcs": 140, "multi": 3}
SCHOOLS_ON_MOBILE = 10
# School sites of the preschool and primary schools.
SITES_WIRED = 322
SITES_MOBILE = 628


def _pick(rng: random.Random, units: list[OrgUnit], n: int, bias: dict[int, float]) -> set[int]:
    """``n`` units, favouring those with a smaller ``bias`` (lowland, larger schools first)."""
    ranked = sorted(units, key=lambda u: bias.get(u.pk, 1.0) + rng.random())
    return {u.pk for u in ranked[:n]}


def _categories(schools: list[OrgUnit]) -> tuple[dict[int, str], dict[int, float]]:
    category: dict[int, str] = {}
    area: dict[int, float] = {}
    for school in schools:
        levels = set()
        for group in school.groups.all():
            if group.group_set.code == GroupSetCode.LEVEL:
                levels.add(group.code)
            elif group.group_set.code == GroupSetCode.AREA:
                area[school.pk] = {"kv1": 0.0, "kv2": 0.4, "kv3": 0.8}.get(group.code, 0.8)
        category[school.pk] = next(iter(levels)) if len(levels) == 1 else "multi"
    return category, area


def load_digital(*, rng: random.Random, year: SchoolYear, scale: float) -> dict[str, int]:
    now = timezone.now()
    schools = list(
        OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL, code__startswith="10")
        .prefetch_related("groups__group_set")
        .order_by("code")
    )
    category, area = _categories(schools)
    under_so = {s.pk for s in schools if s.code.startswith("10000")}
    by_category: dict[str, list[OrgUnit]] = {}
    for s in schools:
        if s.pk not in under_so:
            by_category.setdefault(category[s.pk], []).append(s)

    cashless = _pick(rng, schools, CASHLESS, area)
    cashless_start = _pick(rng, [s for s in schools if s.pk in cashless], CASHLESS_AT_START, area)
    contact = _pick(rng, schools, CONTACT_BOOK, area)
    contact_start = _pick(rng, [s for s in schools if s.pk in contact], CONTACT_BOOK_AT_START, area)
    websites = set(under_so)
    websites_start = set(under_so)
    for cat, n in WEBSITES.items():
        chosen = _pick(rng, by_category.get(cat, []), n, area)
        websites |= chosen
        websites_start |= _pick(
            rng, [s for s in by_category[cat] if s.pk in chosen], WEBSITES_AT_START[cat], area
        )
    highland = [s for s in schools if area.get(s.pk, 0.8) >= 0.8 and s.pk not in under_so]
    mobile = set(rng.sample(sorted(s.pk for s in highland), SCHOOLS_ON_MOBILE))

    writer = BulkWriter(
        DigitalProfile,
        PROFILE_COLUMNS,
        now=now,
    )

    def profile(
        unit: OrgUnit, day: dt.date, *, web: bool, cash: bool, book: bool, internet: str
    ) -> None:
        url = f"https://{unit.code}.laocai.edu.vn" if web else ""
        writer.add(unit.pk, day, internet, web, url, cash, book, True, True, "demo", None, "")

    for school in schools:
        pk = school.pk
        internet = "mobile" if pk in mobile else "wired"
        start = dict(web=pk in websites_start, cash=pk in cashless_start, book=pk in contact_start)
        end = dict(web=pk in websites, cash=pk in cashless, book=pk in contact)
        profile(school, YEAR_START, internet=internet, **start)
        if end != start:
            # Adopted during the first half of 2022: a new profile, the old one kept.
            day = dt.date(2022, 1, 3) + dt.timedelta(days=rng.randrange(140))
            profile(school, day, internet=internet, **end)

    sites = list(
        OrgUnit.objects.filter(kind=OrgUnitKind.SITE, school__code__startswith="10").order_by(
            "code"
        )
    )
    main = [s for s in sites if s.code.endswith("-01")]
    wired = set(rng.sample([s.pk for s in main], min(SITES_WIRED, len(main))))
    rest = [s.pk for s in sites if s.pk not in wired]
    on_mobile = set(rng.sample(rest, SITES_MOBILE))
    for site in sites:
        internet = "wired" if site.pk in wired else ("mobile" if site.pk in on_mobile else "none")
        profile(site, YEAR_START, web=False, cash=False, book=False, internet=internet)
    writer.flush()

    reset_sequences(DigitalProfile)
    return {"digital_profiles": writer.count}


REPORTED_2022H1 = {
    "procedures_online_pct": Decimal(100),
    "dossiers_online_pct": Decimal(100),
    "work_records_online_pct": Decimal(97),
}
# National targets of QĐ 131/QĐ-TTg for 2025, set on the province's Sở.
TARGETS_2025_QD131 = {
    "it_management_schools": Decimal(100),
    "digital_records_students": Decimal(100),
}
TARGETS_2022H2 = {
    "cashless_schools": Decimal(50),
    "e_transcript_students": Decimal("73.9"),
    "contact_book_schools": Decimal(50),
    "work_records_online": Decimal(98),
    "procedures_online": Decimal(100),
    "dossiers_online": Decimal(100),
}
