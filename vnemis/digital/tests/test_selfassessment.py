"""QĐ 4725 self-assessment: observed criteria, the school's own scores, and the level."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse

from vnemis.digital import selfassessment, services
from vnemis.digital.models import Criterion, CriterionScore
from vnemis.people.tests.test_access import _matrix
from vnemis.testing.files import real_pdf
from vnemis.testing.personas import PersonaTestCase

DAY = dt.date(2022, 5, 31)


class SelfAssessmentTests(PersonaTestCase):
    def setUp(self) -> None:
        w = self.world
        services.digital_profile_record(
            unit=w.school_a,
            valid_from=dt.date(2021, 9, 5),
            by=None,
            internet="wired",
            cashless_payment=True,
            it_in_management=True,
        )
        services.student_record_set(
            student=w.student_a1,
            school_year=w.year,
            by=None,
            results_received_on=dt.date(2022, 1, 15),
            transcript_issued_on=dt.date(2022, 2, 1),
        )

    def test_criteria_total_as_in_the_reference(self) -> None:
        totals = {
            g: sum(Criterion.objects.filter(group=g).values_list("max_points", flat=True))
            for g in ("I", "II")
        }
        self.assertEqual(totals, {"I": 100, "II": 90})

    def test_observed_criteria_are_filled_in(self) -> None:
        a = services.self_assessment_prepare(
            school=self.world.school_a, school_year=self.world.year, day=DAY, by=None
        )
        points = {s.criterion.code: s.points for s in a.scores.select_related("criterion")}
        # One of the school's two pupils has a transcript: 10 × 1/2.
        self.assertEqual(
            (
                points["2.3.3"],
                points["2.4.3"],
                points["2.4.1"],
                points["1.7.1"],
                points["2.3.8"],
                points["2.3.4"],
            ),
            (5, 10, 0, 8, 6, 6),
        )
        r = selfassessment.result(a)
        self.assertEqual(
            (r.group_i, r.group_ii, r.mandatory_met, r.level), (8, 5 + 10 + 6 + 6 + 6 + 3, False, 1)
        )

    def test_levels(self) -> None:
        a = services.self_assessment_prepare(
            school=self.world.school_a, school_year=self.world.year, day=DAY, by=None
        )
        for score in a.scores.select_related("criterion"):
            services.criterion_score_set(
                score=score, by=None, points=score.criterion.max_points, met=True
            )
        self.assertEqual(selfassessment.result(a).level, 3)
        mandatory = a.scores.get(criterion__code="2.1")
        services.criterion_score_set(score=mandatory, by=None, met=False)
        self.assertEqual(selfassessment.result(a).level, 1)
        with self.assertRaises(ValidationError):
            services.criterion_score_set(
                score=a.scores.get(criterion__code="1.4"), by=None, points=11
            )

    def test_own_scores_survive_a_refresh(self) -> None:
        a = services.self_assessment_prepare(
            school=self.world.school_a, school_year=self.world.year, day=DAY, by=None
        )
        score = a.scores.get(criterion__code="2.4.1")
        services.criterion_score_set(score=score, by=None, points=4, note="Zalo nhóm lớp")
        services.self_assessment_prepare(
            school=self.world.school_a, school_year=self.world.year, day=DAY, by=None
        )
        self.assertEqual(CriterionScore.objects.get(pk=score.pk).points, 4)

    def test_page_matrix_and_writing(self) -> None:
        url = reverse("digital:self_assessment", args=[self.world.school_a.code])
        self.assert_matrix(
            url,
            _matrix(
                {
                    "department_admin",
                    "province_officer",
                    "batxat_officer",
                    "commune_officer",
                    "principal_a",
                }
            ),
        )
        self.client.force_login(self.world.users["batxat_officer"])
        self.assertEqual(self.client.post(url, {"prepare": "1"}).status_code, 404)
        self.client.force_login(self.world.users["principal_a"])
        self.assertEqual(self.client.post(url, {"prepare": "1"}).status_code, 302)
        response = self.client.post(url, {"criterion": "1.4", "points": "99"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["error"])


class EvidenceTests(PersonaTestCase):
    def test_evidence_is_served_only_inside_the_scope(self) -> None:
        import tempfile

        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import override_settings

        pdf = real_pdf()
        with override_settings(MEDIA_ROOT=tempfile.mkdtemp()):
            a = services.self_assessment_prepare(
                school=self.world.school_a, school_year=self.world.year, day=DAY, by=None
            )
            services.criterion_score_set(
                score=a.scores.get(criterion__code="1.4"),
                by=None,
                points=5,
                evidence=SimpleUploadedFile("kh.pdf", pdf),
            )
            url = reverse("digital:criterion_evidence", args=[self.world.school_a.code, "1.4"])
            self.assertEqual(b"".join(self.get_as("principal_a", url).streaming_content), pdf)
            self.assertEqual(self.get_as("baothang_officer", url).status_code, 404)
            self.assertEqual(self.get_as("parent_a", url).status_code, 404)
