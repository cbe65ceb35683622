"""QĐ 4725 self-assessment: the level scale, incomplete groups, observed criteria and their
measures, the school's own scores, and one form per group."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from vnemis.core.models import AuditEntry
from vnemis.digital import selfassessment, services
from vnemis.digital.models import Criterion, CriterionScore, SelfAssessment
from vnemis.people import services as people_services
from vnemis.people.tests.test_access import _matrix
from vnemis.testing.personas import PersonaTestCase

DAY = dt.date(2022, 5, 31)
FULL = {"I": 100, "II": 100}
AS_PUBLISHED = {"I": 100, "II": 90}


def level(i: int, ii: int, *, known: dict[str, int] = FULL, met: bool = True) -> int:
    return selfassessment.summarise(points={"I": i, "II": ii}, mandatory_met=met, known=known).level


class LevelScaleTests(SimpleTestCase):
    """The Ministry's scale: Mức 1 below 50, Mức 2 from 50 to 75, Mức 3 above 75."""

    def test_group_thresholds_at_49_50_75_76(self) -> None:
        self.assertEqual(
            [selfassessment.level_for(p) for p in (0, 49, 50, 75, 76, 100)], [1, 1, 2, 2, 3, 3]
        )

    def test_school_level_is_the_lower_groups_level(self) -> None:
        """75 is Mức 2, not Mức 3: a school with 100 and 75 is at level 2."""
        self.assertEqual(
            [level(76, 76), level(100, 75), level(76, 50), level(50, 49), level(49, 100)],
            [3, 2, 2, 1, 1],
        )

    def test_an_unmet_mandatory_condition_keeps_level_1(self) -> None:
        self.assertEqual(level(100, 100, met=False), 1)

    def test_group_ii_with_90_known_points_is_incomplete_and_the_level_provisional(self) -> None:
        """Group II lists 90 of its 100 points: it is incomplete, the level is provisional,
        and it still needs 76 points of the 90 for level 3."""
        result = selfassessment.summarise(
            points={"I": 80, "II": 76}, mandatory_met=True, known=AS_PUBLISHED
        )
        group_ii = result.groups[1]
        self.assertEqual(
            (group_ii.known, group_ii.total, group_ii.incomplete, result.groups[0].incomplete),
            (90, 100, True, False),
        )
        self.assertEqual((result.level, result.provisional), (3, True))
        complete = selfassessment.summarise(
            points={"I": 80, "II": 75}, mandatory_met=True, known=FULL
        )
        self.assertEqual((complete.level, complete.provisional), (2, False))


