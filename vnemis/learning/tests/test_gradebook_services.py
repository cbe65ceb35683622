"""The gradebook's write path: validation by the subject's columns, exact term averages, change
rows, locks and corrections, year results following the marks."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.test import TestCase

from vnemis.learning.choices import CorrectionStatus
from vnemis.learning.evaluation import trait_codes
from vnemis.learning.models import Correction, Mark, ResultChange, Subject, YearResult
from vnemis.learning.services.catalogue import catalogue_sync, class_regime, class_subjects
from vnemis.learning.services.locks import (
    correction_decide,
    correction_request_mark,
    correction_request_report,
    term_lock,
    term_unlock,
)
from vnemis.learning.services.marks import CellInput, CellsRefused, TermLocked, marks_save
from vnemis.learning.services.reports import ReportInput, term_reports_save
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.testing.world import World, build_world


def cells(student_id: int, **values: str) -> list[CellInput]:
    return [CellInput(student_id, column, value) for column, value in values.items()]


class GradebookTests(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)

    def teacher(self, name: str = "teacher_d") -> object:
        return self.lw.users[name]

    def test_catalogue_sync_is_idempotent_and_keeps_local_changes(self) -> None:
        """A second sync adds nothing and keeps a province's change of periods per year."""
        Subject.objects.filter(pk=self.lw.gdcd_6.pk).update(periods_per_year=70)
        self.assertEqual(catalogue_sync(by=None), 0)
        self.assertEqual(Subject.objects.get(pk=self.lw.gdcd_6.pk).periods_per_year, 70)

    def test_regime_comes_from_grade_and_year(self) -> None:
        """In 2021-22 grade 6 is under TT22/2021, grade 7 under TT58 as amended, grade 3 under
        TT30 as amended by TT22/2016 (domain-vn §3.1)."""
        self.assertEqual(class_regime(self.lw.class_6a), "tt22")
        self.assertEqual(class_regime(self.lw.class_7a), "tt58")
        self.assertEqual(class_regime(self.world.class_a1), "tt30")
        codes = [s.code for s in class_subjects(self.lw.class_6a)]
        self.assertEqual(len(codes), 13)
        self.assertEqual(codes[:3], ["toan", "ngu_van", "ngoai_ngu"])

    def test_term_average_is_exact(self) -> None:
        """Toán (140 periods, four regular scores): 8; 7,5; 9; 6, mid-term 7, end 8,5 →
        70 / 9 = 7,777… → 7,8; the change row keeps before and after."""
        (mark,) = marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            cells=cells(self.lw.s6a.pk, r1="8", r2="7,5", r3="9", r4="6", midterm="7", final="8.5"),
            by=self.lw.users["teacher_d"],
        )
        self.assertEqual(mark.average, Decimal("7.8"))
        change = ResultChange.objects.get(mark=mark)
        self.assertEqual(change.before, {})
        self.assertEqual(change.after["average"], "7.8")
        self.assertEqual(change.by, self.lw.users["teacher_d"])
        self.assertEqual(change.via, "entry")

    def test_half_rounds_up_and_the_periods_decide_the_regular_scores(self) -> None:
        """With GDCD set to 70 periods by the province it takes three regular scores: tx 7, 8,
        9, mid-term 6,5, end 8,0 → 61 / 8 = 7,625 → 7,6 (domain-vn §3.2); tx 8, 8, 8, mid-term
        9, end 8 → 66 / 8 = 8,25 → 8,3 (ROUND_HALF_UP; Python's round gives 8,2)."""
        Subject.objects.filter(pk=self.lw.gdcd_6.pk).update(periods_per_year=70)
        subject = Subject.objects.get(pk=self.lw.gdcd_6.pk)

        def average(**values: str) -> Decimal | None:
            (mark,) = marks_save(
                school_class=self.lw.class_6a,
                subject=subject,
                term=1,
                cells=cells(self.lw.s6a.pk, **values),
                by=None,
            )
            return mark.average

        self.assertEqual(average(r1="7", r2="8", r3="9", midterm="6.5", final="8"), Decimal("7.6"))
        self.assertEqual(average(r1="8", r2="8", r3="8", midterm="9", final="8"), Decimal("8.3"))
        self.assertEqual(round(8.25, 1), 8.2)  # the trap the Decimal arithmetic avoids

    def test_a_regular_score_beyond_the_rule_is_refused(self) -> None:
        """GDCD has 35 periods a year, so two regular scores: a third is refused by name, and
        nothing of the batch is saved."""
        with self.assertRaises(CellsRefused) as caught:
            marks_save(
                school_class=self.lw.class_6a,
                subject=self.lw.gdcd_6,
                term=1,
                cells=cells(self.lw.s6b.pk, r1="8", r3="9"),
                by=None,
            )
        self.assertEqual([e.column for e in caught.exception.cell_errors], ["r3"])
        self.assertFalse(Mark.objects.filter(student=self.lw.s6b).exists())

    def test_invalid_cells_are_named_and_nothing_is_saved(self) -> None:
        """11, "tám", 7,25 and a student of another class each get their own error."""
        with self.assertRaises(CellsRefused) as caught:
            marks_save(
                school_class=self.lw.class_6a,
                subject=self.lw.toan_6,
                term=1,
                cells=[
                    CellInput(self.lw.s6a.pk, "r1", "11"),
                    CellInput(self.lw.s6a.pk, "r2", "tám"),
                    CellInput(self.lw.s6a.pk, "r3", "7,25"),
                    CellInput(self.lw.s7.pk, "r1", "8"),
                    CellInput(self.lw.s6b.pk, "r1", "9"),
                ],
                by=None,
            )
        errors = caught.exception.cell_errors
        self.assertEqual(
            [(e.student_id, e.column) for e in errors],
            [
                (self.lw.s6a.pk, "r1"),
                (self.lw.s6a.pk, "r2"),
                (self.lw.s6a.pk, "r3"),
                (self.lw.s7.pk, "r1"),
            ],
        )
        self.assertIn("Toán", errors[0].message)
        self.assertFalse(Mark.objects.exists())

    def test_comment_subject_takes_results_not_scores(self) -> None:
        """GDTC is assessed by comments: "Đ" is stored as dat, a score is refused."""
        (mark,) = marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.gdtc_6,
            term=1,
            cells=cells(self.lw.s6a.pk, rr1="Đ", rr2="CĐ", result="đ"),
            by=None,
        )
        self.assertEqual((mark.regular_results, mark.result), (["dat", "chua_dat"], "dat"))
        self.assertIsNone(mark.average)
        with self.assertRaises(CellsRefused):
            marks_save(
                school_class=self.lw.class_6a,
                subject=self.lw.gdtc_6,
                term=1,
                cells=cells(self.lw.s6a.pk, result="8"),
                by=None,
            )

    def test_unchanged_values_write_no_change_row(self) -> None:
        """Saving the same value twice leaves one change row."""
        for _ in range(2):
            marks_save(
                school_class=self.lw.class_6a,
                subject=self.lw.toan_6,
                term=1,
                cells=cells(self.lw.s6a.pk, r1="8"),
                by=None,
            )
        self.assertEqual(ResultChange.objects.count(), 1)

    def test_locked_term_refuses_changes_and_corrections_apply_after_approval(self) -> None:
        """After the lock a save is refused; a correction request records before and after,
        changes nothing until the principal approves, then applies through the same path with
        a change row that points at the request."""
        marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            cells=cells(self.lw.s6a.pk, r1="8", r2="7", r3="9", r4="6", midterm="7", final="8"),
            by=None,
        )
        principal = self.lw.users["principal_c"]
        term_lock(school=self.lw.school_c, school_year=self.world.year, term=1, by=principal)
        with self.assertRaises(TermLocked):
            marks_save(
                school_class=self.lw.class_6a,
                subject=self.lw.toan_6,
                term=1,
                cells=cells(self.lw.s6a.pk, r1="9"),
                by=None,
            )
        teacher = self.lw.users["teacher_d"]
        request = correction_request_mark(
            school_class=self.lw.class_6a,
            subject_id=self.lw.toan_6.pk,
            term=1,
            student_id=self.lw.s6a.pk,
            cells={"final": "9"},
            reason="Chấm nhầm bài kiểm tra cuối kì",
            by=teacher,
        )
        self.assertEqual(request.before["final"], "8.0")
        self.assertEqual(request.after, {"final": "9"})
        mark = Mark.objects.get(student=self.lw.s6a, subject=self.lw.toan_6, term=1)
        self.assertEqual(mark.final, Decimal("8.0"))
        with self.assertRaises(ValidationError):
            correction_decide(correction=request, approve=False, note="", by=principal)
        correction_decide(correction=request, approve=True, note="", by=principal)
        mark.refresh_from_db()
        # (8 + 7 + 9 + 6 + 14 + 27) / 9 = 71 / 9 = 7,888… → 7,9
        self.assertEqual((mark.final, mark.average), (Decimal("9.0"), Decimal("7.9")))
        change = ResultChange.objects.filter(mark=mark).latest("pk")
        self.assertEqual((change.via, change.correction_id), ("correction", request.pk))
        self.assertEqual(change.before["final"], "8.0")
        request.refresh_from_db()
        self.assertEqual(request.status, CorrectionStatus.APPROVED)
        with self.assertRaises(ValidationError):
            correction_decide(correction=request, approve=True, note="", by=principal)

    def test_correction_is_validated_when_requested(self) -> None:
        """A correction with a bad score, no reason, or on an unlocked term is refused."""
        with self.assertRaises(ValidationError):  # not locked
            correction_request_mark(
                school_class=self.lw.class_6a,
                subject_id=self.lw.toan_6.pk,
                term=1,
                student_id=self.lw.s6a.pk,
                cells={"final": "9"},
                reason="x",
                by=None,
            )
        term_lock(school=self.lw.school_c, school_year=self.world.year, term=1, by=None)
        with self.assertRaises(CellsRefused):
            correction_request_mark(
                school_class=self.lw.class_6a,
                subject_id=self.lw.toan_6.pk,
                term=1,
                student_id=self.lw.s6a.pk,
                cells={"final": "12"},
                reason="x",
                by=None,
            )
        with self.assertRaises(ValidationError):
            correction_request_mark(
                school_class=self.lw.class_6a,
                subject_id=self.lw.toan_6.pk,
                term=1,
                student_id=self.lw.s6a.pk,
                cells={"final": "9"},
                reason="  ",
                by=None,
            )
        self.assertFalse(Correction.objects.exists())

    def test_rejected_correction_changes_nothing(self) -> None:
        term_lock(school=self.lw.school_c, school_year=self.world.year, term=2, by=None)
        request = correction_request_report(
            school_class=self.lw.class_6a,
            term=2,
            row=ReportInput(student_id=self.lw.s6a.pk, conduct="kha"),
            reason="Đánh giá lại",
            by=None,
        )
        correction_decide(correction=request, approve=False, note="Không có căn cứ", by=None)
        request.refresh_from_db()
        self.assertEqual(request.status, CorrectionStatus.REJECTED)
        self.assertEqual(request.term_report.conduct if request.term_report else None, "")

    def test_unlock_needs_a_reason(self) -> None:
        lock = term_lock(school=self.lw.school_c, school_year=self.world.year, term=1, by=None)
        with self.assertRaises(ValidationError):
            term_unlock(lock=lock, by=None, reason="")
        term_unlock(lock=lock, by=None, reason="Mở lại để nhập bù")
        marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            cells=cells(self.lw.s6a.pk, r1="9"),
            by=None,
        )

    def test_conduct_is_checked_against_the_regime(self) -> None:
        """Grade 6 (TT22) takes Tốt/Khá/Đạt/Chưa đạt; "TB" belongs to TT58 and is refused;
        grade 7 (TT58) takes it."""
        with self.assertRaises(CellsRefused):
            term_reports_save(
                school_class=self.lw.class_6a,
                term=1,
                rows=[ReportInput(student_id=self.lw.s6a.pk, conduct="TB")],
                by=None,
            )
        (report,) = term_reports_save(
            school_class=self.lw.class_7a,
            term=1,
            rows=[ReportInput(student_id=self.lw.s7.pk, conduct="TB", absences_excused="3")],
            by=None,
        )
        self.assertEqual((report.conduct, report.absences_excused), ("trung_binh", 3))


