"""The REST API: scoping, masking, audit of full reads, token scopes, rate limits, the error
shape, cursor pagination, the org tree and the DHIS2 exports."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any, ClassVar

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from vnemis.api import dhis2
from vnemis.api.models import ApiToken
from vnemis.api.tests.helpers import ALL_SCOPES, bearer, get, issue
from vnemis.core.models import AuditEntry
from vnemis.digital.models import DigitalProfile
from vnemis.indicators import services as indicator_services
from vnemis.indicators.models import ElementValue, ReportedValue
from vnemis.indicators.periods import parse_period
from vnemis.people.models import Staff
from vnemis.plans import services as plan_services
from vnemis.plans.models import PlanTask
from vnemis.testing.personas import PersonaTestCase

API = "/api/v1/"


class ApiTestCase(PersonaTestCase):
    """Two vendor tokens: one for the Bảo Thắng office (read only), one for the Bát Xát
    office (read and write)."""

    baothang: ClassVar[ApiToken]
    baothang_secret: ClassVar[str]
    batxat: ClassVar[ApiToken]
    batxat_secret: ClassVar[str]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.baothang, cls.baothang_secret = issue(w, w.baothang, name="Bảo Thắng")
        cls.batxat, cls.batxat_secret = issue(w, w.batxat, scopes=ALL_SCOPES, name="Bát Xát")

    def as_b(self, url: str, **extra: Any) -> Any:
        return get(self.client, url, self.baothang_secret, **extra)

    def as_a(self, url: str, **extra: Any) -> Any:
        return get(self.client, url, self.batxat_secret, **extra)


class ScopingTests(ApiTestCase):
    task_a: ClassVar[PlanTask]
    task_b: ClassVar[PlanTask]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        programme = plan_services.programme_create(
            code="kh-api",
            document_number="1/KH",
            issued_on=dt.date(2022, 1, 3),
            issued_by="UBND tỉnh",
            title="Kế hoạch",
            by=None,
        )
        cls.task_a = plan_services.plan_task_create(
            programme=programme, title="A", owner=w.school_a, by=None
        )
        cls.task_b = plan_services.plan_task_create(
            programme=programme, title="B", owner=w.school_b, by=None
        )

    def test_a_district_token_lists_only_its_district(self) -> None:
        """Bảo Thắng's token finds Bảo Thắng's school, pupils, staff, classes, enrolments and
        tasks, and nothing of Bát Xát."""
        w = self.world
        b_staff = Staff.objects.get(org_unit=w.school_b)

        def codes(path: str, key: str) -> list[Any]:
            response = self.as_b(API + path)
            self.assertEqual(response.status_code, 200, path)
            return [row[key] for row in response.json()["results"]]

        self.assertEqual(codes("schools/", "code"), [w.school_b.code])
        self.assertEqual(codes("students/", "code"), [w.student_b.code])
        self.assertEqual(codes("staff/", "code"), [b_staff.code])
        self.assertEqual(codes("classes/", "id"), [w.class_b1.pk])
        self.assertEqual(codes("enrollments/", "student"), [w.student_b.code])
        self.assertEqual(codes("plan-tasks/", "id"), [self.task_b.pk])
        self.assertEqual(
            sorted(codes("orgunits/", "code")), sorted([w.baothang.code, w.school_b.code])
        )
        self.assertEqual(codes("sites/", "code"), [])

    def test_a_district_token_gets_404_for_the_other_districts_records(self) -> None:
        w = self.world
        for path in (
            f"schools/{w.school_a.code}/",
            f"orgunits/{w.batxat.code}/",
            f"sites/{w.site_a.code}/",
            f"students/{w.student_a1.code}/",
            f"staff/{w.teacher_a.code}/",
            f"classes/{w.class_a1.pk}/",
            f"enrollments/{w.student_a1.enrollments.get().pk}/",
            f"plan-tasks/{self.task_a.pk}/",
        ):
            response = self.as_b(API + path)
            self.assertEqual(response.status_code, 404, path)
            self.assertEqual(response.json()["error"]["code"], "not_found")
            self.assertNotIn(w.student_a1.person.full_name, response.content.decode())
        self.assertEqual(self.as_b(API + f"students/{w.student_b.code}/").status_code, 200)

    def test_the_token_does_not_see_what_its_issuer_sees_as_himself(self) -> None:
        """A staff record of the issuer outside the token's unit is not reachable with it."""
        admin = self.world.users["department_admin"]
        own = Staff.objects.get(pk=self.world.teacher_a.pk)
        own.person.user = admin
        own.person.save(update_fields=["user"])
        self.assertEqual(self.as_b(API + f"staff/{own.code}/").status_code, 404)
        listed = [row["code"] for row in self.as_b(API + "staff/").json()["results"]]
        self.assertNotIn(own.code, listed)

    def test_an_org_unit_shows_its_place_in_each_tree_version(self) -> None:
        w = self.world
        body = self.as_a(API + f"orgunits/{w.school_a.code}/").json()
        placements = {(p["version"], p["parent"], p["depth"]) for p in body["placements"]}
        self.assertEqual(placements, {("2022", w.batxat.code, 2), ("2025", w.commune_a.code, 2)})

    def test_filters_are_the_shared_filtersets(self) -> None:
        """?school= narrows enrolments as on the student list page; a refused value is a 400."""
        self.client.force_login(self.world.users["province_officer"])
        rows = self.client.get(API + "enrollments/?school=" + self.world.school_a.code).json()
        self.assertEqual(
            sorted(r["student"] for r in rows["results"]),
            sorted([self.world.student_a1.code, self.world.student_a2.code]),
        )
        bad = self.client.get(API + "enrollments/?grade=NaN")
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(list(bad.json()["error"]["fields"]), ["grade"])