class DeadlineTests(SimpleTestCase):
    def year(self) -> Any:
        from vnemis.organisations.models import SchoolYear

        return SchoolYear(
            code="2021-2022", starts_on=dt.date(2021, 9, 5), ends_on=dt.date(2022, 5, 31)
        )

    def test_defaults_are_31_may_and_20_june_of_the_years_end(self) -> None:
        d = selfassessment.deadlines_for(self.year())
        self.assertEqual((d.submit, d.external), (dt.date(2022, 5, 31), dt.date(2022, 6, 20)))

    def test_deadlines_come_from_the_setting(self) -> None:
        with self.settings(VNEMIS_SELF_ASSESSMENT_DEADLINES={"submit": "06-05"}):
            d = selfassessment.deadlines_for(self.year())
        self.assertEqual((d.submit, d.external), (dt.date(2022, 6, 5), dt.date(2022, 6, 20)))

    def test_a_malformed_setting_is_named(self) -> None:
        from django.core.exceptions import ImproperlyConfigured

        with (
            self.settings(VNEMIS_SELF_ASSESSMENT_DEADLINES={"external": "20/6"}),
            self.assertRaisesMessage(ImproperlyConfigured, "VNEMIS_SELF_ASSESSMENT_DEADLINES"),
        ):
            selfassessment.deadlines_for(self.year())


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
            basic_ict=True,
        )
        services.student_record_set(
            student=w.student_a1,
            school_year=w.year,
            by=None,
            results_received_on=dt.date(2022, 1, 15),
            transcript_issued_on=dt.date(2022, 2, 1),
        )

    def prepare(self) -> SelfAssessment:
        return services.self_assessment_prepare(
            school=self.world.school_a, school_year=self.world.year, day=DAY, by=None
        )

    def points(self, a: SelfAssessment) -> dict[str, tuple[int, bool]]:
        return {
            s.criterion.code: (s.points, s.automatic) for s in a.scores.select_related("criterion")
        }

    def test_criteria_total_as_in_the_reference(self) -> None:
        self.assertEqual(selfassessment.known_points(), {"I": 100, "II": 90})

    def test_each_observed_criterion_follows_its_own_measure(self) -> None:
        """2.3.2/2.3.8: the share of pupils whose results reached the sector database (1 of 2);
        2.3.3: the share with an electronic transcript; 2.3.4: the share of classes whose
        homeroom teacher is a staff record of the school (2 of 3 once a class has none);
        2.4.1/2.4.3: the service in use or not."""
        people_services.school_class_create(
            school=self.world.school_a,
            school_year=self.world.year,
            level="th",
            grade=3,
            name="3C",
            homeroom_teacher=None,
            by=None,
        )
        p = self.points(self.prepare())
        self.assertEqual(
            {c: p[c] for c in ("2.3.2", "2.3.3", "2.3.4", "2.3.8", "2.4.1", "2.4.3")},
            {
                "2.3.2": (3, True),  # 6 × 1/2
                "2.3.3": (5, True),  # 10 × 1/2
                "2.3.4": (4, True),  # 6 × 2/3
                "2.3.8": (3, True),  # 6 × 1/2, not 6 for a single pupil's record
                "2.4.1": (0, True),
                "2.4.3": (10, True),
            },
        )

    def test_classrooms_and_rules_are_left_to_the_school(self) -> None:
        """1.7.1 (share of classrooms with projector and Internet) and 2.3.1 (rules of the
        management system) are not scored from "has Internet" or "uses IT"."""
        p = self.points(self.prepare())
        self.assertEqual((p["1.7.1"], p["2.3.1"]), ((0, False), (0, False)))
        self.assertEqual(
            Criterion.objects.filter(code__in=["1.7.1", "2.3.1"]).exclude(observed="").count(), 0
        )

    def test_a_stale_automatic_score_is_withdrawn_on_refresh(self) -> None:
        """A score vnemis gave from a measure it no longer uses goes back to 0 for the school
        to fill in, while the school's own scores stay."""
        a = self.prepare()
        CriterionScore.objects.filter(assessment=a, criterion__code="1.7.1").update(
            points=8, met=True, automatic=True, note="Kết nối Internet: có"
        )
        self.prepare()
        self.assertEqual(
            CriterionScore.objects.filter(assessment=a, criterion__code="1.7.1")
            .values_list("points", "met", "automatic", "note")
            .get(),
            (0, False, False, ""),
        )

    def test_the_migration_withdraws_points_given_from_the_wrong_measure(self) -> None:
        """The data step of 0004 clears automatic points of 1.7.1 and 2.3.1, keeps what a
        school typed, and its reverse names the old observers again."""
        migration = importlib.import_module("vnemis.digital.migrations.0004_selfassessment_cycle")
        a = self.prepare()
        CriterionScore.objects.filter(assessment=a, criterion__code="1.7.1").update(
            points=8, automatic=True
        )
        CriterionScore.objects.filter(assessment=a, criterion__code="2.3.1").update(
            points=5, automatic=False
        )
        migration.observe_again(apps, None)
        self.assertEqual(Criterion.objects.get(code="1.7.1").observed, "internet")
        migration.unobserve(apps, None)
        self.assertEqual(
            (self.points(a)["1.7.1"], self.points(a)["2.3.1"]), ((0, False), (5, False))
        )
        self.assertEqual(Criterion.objects.get(code="1.7.1").observed, "")

    def test_levels_through_the_scores(self) -> None:
        a = self.prepare()
        for score in a.scores.select_related("criterion"):
            services.criterion_score_set(
                score=score, by=None, points=score.criterion.max_points, met=True
            )
        r = selfassessment.result(a)
        self.assertEqual((r.group_i, r.group_ii, r.level, r.provisional), (100, 90, 3, True))
        mandatory = a.scores.get(criterion__code="2.1")
        services.criterion_score_set(score=mandatory, by=None, met=False)
        self.assertEqual(selfassessment.result(a).level, 1)
        with self.assertRaises(ValidationError):
            services.criterion_score_set(
                score=a.scores.get(criterion__code="1.4"), by=None, points=11
            )

    def test_own_scores_survive_a_refresh(self) -> None:
        a = self.prepare()
        score = a.scores.get(criterion__code="2.4.1")
        services.criterion_score_set(score=score, by=None, points=4, note="Zalo nhóm lớp")
        self.prepare()
        self.assertEqual(CriterionScore.objects.get(pk=score.pk).points, 4)


