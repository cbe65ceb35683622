"""Reports of every unit: each heads and signs with its own settings, a missing field is a
message on the form, and the pages offer the user's own unit and the half-years with data."""

from __future__ import annotations

import io
import shutil
import tempfile
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from vnemis.core.models import AuditEntry
from vnemis.indicators.periods import parse_period
from vnemis.indicators.selectors import indicator_values, indicator_values_bulk
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion
from vnemis.reports import services
from vnemis.reports.forms import POSITION_REQUIRED
from vnemis.reports.letterhead import (
    Letterhead,
    Territory,
    school_abbreviation,
    settings_defaults,
    territory_of,
)
from vnemis.reports.models import ReportDocument, ReportSettings
from vnemis.reports.registry import KINDS, DocumentKind
from vnemis.reports.rendering import BUILD_FAILED, CONTENT_TYPES, render_xlsx
from vnemis.reports.selectors import dx_report_data
from vnemis.reports.tests.test_reports import MEDIA, _text, record_figures
from vnemis.testing.personas import PersonaTestCase

DOCX = CONTENT_TYPES["docx"]
# The header of the 2022 report of the Department of the test world's province.
DEPARTMENT_HEADER = (
    "UBND TỈNH LÀO CAI",
    "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    "Sở Giáo dục và Đào tạo tỉnh Lào Cai",
    "SGDĐT",
)


class LetterheadNameTests(SimpleTestCase):
    """Defaults read from names, without the database."""

    def test_territory_of_the_demo_names(self) -> None:
        """The demo's full names and the short test names give the same territory."""
        cases = {
            ("department", "Sở Giáo dục và Đào tạo tỉnh Lào Cai"): ("tỉnh", "Lào Cai"),
            ("department", "Sở Giáo dục và Đào tạo tỉnh Lào Cai (từ 01/7/2025)"): (
                "tỉnh",
                "Lào Cai",
            ),
            ("department", "Sở GD&ĐT Lào Cai"): ("tỉnh", "Lào Cai"),
            ("district_office", "Phòng Giáo dục và Đào tạo huyện Bát Xát"): ("huyện", "Bát Xát"),
            ("district_office", "Phòng Giáo dục và Đào tạo thành phố Lào Cai"): (
                "thành phố",
                "Lào Cai",
            ),
            ("district_office", "Phòng GD&ĐT Bảo Thắng"): ("huyện", "Bảo Thắng"),
            ("commune", "Xã Y Tý"): ("xã", "Y Tý"),
            ("commune", "Phường Cốc Lếu"): ("phường", "Cốc Lếu"),
        }
        for (kind, name), (level, place) in cases.items():
            with self.subTest(name=name):
                self.assertEqual(
                    territory_of(OrgUnit(kind=kind, name=name)), Territory(level, place)
                )

    def test_department_defaults_are_the_department_header(self) -> None:
        """The demo's Sở heads its reports exactly as the Department's 2022 report does."""
        unit = OrgUnit(kind="department", name="Sở Giáo dục và Đào tạo tỉnh Lào Cai")
        defaults = settings_defaults(unit)
        self.assertEqual(
            (
                defaults.parent_agency,
                defaults.agency,
                defaults.agency_in_text,
                defaults.agency_symbol,
            ),
            DEPARTMENT_HEADER,
        )
        self.assertEqual((defaults.place, defaults.signer_title), ("Lào Cai", "GIÁM ĐỐC"))

    def test_school_abbreviation(self) -> None:
        """Initials of the school's name; words in capitals kept whole; too long: none."""
        self.assertEqual(school_abbreviation("Trường Tiểu học Bát Xát"), "THBX")
        self.assertEqual(school_abbreviation("Trường THCS Cốc Lếu"), "THCSCL")
        self.assertEqual(school_abbreviation("Trường Mầm non Ý Tý"), "MNYT")
        self.assertEqual(school_abbreviation("Trường THPT số 1 Bát Xát"), "THPT1BX")
        self.assertEqual(school_abbreviation("Trường PTDTBT TH&THCS Y Tý"), "")


