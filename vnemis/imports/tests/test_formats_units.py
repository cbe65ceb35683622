"""Imports of schools, school sites and reported figures: checks, scope, writes and
round trips (an export imported again changes nothing)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase, override_settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from vnemis.core.models import AuditEntry
from vnemis.imports import services
from vnemis.imports.formats import FORMATS
from vnemis.imports.formats.base import RowError
from vnemis.imports.formats.reported_values import number, number_text
from vnemis.imports.models import ImportJob
from vnemis.imports.templates_xlsx import template_bytes
from vnemis.indicators import services as indicator_services
from vnemis.indicators.models import DataElement, ElementValue, ReportedValue
from vnemis.indicators.periods import parse_period
from vnemis.organisations.models import OrgPlacement, OrgUnit
from vnemis.testing.personas import PersonaTestCase

MEDIA = tempfile.mkdtemp(prefix="vnemis-media-")
DAY = dt.date(2021, 10, 1)  # the 2022 tree is in force: Sở → Phòng → school


def _csv(headers: list[str], rows: list[list[Any]]) -> Path:
    path = Path(tempfile.mkdtemp()) / "don-vi.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


class _ImportCase(PersonaTestCase):
    kind = ""

    def run_job(
        self,
        path: Path,
        *,
        scope: OrgUnit | None,
        dry_run: bool = False,
        partial: bool = False,
    ) -> ImportJob:
        source = services.import_file_store(path=path, name=path.name, by=None)
        job = services.import_job_create(
            source=source,
            kind=self.kind,
            by=None,
            dry_run=dry_run,
            partial=partial,
            scope_unit=scope,
        )
        return services.import_job_run(job=job, by=None, day=DAY)

    def counts(self, job: ImportJob) -> tuple[int, int, int, int]:
        return job.created, job.updated, job.unchanged, job.rejected

    def reasons(self, job: ImportJob) -> dict[int, str]:
        """Line number → reason, from the job's error report."""
        report = load_workbook(io.BytesIO(job.error_report.read())).active
        return {row[0]: row[-1] for row in report.iter_rows(min_row=2, values_only=True)}

    def export(self, scope: OrgUnit | None) -> tuple[Path, int]:
        """The format's export in scope, written as a CSV file with the template's headers."""
        fmt_class = FORMATS[self.kind]
        paths = tuple(scope.placements.values_list("path", flat=True)) if scope else None
        rows = list(fmt_class(by=None, scope_paths=paths, day=DAY).export_rows())
        return _csv([c.header for c in fmt_class.columns], rows), len(rows)


SCHOOL_HEADERS = [c.header for c in FORMATS["schools"].columns]


def _school(code: str, **cells: Any) -> list[Any]:
    """A school row: every column empty except those given (by column key)."""
    defaults = {
        "code": code,
        "name": f"Trường {code}",
        "levels": "TH",
        "ownership": "Công lập",
        "parent": "PGD082",
    }
    values = defaults | cells
    return [values.get(c.key, "") for c in FORMATS["schools"].columns]


