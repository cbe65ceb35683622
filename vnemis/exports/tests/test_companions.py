"""The shared companions of the listed models: one FilterSet and one export definition each.

The FilterSets filter what ``access`` scoped and refuse a value they cannot use with the 400
message; the definitions give the list's columns, mask personal data as the pages do, and
neutralise formulas; a list page and its file hold the same rows for the same query string.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from django.http import QueryDict
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from vnemis.core.filtersets import FilterSet
from vnemis.core.http import BadParameter
from vnemis.exports import definitions
from vnemis.imports import services as import_services
from vnemis.imports.filtersets import ImportJobFilterSet
from vnemis.imports.models import ImportJob
from vnemis.indicators import services as indicator_services
from vnemis.indicators.filtersets import IndicatorValueFilterSet
from vnemis.indicators.models import ElementValue
from vnemis.indicators.periods import parse_period
from vnemis.organisations import access as org_access
from vnemis.organisations.filtersets import OrgUnitFilterSet, SchoolFilterSet, SiteFilterSet
from vnemis.organisations.models import OrgUnit
from vnemis.people import access as people_access
from vnemis.people.filtersets import (
    EnrollmentFilterSet,
    SchoolClassFilterSet,
    StaffFilterSet,
    StudentFilterSet,
)
from vnemis.people.models import Enrollment, SchoolClass, Staff, Student
from vnemis.plans import access as plan_access
from vnemis.plans.filtersets import PlanTaskFilterSet
from vnemis.plans.models import PlanTask
from vnemis.plans.tests.fixtures import Plans, build_plans
from vnemis.testing.personas import PersonaTestCase

MEDIA = tempfile.mkdtemp(prefix="vnemis-companions-media-")

# Every FilterSet of a listed model, with the model it filters.
FILTERSETS: tuple[tuple[type[FilterSet], Any], ...] = (
    (OrgUnitFilterSet, OrgUnit),
    (SchoolFilterSet, OrgUnit),
    (SiteFilterSet, OrgUnit),
    (EnrollmentFilterSet, Enrollment),
    (StaffFilterSet, Staff),
    (StudentFilterSet, Student),
    (SchoolClassFilterSet, SchoolClass),
    (IndicatorValueFilterSet, ElementValue),
    (PlanTaskFilterSet, PlanTask),
    (ImportJobFilterSet, ImportJob),
)
# The values the parameter fuzz sends (vnemis/testing/tests/test_param_fuzz.py).
HOSTILE = (
    "-1",
    "0",
    "99999999999999999999",
    "NaN",
    "1e309",
    "٩٧",
    "0000H1",
    "9999H1",
    "31/12/9999",
    "'\"<script>%_\\",
    "\x00",
    "x" * 300,
)


def codes(queryset: Any, field: str = "code") -> list[Any]:
    return sorted(queryset.values_list(field, flat=True))


class FilterSetHostileValueTests(TestCase):
    """No FilterSet fails on a value from the address: it filters, or refuses it with the
    message naming the parameter (``BadParameter``, the 400 page)."""

    def test_every_filter_of_every_filterset_filters_or_refuses(self) -> None:
        """Each hostile value in each declared filter: rows (none here) or BadParameter,
        never another exception and never the unfiltered list for a refused value."""
        for filterset_class, model in FILTERSETS:
            for name in filterset_class.base_filters:
                for value in HOSTILE:
                    filterset = filterset_class({name: value}, queryset=model.objects.all())
                    label = f"{filterset_class.__name__} {name}={value[:20]!r}"
                    try:
                        rows = list(filterset.qs)
                    except BadParameter as exc:
                        self.assertFalse(filterset.is_valid(), label)
                        self.assertIn(f"“{name}”", exc.message, label)
                    else:
                        self.assertTrue(filterset.is_valid(), label)
                        self.assertEqual(rows, [], label)

    def test_numbers_of_other_scripts_and_overflows_are_refused(self) -> None:
        """The strict fields refuse what Python reads: "٩" as 9, a number past 64 bits, a
        grade past 12, a period in year 0."""
        refused = [
            (EnrollmentFilterSet, {"grade": "٩"}),
            (EnrollmentFilterSet, {"grade": "13"}),
            (EnrollmentFilterSet, {"school_class": "99999999999999999999"}),
            (SchoolClassFilterSet, {"grade": "NaN"}),
            (IndicatorValueFilterSet, {"period": "0000H1"}),
            (SchoolFilterSet, {"level": "nope"}),
            (SchoolFilterSet, {"q": "x" * 201}),
            (PlanTaskFilterSet, {"status": "finished"}),
            (ImportJobFilterSet, {"kind": "nope"}),
        ]
        for filterset_class, data in refused:
            filterset = filterset_class(data, queryset=filterset_class._meta.model.objects.all())
            with self.assertRaises(BadParameter, msg=str(data)):
                filterset.qs  # noqa: B018  # reading qs is what raises
        grade = EnrollmentFilterSet({"grade": "12"}, queryset=Enrollment.objects.all())
        self.assertTrue(grade.is_valid())

    def test_params_round_trip(self) -> None:
        """The filters in use are stored as written and rebuild the same FilterSet."""
        filterset = PlanTaskFilterSet(
            QueryDict("status=done&overdue=1&q=ket+noi&page=3&owner="),
            queryset=PlanTask.objects.none(),
        )
        params = filterset.params()
        self.assertEqual(params, {"status": "done", "overdue": "1", "q": "ket noi"})
        again = PlanTaskFilterSet.from_params(params, queryset=PlanTask.objects.none())
        self.assertTrue(again.is_valid())
        self.assertEqual(again.form.cleaned_data["overdue"], True)


@override_settings(MEDIA_ROOT=MEDIA)
class FilterSetTests(PersonaTestCase):
    """Each FilterSet narrows the scoped queryset it is given."""

    plans: ClassVar[Plans]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.plans = build_plans(cls.world)

    def units(self, persona: str, query: str, filterset: type[FilterSet]) -> list[str]:
        """Codes of the units ``filterset`` keeps of those its list shows ``persona``."""
        scoped = {
            OrgUnitFilterSet: org_access.orgunits_for_user,
            SchoolFilterSet: org_access.schools_for_user,
            SiteFilterSet: org_access.sites_for_user,
        }[filterset](user=self.world.users[persona])
        return codes(filterset(QueryDict(query), queryset=scoped).qs)

    def test_org_units_by_kind_version_place_and_words(self) -> None:
        self.assertEqual(
            self.units("province_officer", "kind=district_office", OrgUnitFilterSet),
            ["PGD082", "PGD086"],
        )
        # District offices exist in the 2022 tree only; communes in the 2025 tree only.
        self.assertEqual(
            self.units("department_admin", "version=2025&kind=district_office", OrgUnitFilterSet),
            [],
        )
        self.assertEqual(
            self.units("department_admin", "version=2025&kind=commune", OrgUnitFilterSet),
            ["XA02683", "XA02902"],
        )
        self.assertEqual(
            self.units("province_officer", "under=PGD082", OrgUnitFilterSet),
            ["10082001", "10082001-01", "PGD082"],
        )
        self.assertEqual(
            self.units("department_admin", "q=BAT+xát", OrgUnitFilterSet),
            ["10082001", "PGD082", "XA02683"],
        )

    def test_a_filter_never_widens_the_scope(self) -> None:
        """Bảo Thắng's officer asking for Bát Xát's units gets none of them."""
        self.assertEqual(self.units("baothang_officer", "under=PGD082", OrgUnitFilterSet), [])
        self.assertEqual(self.units("baothang_officer", "q=bat+xat", SchoolFilterSet), [])

    def test_schools_by_commune_ownership_and_level(self) -> None:
        self.assertEqual(
            self.units("province_officer", "under=XA02683", SchoolFilterSet), ["10082001"]
        )
        self.assertEqual(
            self.units("province_officer", "ownership=cong_lap&level=th", SchoolFilterSet),
            ["10082001", "10086001"],
        )
        self.assertEqual(self.units("province_officer", "ownership=tu_thuc", SchoolFilterSet), [])
        self.assertEqual(self.units("province_officer", "level=thcs", SchoolFilterSet), [])

    def test_sites_by_school_and_place(self) -> None:
        self.assertEqual(
            self.units("province_officer", "school=10082001", SiteFilterSet), ["10082001-01"]
        )
        self.assertEqual(self.units("province_officer", "under=PGD086", SiteFilterSet), [])

    def test_classes_by_school_year_grade_and_name(self) -> None:
        scoped = people_access.classes_for_user(user=self.world.users["province_officer"])

        def names(query: str) -> list[tuple[str, str]]:
            rows = SchoolClassFilterSet(QueryDict(query), queryset=scoped).qs
            return sorted(rows.values_list("school__code", "name"))

        self.assertEqual(names("school=10082001"), [("10082001", "3A"), ("10082001", "3B")])
        self.assertEqual(names("q=3b"), [("10082001", "3B")])
        self.assertEqual(len(names("year=2021-2022&grade=3&level=th")), 3)
        self.assertEqual(names("grade=4"), [])
        self.assertEqual(names("year=2022-2023"), [])

    def test_students_by_school_and_name(self) -> None:
        scoped = people_access.students_for_user(user=self.world.users["province_officer"])

        def found(query: str) -> list[str]:
            return codes(StudentFilterSet(QueryDict(query), queryset=scoped).qs)

        self.assertEqual(found("school=10086001"), [self.world.student_b.code])
        self.assertEqual(found("q=giang+pao"), [self.world.student_a1.code])

    def test_indicator_values_by_unit_period_and_indicator(self) -> None:
        indicator_services.element_values_refresh(period=parse_period("2022H1"))
        scoped = ElementValue.objects.filter(unit__code__in=["SGD10", "PGD082"])
        query = QueryDict("unit=SGD10&period=2022h1&indicator=schools_in_database")
        rows = IndicatorValueFilterSet(query, queryset=scoped).qs
        self.assertEqual(
            list(rows.values_list("element__code", "period", "category", "value")),
            [("schools", "2022H1", "", 2)],
        )
        other = QueryDict("unit=SGD10&period=2022H2&element=schools")
        self.assertFalse(IndicatorValueFilterSet(other, queryset=scoped).qs.exists())
        unknown = QueryDict("indicator=no_such_indicator")
        self.assertFalse(IndicatorValueFilterSet(unknown, queryset=scoped).qs.exists())

    def test_plan_tasks_by_programme_owner_status_today_overdue_and_words(self) -> None:
        scoped = plan_access.tasks_for_user(user=self.world.users["province_officer"])
        p = self.plans

        def found(query: str) -> list[int]:
            return sorted(
                PlanTaskFilterSet(QueryDict(query), queryset=scoped).qs.values_list("pk", flat=True)
            )

        self.assertEqual(found("status=done"), [p.a_task.pk])
        # Overdue today: past the deadline and not done (school B's task of 2023 as well).
        self.assertEqual(found("overdue=1"), [p.province_task.pk, p.b_only_task.pk])
        self.assertEqual(found("overdue=1&programme=kh-49-2022"), [p.province_task.pk])
        self.assertEqual(found("overdue=0"), found(""))
        self.assertEqual(found("owner=10082001"), [p.a_task.pk])
        self.assertEqual(found("q=KET+noi"), [p.a_task.pk])
        self.assertEqual(found("programme=kh-7-2023"), [p.b_only_task.pk])
        self.assertEqual(found("status=in_progress"), [p.province_task.pk])

    def test_import_jobs_by_kind_status_and_words(self) -> None:
        user = self.world.users["principal_a"]
        path = Path(MEDIA) / "hs.csv"
        path.write_text("a\n", encoding="utf-8")
        source = import_services.import_file_store(path=path, name="hoc-sinh-3A.csv", by=user)
        students = import_services.import_job_create(
            source=source, kind="students", by=user, scope_unit=self.world.school_a
        )
        staff = import_services.import_job_create(
            source=source, kind="staff", by=user, scope_unit=self.world.school_a
        )
        scoped = ImportJob.objects.filter(pk__in=[students.pk, staff.pk])

        def found(query: str) -> list[int]:
            return codes(ImportJobFilterSet(QueryDict(query), queryset=scoped).qs, "pk")

        self.assertEqual(found("kind=staff"), [staff.pk])
        self.assertEqual(found("status=queued&q=HOC-SINH"), [students.pk, staff.pk])
        self.assertEqual(found("q=10082001&kind=students"), [students.pk])
        self.assertEqual(found("status=done"), [])


@override_settings(MEDIA_ROOT=MEDIA)
class ExportDefinitionTests(PersonaTestCase):
    """Columns, scope, masking and the formula guard of the definitions."""

    plans: ClassVar[Plans]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.plans = build_plans(cls.world)

    def spec(self, kind: str, persona: str, query: str = "") -> definitions.ExportSpec:
        params = definitions.DEFINITIONS[kind].params(QueryDict(query))
        return definitions.export_spec(kind, user=self.world.users[persona], params=params)

    def rows(self, kind: str, persona: str, query: str = "") -> list[tuple[Any, ...]]:
        return list(self.spec(kind, persona, query).lines())

    def test_every_list_declares_a_header_per_cell(self) -> None:
        """Each list's rows have as many cells as its header has columns."""
        indicator_services.element_values_refresh(period=parse_period("2022H1"))
        for kind in definitions.DEFINITIONS:
            if kind == "records":  # made from a figure: its own tests
                continue
            spec = self.spec(kind, "department_admin")
            lines = list(spec.lines())
            self.assertTrue(lines or kind == "import_jobs", kind)
            for line in lines:
                self.assertEqual(len(line), len(spec.headers), kind)

    def test_class_columns_and_scope(self) -> None:
        with translation.override("en"):
            spec = self.spec("classes", "batxat_officer")
            self.assertEqual(
                spec.headers,
                (
                    "School code",
                    "School",
                    "School year",
                    "Level",
                    "Grade",
                    "Class",
                    "Homeroom teacher",
                ),
            )
            self.assertEqual(
                list(spec.lines()),
                [
                    (
                        "10082001",
                        "Trường Tiểu học Bát Xát",
                        "2021-2022",
                        "Primary",
                        3,
                        "3A",
                        "Lò Thị Mai",
                    ),
                    (
                        "10082001",
                        "Trường Tiểu học Bát Xát",
                        "2021-2022",
                        "Primary",
                        3,
                        "3B",
                        "Lò Thị Hoa",
                    ),
                ],
            )

    def test_org_units_sites_and_indicator_values_stay_in_scope(self) -> None:
        indicator_services.element_values_refresh(period=parse_period("2022H1"))
        self.assertEqual(
            [r[0] for r in self.rows("org_units", "baothang_officer")], ["PGD086", "10086001"]
        )
        self.assertEqual([r[0] for r in self.rows("sites", "baothang_officer")], [])
        self.assertEqual(
            [r[:3] for r in self.rows("sites", "principal_a")],
            [("10082001-01", "Điểm trường chính", "10082001")],
        )
        values = self.rows("indicator_values", "baothang_officer", "element=schools&period=2022H1")
        self.assertEqual(
            [(r[0], r[5], r[6]) for r in values],
            [("10086001", "", 1), ("10086001", "th", 1), ("PGD086", "", 1), ("PGD086", "th", 1)],
        )

    def test_plan_tasks_as_the_programme_page_shows_them(self) -> None:
        with translation.override("en"):
            rows = self.rows("plan_tasks", "principal_a", "programme=kh-49-2022")
        self.assertEqual(
            rows,
            [
                (
                    3,
                    self.plans.a_task.title,
                    self.world.school_a.name,
                    dt.date(2022, 12, 31),
                    "Done",
                    dt.date(2022, 6, 15),
                    "Đã kết nối cáp quang",
                    "",
                )
            ],
        )
        self.assertEqual(
            self.spec("plan_tasks", "principal_a", "programme=kh-49-2022").stem,
            "nhiem-vu-kh-49-2022",
        )

    def test_staff_phone_is_masked_where_the_page_masks_it(self) -> None:
        """The administrator and school A's principal (unmasked roles) get the phone in full;
        a province officer and a district officer (masked roles) get it masked."""
        for persona, phone in [
            ("department_admin", "0912345678"),
            ("principal_a", "0912345678"),
            ("province_officer", "09••••••78"),
            ("batxat_officer", "09••••••78"),
        ]:
            rows = self.rows("staff", persona, "unit=10082001")
            self.assertEqual([r[-1] for r in rows], [phone, phone], persona)

    def test_formulas_are_neutralised_in_both_formats(self) -> None:
        """A file name that a spreadsheet would run is written as text after an apostrophe,
        in XLSX and in CSV, through the list's file URL."""
        user = self.world.users["principal_a"]
        path = Path(MEDIA) / "f.csv"
        path.write_text("a\n", encoding="utf-8")
        name = '=HYPERLINK("http://x","y").csv'
        source = import_services.import_file_store(path=path, name=name, by=user)
        import_services.import_job_create(source=source, kind="students", by=user)
        self.client.force_login(user)
        url = reverse("exports:list_file", args=["import_jobs"])
        xlsx = self.client.get(url + "?export=xlsx")
        self.assertEqual(xlsx.status_code, 200)
        cell = load_workbook(io.BytesIO(xlsx.content)).active.cell(row=2, column=3)
        self.assertEqual((cell.value, cell.data_type), ("'" + name, "s"))
        as_csv = self.client.get(url + "?export=csv")
        rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        self.assertEqual(rows[1][2], "'" + name)

    def test_a_refused_filter_answers_400_on_the_page_and_on_its_file(self) -> None:
        self.client.force_login(self.world.users["province_officer"])
        for url in (
            reverse("organisations:school_list") + "?level=nope",
            reverse("exports:list_file", args=["schools"]) + "?export=csv&level=nope",
            reverse("people:student_list") + "?grade=٩",
            reverse("exports:list_file", args=["classes"]) + "?export=xlsx&grade=99",
            reverse("plans:programme_detail", args=[self.plans.mixed.pk])
            + "?status=finished&export=xlsx",
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 400, url)
        self.assertEqual(
            self.client.get(
                reverse("exports:list_file", args=["nope"]) + "?export=csv"
            ).status_code,
            404,
        )