class LetterheadTreeTests(PersonaTestCase):
    """Defaults of the world's units, which need their place in the tree."""

    def test_defaults_of_each_kind_of_unit(self) -> None:
        """The Sở, a Phòng, a commune and a school each head and sign as NĐ 30/2020 has it."""
        w = self.world
        self.assertEqual(
            settings_defaults(w.province),
            Letterhead(
                parent_agency="UBND TỈNH LÀO CAI",
                agency="SỞ GIÁO DỤC VÀ ĐÀO TẠO",
                agency_in_text="Sở Giáo dục và Đào tạo tỉnh Lào Cai",
                agency_symbol="SGDĐT",
                place="Lào Cai",
                signer_authority="",
                signer_title="GIÁM ĐỐC",
                signer_name="",
                archive_unit="",
                archive_copies=0,
            ),
        )
        self.assertEqual(
            settings_defaults(w.batxat),
            Letterhead(
                parent_agency="UBND HUYỆN BÁT XÁT",
                agency="PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
                agency_in_text="Phòng Giáo dục và Đào tạo huyện Bát Xát",
                agency_symbol="PGDĐT",
                place="Bát Xát",
                signer_authority="",
                signer_title="TRƯỞNG PHÒNG",
                signer_name="",
                archive_unit="",
                archive_copies=0,
            ),
        )
        commune = settings_defaults(w.commune_a)
        self.assertEqual(
            (
                commune.parent_agency,
                commune.agency,
                commune.agency_in_text,
                commune.agency_symbol,
            ),
            (
                "UBND XÃ BÁT XÁT",
                "PHÒNG VĂN HÓA - XÃ HỘI",
                "Phòng Văn hóa - Xã hội xã Bát Xát",
                "VHXH",
            ),
        )
        # School A is under the commune in the newest tree (2025), under the Phòng in 2022.
        school = settings_defaults(w.school_a)
        self.assertEqual(
            (school.parent_agency, school.agency, school.agency_symbol, school.place),
            ("UBND XÃ BÁT XÁT", "TRƯỜNG TIỂU HỌC BÁT XÁT", "THBX", "Bát Xát"),
        )
        self.assertEqual(school.signer_title, "HIỆU TRƯỞNG")


