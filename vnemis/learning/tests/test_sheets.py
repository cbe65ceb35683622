"""The gradebook workbook: its layout follows the subject's entry columns, current values are
typed cells, and its signed header names the gradebook and refuses any edit of the header."""

from __future__ import annotations

import io
from typing import Any, ClassVar

from django.test import TestCase
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from vnemis.learning.models import Subject
from vnemis.learning.services.marks import CellInput, marks_save
from vnemis.learning.sheets import (
    TOKEN_PREFIX,
    SheetRefused,
    gradebook_identity_read,
    gradebook_workbook,
)
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.testing.world import World, build_world

TAMPERED = (
    "The header of this gradebook sheet was changed (a column added, deleted, moved or "
    "renamed, or the information cell edited). Download the sheet again from the gradebook "
    "and copy the values into it, without changing its first row."
)


def first_row(sheet: Worksheet) -> list[Any]:
    """The header row as the import's reader gives it: text, "" for an empty cell."""
    values = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    return ["" if v is None else str(v).strip() for v in values]


class GradebookWorkbookTests(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)
        marks_save(
            school_class=cls.lw.class_6a,
            subject=cls.lw.toan_6,
            term=1,
            cells=[
                CellInput(cls.lw.s6a.pk, code, value)
                for code, value in {
                    "r1": "8",
                    "r2": "7,5",
                    "midterm": "7",
                    "comment": '=HYPERLINK("http://x.example","bấm")',
                }.items()
            ],
            by=None,
        )

    def setUp(self) -> None:
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def book(self, **kwargs: Any) -> Any:
        return load_workbook(io.BytesIO(gradebook_workbook(**kwargs)))

    def test_layout_follows_the_subjects_columns(self) -> None:
        """Toán of 6A (TT22, 140 periods): number, code, name, four regular scores, mid-term,
        end of term and comment, then the information cell and the hidden token."""
        book = self.book(school_class=self.lw.class_6a, subject=self.lw.toan_6, term=1)
        sheet = book.worksheets[0]
        header = first_row(sheet)
        self.assertEqual(
            header[:10],
            [
                "No.",
                "Student code",
                "Full name",
                "Reg. 1",
                "Reg. 2",
                "Reg. 3",
                "Reg. 4",
                "Mid-term",
                "End of term",
                "Comment",
            ],
        )
        self.assertEqual(header[10], "")
        self.assertEqual(
            header[11].split("\n"),
            [
                "GRADEBOOK",
                "School: Trường THCS Bát Xát",
                "Class: 6A",
                "Subject: Toán",
                "Term I",
                "School year: 2021-2022",
                "Regime: TT22/2021 (grades 6–12)",
            ],
        )
        self.assertTrue(header[13].startswith(TOKEN_PREFIX))
        self.assertTrue(sheet.column_dimensions["N"].hidden)
        self.assertEqual(str(book.defined_names["vnemis_gradebook"].attr_text)[-5:], "!$N$1")
        self.assertIn("L1:L8", {str(r) for r in sheet.merged_cells.ranges})
        self.assertEqual(book.sheetnames, ["6A Toán Term I", "Instructions"])

    def test_values_are_typed_cells_and_formulas_stay_text(self) -> None:
        """Scores are number cells; a comment that looks like a formula is written as text with
        the guard apostrophe, so the spreadsheet never runs it; rows follow given names."""
        sheet = self.book(school_class=self.lw.class_6a, subject=self.lw.toan_6, term=1).active
        rows = list(sheet.iter_rows(min_row=2, max_row=3, max_col=10, values_only=True))
        self.assertEqual(
            rows,
            [
                (
                    1,
                    self.lw.s6a.code,
                    "Sùng Thị Mỷ",
                    8,
                    7.5,
                    None,
                    None,
                    7,
                    None,
                    '\'=HYPERLINK("http://x.example","bấm")',
                ),
                (2, self.lw.s6b.code, "Sùng Thị Pằng", None, None, None, None, None, None, None),
            ],
        )
        self.assertEqual(sheet["E2"].data_type, "n")
        self.assertEqual(sheet["E2"].number_format, "0.0")
        self.assertEqual(sheet["J2"].data_type, "s")

    def test_blank_template_has_the_students_and_no_values(self) -> None:
        """The blank template lists the students with every entry cell empty, under the same
        header (and so the same token)."""
        kwargs: dict[str, Any] = {
            "school_class": self.lw.class_6a,
            "subject": self.lw.toan_6,
            "term": 1,
        }
        filled, blank = self.book(**kwargs).active, self.book(blank=True, **kwargs).active
        self.assertEqual(first_row(filled), first_row(blank))
        rows = list(blank.iter_rows(min_row=2, max_row=3, max_col=10, values_only=True))
        self.assertEqual(
            [r[:3] for r in rows],
            [(1, self.lw.s6a.code, "Sùng Thị Mỷ"), (2, self.lw.s6b.code, "Sùng Thị Pằng")],
        )
        self.assertEqual({v for r in rows for v in r[3:]}, {None})

    def test_comment_subject_offers_lists_of_results(self) -> None:
        """GDTC (comment-assessed): two regular results, mid-term, end of term, term result and
        comment; the result cells offer the list Đ, CĐ."""
        sheet = self.book(school_class=self.lw.class_6a, subject=self.lw.gdtc_6, term=2).active
        self.assertEqual(
            first_row(sheet)[3:9],
            ["Reg. 1", "Reg. 2", "Mid-term", "End of term", "Term result", "Comment"],
        )
        lists = {
            str(rule.sqref): rule.formula1
            for rule in sheet.data_validations.dataValidation
            if rule.type == "list"
        }
        self.assertEqual(
            lists,
            {
                "D2:D3": '"Đ,CĐ"',
                "E2:E3": '"Đ,CĐ"',
                "F2:F3": '"Đ,CĐ"',
                "G2:G3": '"Đ,CĐ"',
                "H2:H3": '"Đ,CĐ"',
            },
        )

    def test_identity_reads_back(self) -> None:
        """The token names the class, subject, term, year, regime and column codes."""
        sheet = self.book(school_class=self.lw.class_7a, subject=self.lw.toan_7, term=2).active
        identity = gradebook_identity_read(first_row(sheet))
        self.assertEqual(
            (identity.class_id, identity.subject_id, identity.term, identity.regime),
            (self.lw.class_7a.pk, self.lw.toan_7.pk, 2, "tt58"),
        )
        self.assertEqual(identity.school_year_id, self.world.year.pk)
        self.assertEqual(identity.columns[-3:], ("midterm", "final", "comment"))
        self.assertEqual(identity.width, 3 + len(identity.columns))

    def test_any_edit_of_the_header_is_refused(self) -> None:
        """A renamed column, an edited information cell, an inserted column, a forged token
        and a sheet without a token are each refused."""
        sheet = self.book(school_class=self.lw.class_6a, subject=self.lw.toan_6, term=1).active
        header = first_row(sheet)
        renamed = [*header[:3], "Reg. 9", *header[4:]]
        panel = [*header[:11], header[11].replace("6A", "7A"), *header[12:]]
        inserted = [*header[:3], "", *header[3:]]
        forged = [*header[:13], header[13][:-3] + "abc"]
        for edited in (renamed, panel, inserted, forged):
            with self.assertRaises(SheetRefused) as caught:
                gradebook_identity_read(edited)
            self.assertEqual(str(caught.exception), TAMPERED)
        with self.assertRaises(SheetRefused) as caught:
            gradebook_identity_read(header[:13])
        self.assertEqual(
            str(caught.exception),
            "This is not a gradebook sheet made by vnemis. Download the gradebook as Excel "
            "from its page, fill it in and upload that file.",
        )

    def test_primary_subject_offers_levels_and_whole_scores(self) -> None:
        """Toán of 3A (TT30 as amended, tested at the end of term): mid-term level, end-of-term
        level, end-of-term test and comment; levels from the list T, H, C; the test score a
        whole number from 0 to 10, shown without decimals."""
        subject = Subject.objects.get(regime="tt30", grade=3, code="toan")
        sheet = self.book(school_class=self.world.class_a1, subject=subject, term=1).active
        self.assertEqual(
            first_row(sheet)[3:7],
            ["Mid-term level", "End-of-term level", "End-of-term test", "Comment"],
        )
        rules = {
            str(rule.sqref): (rule.type, rule.formula1, rule.formula2)
            for rule in sheet.data_validations.dataValidation
        }
        self.assertEqual(
            rules,
            {
                "D2": ("list", '"T,H,C"', None),
                "E2": ("list", '"T,H,C"', None),
                "F2": ("whole", "0", "10"),
            },
        )
        self.assertEqual(sheet["F2"].number_format, "0")
        self.assertEqual(sheet["B2"].value, self.world.student_a1.code)
