from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from vnemis.accounts.models import User
from vnemis.demo.laocai_2022 import build_plan
from vnemis.demo.loader import DemoConflict, LoadResult, demo_load
from vnemis.demo.report_text import laocai_report_2022h1
from vnemis.digital.models import StudentRecord
from vnemis.learning.codes import ALPHABET
from vnemis.learning.models import (
    Mark,
    Release,
    TeachingAssignment,
    TermLock,
    TermReport,
    Transcript,
    YearResult,
)
from vnemis.learning.services.catalogue import class_subjects
from vnemis.learning.services.results import year_results_refresh
from vnemis.organisations.models import OrgPlacement, OrgUnit, OrgUnitLink
from vnemis.people.models import Enrollment, Person
from vnemis.reports.letterhead import letterhead_for
from vnemis.reports.models import ReportDocument


def _json(*args: str) -> Any:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


class DemoPlanTests(TestCase):
    def test_plan_is_deterministic_and_exact(self) -> None:
        a, b = build_plan(seed=7, scale=1.0), build_plan(seed=7, scale=1.0)
        self.assertEqual(
            [(s.code, s.students, s.staff, s.sites) for s in a.schools],
            [(s.code, s.students, s.staff, s.sites) for s in b.schools],
        )
        c = build_plan(seed=8, scale=1.0)
        self.assertNotEqual([s.students for s in a.schools], [s.students for s in c.schools])
        general = sum(n for s in a.schools for g, n in s.students.items() if g > 0)
        staff = sum(sum(s.staff.values()) for s in a.schools) + sum(a.office_staff.values())
        cats = [s.category for s in a.schools]
        self.assertEqual(
            (len(a.schools), sum(s.sites for s in a.schools), general, staff),
            (612, 1363, 228_322, 17_559),
        )
        self.assertEqual(
            (cats.count("mn"), cats.count("th"), cats.count("thcs"), cats.count("th_thcs")),
            (193, 185, 188, 10),
        )


