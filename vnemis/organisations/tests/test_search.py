"""School search: every word of the query, in any order, ignoring case and diacritics; scoped."""

from __future__ import annotations

import io
from unittest import mock

from django.urls import reverse
from django.utils.translation import gettext, ngettext
from openpyxl import load_workbook

from vnemis.core import pagination
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion
from vnemis.testing.personas import PersonaTestCase


class SchoolSearchTests(PersonaTestCase):
    """World schools: 10082001 "Trường Tiểu học Bát Xát" (Bát Xát), 10086001 "Trường Tiểu
    học Phố Lu" (Bảo Thắng). Added here: a THCS of Bát Xát and a preschool of Đồng Tuyển,
    both in Bát Xát, so that words, order and đ can be told apart."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        v22 = TreeVersion.objects.get(code="2022")
        for code, name in (
            ("10082002", "Trường THCS Bát Xát"),
            ("10082003", "Trường Mầm non Đồng Tuyển"),
        ):
            unit = org_services.orgunit_create(kind="school", code=code, name=name, by=None)
            org_services.orgunit_place(unit=unit, version=v22, parent=w.batxat, by=None)

    def codes(self, persona: str, query: str) -> list[str]:
        response = self.get_as(persona, reverse("organisations:school_list") + "?q=" + query)
        self.assertEqual(response.status_code, 200)
        return [s.code for s in response.context["page"]]

    def test_words_without_diacritics_find_schools_with_them(self) -> None:
        """ "bat xat" finds both schools named "… Bát Xát", and nothing else."""
        self.assertEqual(self.codes("province_officer", "bat+xat"), ["10082001", "10082002"])

    def test_capitals_and_diacritics_in_the_query_are_ignored(self) -> None:
        for query in ("B%C3%81T+X%C3%81T", "Bat+Xat", "b%C3%A1t++x%C3%A1t", "BAT%20XAT"):
            self.assertEqual(self.codes("province_officer", query), ["10082001", "10082002"], query)

    def test_words_match_in_any_order(self) -> None:
        self.assertEqual(self.codes("province_officer", "xat+bat"), ["10082001", "10082002"])
        self.assertEqual(self.codes("province_officer", "xat+thcs"), ["10082002"])

    def test_every_word_must_match(self) -> None:
        """A word found in no name of the others narrows the result; two words found in two
        different schools find neither."""
        self.assertEqual(self.codes("province_officer", "bat+xat+thcs"), ["10082002"])
        self.assertEqual(self.codes("province_officer", "xat+lu"), [])

    def test_d_and_đ_find_each_other(self) -> None:
        for query in ("dong+tuyen", "%C4%90%E1%BB%93ng", "%C4%91ong", "DONG"):
            self.assertEqual(self.codes("province_officer", query), ["10082003"], query)

    def test_code_is_searched_too(self) -> None:
        self.assertEqual(self.codes("province_officer", "10086001"), ["10086001"])
        self.assertEqual(
            self.codes("province_officer", "1008200"), ["10082001", "10082002", "10082003"]
        )
        self.assertEqual(self.codes("province_officer", "bat+10082001"), ["10082001"])

    def test_search_stays_in_the_users_scope(self) -> None:
        """An officer of Bảo Thắng searching for Bát Xát's schools finds none; his own school
        is found, by name or by code."""
        self.assertEqual(self.codes("baothang_officer", "bat+xat"), [])
        self.assertEqual(self.codes("baothang_officer", "10082001"), [])
        self.assertEqual(self.codes("baothang_officer", "pho+lu"), ["10086001"])
        self.assertEqual(self.codes("batxat_officer", "pho+lu"), [])
        self.assertEqual(self.codes("principal_a", "truong"), ["10082001"])
        self.assertEqual(self.codes("nobody", "truong"), [])

    def test_export_holds_the_searched_schools(self) -> None:
        self.client.force_login(self.world.users["province_officer"])
        # The list's ?export= leads to the exports app's file of the list.
        response = self.client.get(
            reverse("organisations:school_list") + "?q=bat+xat&export=xlsx", follow=True
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(codes, ["10082001", "10082002"])


class SchoolSearchKeyTests(PersonaTestCase):
    """The stored key follows the name and code through every write path."""

    def test_renamed_school_is_found_by_its_new_name_only(self) -> None:
        org_services.orgunit_update(unit=self.world.school_b, by=None, name="Trường TH Xuân Quang")
        self.world.school_b.refresh_from_db()
        self.assertEqual(self.world.school_b.search_key, "truong th xuan quang 10086001")
        self.assertEqual(
            list(OrgUnit.objects.search("xuan quang").values_list("code", flat=True)), ["10086001"]
        )
        self.assertFalse(OrgUnit.objects.search("pho lu").exists())

    def test_save_with_update_fields_still_refreshes_the_key(self) -> None:
        unit = self.world.school_b
        unit.name = "Trường TH Sơn Hà"
        unit.save(update_fields=["name"])
        self.assertEqual(OrgUnit.objects.get(pk=unit.pk).search_key, "truong th son ha 10086001")

    def test_bulk_create_and_bulk_update_fill_the_key(self) -> None:
        (unit,) = OrgUnit.objects.bulk_create(
            [OrgUnit(kind="school", code="10099001", name="Trường PTDTBT Y Tý")]
        )
        self.assertEqual(OrgUnit.objects.get(pk=unit.pk).search_key, "truong ptdtbt y ty 10099001")
        unit.name = "Trường PTDTBT TH Y Tý"
        OrgUnit.objects.bulk_update([unit], ["name"])
        self.assertEqual(
            OrgUnit.objects.get(pk=unit.pk).search_key, "truong ptdtbt th y ty 10099001"
        )

    def test_update_of_the_name_alone_is_refused(self) -> None:
        """A queryset update() cannot recompute the key, so it is refused and changes
        nothing; updates of other fields pass."""
        units = OrgUnit.objects.filter(pk=self.world.school_b.pk)
        with self.assertRaises(TypeError):
            units.update(name="Trường TH Khác")
        self.assertEqual(units.get().name, "Trường Tiểu học Phố Lu")
        self.assertEqual(units.update(phone="0214123456"), 1)


class SchoolCountTests(PersonaTestCase):
    """The school list counts through the capped paginator."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # 1.000 more schools in Bảo Thắng, 1.001 with Phố Lu: bulk writes, as the demo's.
        v22 = TreeVersion.objects.get(code="2022")
        root = OrgPlacement.objects.get(version=v22, unit=cls.world.baothang)
        units = OrgUnit.objects.bulk_create(
            [OrgUnit(kind="school", code=f"9{i:07d}", name=f"Trường số {i}") for i in range(1000)]
        )
        OrgPlacement.objects.bulk_create(
            OrgPlacement(
                version=v22,
                unit=u,
                parent=cls.world.baothang,
                path=f"{root.path}{u.code}.",
                depth=root.depth + 1,
            )
            for u in units
        )

    def test_count_stops_at_the_cap_and_says_more_than(self) -> None:
        """Past the cap the list says "more than 1.000 schools" (Vietnamese thousands
        separator) and its pages reach the first 1.000."""
        with mock.patch.object(pagination, "COUNT_CAP", 1000):
            response = self.get_as("baothang_officer", reverse("organisations:school_list"))
        paginator = response.context["page"].paginator
        self.assertEqual((paginator.count, paginator.capped, paginator.num_pages), (1000, True, 20))
        self.assertContains(response, gettext("More than %(n)s schools") % {"n": "1.000"})
        hint = "Only the first %(n)s are listed: narrow the filters to see the others."
        self.assertContains(response, gettext(hint) % {"n": "1.000"})

    def test_count_under_the_cap_is_exact(self) -> None:
        with mock.patch.object(pagination, "COUNT_CAP", 1001):
            response = self.get_as("baothang_officer", reverse("organisations:school_list"))
        paginator = response.context["page"].paginator
        self.assertEqual((paginator.count, paginator.capped), (1001, False))
        self.assertContains(
            response, ngettext("%(n)s school", "%(n)s schools", 1001) % {"n": "1.001"}
        )
        self.assertNotContains(response, gettext("More than %(n)s schools") % {"n": "1.001"})

    def test_search_key_of_bulk_created_schools_serves_the_search(self) -> None:
        response = self.get_as(
            "baothang_officer",
            reverse("organisations:school_list") + "?q=TRU%C3%94NG+s%E1%BB%91+999",
        )
        self.assertEqual([s.code for s in response.context["page"]], ["90000999"])