class MaskingAndAuditTests(ApiTestCase):
    def test_a_token_sees_personal_data_masked_and_its_read_is_audited(self) -> None:
        """The full record read with a token is masked and logged under the issuer, naming
        the token; a list is not logged."""
        student = self.world.student_b
        before = AuditEntry.objects.filter(verb="viewed").count()
        self.as_b(API + "students/")
        self.assertEqual(AuditEntry.objects.filter(verb="viewed").count(), before)
        response = self.as_b(API + f"students/{student.code}/")
        # Nothing read with a token is kept by a proxy or browser cache either.
        self.assertEqual(response["Cache-Control"], "no-store, private")
        body = response.json()
        self.assertEqual(body["personal"]["national_id"], "•" * 9 + "003")
        self.assertFalse(body["unmasked"])
        entry = AuditEntry.objects.filter(verb="viewed").latest("at")
        self.assertEqual(entry.target_id, str(student.pk))
        self.assertEqual(entry.actor, self.world.users["department_admin"])
        self.assertEqual(entry.note, f"API token Bảo Thắng ({self.baothang.prefix})")

    def test_the_session_masks_as_the_pages_do(self) -> None:
        """The principal sees his pupil's ID in full, the province officer masked, as on the
        detail page; both reads are audited."""
        code = self.world.student_a1.code
        self.client.force_login(self.world.users["principal_a"])
        full = self.client.get(API + f"students/{code}/").json()
        self.assertEqual(full["personal"]["national_id"], "010213000001")
        self.assertTrue(full["unmasked"])
        self.client.force_login(self.world.users["province_officer"])
        masked = self.client.get(API + f"students/{code}/").json()
        self.assertEqual(masked["personal"]["national_id"], "•" * 9 + "001")
        self.assertEqual(
            AuditEntry.objects.filter(verb="viewed", target_id=str(self.world.student_a1.pk))
            .values_list("actor__username", flat=True)
            .count(),
            2,
        )

    def test_staff_detail_masks_for_a_token(self) -> None:
        teacher = self.world.teacher_a
        body = self.as_a(API + f"staff/{teacher.code}/").json()
        self.assertEqual(body["personal"]["national_id"], "•" * 9 + "001")
        self.assertEqual(body["unit"], self.world.school_a.code)
        self.assertEqual(
            AuditEntry.objects.filter(verb="viewed", target_id=str(teacher.pk)).count(), 1
        )