@override_settings(MEDIA_ROOT=MEDIA)
class SchoolImportTests(_ImportCase):
    kind = "schools"
    GOOD = [
        _school(
            "10082002",
            name="Trường PTDTBT THCS A Mú Sung",
            levels="TH, THCS",
            ownership="Công lập",
            school_type="PTDTBT",
            area="Khu vực III",
            admin_code="02683",
            address="Xã A Mú Sung",
            phone="0214 3883 456",
            email="thcsamusung@laocai.edu.vn",
            website="thcsamusung.laocai.edu.vn",
            principal_name="Nguyễn Văn An",
        ),
        # School A becomes a TH&THCS school under a new name.
        _school("10082001", name="Trường TH&THCS Bát Xát", levels="Tiểu học+THCS"),
    ]
    BAD = [
        _school("10082003", parent="PGD086"),  # line 4: managing unit outside Bát Xát
        _school("10086001", parent="PGD082"),  # line 5: existing school outside Bát Xát
        _school("10082004", levels="TH; ĐH"),  # line 6: no such level
        _school("10082005", email="hieutruong@"),  # line 7
        _school("10082006", ownership="Dân lập"),  # line 8: dân lập is preschool only
        _school("10082007", phone="không có"),  # line 9
        _school("10082002", name="Trùng"),  # line 10: same school as line 2
        _school("PGD082"),  # line 11: a Phòng, not a school
    ]

    def mixed(self) -> Path:
        return _csv(SCHOOL_HEADERS, self.GOOD + self.BAD)

    def test_dry_run_counts_and_reasons(self) -> None:
        before = OrgUnit.objects.count()
        job = self.run_job(self.mixed(), scope=self.world.batxat, dry_run=True)
        self.assertEqual(self.counts(job), (1, 1, 0, 8))
        self.assertFalse(job.written)
        self.assertEqual(OrgUnit.objects.count(), before)
        reasons = self.reasons(job)
        self.assertEqual(sorted(reasons), [4, 5, 6, 7, 8, 9, 10, 11])
        self.assertEqual(
            reasons[4],
            _(
                "No department, district office or commune with the code {code} in your area."
            ).format(code="PGD086"),
        )
        self.assertEqual(
            reasons[5], _("The school {code} exists outside your area.").format(code="10086001")
        )
        self.assertEqual(
            reasons[6], _("{label}: unknown value '{value}'.").format(label="Cấp học", value="ĐH")
        )
        self.assertEqual(
            reasons[7],
            _("The email address '{value}' is not valid.").format(value="hieutruong@"),
        )
        self.assertEqual(reasons[8], _("Only a preschool (MN) can be 'Dân lập'."))
        self.assertIn("không có", reasons[9])
        self.assertEqual(reasons[10], _("Same record as line {line}.").format(line=2))
        self.assertEqual(
            reasons[11],
            _("The code {code} belongs to a unit that is not a school.").format(code="PGD082"),
        )

    def test_all_or_nothing_then_partial_then_unchanged(self) -> None:
        before = OrgUnit.objects.count()
        job = self.run_job(self.mixed(), scope=self.world.batxat)
        self.assertEqual((job.rejected, job.written), (8, False))
        self.assertEqual(OrgUnit.objects.count(), before)
        self.world.school_a.refresh_from_db()
        self.assertEqual(self.world.school_a.name, "Trường Tiểu học Bát Xát")

        job = self.run_job(self.mixed(), scope=self.world.batxat, partial=True)
        self.assertEqual((*self.counts(job), job.written), (1, 1, 0, 8, True))
        self.assertEqual(OrgUnit.objects.count(), before + 1)
        new = OrgUnit.objects.get(code="10082002")
        self.assertEqual(
            (
                new.kind,
                new.name,
                new.ownership,
                new.admin_code,
                new.phone,
                new.email,
                new.website,
                new.principal_name,
            ),
            (
                "school",
                "Trường PTDTBT THCS A Mú Sung",
                "cong_lap",
                "02683",
                "0214 3883 456",
                "thcsamusung@laocai.edu.vn",
                "https://thcsamusung.laocai.edu.vn",
                "Nguyễn Văn An",
            ),
        )
        self.assertEqual(
            sorted((g.group_set.code, g.code) for g in new.groups.all()),
            [("area", "kv3"), ("level", "th"), ("level", "thcs"), ("school_type", "ptdtbt")],
        )
        self.assertEqual(
            list(OrgPlacement.objects.filter(unit=new).values_list("path", "parent__code")),
            [("2022:SGD10.PGD082.10082002.", "PGD082")],
        )
        school_a = OrgUnit.objects.get(pk=self.world.school_a.pk)
        self.assertEqual(
            (school_a.name, school_a.level_codes()), ("Trường TH&THCS Bát Xát", ["th", "thcs"])
        )
        self.assertEqual(
            AuditEntry.objects.filter(
                target_type="organisations.OrgUnit", target_id=str(school_a.pk), verb="updated"
            ).count(),
            2,  # the name, then the levels
        )

        again = self.run_job(self.mixed(), scope=self.world.batxat, partial=True)
        self.assertEqual(self.counts(again), (0, 0, 2, 8))
        self.assertEqual(OrgUnit.objects.count(), before + 1)

    def test_a_school_is_not_moved_and_the_parent_must_be_in_the_current_tree(self) -> None:
        path = _csv(
            SCHOOL_HEADERS,
            [
                _school("10082001", name="Trường Tiểu học Bát Xát", parent="PGD086"),
                _school("10082009", parent="XA02683"),  # a 2025 commune; 2021 uses the 2022 tree
            ],
        )
        job = self.run_job(path, scope=None, dry_run=True)
        self.assertEqual(self.counts(job), (0, 0, 0, 2))
        reasons = self.reasons(job)
        self.assertEqual(
            reasons[2],
            _(
                "The school is managed by {code} in the current tree, not by {given}; an "
                "import does not move schools between units."
            ).format(code="PGD082", given="PGD086"),
        )
        self.assertEqual(
            reasons[3],
            _("The unit {code} is not in the current organisation tree ({version}).").format(
                code="XA02683", version="Trước sắp xếp 2025: Sở → Phòng GD&ĐT → trường"
            ),
        )

    def test_a_left_out_column_keeps_the_value_and_an_empty_cell_clears_it(self) -> None:
        OrgUnit.objects.filter(pk=self.world.school_a.pk).update(
            phone="0214 3880 123", address="Thị trấn Bát Xát"
        )
        headers = ["Mã trường", "Tên trường", "Cấp học", "Đơn vị quản lý", "Địa chỉ"]
        row = ["10082001", "Trường Tiểu học Bát Xát", "TH", "PGD082", ""]
        job = self.run_job(_csv(headers, [row]), scope=self.world.batxat)
        self.assertEqual(self.counts(job), (0, 1, 0, 0))
        school_a = OrgUnit.objects.get(pk=self.world.school_a.pk)
        self.assertEqual((school_a.phone, school_a.address), ("0214 3880 123", ""))

    def test_export_then_import_changes_nothing(self) -> None:
        self.run_job(_csv(SCHOOL_HEADERS, self.GOOD), scope=self.world.batxat)
        path, exported = self.export(self.world.batxat)
        self.assertEqual(exported, 2)  # schools A and 10082002; not school B in Bảo Thắng
        job = self.run_job(path, scope=self.world.batxat)
        self.assertEqual(self.counts(job), (0, 0, 2, 0))
        path, exported = self.export(None)
        self.assertEqual(exported, 3)
        job = self.run_job(path, scope=None)
        self.assertEqual(self.counts(job), (0, 0, 3, 0))

    def test_number_cells_of_a_workbook_keep_their_leading_zeros(self) -> None:
        book = Workbook()
        sheet = book.active
        sheet.append(
            ["Mã trường", "Tên trường", "Cấp học", "Đơn vị quản lý", "Mã xã", "Điện thoại"]
        )
        sheet.append([10082001, "Trường Tiểu học Bát Xát", "TH", "PGD082", 2683, 2143880123])
        path = Path(tempfile.mkdtemp()) / "truong.xlsx"
        book.save(path)
        job = self.run_job(path, scope=self.world.batxat)
        self.assertEqual(self.counts(job), (0, 1, 0, 0))
        school_a = OrgUnit.objects.get(pk=self.world.school_a.pk)
        self.assertEqual((school_a.admin_code, school_a.phone), ("02683", "02143880123"))


