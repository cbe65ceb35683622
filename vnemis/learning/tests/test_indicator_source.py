"""The indicators "records with learning results" and "students with an electronic
transcript" count vnemis's own year results and issued transcripts once a year has them, and
the flags received from the schools' software for the years before."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.test import TestCase

from vnemis.digital import services as digital_services
from vnemis.indicators.elements import CountContext, students_with_results, students_with_transcript
from vnemis.learning.choices import TranscriptStatus
from vnemis.learning.models import Transcript, YearResult
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.people.models import Student
from vnemis.testing.world import World, build_world

DAY = dt.date(2022, 5, 31)


class IndicatorSourceTests(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)
        # The schools' software reported results for s6a and s6b, a transcript for s6a.
        for student, transcript in ((cls.lw.s6a, True), (cls.lw.s6b, False)):
            digital_services.student_record_set(
                student=student,
                school_year=cls.world.year,
                results_received_on=dt.date(2022, 5, 20),
                transcript_issued_on=dt.date(2022, 5, 25) if transcript else None,
                by=None,
            )

    def counts(self) -> tuple[int, int]:
        ctx = CountContext(day=DAY)
        key = (self.lw.school_c.pk, "thcs")
        return (
            students_with_results(ctx).get(key, 0),
            students_with_transcript(ctx).get(key, 0),
        )

    def year_result(self, student: Student, on: dt.date) -> None:
        YearResult.objects.create(
            student=student,
            school_year=self.world.year,
            school=self.lw.school_c,
            grade=6,
            regime="tt22",
            learning="kha",
            recorded_on=on,
        )

    def test_flags_count_until_the_year_has_own_records(self) -> None:
        self.assertEqual(self.counts(), (2, 1))

    def test_own_year_results_replace_the_flags(self) -> None:
        """One year result recorded by the day and one after it: only the first counts, and
        the flags no longer do."""
        self.year_result(self.lw.s7, dt.date(2022, 5, 30))
        self.year_result(self.lw.s6a, dt.date(2022, 6, 2))
        self.assertEqual(self.counts()[0], 1)

    def test_issued_transcripts_replace_the_flags(self) -> None:
        """Only an issued transcript counts: a draft or a revoked one does not."""
        for student, status, code in (
            (self.lw.s6b, TranscriptStatus.ISSUED, "A1"),
            (self.lw.s7, TranscriptStatus.DRAFT, "A2"),
            (self.lw.s6a, TranscriptStatus.REVOKED, "A3"),
        ):
            Transcript.objects.create(
                student=student,
                school_year=self.world.year,
                school=self.lw.school_c,
                grade=6,
                regime="tt22",
                code=code,
                status=status,
                issued_on=dt.date(2022, 5, 28),
            )
        self.assertEqual(self.counts()[1], 1)