class WriteTests(ApiTestCase):
    def payload(self, unit: str) -> dict[str, str]:
        return {"element": "dossiers_online_pct", "period": "2022H1", "unit": unit, "value": "87.5"}

    def test_a_read_token_cannot_write(self) -> None:
        """403 and nothing stored."""
        response = self.client.post(
            API + "reported-values/",
            self.payload(self.world.baothang.code),
            content_type="application/json",
            **bearer(self.baothang_secret),
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"]["code"], "permission_denied")
        self.assertIn("write:indicators", response.json()["error"]["message"])
        self.assertFalse(ReportedValue.objects.exists())

    def test_a_write_token_enters_a_reported_value_of_its_unit_only(self) -> None:
        """Stored through the service under the issuer, with an audit entry naming the token;
        a unit of another district answers 404 and stores nothing."""
        response = self.client.post(
            API + "reported-values/",
            self.payload(self.world.batxat.code),
            content_type="application/json",
            **bearer(self.batxat_secret),
        )
        self.assertEqual(response.status_code, 201, response.content)
        row = ReportedValue.objects.get()
        self.assertEqual((row.unit, row.period, row.value), (self.world.batxat, "2022H1", 87.5))
        self.assertEqual(row.entered_by, self.world.users["department_admin"])
        notes = AuditEntry.objects.filter(
            target_type="indicators.ReportedValue", target_id=str(row.pk)
        ).values_list("note", flat=True)
        self.assertEqual(sorted(notes), ["", f"API token Bát Xát ({self.batxat.prefix})"])
        other = self.client.post(
            API + "reported-values/",
            self.payload(self.world.baothang.code),
            content_type="application/json",
            **bearer(self.batxat_secret),
        )
        self.assertEqual(other.status_code, 404)
        self.assertEqual(ReportedValue.objects.count(), 1)

    def test_a_write_token_records_a_schools_digital_profile(self) -> None:
        response = self.client.post(
            API + "digital-profiles/",
            {"unit": self.world.school_a.code, "valid_from": "2022-03-01", "internet": "wired"},
            content_type="application/json",
            **bearer(self.batxat_secret),
        )
        self.assertEqual(response.status_code, 201, response.content)
        profile = DigitalProfile.objects.get(unit=self.world.school_a)
        self.assertEqual((profile.internet, profile.valid_from), ("wired", dt.date(2022, 3, 1)))
        refused = self.client.post(
            API + "digital-profiles/",
            {"unit": self.world.school_b.code, "valid_from": "2022-03-01", "internet": "wired"},
            content_type="application/json",
            **bearer(self.batxat_secret),
        )
        self.assertEqual(refused.status_code, 404)
        self.assertFalse(DigitalProfile.objects.filter(unit=self.world.school_b).exists())

    def test_a_write_token_uploads_an_import_into_its_unit(self) -> None:
        """The upload becomes a dry-run job of the token's unit, run after commit; a unit
        below it is not one the page offers either (404)."""
        csv = (
            "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số định danh cá nhân,Mã trường,Khối,Lớp\n"
            f"Sùng A Dính,31/02/2013,Nam,H'Mông,,{self.world.school_a.code},3,3A\n"
        )
        media = override_settings(MEDIA_ROOT=self.enterContext(_tempdir()))
        with media, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                API + "import-jobs/",
                {
                    "file": SimpleUploadedFile("hs.csv", csv.encode(), content_type="text/csv"),
                    "kind": "students",
                    "unit": self.world.batxat.code,
                },
                **bearer(self.batxat_secret),
            )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["kind"], body["unit"], body["dry_run"]), ("students", "PGD082", True)
        )
        job = self.as_a(API + "import-jobs/{}/".format(body["id"])).json()
        self.assertEqual((job["status"], job["rejected"]), ("done", 1))
        self.assertEqual(self.as_b(API + "import-jobs/{}/".format(body["id"])).status_code, 404)

    def test_a_session_write_needs_the_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.world.users["department_admin"])
        response = client.post(
            API + "reported-values/",
            self.payload(self.world.batxat.code),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(ReportedValue.objects.exists())


class LimitsAndErrorsTests(ApiTestCase):
    def test_a_token_over_its_rate_gets_429_with_retry_after(self) -> None:
        _token, secret = issue(self.world, self.world.baothang, rate=2)
        url = API + "schools/"
        self.assertEqual(get(self.client, url, secret).status_code, 200)
        self.assertEqual(get(self.client, url, secret).status_code, 200)
        response = get(self.client, url, secret)
        self.assertEqual(response.status_code, 429)
        self.assertIn(int(response["Retry-After"]), range(1, 61))
        self.assertEqual(response.json()["error"]["code"], "throttled")
        # Another token has its own count.
        self.assertEqual(self.as_b(url).status_code, 200)

    @override_settings(VNEMIS_API_SESSION_RATE_PER_MINUTE=1)
    def test_a_session_has_a_rate_per_user(self) -> None:
        self.client.force_login(self.world.users["principal_a"])
        self.assertEqual(self.client.get(API + "schools/").status_code, 200)
        self.assertEqual(self.client.get(API + "schools/").status_code, 429)
        cache.clear()
        self.assertEqual(self.client.get(API + "schools/").status_code, 200)

    def test_every_error_has_the_documented_shape_in_the_callers_language(self) -> None:
        anonymous = self.client.get(API + "students/")
        self.assertEqual(anonymous.status_code, 401)
        self.assertEqual(anonymous["WWW-Authenticate"], 'Bearer realm="vnemis"')
        self.assertEqual(set(anonymous.json()), {"error"})
        self.assertEqual(set(anonymous.json()["error"]), {"code", "message", "fields"})
        english = self.client.get(API + "students/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(english["Content-Language"], "en")
        self.assertEqual(
            english.json()["error"]["message"],
            "Sign in, or send a valid API token in the Authorization header.",
        )
        self.assertEqual(anonymous["Content-Language"], "vi")  # Vietnamese unless asked
        nowhere = self.as_b(API + "no-such-thing/")
        self.assertEqual((nowhere.status_code, nowhere.json()["error"]["code"]), (404, "not_found"))
        delete = self.client.delete(
            API + f"students/{self.world.student_b.code}/", **bearer(self.baothang_secret)
        )
        self.assertEqual(delete.status_code, 405)
        self.assertEqual(delete.json()["error"]["code"], "method_not_allowed")
        bad = self.as_b(API + "indicator-values/?unit=PGD086&period=0000H1")
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(list(bad.json()["error"]["fields"]), ["period"])


class PaginationTests(ApiTestCase):
    def test_cursor_pages_hold_every_row_once(self) -> None:
        self.client.force_login(self.world.users["province_officer"])
        url: str | None = API + "enrollments/?page_size=1"
        seen: list[str] = []
        pages = 0
        while url:
            body = self.client.get(url).json()
            seen += [row["student"] for row in body["results"]]
            self.assertEqual(len(body["results"]), 1)
            if pages:
                self.assertIsNotNone(body["previous"])
            url = body["next"]
            pages += 1
        w = self.world
        self.assertEqual(
            sorted(seen), sorted([w.student_a1.code, w.student_a2.code, w.student_b.code])
        )
        self.assertEqual(pages, 3)


class Dhis2Tests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        indicator_services.element_values_refresh(period=parse_period("2022H1"))

    def test_periods_in_dhis2_notation(self) -> None:
        self.assertEqual(dhis2.period_from_dhis2("2022S1").code, "2022H1")
        self.assertEqual(dhis2.period_from_dhis2("2021Sep").code, "2021-2022")
        self.assertEqual(dhis2.period_to_dhis2(parse_period("2022H2")), "2022S2")
        self.assertEqual(dhis2.period_to_dhis2(parse_period("2021-2022")), "2021Sep")
        self.assertEqual(dhis2.adx_period(parse_period("2022H1")), "2022-01-01/P6M")
        self.assertEqual(dhis2.adx_period(parse_period("2022Q3")), "2022-07-01/P3M")
        self.assertEqual(dhis2.adx_period(parse_period("2022")), "2022-01-01/P1Y")
        with self.assertRaises(ValueError):
            dhis2.period_from_dhis2("2022S3")

    def test_data_value_sets_hold_the_subtrees_figures_only(self) -> None:
        w = self.world
        response = self.as_b(API + "dhis2/dataValueSets/?orgUnit=PGD086&period=2022S1")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual((body["orgUnit"], body["period"]), ("PGD086", "2022S1"))
        units = {v["orgUnit"] for v in body["dataValues"]}
        self.assertEqual(units, {w.baothang.code, w.school_b.code})
        rows = ElementValue.objects.filter(period="2022H1", unit__in=[w.baothang, w.school_b])
        element_values = [v for v in body["dataValues"] if "_" in v["dataElement"]]
        self.assertGreaterEqual(len(element_values), rows.count())
        expected = {
            (r.unit.code, r.element.code, r.category): r.value
            for r in rows.select_related("unit", "element")
        }
        for value in body["dataValues"]:
            self.assertEqual(value["period"], "2022S1")
            key = (value["orgUnit"], value["dataElement"], value.get("categoryOptionCombo", ""))
            if key in expected:
                self.assertEqual(Decimal(value["value"]), expected[key])
        self.assertEqual(
            len(
                [
                    v
                    for v in body["dataValues"]
                    if (v["orgUnit"], v["dataElement"], v.get("categoryOptionCombo", ""))
                    in expected
                ]
            ),
            len(expected),
        )
        self.assertTrue(expected)

    def test_adx_groups_each_unit_with_its_iso_period(self) -> None:
        response = self.as_b(API + "dhis2/adx/?orgUnit=PGD086&period=2022S1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/adx+xml; charset=utf-8")
        root = ET.fromstring(response.content)
        self.assertEqual(root.tag, "{urn:ihe:qrph:adx:2015}adx")
        groups = root.findall("{urn:ihe:qrph:adx:2015}group")
        self.assertEqual(
            {g.get("orgUnit") for g in groups}, {self.world.baothang.code, self.world.school_b.code}
        )
        self.assertEqual({g.get("period") for g in groups}, {"2022-01-01/P6M"})
        json_body = self.as_b(API + "dhis2/dataValueSets/?orgUnit=PGD086&period=2022S1").json()
        values = [v for g in groups for v in g]
        self.assertEqual(len(values), len(json_body["dataValues"]))

    def test_another_districts_unit_answers_404(self) -> None:
        response = self.as_b(API + "dhis2/dataValueSets/?orgUnit=PGD082&period=2022S1")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(
            self.as_b(API + "dhis2/adx/?orgUnit=PGD082&period=2022S1").status_code, 404
        )


class SchemaTests(ApiTestCase):
    def test_the_schema_is_openapi_3_1_with_the_error_shape(self) -> None:
        response = self.client.get(API + "schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        self.assertEqual(response.status_code, 200)
        schema = json.loads(response.content)
        self.assertEqual(schema["openapi"], "3.1.0")
        self.assertIn("Error", schema["components"]["schemas"])
        operation = schema["paths"]["/api/v1/students/{code}/"]["get"]
        self.assertEqual(
            operation["responses"]["404"]["content"]["application/json"]["schema"],
            {"$ref": "#/components/schemas/Error"},
        )
        self.assertEqual(
            {name for s in operation["security"] for name in s}, {"tokenAuth", "cookieAuth"}
        )

    def test_the_documentation_page_lists_every_path_without_scripts(self) -> None:
        response = self.client.get(API + "docs/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "/api/v1/students/{code}/")
        self.assertContains(response, "/api/v1/dhis2/adx/")
        self.assertNotContains(response, '<script src="http')


def _tempdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="vnemis-api-")
