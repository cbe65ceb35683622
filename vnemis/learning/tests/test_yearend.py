"""The bulk year-end run gives exactly the year results of the gradebook's per-student refresh."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.test import TestCase

from vnemis.learning.evaluation import trait_codes
from vnemis.learning.models import Mark, TermReport, YearResult
from vnemis.learning.services.catalogue import class_regime, class_subjects
from vnemis.learning.services.marks import marks_save
from vnemis.learning.services.reports import ReportInput, term_reports_save
from vnemis.learning.services.results import year_results_refresh
from vnemis.learning.services.yearend import year_results_compute
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.learning.tests.test_gradebook_services import cells
from vnemis.organisations.models import StaleUnit
from vnemis.people.models import Enrollment, SchoolClass
from vnemis.testing.world import World, build_world

DAY = dt.date(2022, 5, 25)
FIELDS = (
    "student_id",
    "school_year_id",
    "school_id",
    "school_class_id",
    "grade",
    "regime",
    "learning",
    "conduct",
    "award",
    "promotion",
    "outcome",
)


def results() -> dict[int, tuple[Any, ...]]:
    """Every year result, by student, without ids, dates and times."""
    return {row[0]: row for row in YearResult.objects.order_by("student_id").values_list(*FIELDS)}


class YearEndTests(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)
        lw, world = cls.lw, cls.world
        # TT22 (6A): all 8,0 and Tốt → Tốt, Giỏi; scores spread with GDTC Chưa đạt in term II
        # and conduct Khá/Đạt → a lower level by Điều 9.2/9.3.
        fill(lw.class_6a, lw.s6a.pk, lambda n: "8", conduct=("T", "T"))
        fill(lw.class_6a, lw.s6b.pk, lambda n: ("6,5", "4,5", "9", "7,3")[n % 4], ("K", "Đ"))
        marks_save(
            school_class=lw.class_6a,
            subject=lw.gdtc_6,
            term=2,
            cells=cells(lw.s6b.pk, result="CĐ"),
            by=None,
        )
        # TT58 (7A): hạnh kiểm and học lực from spread scores.
        fill(lw.class_7a, lw.s7.pk, lambda n: ("7", "5,5", "8,5")[n % 3], ("T", "K"))
        # TT30 (3A): levels, tests and qualities; 3B's pupil is left without marks.
        fill_primary(world.class_a1, world.student_a1.pk)

    def secondary(self) -> list[int]:
        return [self.lw.s6a.pk, self.lw.s6b.pk, self.lw.s7.pk]

    def test_bulk_run_equals_the_refresh(self) -> None:
        """With the refresh's results removed, the bulk run writes the same results (fields
        and the whole outcome), dated as asked; students without a
        complete year (3B's pupil) get none."""
        expected = results()
        self.assertLessEqual(set(self.secondary()), set(expected))
        self.assertEqual({expected[pk][5] for pk in self.secondary()}, {"tt22", "tt58"})
        self.assertNotIn(self.world.student_a2.pk, expected)
        YearResult.objects.all().delete()
        written = year_results_compute(school_year=self.world.year, recorded_on=DAY)
        self.assertEqual(written, len(expected))
        self.assertEqual(results(), expected)
        self.assertEqual(set(YearResult.objects.values_list("recorded_on", flat=True)), {DAY})

    def test_bulk_run_in_two_processes_equals_the_refresh(self) -> None:
        """Evaluating in worker processes changes nothing in what is written."""
        expected = results()
        YearResult.objects.all().delete()
        written = year_results_compute(school_year=self.world.year, workers=2)
        self.assertEqual(written, len(expected))
        self.assertEqual(results(), expected)

    def test_bulk_run_updates_and_removes_like_the_refresh(self) -> None:
        """Marks changed behind the refresh's back: the bulk run updates the changed
        student's result (keeping its first date), removes the result of the student whose
        year became incomplete, and leaves results equal to a fresh refresh's."""
        before = results()
        first = YearResult.objects.get(student=self.lw.s6a).recorded_on
        Mark.objects.filter(student=self.lw.s6a, subject=self.lw.toan_6, term=2).update(
            r1=9, r2=9, r3=9, r4=9, midterm=9, final=9
        )
        Mark.objects.filter(student=self.lw.s7, subject=self.lw.toan_7, term=2).update(final=None)
        written = year_results_compute(school_year=self.world.year, recorded_on=DAY)
        self.assertEqual(written, len(before) - 1)
        self.assertFalse(YearResult.objects.filter(student=self.lw.s7).exists())
        updated = YearResult.objects.get(student=self.lw.s6a)
        self.assertEqual(updated.recorded_on, first)
        # Toán: term I 8,0; term II 9,0 → (8,0 + 2 × 9,0) / 3 = 8,67 → 8,7.
        self.assertEqual(updated.outcome["subjects"]["toan"]["year"], 8.7)
        self.assertNotEqual(updated.outcome, before[self.lw.s6a.pk][10])
        after_bulk = results()
        year_results_refresh(student_ids=list(before), school_year_id=self.world.year.pk)
        self.assertEqual(results(), after_bulk)

    def test_bulk_run_keeps_to_the_units_and_marks_their_schools_stale_once(self) -> None:
        """Under the lower-secondary school only: its three students get their results,
        the primary schools' pupils are not evaluated, and one stale mark is written for the
        one school evaluated."""
        YearResult.objects.all().delete()
        StaleUnit.objects.all().delete()
        school_c = self.lw.school_c
        written = year_results_compute(
            school_year=self.world.year, unit_ids=[school_c.pk], recorded_on=DAY
        )
        self.assertEqual(written, 3)
        self.assertEqual(
            sorted(YearResult.objects.values_list("student_id", "school_id")),
            [(pk, school_c.pk) for pk in sorted(self.secondary())],
        )
        self.assertEqual(
            list(StaleUnit.objects.values_list("unit_id", "changed_from")), [(school_c.pk, DAY)]
        )

    def test_identical_students_are_evaluated_once(self) -> None:
        """Two students with the same rows get the same outcome from one evaluation (as do
        the world's two other grade-3 pupils, who have no marks at all)."""
        s6b = self.lw.s6b.pk
        for mark in Mark.objects.filter(student=self.lw.s6a):
            Mark.objects.filter(student_id=s6b, subject_id=mark.subject_id, term=mark.term).update(
                r1=mark.r1,
                r2=mark.r2,
                r3=mark.r3,
                r4=mark.r4,
                midterm=mark.midterm,
                final=mark.final,
                result=mark.result,
            )
        TermReport.objects.filter(student_id=s6b).update(conduct="tot")
        students = Enrollment.objects.filter(
            school_year=self.world.year, school_class__isnull=False
        ).count()
        messages: list[str] = []
        YearResult.objects.all().delete()
        year_results_compute(school_year=self.world.year, progress=messages.append)
        written = YearResult.objects.count()
        self.assertEqual(
            messages[-1],
            f"Year results: {students} of {students} students, {students - 2} evaluations, "
            f"{written} results.",
        )
        pair = YearResult.objects.filter(student_id__in=[self.lw.s6a.pk, s6b])
        self.assertEqual(len({(r.learning, r.award, str(r.outcome)) for r in pair}), 1)


def fill(
    school_class: SchoolClass,
    student_id: int,
    score: Any,
    conduct: tuple[str, str],
) -> None:
    """Every subject of the class, both terms: scores ``score(n)`` for the n-th cell, comment
    subjects Đạt, and the conduct of each term with two sessions absent."""
    n = 0
    for subject in class_subjects(school_class):
        for term in (1, 2):
            if subject.mode == "score":
                periods = subject.periods_per_year or 0
                count = 4 if periods > 70 else (3 if periods > 35 else 2)
                values = {}
                for name in [f"r{i}" for i in range(1, count + 1)] + ["midterm", "final"]:
                    values[name] = score(n)
                    n += 1
            else:
                values = {"rr1": "Đ", "rr2": "Đ", "result": "Đ"}
            marks_save(
                school_class=school_class,
                subject=subject,
                term=term,
                cells=cells(student_id, **values),
                by=None,
            )
    for term in (1, 2):
        term_reports_save(
            school_class=school_class,
            term=term,
            rows=[
                ReportInput(student_id=student_id, conduct=conduct[term - 1], absences_excused="2")
            ],
            by=None,
        )


def fill_primary(school_class: SchoolClass, student_id: int) -> None:
    """A primary pupil's year: levels at mid-term and end of each term, end-of-term tests,
    qualities and competencies Tốt or Đạt."""
    for n, subject in enumerate(class_subjects(school_class)):
        for term in (1, 2):
            values = {"mid_result": "T" if n % 2 else "H", "result": "T" if n % 3 else "H"}
            if subject.tested:
                values["final"] = str(7 + (n + term) % 4)
            marks_save(
                school_class=school_class,
                subject=subject,
                term=term,
                cells=cells(student_id, **values),
                by=None,
            )
    codes = trait_codes(class_regime(school_class), school_class.grade)
    for term in (1, 2):
        term_reports_save(
            school_class=school_class,
            term=term,
            rows=[
                ReportInput(
                    student_id=student_id,
                    traits={code: "T" if i % 2 else "Đ" for i, code in enumerate(codes)},
                )
            ],
            by=None,
        )