class YearResultTests(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)

    def fill_year(self, student_id: int, score: str = "8") -> None:
        """Every subject of 6A, both terms, the same score; every comment subject Đạt."""
        for subject in class_subjects(self.lw.class_6a):
            for term in (1, 2):
                if subject.mode == "score":
                    count = (
                        4
                        if (subject.periods_per_year or 0) > 70
                        else (3 if (subject.periods_per_year or 0) > 35 else 2)
                    )
                    values = {f"r{i}": score for i in range(1, count + 1)}
                    values |= {"midterm": score, "final": score}
                else:
                    values = {"rr1": "Đ", "rr2": "Đ", "result": "Đ"}
                marks_save(
                    school_class=self.lw.class_6a,
                    subject=subject,
                    term=term,
                    cells=cells(student_id, **values),
                    by=None,
                )
        for term in (1, 2):
            term_reports_save(
                school_class=self.lw.class_6a,
                term=term,
                rows=[ReportInput(student_id=student_id, conduct="T")],
                by=None,
            )

    def test_complete_year_gets_a_result_and_loses_it_when_incomplete(self) -> None:
        """Eight scored subjects all 8,0 (≥ 6 subjects ≥ 8,0, none below 6,5), comment
        subjects Đạt, conduct Tốt both terms: learning Tốt, award Giỏi (not Xuất sắc: no
        subject ≥ 9,0), promoted. Clearing one score removes the year result."""
        self.fill_year(self.lw.s6a.pk)
        result = YearResult.objects.get(student=self.lw.s6a)
        self.assertEqual(
            (result.regime, result.learning, result.conduct, result.award, result.promotion),
            ("tt22", "tot", "tot", "gioi", "len_lop"),
        )
        self.assertEqual(result.outcome["subjects"]["toan"]["year"], 8.0)
        self.assertEqual(result.school_id, self.lw.school_c.pk)
        marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=2,
            cells=cells(self.lw.s6a.pk, final=""),
            by=None,
        )
        self.assertFalse(YearResult.objects.filter(student=self.lw.s6a).exists())

    def test_all_nines_give_xuat_sac(self) -> None:
        self.fill_year(self.lw.s6b.pk, score="9")
        result = YearResult.objects.get(student=self.lw.s6b)
        self.assertEqual((result.learning, result.award), ("tot", "xuat_sac"))