SITE_HEADERS = [c.header for c in FORMATS["sites"].columns]


@override_settings(MEDIA_ROOT=MEDIA)
class SiteImportTests(_ImportCase):
    kind = "sites"
    GOOD = [
        ["10082001-02", "Điểm trường Nậm Chạc", "10082001", "Thôn Nậm Chạc", "02683"],
        ["10082001-01", "Điểm trường trung tâm", "10082001", "", ""],  # renamed
    ]
    BAD = [
        ["10086001-02", "Điểm trường Phố Lu 2", "10086001", "", ""],  # line 4: outside scope
        ["10082001-03", "", "10082001", "", ""],  # line 5: no name
        ["PGD082", "Phòng", "10082001", "", ""],  # line 6: not a site
        ["10082001-04", "Điểm trường Sàng Ma Sáo", "10082001", "", "xã 5"],  # line 7
        ["10082001-02", "Trùng", "10082001", "", ""],  # line 8: same as line 2
    ]

    def mixed(self) -> Path:
        return _csv(SITE_HEADERS, self.GOOD + self.BAD)

    def test_dry_run_counts_and_reasons(self) -> None:
        before = OrgUnit.objects.count()
        job = self.run_job(self.mixed(), scope=self.world.batxat, dry_run=True)
        self.assertEqual(self.counts(job), (1, 1, 0, 5))
        self.assertEqual(OrgUnit.objects.count(), before)
        reasons = self.reasons(job)
        self.assertEqual(
            reasons[4], _("No school with the code {code} in your area.").format(code="10086001")
        )
        self.assertEqual(reasons[5], _("The site name is empty."))
        self.assertEqual(
            reasons[6],
            _("The code {code} belongs to a unit that is not a school site.").format(code="PGD082"),
        )
        self.assertIn("xã 5", reasons[7])
        self.assertEqual(reasons[8], _("Same record as line {line}.").format(line=2))

    def test_all_or_nothing_then_partial_then_unchanged(self) -> None:
        before = OrgUnit.objects.count()
        job = self.run_job(self.mixed(), scope=self.world.batxat)
        self.assertEqual((job.rejected, job.written), (5, False))
        self.assertEqual(OrgUnit.objects.count(), before)

        job = self.run_job(self.mixed(), scope=self.world.batxat, partial=True)
        self.assertEqual((*self.counts(job), job.written), (1, 1, 0, 5, True))
        self.assertEqual(OrgUnit.objects.count(), before + 1)
        site = OrgUnit.objects.get(code="10082001-02")
        self.assertEqual(
            (site.kind, site.name, site.school, site.address, site.admin_code),
            ("site", "Điểm trường Nậm Chạc", self.world.school_a, "Thôn Nậm Chạc", "02683"),
        )
        # Under its school in both tree versions, as the school's other sites.
        self.assertEqual(
            sorted(OrgPlacement.objects.filter(unit=site).values_list("path", flat=True)),
            [
                "2022:SGD10.PGD082.10082001.10082001-02.",
                "2025:SGD15.XA02683.10082001.10082001-02.",
            ],
        )
        self.world.site_a.refresh_from_db()
        self.assertEqual(self.world.site_a.name, "Điểm trường trung tâm")

        again = self.run_job(self.mixed(), scope=self.world.batxat, partial=True)
        self.assertEqual(self.counts(again), (0, 0, 2, 5))

    def test_a_site_of_another_school_is_rejected(self) -> None:
        path = _csv(SITE_HEADERS, [["10082001-01", "Điểm trường chính", "10086001", "", ""]])
        job = self.run_job(path, scope=None)
        self.assertEqual(self.counts(job), (0, 0, 0, 1))
        self.assertEqual(
            self.reasons(job)[2],
            _(
                "The site {code} belongs to the school {school}; an import does not move "
                "sites between schools."
            ).format(code="10082001-01", school="10082001"),
        )
        self.world.site_a.refresh_from_db()
        self.assertEqual(self.world.site_a.school, self.world.school_a)

    def test_export_then_import_changes_nothing(self) -> None:
        self.run_job(_csv(SITE_HEADERS, self.GOOD), scope=self.world.batxat)
        path, exported = self.export(self.world.batxat)
        self.assertEqual(exported, 2)
        job = self.run_job(path, scope=self.world.batxat)
        self.assertEqual(self.counts(job), (0, 0, 2, 0))


