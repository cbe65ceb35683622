"""Reports as a registry of kinds: letterheads come from the issuing unit's place in the tree
and its administrative unit, whatever the province, and every problem a user can fix is a
ReportError, shown as a message on the page or by the command, never a server error."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils.translation import gettext as _

from vnemis.digital import services as digital
from vnemis.indicators import services as indicator_services
from vnemis.indicators.periods import parse_period
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgUnit, TreeVersion
from vnemis.people import services as people
from vnemis.plans import services as plans
from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import PlanTask
from vnemis.reports import services
from vnemis.reports.choices import ReportKind
from vnemis.reports.errors import ReportError
from vnemis.reports.forms import POSITION_REQUIRED
from vnemis.reports.letterhead import Letterhead, settings_defaults, territory_of
from vnemis.reports.models import ReportDocument
from vnemis.reports.registry import KINDS, document_kind
from vnemis.reports.tests.test_reports import MEDIA, _text, record_figures
from vnemis.testing.personas import PersonaTestCase

REPORTS = Path(__file__).resolve().parent.parent


def unknown_figure_message(task: str, name: str) -> str:
    """The message of a progress note naming a figure that does not exist."""
    return _(
        "The progress note of the task “{task}” names a figure “{{{name}}}” that does not "
        "exist. Correct the note in the plan: the figures that can be named are {names}."
    ).format(
        task=task,
        name=name,
        names="{internet}, {websites}, {sector_database}, {cashless_percent}, "
        "{e_transcript_percent}, {contact_book_percent}",
    )


def unknown_kind_message(kind: str) -> str:
    return _("There is no report of the kind “{kind}”. Choose one of: {kinds}.").format(
        kind=kind, kinds="dx-semiannual ({})".format(KINDS["dx-semiannual"].title)
    )


class SecondProvinceLetterheadTests(TestCase):
    """Hà Tĩnh's Sở, a district Phòng of 2022, a ward of 2025 and a school: each heads its
    reports with Hà Tĩnh's names, from the tree and the administrative units."""

    department: OrgUnit
    district: OrgUnit
    ward: OrgUnit
    school: OrgUnit

    @classmethod
    def setUpTestData(cls) -> None:
        v22 = TreeVersion.objects.get(code="2022")
        v25 = TreeVersion.objects.get(code="2025")
        create, place = org_services.orgunit_create, org_services.orgunit_place
        cls.department = create(
            kind="department",
            code="SGD42",
            name="Sở Giáo dục và Đào tạo tỉnh Hà Tĩnh",
            admin_code="42",
            by=None,
        )
        # Names without their territory: the administrative-unit codes give it.
        cls.district = create(
            kind="district_office",
            code="PGD439",
            name="Phòng GD&ĐT",
            admin_code="439",
            valid_to=dt.date(2025, 6, 30),
            by=None,
        )
        cls.ward = create(kind="commune", code="XA18073", name="UBND", admin_code="18073", by=None)
        cls.school = create(kind="school", code="42439001", name="Trường Tiểu học Sơn Kim", by=None)
        place(unit=cls.department, version=v22, parent=None, by=None)
        place(unit=cls.department, version=v25, parent=None, by=None)
        place(unit=cls.district, version=v22, parent=cls.department, by=None)
        place(unit=cls.school, version=v22, parent=cls.district, by=None)
        place(unit=cls.ward, version=v25, parent=cls.department, by=None)

    def test_each_unit_heads_with_the_names_of_its_province(self) -> None:
        """Sở: "UBND TỈNH HÀ TĨNH", place Hà Tĩnh; Phòng: "UBND HUYỆN HƯƠNG SƠN"; ward:
        "UBND PHƯỜNG THÀNH SEN"; the school: the Phòng above it in the tree."""
        self.assertEqual(
            settings_defaults(self.department),
            Letterhead(
                parent_agency="UBND TỈNH HÀ TĨNH",
                agency="SỞ GIÁO DỤC VÀ ĐÀO TẠO",
                agency_in_text="Sở Giáo dục và Đào tạo tỉnh Hà Tĩnh",
                agency_symbol="SGDĐT",
                place="Hà Tĩnh",
                signer_authority="",
                signer_title="GIÁM ĐỐC",
                signer_name="",
                archive_unit="",
                archive_copies=0,
            ),
        )
        district = settings_defaults(self.district)
        self.assertEqual(
            (district.parent_agency, district.agency_in_text, district.place),
            ("UBND HUYỆN HƯƠNG SƠN", "Phòng Giáo dục và Đào tạo huyện Hương Sơn", "Hương Sơn"),
        )
        ward = settings_defaults(self.ward)
        self.assertEqual(
            (ward.parent_agency, ward.agency_in_text, ward.place),
            ("UBND PHƯỜNG THÀNH SEN", "Phòng Văn hóa - Xã hội phường Thành Sen", "Thành Sen"),
        )
        school = settings_defaults(self.school)
        self.assertEqual(
            (school.parent_agency, school.agency, school.agency_symbol, school.place),
            ("PHÒNG GD&ĐT HƯƠNG SƠN", "TRƯỜNG TIỂU HỌC SƠN KIM", "THSK", "Hương Sơn"),
        )

    def test_the_code_of_the_administrative_unit_takes_its_era(self) -> None:
        """A Sở that closed before 1 July 2025 is looked up in the old list of provinces (code
        2 was Hà Giang, and is no province code since); a code in neither list, or none,
        leaves the territory to the name."""
        old = OrgUnit(
            kind="department", name="Sở GD&ĐT", admin_code="2", valid_to=dt.date(2025, 6, 30)
        )
        self.assertEqual(settings_defaults(old).parent_agency, "UBND TỈNH HÀ GIANG")
        current = OrgUnit(kind="department", name="Sở GD&ĐT Hà Giang", admin_code="2")
        self.assertEqual(territory_of(current).full, "tỉnh Hà Giang")  # from the name
        unknown = OrgUnit(kind="district_office", name="Phòng GD&ĐT Kỳ Anh", admin_code="99999")
        self.assertEqual(territory_of(unknown).full, "huyện Kỳ Anh")

    def test_the_reports_code_names_no_province(self) -> None:
        """No province's name is written into the reports app: headers, places and texts come
        from the units, their settings and the officers' drafts."""
        sources = [
            path
            for path in REPORTS.rglob("*.py")
            if "tests" not in path.parts and "migrations" not in path.parts
        ]
        self.assertGreater(len(sources), 10)
        for path in sources:
            text = path.read_text(encoding="utf-8").lower()
            for name in ("lào cai", "laocai", "lao cai"):
                self.assertFalse(name in text, f"{name} in {path.relative_to(REPORTS)}")