@override_settings(MEDIA_ROOT=MEDIA)
class UnitReportTests(PersonaTestCase):
    def setUp(self) -> None:
        record_figures(self.world)

    def _start(self, persona: str, org: str) -> ReportDocument:
        self.client.force_login(self.world.users[persona])
        response = self.client.post(
            reverse("reports:report_start"), {"org": org, "period": "2022H1"}
        )
        document = ReportDocument.objects.get(unit__code=org, period="2022H1")
        self.assertRedirects(response, reverse("reports:report_edit", args=[document.pk]))
        return document

    def _edit(self, document: ReportDocument, **changes: str) -> None:
        fields = {name: getattr(document, name) or "" for name in services.EDITABLE}
        fields["signed_on"] = ""
        fields.update(changes)
        response = self.client.post(reverse("reports:report_edit", args=[document.pk]), fields)
        self.assertRedirects(response, reverse("reports:report_edit", args=[document.pk]))

    def test_district_officer_starts_edits_and_downloads_his_report(self) -> None:
        """The Bát Xát officer's own report: new draft signed as his Phòng's settings say,
        edited, downloaded as DOCX and XLSX with the Phòng's header, symbol and place."""
        document = self._start("batxat_officer", "PGD082")
        self.assertEqual(
            (document.signer_authority, document.signer_title, document.signer_name),
            ("", "TRƯỞNG PHÒNG", ""),
        )
        self._edit(document, assessment="Bát Xát đã hoàn thành.", signer_name="Lò Văn Sáng")
        response = self.client.get(reverse("reports:report_download", args=[document.pk, "docx"]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], DOCX)
        text = _text(response.content)
        for line in (
            "UBND HUYỆN BÁT XÁT",
            "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
            "/BC-PGDĐT",
            "Bát Xát, ngày",
            "Phòng Giáo dục và Đào tạo huyện Bát Xát trân trọng báo cáo./.",
            "TRƯỞNG PHÒNG",
            "Lò Văn Sáng",
            "Bát Xát đã hoàn thành.",
            "- Lưu: VT.",
        ):
            self.assertIn(line, text)
        for department_text in ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "BC-SGDĐT", "Lào Cai, ngày"):
            self.assertNotIn(department_text, text)
        response = self.client.get(reverse("reports:report_download", args=[document.pk, "xlsx"]))
        self.assertEqual(
            (response.status_code, response["Content-Type"]), (200, CONTENT_TYPES["xlsx"])
        )

    @pytest.mark.libreoffice
    def test_district_officer_downloads_his_report_as_pdf(self) -> None:
        """The PDF of a Phòng's report, converted by LibreOffice."""
        if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
            pytest.skip("LibreOffice is not installed")
        document = self._start("batxat_officer", "PGD082")
        response = self.client.get(reverse("reports:report_download", args=[document.pk, "pdf"]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_missing_position_is_a_message_at_the_field_not_a_500(self) -> None:
        """A draft without the signer's position downloads nothing: back to the form, where the
        field says what to enter; saving the form without it is refused with the same words."""
        document = self._start("batxat_officer", "PGD082")
        services.report_draft_update(document=document, by=None, signer_title="")
        edit = reverse("reports:report_edit", args=[document.pk])
        for fmt in ("docx", "pdf"):
            response = self.client.get(reverse("reports:report_download", args=[document.pk, fmt]))
            self.assertRedirects(response, edit, fetch_redirect_response=False)
        page = self.client.get(edit)
        needed = escape(str(POSITION_REQUIRED))
        at_field = f'<span class="field-error" role="alert">{needed}</span>'
        self.assertContains(page, at_field, count=1)
        messages = [str(m) for m in page.context["messages"]]
        self.assertEqual(messages, [str(POSITION_REQUIRED)] * 2)
        fields = {name: getattr(document, name) or "" for name in services.EDITABLE}
        fields.update(signed_on="", signer_title="  ", assessment="Không lưu.")
        response = self.client.post(edit, fields)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["signer_title"], [str(POSITION_REQUIRED)])
        self.assertEqual(ReportDocument.objects.get(pk=document.pk).assessment, "")

    def test_a_builder_error_is_a_message_not_a_500(self) -> None:
        """A check of the document builder that fails (ValueError) comes back as a message on
        the draft, in the user's language."""
        document = self._start("batxat_officer", "PGD082")
        entry = KINDS[document.kind]
        failing = DocumentKind(
            kind=entry.kind, data=entry.data, build=mock.Mock(side_effect=ValueError("internal"))
        )
        with mock.patch.dict(KINDS, {document.kind: failing}):
            response = self.client.get(
                reverse("reports:report_download", args=[document.pk, "docx"]), follow=True
            )
        self.assertEqual(response.status_code, 200)
        (message,) = [str(m) for m in response.context["messages"]]
        self.assertEqual(message, str(BUILD_FAILED))

    def test_cli_writes_a_district_report(self) -> None:
        """`vnemis report dx-semiannual --org PGD082` writes the Phòng's report."""
        out = tempfile.mkdtemp()
        call_command(
            "report",
            "dx-semiannual",
            "--org",
            "PGD082",
            "--period",
            "2022H1",
            "--output",
            f"{out}/bc.docx",
            stdout=io.StringIO(),
        )
        with open(f"{out}/bc.docx", "rb") as fh:
            text = _text(fh.read())
        self.assertIn("UBND HUYỆN BÁT XÁT", text)
        self.assertIn("Phòng Giáo dục và Đào tạo huyện Bát Xát trân trọng báo cáo./.", text)

    def test_department_report_keeps_the_department_header(self) -> None:
        """The Sở's report reads its header from its defaults: the Department's own lines."""
        draft = services.report_draft_get_or_create(
            unit=self.world.province, period_code="2022H1", by=None
        )
        data = dx_report_data(document=draft)
        self.assertEqual(
            (data.parent_agency, data.agency, data.agency_in_text, data.agency_symbol, data.place),
            (*DEPARTMENT_HEADER, "Lào Cai"),
        )

    def test_settings_page_saves_with_audit_and_seeds_new_drafts(self) -> None:
        """The Sở's administrator changes the Phòng's settings: saved, audited, and the next
        draft of the Phòng is signed and headed with them."""
        url = reverse("reports:report_settings", args=["PGD082"])
        page = self.get_as("department_admin", url)
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.context["form"].initial["parent_agency"], "UBND HUYỆN BÁT XÁT")
        data = {
            "parent_agency": "UBND HUYỆN BÁT XÁT",
            "agency": "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
            "agency_in_text": "Phòng Giáo dục và Đào tạo huyện Bát Xát",
            "agency_symbol": "PGD&ĐTBX",
            "place": "Bát Xát",
            "signer_authority": "KT. TRƯỞNG PHÒNG",
            "signer_title": "PHÓ TRƯỞNG PHÒNG",
            "signer_name": "Vàng Thị Mai",
            "archive_unit": "CM",
            "archive_copies": "2",
        }
        self.assertRedirects(self.client.post(url, data), url)
        saved = ReportSettings.objects.get(unit=self.world.batxat)
        self.assertEqual(
            (saved.agency_symbol, saved.signer_name, saved.archive_copies),
            ("PGD&ĐTBX", "Vàng Thị Mai", 2),
        )
        entry = AuditEntry.objects.get(target_type="reports.ReportSettings")
        self.assertEqual(entry.actor, self.world.users["department_admin"])
        self.assertEqual((entry.after or {})["agency_symbol"], "PGD&ĐTBX")
        document = self._start("batxat_officer", "PGD082")
        self.assertEqual(
            (
                document.signer_authority,
                document.signer_title,
                document.archive_unit,
                document.archive_copies,
            ),
            ("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "CM", 2),
        )
        response = self.client.get(reverse("reports:report_download", args=[document.pk, "docx"]))
        text = _text(response.content)
        self.assertIn("Số:      /BC-PGD&ĐTBX", text)
        self.assertIn("Vàng Thị Mai", text)
        self.assertIn("- Lưu: VT, CM, 02b.", text)

    def test_settings_form_refuses_an_empty_header_line(self) -> None:
        """An empty issuing body is a message at the field; nothing is saved."""
        url = reverse("reports:report_settings", args=["PGD082"])
        self.client.force_login(self.world.users["department_admin"])
        response = self.client.post(
            url, {"agency": " ", "agency_symbol": "PGDĐT", "place": "Bát Xát"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("agency", response.context["form"].errors)
        self.assertIn("signer_title", response.context["form"].errors)
        self.assertFalse(ReportSettings.objects.exists())

    def test_settings_page_is_for_writers_of_the_unit(self) -> None:
        """Writers of the unit's subtree change its settings, and an officer those of the
        very unit he works at (not of the schools below it); other users get 404."""
        batxat = reverse("reports:report_settings", args=["PGD082"])
        school = reverse("reports:report_settings", args=[self.world.school_a.code])
        self.assertEqual(self.get_as("department_admin", batxat).status_code, 200)
        self.assertEqual(self.get_as("batxat_officer", batxat).status_code, 200)
        self.assertEqual(self.get_as("batxat_officer", school).status_code, 404)
        baothang = reverse("reports:report_settings", args=["PGD086"])
        self.assertEqual(self.get_as("batxat_officer", baothang).status_code, 404)
        self.assertEqual(self.get_as("province_officer", batxat).status_code, 404)
        self.assertEqual(self.get_as("principal_a", batxat).status_code, 404)
        self.assertEqual(self.get_as("principal_a", school).status_code, 200)
        self.assertEqual(self.get_as("teacher_a", school).status_code, 404)
        site = reverse("reports:report_settings", args=[self.world.site_a.code])
        self.assertEqual(self.get_as("department_admin", site).status_code, 404)

    def test_report_list_offers_own_unit_first_and_half_years_with_data(self) -> None:
        """The unit picker starts at the user's own unit, in tree order; the period is a list
        of the half-years with figures, the latest chosen, named as officials write them."""
        response = self.get_as("department_admin", reverse("reports:report_list"))
        self.assertEqual(response.context["own_code"], "SGD10")
        codes = [u.code for u in response.context["units"]]
        self.assertEqual(codes[:3], ["SGD10", "PGD082", "PGD086"])
        self.assertEqual(set(codes[3:]), {"SGD15", "XA02683", "XA02902"})
        self.assertEqual(codes[3], "SGD15")  # the 2025 tree after the 2022 one
        self.assertEqual([p.code for p in response.context["periods"]], ["2022H1"])
        self.assertContains(response, '<option value="SGD10" selected>')
        self.assertContains(
            response,
            '<option value="2022H1" selected>{}</option>'.format(parse_period("2022H1").label),
        )
        response = self.get_as("batxat_officer", reverse("reports:report_list"))
        self.assertEqual(
            ([u.code for u in response.context["units"]], response.context["own_code"]),
            (["PGD082"], "PGD082"),
        )

    def test_commune_officer_gets_his_commune_and_recent_half_years(self) -> None:
        """A commune has no 2022 figures: his commune is chosen and recent half-years offered."""
        response = self.get_as("commune_officer", reverse("reports:report_list"))
        self.assertEqual(response.context["own_code"], "XA02683")
        periods = response.context["periods"]
        self.assertEqual(len(periods), 4)
        self.assertEqual({p.kind for p in periods}, {"half_year"})
        self.assertEqual(periods[1], periods[0].previous())

    def test_report_pages_name_the_period_not_its_code(self) -> None:
        """The list and the draft show "6 tháng đầu năm 2022", not "2022H1"."""
        document = self._start("batxat_officer", "PGD082")
        label = parse_period("2022H1").label
        for url in (
            reverse("reports:report_list"),
            reverse("reports:report_edit", args=[document.pk]),
        ):
            response = self.client.get(url)
            self.assertContains(response, label)
            self.assertNotContains(response, ">2022H1<")
            self.assertNotContains(response, ", 2022H1,")


@override_settings(MEDIA_ROOT=MEDIA)
class XlsxQueryTests(PersonaTestCase):
    def setUp(self) -> None:
        record_figures(self.world)

    def test_bulk_values_equal_the_unit_by_unit_values(self) -> None:
        """indicator_values_bulk gives each unit exactly what indicator_values gives it."""
        period = parse_period("2022H1")
        version = TreeVersion.for_date(period.as_of)
        units = OrgUnit.objects.filter(
            pk__in=OrgPlacement.objects.filter(version=version).values("unit_id")
        )
        bulk = indicator_values_bulk(units=units, period=period)
        self.assertEqual(len(bulk), units.count())
        for unit in units:
            with self.subTest(unit=unit.code):
                self.assertEqual(bulk[unit.pk], indicator_values(unit=unit, period=period))

    def test_xlsx_takes_the_same_queries_for_a_district_and_the_province(self) -> None:
        """The XLSX of every unit is built in a fixed number of queries: the province (7 units)
        costs what a Phòng (4 units) costs."""
        counts = []
        for unit in (self.world.batxat, self.world.province):
            with CaptureQueriesContext(connection) as queries:
                render_xlsx(unit=unit, period_code="2022H1")
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[1], 10)