VALUE_HEADERS = [c.header for c in FORMATS["reported_values"].columns]


@override_settings(MEDIA_ROOT=MEDIA)
class ReportedValueImportTests(_ImportCase):
    kind = "reported_values"
    GOOD = [
        ["PGD082", "dossiers_online_pct", "2022H1", "85,5", "Văn phòng Phòng"],
        ["10082001", "procedures_online_pct", "2021", "1.234.567", ""],
        ["10082001", "work_records_online_pct", "2021-2022", "12.5", ""],
    ]
    BAD = [
        ["10086001", "dossiers_online_pct", "2022H1", "80", ""],  # line 5: outside Bát Xát
        ["PGD082", "students", "2022H1", "80", ""],  # line 6: counted from records
        ["PGD082", "dossiers_online_pct", "2022H3", "80", ""],  # line 7
        ["PGD082", "procedures_online_pct", "2022H1", "1.234", ""],  # line 8: ambiguous
        ["PGD082", "procedures_online_pct", "2022", "-5", ""],  # line 9
        ["PGD082", "no_such_element", "2022", "5", ""],  # line 10
        ["PGD082", "dossiers_online_pct", "2022h1", "90", ""],  # line 11: same as line 2
    ]
    # The same figures as officials write them: element names and periods in words.
    IN_WORDS = [
        [
            "PGD082",
            "Tỷ lệ hồ sơ TTHC được xử lý hoàn toàn trực tuyến",
            "6 tháng đầu năm 2022",
            "85,5",
            "Văn phòng Phòng",
        ],
        [
            "10082001",
            "ty le tthc du dieu kien cung cap dich vu cong truc tuyen muc do 4",
            "Năm 2021",
            "1.234.567",
            "",
        ],
        ["10082001", "work_records_online_pct", "NĂM HỌC 2021 – 2022", "12.5", ""],
    ]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Figures already entered: one that the file changes, and one in Bảo Thắng.
        for unit, value in ((cls.world.school_a, "100"), (cls.world.school_b, "70")):
            indicator_services.reported_value_set(
                element=DataElement.objects.get(code="procedures_online_pct"),
                period=parse_period("2021"),
                unit=unit,
                value=Decimal(value),
                by=None,
            )

    def mixed(self) -> Path:
        return _csv(VALUE_HEADERS, self.GOOD + self.BAD)

    def test_dry_run_counts_and_reasons(self) -> None:
        job = self.run_job(self.mixed(), scope=self.world.batxat, dry_run=True)
        self.assertEqual(self.counts(job), (2, 1, 0, 7))
        self.assertEqual(ReportedValue.objects.count(), 2)
        reasons = self.reasons(job)
        self.assertEqual(
            reasons[5], _("No unit with the code {code} in your area.").format(code="10086001")
        )
        self.assertEqual(
            reasons[6],
            _("The data element {code} is counted from records; it cannot be imported.").format(
                code="students"
            ),
        )
        self.assertEqual(
            reasons[7],
            _(
                "Unknown period '{value}': write it like 6 tháng đầu năm 2022, Quý III/2022, "
                "Năm 2022 or Năm học 2021-2022."
            ).format(value="2022H3"),
        )
        self.assertIn("'1.234'", reasons[8])
        self.assertIn("1234", reasons[8])
        self.assertEqual(reasons[9], _("The value must not be negative."))
        self.assertEqual(
            reasons[10],
            _("No data element has the name or code '{code}'.").format(code="no_such_element"),
        )
        self.assertEqual(reasons[11], _("Same record as line {line}.").format(line=2))

    def test_names_and_periods_in_words_read_as_the_codes(self) -> None:
        """Element names (with or without diacritics) and periods in words ("6 tháng đầu năm
        2022", "Năm 2021", "năm học 2021 – 2022") are the same figures as the codes."""
        coded = self.run_job(_csv(VALUE_HEADERS, self.GOOD), scope=self.world.batxat)
        self.assertEqual(self.counts(coded), (2, 1, 0, 0))
        words = self.run_job(_csv(VALUE_HEADERS, self.IN_WORDS), scope=self.world.batxat)
        self.assertEqual(self.counts(words), (0, 0, 3, 0))

    def test_all_or_nothing_then_partial_then_unchanged(self) -> None:
        job = self.run_job(self.mixed(), scope=self.world.batxat)
        self.assertEqual((job.rejected, job.written), (7, False))
        self.assertEqual(ReportedValue.objects.count(), 2)

        job = self.run_job(self.mixed(), scope=self.world.batxat, partial=True)
        self.assertEqual((*self.counts(job), job.written), (2, 1, 0, 7, True))
        stored = {
            (r.unit.code, r.element.code, r.period): (r.value, r.note)
            for r in ReportedValue.objects.select_related("unit", "element")
        }
        self.assertEqual(
            stored,
            {
                ("PGD082", "dossiers_online_pct", "2022H1"): (Decimal("85.5"), "Văn phòng Phòng"),
                ("10082001", "procedures_online_pct", "2021"): (Decimal("1234567"), ""),
                ("10082001", "work_records_online_pct", "2021-2022"): (Decimal("12.5"), ""),
                ("10086001", "procedures_online_pct", "2021"): (Decimal("70"), ""),
            },
        )
        # The analytics table follows at once.
        self.assertEqual(
            ElementValue.objects.get(
                element__code="dossiers_online_pct", period="2022H1", unit=self.world.batxat
            ).value,
            Decimal("85.5"),
        )

        again = self.run_job(self.mixed(), scope=self.world.batxat, partial=True)
        self.assertEqual(self.counts(again), (0, 0, 3, 7))

    def test_a_changed_note_updates_and_a_left_out_note_is_kept(self) -> None:
        self.run_job(_csv(VALUE_HEADERS, self.GOOD[:1]), scope=self.world.batxat)
        row = ["PGD082", "dossiers_online_pct", "2022H1", "85,5"]
        job = self.run_job(_csv(VALUE_HEADERS[:4], [row]), scope=self.world.batxat)
        self.assertEqual(self.counts(job), (0, 0, 1, 0))
        job = self.run_job(_csv(VALUE_HEADERS, [[*row, "Đã sửa"]]), scope=self.world.batxat)
        self.assertEqual(self.counts(job), (0, 1, 0, 0))
        self.assertEqual(ReportedValue.objects.get(unit=self.world.batxat).note, "Đã sửa")

    def test_number_cells_of_a_workbook(self) -> None:
        book = Workbook()
        sheet = book.active
        sheet.append(VALUE_HEADERS)
        sheet.append(["PGD082", "dossiers_online_pct", 2022, 0.1 + 0.2, None])
        path = Path(tempfile.mkdtemp()) / "so-lieu.xlsx"
        book.save(path)
        job = self.run_job(path, scope=self.world.batxat)
        self.assertEqual(self.counts(job), (1, 0, 0, 0))
        self.assertEqual(ReportedValue.objects.get(unit=self.world.batxat).value, Decimal("0.3"))

    def test_export_then_import_changes_nothing(self) -> None:
        self.run_job(_csv(VALUE_HEADERS, self.GOOD), scope=self.world.batxat)
        path, exported = self.export(self.world.batxat)
        self.assertEqual(exported, 3)  # not school B's figure
        job = self.run_job(path, scope=self.world.batxat)
        self.assertEqual(self.counts(job), (0, 0, 3, 0))
        path, exported = self.export(None)
        self.assertEqual(exported, 4)
        job = self.run_job(path, scope=None)
        self.assertEqual(self.counts(job), (0, 0, 4, 0))