@override_settings(MEDIA_ROOT=MEDIA)
class CommuneReportTests(PersonaTestCase):
    """A commune of the 2025 tree reports its half-year, headed as the commune's Phòng Văn
    hóa - Xã hội, from the page and from the command."""

    def setUp(self) -> None:
        w = self.world
        record_figures(w)
        year = org_services.school_year_create(
            starts_on=dt.date(2025, 9, 5), ends_on=dt.date(2026, 5, 31), by=None
        )
        people.enrollment_create(
            student=w.student_a1,
            school=w.school_a,
            school_year=year,
            grade=4,
            level="th",
            started_on=dt.date(2025, 9, 5),
            by=None,
        )
        digital.student_record_set(
            student=w.student_a1,
            school_year=year,
            by=None,
            transcript_issued_on=dt.date(2025, 10, 1),
        )
        # The website rates divide by the commune's preschools and lower secondary schools.
        v25 = TreeVersion.objects.get(code="2025")
        for code, level in (("10082004", "mn"), ("10082005", "thcs")):
            school = org_services.orgunit_create(
                kind="school", code=code, name=code, by=None, groups=[("level", level)]
            )
            org_services.orgunit_place(unit=school, version=v25, parent=w.commune_a, by=None)
            digital.digital_profile_record(
                unit=school, valid_from=dt.date(2025, 9, 1), by=None, internet="wired"
            )
        indicator_services.element_values_refresh(period=parse_period("2025H2"))

    def test_commune_officer_reports_from_the_page_and_the_command(self) -> None:
        """The commune officer starts the 2025H2 draft and downloads it; the command writes
        the same commune's report: both headed "UBND XÃ BÁT XÁT / PHÒNG VĂN HÓA - XÃ HỘI",
        numbered /BC-VHXH, dated at Bát Xát, closing with the commune's Phòng."""
        self.client.force_login(self.world.users["commune_officer"])
        response = self.client.post(
            reverse("reports:report_start"), {"org": "XA02683", "period": "2025H2"}
        )
        document = ReportDocument.objects.get(unit__code="XA02683", period="2025H2")
        self.assertRedirects(response, reverse("reports:report_edit", args=[document.pk]))
        response = self.client.get(reverse("reports:report_download", args=[document.pk, "docx"]))
        self.assertEqual(response.status_code, 200)
        out = Path(tempfile.mkdtemp()) / "bc.docx"
        call_command(
            "report",
            "dx-semiannual",
            "--org",
            "XA02683",
            "--period",
            "2025H2",
            "--output",
            str(out),
            stdout=io.StringIO(),
        )
        for content in (response.content, out.read_bytes()):
            text = _text(content)
            for line in (
                "UBND XÃ BÁT XÁT",
                "PHÒNG VĂN HÓA - XÃ HỘI",
                "Số:      /BC-VHXH",
                "Bát Xát, ngày      tháng 12 năm 2025",
                "Phòng Văn hóa - Xã hội xã Bát Xát trân trọng báo cáo./.",
                "6 tháng cuối năm 2025",
            ):
                self.assertIn(line, text)
            self.assertNotIn("SỞ GIÁO DỤC", text)