def group_data(assessment: SelfAssessment, group: str, **changes: str) -> dict[str, str]:
    """The group's form as the page sends it unchanged, with ``changes`` ("1.4-points": "7")."""
    data = {"group": group}
    for s in assessment.scores.select_related("criterion").filter(criterion__group=group):
        code = s.criterion.code
        if s.criterion.mandatory:
            if s.met:
                data[f"{code}-met"] = "on"
        else:
            data[f"{code}-points"] = str(s.points)
        data[f"{code}-note"] = s.note
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@override_settings(LANGUAGE_CODE="en")
class GroupFormTests(PersonaTestCase):
    """One form per group, saved at once."""

    def setUp(self) -> None:
        services.digital_profile_record(
            unit=self.world.school_a,
            valid_from=dt.date(2021, 9, 5),
            by=None,
            internet="wired",
            cashless_payment=True,
        )
        self.a = services.self_assessment_prepare(
            school=self.world.school_a, school_year=self.world.year, day=DAY, by=None
        )
        self.url = reverse("digital:self_assessment", args=[self.world.school_a.code])
        self.client.force_login(self.world.users["principal_a"])

    def stored(self, *codes: str) -> list[tuple[int, bool, str, bool]]:
        rows = self.a.scores.filter(criterion__code__in=codes).order_by("criterion__order")
        return list(rows.values_list("points", "met", "note", "automatic"))

    def test_page_matrix(self) -> None:
        self.assert_matrix(
            self.url,
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

    def test_one_post_saves_the_whole_group_with_one_audit_entry_per_change(self) -> None:
        """Three criteria changed in one save are stored together; the unchanged observed
        criterion 2.4.3 stays automatic; each changed criterion has its own audit entry."""
        before = AuditEntry.objects.filter(target_type="digital.CriterionScore").count()
        data = group_data(
            self.a,
            "II",
            **{"2.1-met": "on", "2.3.5-points": "7", "2.4.2-note": "Cổng tuyển sinh tỉnh"},
        )
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            self.stored("2.1", "2.3.5", "2.4.2", "2.4.3"),
            [
                (0, True, "", False),
                (7, True, "", False),
                (0, False, "Cổng tuyển sinh tỉnh", False),
                (10, True, "Thanh toán không dùng tiền mặt: có", True),
            ],
        )
        entries = AuditEntry.objects.filter(target_type="digital.CriterionScore")
        self.assertEqual(entries.count() - before, 3)

    def test_errors_are_given_per_criterion_and_nothing_is_saved(self) -> None:
        """Points over a criterion's maximum and letters are refused, each line naming its
        criterion, and the valid lines of the same form are not saved either."""
        data = group_data(
            self.a, "I", **{"1.4-points": "11", "1.5.1-points": "mười", "1.3.1-points": "6"}
        )
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 200)
        forms = {f.score.criterion.code: f for g in response.context["groups"] for f in g["forms"]}
        self.assertEqual(
            {c: f.errors.get("points") for c, f in forms.items() if f.errors},
            {
                "1.4": ["Enter whole points from 0 to 10."],
                "1.5.1": ["Enter whole points from 0 to 15."],
            },
        )
        self.assertEqual(
            response.context["error"],
            "Nothing was saved: correct the criteria marked below (1.4, 1.5.1).",
        )
        self.assertEqual(self.stored("1.3.1"), [(0, False, "", False)])
        self.assertContains(response, "1.4: Enter whole points from 0 to 10.")

    def test_officer_without_write_cannot_save(self) -> None:
        self.client.force_login(self.world.users["batxat_officer"])
        data = group_data(self.a, "I", **{"1.4-points": "5"})
        self.assertEqual(self.client.post(self.url, data).status_code, 404)
        self.assertEqual(self.stored("1.4"), [(0, False, "", False)])


class EvidenceTests(PersonaTestCase):
    def test_evidence_is_served_only_inside_the_scope(self) -> None:
        import tempfile

        from django.core.files.uploadedfile import SimpleUploadedFile

        from vnemis.testing.files import real_pdf

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