class SmallDemoTests(TestCase):
    result: LoadResult

    @classmethod
    def setUpTestData(cls) -> None:
        cls.result = demo_load(seed=2022, scale=0.01)
        call_command("demo", "laocai-2022", "--scale", "0.01", "--quiet")

    def test_tree_and_counts(self) -> None:
        summary = _json("summary", "--json", "--org", "SGD10")
        plan = build_plan(seed=2022, scale=0.01)
        general = sum(n for s in plan.schools for g, n in s.students.items() if g > 0)
        preschool = sum(s.students.get(0, 0) for s in plan.schools)
        self.assertEqual(
            (
                summary["schools"],
                summary["school_sites"],
                summary["students"],
                summary["preschool_children"],
            ),
            (612, 1363, general, preschool),
        )
        self.assertEqual(summary["org_units_by_kind"]["district_office"], 9)
        # The 2025 tree holds the same schools under the new Sở and its 99 communes.
        new = _json("summary", "--json", "--org", "SGD15")
        self.assertEqual(
            (new["schools"], new["students"], new["org_units_by_kind"]["commune"]),
            (612, general, 99),
        )

    def test_second_load_changes_nothing(self) -> None:
        persons = Person.objects.count()
        again = demo_load(seed=2022, scale=0.01)
        self.assertFalse(again.created)
        self.assertEqual(Person.objects.count(), persons)
        with self.assertRaises(DemoConflict):
            demo_load(seed=1, scale=0.01)
        with self.assertRaises(CommandError):
            call_command("demo", "laocai-2022", "--seed", "1", "--scale", "0.01", "--quiet")

    def test_every_school_has_a_path_in_both_trees(self) -> None:
        schools = OrgUnit.objects.filter(kind="school")
        self.assertEqual(OrgPlacement.objects.filter(unit__in=schools).count(), 2 * 612)
        self.assertEqual(OrgUnitLink.objects.filter(kind="merged_into").count(), 1)
        self.assertGreaterEqual(OrgUnitLink.objects.filter(kind="split_into").count(), 9)

    def test_names_are_in_vietnamese_order_and_ids_valid(self) -> None:
        person = Person.objects.filter(student__isnull=False).order_by("id").first()
        assert person is not None
        person.full_clean()  # the national ID agrees with birth date and sex
        self.assertTrue(person.full_name.startswith(person.family_name + " "))
        self.assertEqual(
            Enrollment.objects.filter(status="active").count(),
            self.result.dataset.counts["enrollments"],
        )

    def test_demo_accounts_exist_for_every_role(self) -> None:
        roles = set(
            User.objects.filter(role_assignments__isnull=False).values_list(
                "role_assignments__role", flat=True
            )
        )
        self.assertEqual(
            roles,
            {
                "department_admin",
                "department_officer",
                "district_officer",
                "principal",
                "teacher",
                "parent",
                "student",
            },
        )
        self.assertTrue(
            self.client.login(username="batxat.chuyenvien", password="vnemis-demo-2022")
        )

    def test_orgs_command(self) -> None:
        offices = _json("orgs", "--json", "--kind", "district_office")
        self.assertEqual(len(offices), 9)
        self.assertEqual(offices[0]["parent"], "SGD10")
        under = _json("orgs", "--json", "--under", "PGD082", "--kind", "school")
        self.assertTrue(all(row["code"].startswith("10082") for row in under))

    def test_plan_task_counts_of_the_report(self) -> None:
        import datetime as dt

        from vnemis.plans.models import Programme
        from vnemis.plans.selectors import programme_counts

        day = dt.date(2022, 6, 30)
        qd = programme_counts(programme=Programme.objects.get(code="qd-1634-2021"), day=day)
        kh = programme_counts(programme=Programme.objects.get(code="kh-49-2022"), day=day)
        self.assertEqual((qd.assigned, qd.done, qd.not_done), (11, 10, 1))
        self.assertEqual((kh.assigned, kh.done, kh.in_progress), (8, 1, 7))

    def test_report_draft_holds_the_departments_text(self) -> None:
        """The demo's 2022H1 draft of the Sở is the Department's narrative, signed as its
        report was, and headed from the Sở's administrative unit (province 10, Lào Cai)."""
        text = laocai_report_2022h1()
        draft = ReportDocument.objects.get(unit__code="SGD10", period="2022H1")
        self.assertEqual(
            (draft.version, draft.status, draft.number, draft.signed_on), (1, "draft", "", None)
        )
        self.assertEqual(
            (
                draft.basis,
                draft.steering_plan,
                draft.steering_directions,
                draft.steering_results,
                draft.assessment,
                draft.lines("next_tasks"),
                draft.recommendations,
                draft.lines("recipients"),
                draft.addressees,
                draft.archive_unit,
                draft.archive_copies,
                draft.signer_authority,
                draft.signer_title,
                draft.signer_name,
            ),
            (
                text.basis,
                text.steering_plan,
                text.steering_directions,
                text.steering_results,
                text.assessment,
                text.next_tasks,
                text.recommendations,
                text.recipients,
                "",
                "GDTrH",
                0,
                "KT. GIÁM ĐỐC",
                "PHÓ GIÁM ĐỐC",
                "Trần Thị Bình",
            ),
        )
        head = letterhead_for(draft.unit)
        self.assertEqual(
            (head.parent_agency, head.agency, head.agency_in_text, head.agency_symbol, head.place),
            (
                text.parent_agency,
                text.agency,
                text.agency_in_text,
                text.agency_symbol,
                text.place,
            ),
        )

    def test_learning_records_give_the_reports_shares(self) -> None:
        """The seed's shares of the general-education students: 225.404/228.322 with a year
        result and 168.652/228.322 with an issued transcript (scaled); the 2022H1 indicators
        count exactly those records; the sector database's flags (read by the QĐ 4725
        self-assessment) are those of the same students and dates."""
        general = Enrollment.objects.filter(status="active", school_class__grade__gte=1).count()
        results = YearResult.objects.count()
        issued = Transcript.objects.filter(status="issued").count()
        self.assertEqual(
            (results, issued),
            (round(general * 225_404 / 228_322), round(general * 168_652 / 228_322)),
        )
        self.assertFalse(
            Transcript.objects.exclude(
                student_id__in=YearResult.objects.values("student_id")
            ).exists()
        )
        flags = StudentRecord.objects.filter(school_year__code="2021-2022")
        self.assertEqual(
            set(flags.values_list("student_id", "results_received_on")),
            set(YearResult.objects.values_list("student_id", "recorded_on")),
        )
        self.assertEqual(
            set(
                flags.exclude(transcript_issued_on=None).values_list(
                    "student_id", "transcript_issued_on"
                )
            ),
            set(Transcript.objects.values_list("student_id", "issued_on")),
        )
        out = io.StringIO()
        call_command("indicators", "--org", "SGD10", "--period", "2022H1", "--json", stdout=out)
        got = {
            row["code"]: (row["numerator"], row["denominator"])
            for row in json.loads(out.getvalue())
        }
        self.assertEqual(got["e_transcript_students"], (issued, general))
        self.assertEqual(got["digital_records_students"], (results, general))
        self.assertEqual(got["student_records_with_results"], (results, None))

    def test_transcripts_are_issued_unsigned_for_the_worker(self) -> None:
        """Issued in June 2022 with a verification code and the personal ID of the day, but
        no content or PDF yet: they are built and signed on first download."""
        rows = list(
            Transcript.objects.values_list(
                "code",
                "national_id",
                "student__person__national_id",
                "issued_on",
                "content",
                "pdf",
                "version",
            )
        )
        self.assertTrue(rows)
        codes = [row[0] for row in rows]
        self.assertEqual(len(set(codes)), len(codes))
        self.assertTrue(all(len(c) == 12 and set(c) <= set(ALPHABET) for c in codes))
        self.assertTrue(all(row[1] == (row[2] or "") for row in rows))
        days = {row[3] for row in rows}
        self.assertTrue(days <= {dt.date(2022, 6, d) for d in range(1, 26)}, days)
        self.assertEqual({(str(row[4]), row[5], row[6]) for row in rows}, {("{}", "", 1)})

    def test_gradebooks_are_complete_and_agree_with_the_refresh(self) -> None:
        """Every class has one teacher of its school per subject, every school both terms
        locked, the class summary and subject results released for both terms; a student
        with a year result has every subject's marks in both terms, and re-evaluating him
        through the gradebook's refresh changes nothing."""
        result = YearResult.objects.select_related("school_class").order_by("id").first()
        assert result is not None and result.school_class is not None
        school_class = result.school_class
        subjects = class_subjects(school_class)
        assignments = TeachingAssignment.objects.filter(school_class=school_class)
        self.assertEqual(sorted(a.subject_id for a in assignments), sorted(s.pk for s in subjects))
        self.assertEqual(
            {a.teacher.org_unit_id for a in assignments if a.teacher}, {school_class.school_id}
        )
        self.assertEqual(
            set(
                TermLock.objects.filter(school_id=school_class.school_id).values_list(
                    "term", flat=True
                )
            ),
            {1, 2},
        )
        released = Release.objects.filter(school_class=school_class, released_at__isnull=False)
        self.assertEqual(released.count(), 2 * (1 + len(subjects)))
        self.assertEqual(
            Mark.objects.filter(student_id=result.student_id).count(), 2 * len(subjects)
        )

        def stored() -> dict[str, Any]:
            row = YearResult.objects.filter(pk=result.pk).values().get()
            return {name: value for name, value in row.items() if name != "updated_at"}

        before = stored()
        year_results_refresh(student_ids=[result.student_id], school_year_id=result.school_year_id)
        self.assertEqual(stored(), before)

    def test_marks_are_plausible(self) -> None:
        """Distributions as a province's: every regime's year results spread over several
        levels, comment subjects almost all Đạt, conduct mostly Tốt or Khá."""
        levels: dict[str, set[str]] = {}
        for regime, learning in YearResult.objects.values_list("regime", "learning"):
            levels.setdefault(regime, set()).add(learning)
        self.assertEqual(set(levels), {"tt22", "tt58", "tt27", "tt30"})
        self.assertTrue(all(len(found) >= 2 for found in levels.values()), levels)
        comments = Mark.objects.filter(subject__mode="comment")
        self.assertGreater(comments.filter(result="dat").count(), 0.95 * comments.count())
        conduct = TermReport.objects.exclude(conduct="")
        self.assertGreater(
            conduct.filter(conduct__in=["tot", "kha"]).count(), 0.9 * conduct.count()
        )

    def test_bad_arguments(self) -> None:
        with self.assertRaises(CommandError):
            call_command("summary", "--org", "NOPE")
        with self.assertRaises(CommandError):
            call_command("orgs", "--under", "NOPE")
        with self.assertRaises(CommandError):
            call_command("demo", "laocai-2022", "--scale", "0")