class NumberTests(SimpleTestCase):
    def test_vietnamese_text_and_number_cells(self) -> None:
        cases: dict[Any, str] = {
            "12": "12",
            "12,5": "12.5",
            "1,234": "1.234",  # the comma is always the decimal separator
            "12.5": "12.5",
            "0.125": "0.125",
            "1234.567": "1234.567",
            "1.234.567": "1234567",
            "1.234,5": "1234.5",
            " 1 234 ": "1234",
            "1\u00a0234,25": "1234.25",
            "-0": "0",
            7: "7",
            85.5: "85.5",
            0.1 + 0.2: "0.3",
        }
        for value, expected in cases.items():
            self.assertEqual(number(value), Decimal(expected), value)

    def test_rejected_text(self) -> None:
        for value in ("1.234", "12.345", "", "abc", "1,2,3", "1.23.4", "1.2345,6", "-3", "1,23456"):
            with self.assertRaises(RowError, msg=value):
                number(value)
        with self.assertRaises(RowError):
            number(True)
        with self.assertRaises(RowError):
            number("1" * 17)

    def test_export_text_reads_back(self) -> None:
        for value in ("85.5000", "1234567.0000", "0.0000", "0.1250", "1000"):
            written = number_text(Decimal(value))
            self.assertNotIn(".", written)
            self.assertEqual(number(written), Decimal(value))


@override_settings(MEDIA_ROOT=MEDIA)
class TemplateExampleTests(_ImportCase):
    def test_each_example_is_a_valid_new_row(self) -> None:
        for kind, scope in (
            ("schools", self.world.batxat),
            ("sites", self.world.batxat),
            ("reported_values", None),
        ):
            self.kind = kind
            fmt = FORMATS[kind]
            self.assertEqual(len(fmt.example), len(fmt.columns), kind)
            path = _csv([c.header for c in fmt.columns], [list(fmt.example)])
            job = self.run_job(path, scope=scope, dry_run=True)
            self.assertEqual(self.counts(job), (1, 0, 0, 0), kind)
            self.assertTrue(template_bytes(kind).startswith(b"PK"), kind)