@override_settings(MEDIA_ROOT=MEDIA)
class PageAndFileTests(PersonaTestCase):
    """A list page and its file hold the same rows for the same query string."""

    plans: ClassVar[Plans]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.plans = build_plans(cls.world)

    def file_rows(self, url: str) -> list[list[str]]:
        response = self.client.get(url + "&export=csv", follow=True)
        self.assertEqual(response.status_code, 200, url)
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]

    def test_school_list(self) -> None:
        self.client.force_login(self.world.users["department_admin"])
        for query in ("under=XA02683", "ownership=cong_lap&level=th", "q=pho+lu", "under=PGD0"):
            url = reverse("organisations:school_list") + "?" + query
            page = [s.code for s in self.client.get(url).context["page"]]
            self.assertEqual([r[0] for r in self.file_rows(url)], page, query)

    def test_student_list(self) -> None:
        self.client.force_login(self.world.users["batxat_officer"])
        for query in ("school=10082001", "q=giang+chu", "grade=3&level=th", "school_class=999"):
            url = reverse("people:student_list") + "?" + query
            page = [e.student.code for e in self.client.get(url).context["page"]]
            self.assertEqual([r[0] for r in self.file_rows(url)], page, query)

    def test_programme_tasks(self) -> None:
        self.client.force_login(self.world.users["province_officer"])
        detail = reverse("plans:programme_detail", args=[self.plans.mixed.pk])
        for query in ("status=not_started", "overdue=1", "owner=10082001", "q=truong", "q="):
            url = detail + "?" + query
            page = [r.state.task.title for r in self.client.get(url).context["page"]]
            self.assertEqual([r[1] for r in self.file_rows(url)], page, query)

    def test_import_jobs(self) -> None:
        user = self.world.users["principal_a"]
        path = Path(MEDIA) / "nv.csv"
        path.write_text("a\n", encoding="utf-8")
        source = import_services.import_file_store(path=path, name="nhan-vien.csv", by=user)
        for kind in ("staff", "students", "staff"):
            import_services.import_job_create(source=source, kind=kind, by=user)
        self.client.force_login(user)
        for query in ("kind=staff", "q=nhan&status=queued", "kind=guardians"):
            url = reverse("imports:import_list") + "?" + query
            page = [str(job.pk) for job in self.client.get(url).context["page"]]
            self.assertEqual([r[0] for r in self.file_rows(url)], page, query)
        refused = self.client.get(reverse("imports:import_list") + "?status=nope")
        self.assertContains(refused, "“status”", status_code=400)
