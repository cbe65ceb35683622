"""Reports from records: the DOCX carries the computed figures, drafts lock when final."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
from typing import Any

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from vnemis.digital import services as digital
from vnemis.indicators import services as indicator_services
from vnemis.indicators.models import Indicator
from vnemis.indicators.periods import parse_period
from vnemis.organisations.models import OrgUnit
from vnemis.people.tests.test_access import _matrix
from vnemis.plans import services as plans
from vnemis.plans.choices import TaskStatus
from vnemis.reports import services
from vnemis.reports.models import ReportDocument
from vnemis.reports.rendering import render
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.world import World

MEDIA = tempfile.mkdtemp(prefix="vnemis-media-")


def _text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def record_figures(w: World) -> None:
    """Records of the world from which every figure of a 2022H1 report of the Sở, and of
    each Phòng, can be counted; the analytics table refreshed for 2022H1."""
    start = dt.date(2021, 9, 5)
    flags: list[tuple[OrgUnit, dict[str, Any]]] = [
        (w.school_a, {"cashless_payment": True, "contact_book": True}),
        (w.school_b, {}),
    ]
    for school, extra in flags:
        digital.digital_profile_record(
            unit=school,
            valid_from=start,
            by=None,
            internet="wired",
            has_website=True,
            website=f"https://{school.code}.edu.vn",
            **extra,
        )
    digital.digital_profile_record(unit=w.site_a, valid_from=start, by=None, internet="mobile")
    digital.student_record_set(
        student=w.student_a1,
        school_year=w.year,
        by=None,
        results_received_on=dt.date(2022, 1, 15),
        transcript_issued_on=dt.date(2022, 2, 1),
    )
    programme = plans.programme_create(
        code="qd-1",
        document_number="1634/QĐ-UBND",
        issued_on=dt.date(2021, 5, 17),
        issued_by="UBND tỉnh",
        title="Chương trình CĐS",
        by=None,
    )
    for title, status in (
        ("Kết nối Internet", TaskStatus.DONE),
        ("Ứng dụng di động", TaskStatus.NOT_DONE),
    ):
        task = plans.plan_task_create(programme=programme, title=title, owner=w.province, by=None)
        plans.task_update_record(
            task=task,
            on=dt.date(2022, 6, 1),
            status=status,
            by=None,
            note="{internet}." if status == TaskStatus.DONE else "",
        )
    # The website rates divide by the preschools and lower secondary schools too.
    from vnemis.organisations import services as org_services
    from vnemis.organisations.models import TreeVersion

    v22 = TreeVersion.objects.get(code="2022")
    for code, level in (("10082002", "mn"), ("10082003", "thcs")):
        school = org_services.orgunit_create(
            kind="school", code=code, name=code, by=None, groups=[("level", level)]
        )
        org_services.orgunit_place(unit=school, version=v22, parent=w.batxat, by=None)
        digital.digital_profile_record(unit=school, valid_from=start, by=None, internet="wired")
    indicator_services.element_values_refresh(period=parse_period("2022H1"))


@override_settings(MEDIA_ROOT=MEDIA)
class ReportTests(PersonaTestCase):
    def setUp(self) -> None:
        w = self.world
        record_figures(w)
        self.draft = services.report_draft_get_or_create(
            unit=w.province, period_code="2022H1", by=None
        )
        services.report_draft_update(
            document=self.draft,
            by=None,
            assessment="Đánh giá chung.",
            recipients="Sở TTTT (b/c);",
            archive_unit="GDTrH",
            signer_authority="KT. GIÁM ĐỐC",
            signer_title="PHÓ GIÁM ĐỐC",
            signer_name="Trần Thị Bình",
        )
        self.draft.refresh_from_db()

    def test_docx_shows_the_figures_counted_from_records(self) -> None:
        text = _text(render(self.draft, "docx"))
        self.assertIn("1/4 trường (đạt 25%)", text)  # cashless
        self.assertIn("1/3 học sinh, đạt 33,3%", text)  # e-transcripts
        self.assertIn("4/4 cơ sở giáo dục có kết nối internet", text)
        self.assertIn("Tổng số nhiệm vụ được giao: 02 nhiệm vụ", text)
        self.assertIn("Đánh giá chung.", text)
        self.assertIn("Trần Thị Bình", text)

    def test_xlsx_has_every_indicator_for_every_unit(self) -> None:
        """Every unit of the tree below the report's unit, each indicator by its Vietnamese
        name with the part reached and the whole as numbers."""
        sheet = load_workbook(io.BytesIO(render(self.draft, "xlsx"))).active
        header = next(sheet.iter_rows(max_row=1, values_only=True))
        self.assertEqual(
            header,
            (
                "Mã đơn vị",
                "Đơn vị",
                "Loại đơn vị",
                "Chỉ tiêu",
                "Số đạt",
                "Tổng số",
                "Giá trị",
                "Đơn vị tính",
                "Mục tiêu",
            ),
        )
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        units = {r[0] for r in rows}
        self.assertEqual(
            units, {"SGD10", "PGD082", "PGD086", "10082001", "10082002", "10082003", "10086001"}
        )
        name = Indicator.objects.get(code="cashless_schools").name
        cashless = next(r for r in rows if r[0] == "SGD10" and r[3] == name)
        self.assertEqual(cashless[2], "Sở Giáo dục và Đào tạo")
        self.assertEqual(cashless[4:7], (1, 4, 25))

    def test_final_is_locked_and_kept(self) -> None:
        final = services.report_finalize(
            document=self.draft, by=self.world.users["department_admin"]
        )
        self.assertTrue(final.is_locked)
        self.assertEqual(len(final.sha256), 64)
        with self.assertRaises(ValidationError):
            services.report_draft_update(document=final, by=None, assessment="sửa")
        stored = render(final, "docx")
        # A later change of the records does not change the final document.
        digital.digital_profile_record(
            unit=self.world.school_b, valid_from=dt.date(2022, 5, 1), by=None, cashless_payment=True
        )
        indicator_services.element_values_refresh(period=parse_period("2022H1"))
        self.assertEqual(render(final, "docx"), stored)
        second = services.report_draft_get_or_create(
            unit=self.world.province, period_code="2022H1", by=None
        )
        self.assertEqual((second.version, second.assessment), (2, "Đánh giá chung."))
        self.assertIn("2/4 trường (đạt 50%)", _text(render(second, "docx")))

    def test_cli_writes_the_report(self) -> None:
        out = tempfile.mkdtemp()
        call_command(
            "report",
            "dx-semiannual",
            "--org",
            "SGD10",
            "--period",
            "2022H1",
            "--output",
            f"{out}/bc.docx",
            stdout=io.StringIO(),
        )
        with open(f"{out}/bc.docx", "rb") as fh:
            self.assertIn("1/4 trường (đạt 25%)", _text(fh.read()))

    @pytest.mark.libreoffice
    def test_pdf(self) -> None:
        if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
            pytest.skip("LibreOffice is not installed")
        self.assertTrue(render(self.draft, "pdf").startswith(b"%PDF"))

    def test_views_matrix_and_finalise_rights(self) -> None:
        url = reverse("reports:report_edit", args=[self.draft.pk])
        self.assert_matrix(url, _matrix({"department_admin", "province_officer"}))
        finalise = reverse("reports:report_finalise", args=[self.draft.pk])
        self.client.force_login(self.world.users["province_officer"])
        self.assertEqual(self.client.post(finalise).status_code, 404)
        self.assertFalse(ReportDocument.objects.get(pk=self.draft.pk).is_locked)
        self.client.force_login(self.world.users["department_admin"])
        self.assertEqual(self.client.post(finalise).status_code, 302)
        self.assertTrue(ReportDocument.objects.get(pk=self.draft.pk).is_locked)
        download = reverse("reports:report_download", args=[self.draft.pk, "docx"])
        self.assertEqual(
            self.client.get(download)["Content-Type"][:35], "application/vnd.openxmlformats-offi"
        )