class PrimaryYearResultTests(TestCase):
    world: ClassVar[World]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        catalogue_sync(by=None)

    def test_a_tt30_pupil_with_a_complete_year_gets_a_year_result(self) -> None:
        """Grade 3 in 2021-22 is under TT30 as amended by TT22/2016, which decides completion
        only: a complete year is stored as "ht" (Hoàn thành) and counts as a record with
        learning results."""
        klass, pupil = self.world.class_a1, self.world.student_a1
        for subject in class_subjects(klass):
            for term in (1, 2):
                values = {"mid_result": "H", "result": "T"}
                if subject.mid_tested:
                    values["midterm"] = "8"
                if subject.tested:
                    values["final"] = "9"
                marks_save(
                    school_class=klass,
                    subject=subject,
                    term=term,
                    cells=cells(pupil.pk, **values),
                    by=None,
                )
        traits = dict.fromkeys(trait_codes("tt30", 3), "T")
        for term in (1, 2):
            term_reports_save(
                school_class=klass,
                term=term,
                rows=[ReportInput(student_id=pupil.pk, traits=traits)],
                by=None,
            )
        result = YearResult.objects.get(student=pupil)
        self.assertEqual(
            (result.regime, result.learning, result.promotion), ("tt30", "ht", "len_lop")
        )
        self.assertIs(result.outcome["learning"]["completed"], True)