@override_settings(MEDIA_ROOT=MEDIA)
class UserProblemTests(PersonaTestCase):
    """What a user can get wrong comes back as a message, on the page and from the command."""

    def setUp(self) -> None:
        record_figures(self.world)
        self.draft = services.report_draft_get_or_create(
            unit=self.world.province, period_code="2022H1", by=None
        )
        services.report_draft_update(
            document=self.draft, by=None, signer_title="PHÓ GIÁM ĐỐC", signer_name="Trần Bình"
        )
        self.edit = reverse("reports:report_edit", args=[self.draft.pk])
        self.client.force_login(self.world.users["department_admin"])

    def _messages(self, response: Any) -> list[str]:
        return [str(m) for m in response.context["messages"]]

    def _cli(self, kind: str = "dx-semiannual") -> None:
        out = tempfile.mkdtemp()
        call_command(
            "report",
            kind,
            "--org",
            "SGD10",
            "--period",
            "2022H1",
            "--output",
            f"{out}/bc.docx",
            stdout=io.StringIO(),
        )

    def test_a_typo_in_a_figure_placeholder_is_a_message(self) -> None:
        """A progress note citing "{internets}" (no such figure): the download, the
        finalising and the command each say which task and which name, and list the names
        that exist; the draft stays a draft."""
        task = PlanTask.objects.get(title="Kết nối Internet")
        plans.task_update_record(
            task=task,
            on=dt.date(2022, 6, 20),
            status=TaskStatus.DONE,
            by=None,
            note="{internets} trường.",
        )
        expected = unknown_figure_message("Kết nối Internet", "internets")
        download = reverse("reports:report_download", args=[self.draft.pk, "docx"])
        response = self.client.get(download, follow=True)
        self.assertEqual(response.redirect_chain, [(self.edit, 302)])
        self.assertEqual(self._messages(response), [expected])
        finalise = reverse("reports:report_finalise", args=[self.draft.pk])
        response = self.client.post(finalise, follow=True)
        self.assertEqual(self._messages(response), [expected])
        self.assertFalse(ReportDocument.objects.get(pk=self.draft.pk).is_locked)
        with self.assertRaisesMessage(CommandError, expected):
            self._cli()

    def test_finalising_without_the_signers_name_is_a_message(self) -> None:
        """A draft may be printed without the signer's name, but not finalised: the page says
        what to enter and the version stays an unlocked draft without a file."""
        services.report_draft_update(document=self.draft, by=None, signer_name=" ")
        download = reverse("reports:report_download", args=[self.draft.pk, "docx"])
        self.assertEqual(self.client.get(download).status_code, 200)
        response = self.client.post(
            reverse("reports:report_finalise", args=[self.draft.pk]), follow=True
        )
        self.assertEqual(
            self._messages(response),
            [
                _(
                    "Enter the signer's name before finalising: a final report is signed, and "
                    "its signature block ends with the signer's name."
                )
            ],
        )
        stored = ReportDocument.objects.get(pk=self.draft.pk)
        self.assertEqual((stored.status, stored.sha256, stored.file.name), ("draft", "", ""))
        with self.assertRaises(ReportError) as caught:
            services.report_finalize(document=stored, by=None)
        self.assertEqual(caught.exception.field, "signer_name")

    def test_a_missing_position_is_a_message_from_the_command(self) -> None:
        """The command prints the same words as the page for a draft without a position."""
        services.report_draft_update(document=self.draft, by=None, signer_title="")
        with self.assertRaisesMessage(CommandError, str(POSITION_REQUIRED)):
            self._cli()

    def test_an_unknown_kind_is_a_message(self) -> None:
        """A kind that is not registered: starting it on the page, the command, and a stored
        report of a kind since retired (download, finalise, new version) each end in a
        message naming the kinds there are, and nothing is created or locked."""
        expected = unknown_kind_message("bao-cao-nam")
        response = self.client.post(
            reverse("reports:report_start"),
            {"org": "SGD10", "period": "2022H1", "kind": "bao-cao-nam"},
            follow=True,
        )
        self.assertEqual(response.redirect_chain, [(reverse("reports:report_list"), 302)])
        self.assertEqual(self._messages(response), [expected])
        self.assertEqual(ReportDocument.objects.count(), 1)
        with self.assertRaisesMessage(CommandError, expected):
            self._cli("bao-cao-nam")
        ReportDocument.objects.filter(pk=self.draft.pk).update(kind="bao-cao-nam")
        for url, method in (
            (reverse("reports:report_download", args=[self.draft.pk, "docx"]), "get"),
            (reverse("reports:report_finalise", args=[self.draft.pk]), "post"),
            (reverse("reports:report_new_version", args=[self.draft.pk]), "post"),
        ):
            with self.subTest(url):
                response = getattr(self.client, method)(url, follow=True)
                self.assertEqual(response.redirect_chain, [(self.edit, 302)])
                self.assertEqual(self._messages(response), [expected])
        self.assertEqual(ReportDocument.objects.count(), 1)
        self.assertFalse(ReportDocument.objects.get(pk=self.draft.pk).is_locked)

    def test_the_registry_knows_the_semi_annual_report(self) -> None:
        """The one registered kind is the semi-annual report, titled as its choice."""
        self.assertEqual(list(KINDS), ["dx-semiannual"])
        self.assertEqual(document_kind("dx-semiannual").title, str(ReportKind.DX_SEMIANNUAL.label))
