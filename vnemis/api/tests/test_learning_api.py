"""The learning endpoints of the API: who reaches a student's results, the year results and the
transcripts (the same people as on the pages), the publication rule through the API, the
``read:learning`` token scope, and what the answers leave out (names, PDF bytes)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import requests
import schemathesis
from django.test import TestCase
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from vnemis.api.choices import TokenScope
from vnemis.api.tests.helpers import get, issue
from vnemis.learning.choices import TranscriptStatus
from vnemis.learning.codes import transcript_code
from vnemis.learning.models import Transcript, YearResult
from vnemis.learning.services.marks import CellInput, marks_save
from vnemis.learning.services.releases import release_set
from vnemis.learning.services.reports import ReportInput, term_reports_save
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.people import services as people_services
from vnemis.people.choices import EnrollmentStatus, ExitReason
from vnemis.people.models import Student
from vnemis.testing.world import World, build_world

API = "/api/v1/"
YEAR = "2021-2022"
# Who is asked, besides the anonymous caller: the learning school's staff and family, the
# officers above it and beside it, and the other school's family.
PERSONAS = (
    "principal_c",
    "teacher_c",
    "teacher_d",
    "parent_c",
    "batxat_officer",
    "province_officer",
    "baothang_officer",
    "teacher_a",
    "parent_a",
    "student_a",
    "nobody",
)
# Toán 6, term I, of s6a: four regular scores, mid-term, end of term; the average 7,8.
TOAN_TERM_1 = {"r1": "8", "r2": "7.5", "r3": "9", "r4": "6", "midterm": "7", "final": "8.5"}


class LearningApiTestCase(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]
    secret: ClassVar[str]
    secret_other: ClassVar[str]
    secret_no_scope: ClassVar[str]
    transcripts: ClassVar[dict[str, Transcript]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = w = build_world()
        cls.lw = lw = build_learning(w)
        marks_save(
            school_class=lw.class_6a,
            subject=lw.toan_6,
            term=1,
            cells=[CellInput(lw.s6a.pk, column, value) for column, value in TOAN_TERM_1.items()],
            by=None,
        )
        term_reports_save(
            school_class=lw.class_6a,
            term=1,
            rows=[ReportInput(student_id=lw.s6a.pk, conduct="T", absences_excused="2")],
            by=None,
        )
        # Year results and transcripts as the year-end run and the signing workflow leave
        # them (their own services are tested in the learning app).
        for student, klass, learning in ((lw.s6a, lw.class_6a, "kha"), (lw.s7, lw.class_7a, "tot")):
            YearResult.objects.create(
                student=student,
                school_year=w.year,
                school=lw.school_c,
                school_class=klass,
                grade=klass.grade,
                regime="tt22",
                learning=learning,
                conduct="tot",
                award="",
                promotion="len_lop",
                recorded_on=dt.date(2022, 5, 28),
            )
        cls.transcripts = {}
        for key, student, version, status in (
            ("s6a_revoked", lw.s6a, 1, TranscriptStatus.REVOKED),
            ("s6a_issued", lw.s6a, 2, TranscriptStatus.ISSUED),
            ("s6b_draft", lw.s6b, 1, TranscriptStatus.DRAFT),
            ("s7_issued", lw.s7, 1, TranscriptStatus.ISSUED),
        ):
            klass = lw.class_7a if student == lw.s7 else lw.class_6a
            cls.transcripts[key] = Transcript.objects.create(
                student=student,
                school_year=w.year,
                school=lw.school_c,
                school_class=klass,
                grade=klass.grade,
                regime="tt22",
                version=version,
                code=transcript_code(),
                status=status,
                pdf_sha256="ab" * 32 if status != TranscriptStatus.DRAFT else "",
                issued_on=dt.date(2022, 5, 30) if status != TranscriptStatus.DRAFT else None,
            )
        _t, cls.secret = issue(w, w.batxat, scopes=[TokenScope.READ_LEARNING], name="Bát Xát")
        _t, cls.secret_other = issue(
            w, w.baothang, scopes=[TokenScope.READ_LEARNING], name="Bảo Thắng"
        )
        _t, cls.secret_no_scope = issue(
            w, w.batxat, scopes=[TokenScope.READ_PEOPLE, TokenScope.READ_ORGS], name="Không học tập"
        )

    def as_(self, persona: str | None, url: str) -> Any:
        self.client.logout()
        if persona is not None:
            self.client.force_login(self.lw.users.get(persona) or self.world.users[persona])
        return self.client.get(url)

    def results_url(self, student: Student, year: str = YEAR) -> str:
        return API + f"students/{student.code}/results/?year={year}"

    def toan(self, body: dict[str, Any]) -> dict[str, Any]:
        line: dict[str, Any] = next(s for s in body["subjects"] if s["subject"] == "toan")
        return line

    def codes(self, persona: str | None, path: str, key: str = "student") -> list[str]:
        response = self.as_(persona, API + path)
        self.assertEqual(response.status_code, 200, (persona, path))
        return sorted(row[key] for row in response.json()["results"])


class StudentResultsTests(LearningApiTestCase):
    def test_who_reaches_a_students_results_is_who_reaches_his_page(self) -> None:
        """The school's principal, the homeroom teacher, the officers above the school and the
        pupil's father get his results; a subject teacher who is not his homeroom teacher,
        another school's officer and family, and nobody get 404, as on the results page."""
        student = self.lw.s6a
        api = {p: self.as_(p, self.results_url(student)).status_code for p in PERSONAS}
        self.assertEqual(
            api,
            {
                "principal_c": 200,
                "teacher_c": 200,
                "teacher_d": 404,
                "parent_c": 200,
                "batxat_officer": 200,
                "province_officer": 200,
                "baothang_officer": 404,
                "teacher_a": 404,
                "parent_a": 404,
                "student_a": 404,
                "nobody": 404,
            },
        )
        page_url = reverse("learning:student_results", args=[student.code]) + f"?year={YEAR}"
        page = {p: self.as_(p, page_url).status_code for p in PERSONAS}
        self.assertEqual(api, page)
        self.assertEqual(self.as_(None, self.results_url(student)).status_code, 401)

    def test_an_unreleased_score_is_absent_for_the_parent_and_present_for_the_teacher(
        self,
    ) -> None:
        """Before any release the father gets Toán's term I with no value, no term report and
        no year result, told that nine values are withheld; the homeroom teacher gets every
        score, the average 7,8, the report and the year result."""
        response = self.as_("parent_c", self.results_url(self.lw.s6a))
        body = response.json()
        self.assertTrue(body["released_only"])
        # Toán's six scores and average, the term I report, the year result.
        self.assertEqual(body["hidden"], 7 + 1 + 1)
        self.assertEqual(self.toan(body)["terms"], [{"term": 1}, {"term": 2}])
        self.assertIsNone(self.toan(body)["year"])
        self.assertEqual(body["terms"], [])
        self.assertIsNone(body["year_result"])
        for value in ("8.0", "7.5", "9.0", "6.0", "7.0", "8.5", "7.8"):
            self.assertNotIn(f'"{value}"', response.content.decode())

        body = self.as_("teacher_c", self.results_url(self.lw.s6a)).json()
        self.assertFalse(body["released_only"])
        self.assertEqual(body["hidden"], 0)
        self.assertEqual(
            self.toan(body)["terms"][0],
            {
                "term": 1,
                "r1": "8.0",
                "r2": "7.5",
                "r3": "9.0",
                "r4": "6.0",
                "midterm": "7.0",
                "final": "8.5",
                "average": "7.8",
            },
        )
        self.assertEqual(
            body["terms"],
            [{"term": 1, "conduct": "tot", "absences_excused": 2, "absences_unexcused": 0}],
        )
        self.assertEqual(
            body["year_result"],
            {
                "learning": "kha",
                "conduct": "tot",
                "award": "",
                "promotion": "len_lop",
                "recorded_on": "2022-05-28",
            },
        )
        self.assertEqual(
            (body["student"], body["school"], body["class_name"], body["grade"], body["regime"]),
            (self.lw.s6a.code, self.lw.school_c.code, "6A", 6, "tt22"),
        )

    def test_a_released_score_is_present_for_both(self) -> None:
        """Releasing Toán's term average shows the father the average and nothing else of
        Toán; the teacher still gets everything."""
        release_set(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            column="average",
            now=True,
            by=None,
        )
        body = self.as_("parent_c", self.results_url(self.lw.s6a)).json()
        self.assertEqual(self.toan(body)["terms"][0], {"term": 1, "average": "7.8"})
        self.assertEqual(body["hidden"], 6 + 1 + 1)
        body = self.as_("teacher_c", self.results_url(self.lw.s6a)).json()
        self.assertEqual(self.toan(body)["terms"][0]["average"], "7.8")
        self.assertEqual(self.toan(body)["terms"][0]["final"], "8.5")

    def test_the_class_summary_releases_conduct_and_the_year_result(self) -> None:
        """The term I summary shows the father that term's conduct and absences; the year
        result waits for the term II summary."""
        for term in (1, 2):
            release_set(
                school_class=self.lw.class_6a,
                subject=None,
                term=term,
                column="summary",
                now=True,
                by=None,
            )
            body = self.as_("parent_c", self.results_url(self.lw.s6a)).json()
            self.assertEqual(
                body["terms"],
                [{"term": 1, "conduct": "tot", "absences_excused": 2, "absences_unexcused": 0}],
            )
            if term == 1:
                self.assertIsNone(body["year_result"])
            else:
                self.assertEqual(body["year_result"]["learning"], "kha")

    def test_a_token_reads_its_districts_results_in_full(self) -> None:
        """A Bát Xát token reads like the district's officer: every score; a Bảo Thắng token
        gets 404."""
        response = get(self.client, self.results_url(self.lw.s6a), self.secret)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.toan(response.json())["terms"][0]["final"], "8.5")
        response = get(self.client, self.results_url(self.lw.s6a), self.secret_other)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["error"]["code"], "not_found")

    def test_an_unknown_year_is_a_400_naming_year(self) -> None:
        response = self.as_("teacher_c", self.results_url(self.lw.s6a, year="1999-2000"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(list(response.json()["error"]["fields"]), ["year"])
        response = self.as_("teacher_c", self.results_url(self.lw.s6a, year="x" * 40))
        self.assertEqual(response.status_code, 400)

    def test_a_year_without_a_class_has_no_results(self) -> None:
        """A student with no class in the current year (the world's only year is 2021-2022)
        answers 200 with nothing in it, not an error."""
        self.lw.s6a.enrollments.update(school_class=None)
        body = self.as_("principal_c", self.results_url(self.lw.s6a)).json()
        self.assertEqual(
            (body["school_class"], body["subjects"], body["terms"], body["year_result"]),
            (None, [], [], None),
        )


class ScopeTests(LearningApiTestCase):
    def test_a_token_without_the_learning_scope_is_refused(self) -> None:
        """A token holding read:people and read:orgs but not read:learning gets 403 naming the
        scope on every learning endpoint; the same token reads students."""
        for path in (
            f"students/{self.lw.s6a.code}/results/",
            "year-results/",
            "transcripts/",
            f"transcripts/{self.transcripts['s6a_issued'].code}/",
        ):
            response = get(self.client, API + path, self.secret_no_scope)
            self.assertEqual(response.status_code, 403, path)
            self.assertEqual(response.json()["error"]["code"], "permission_denied")
            self.assertIn("read:learning", response.json()["error"]["message"])
        response = get(self.client, API + f"students/{self.lw.s6a.code}/", self.secret_no_scope)
        self.assertEqual(response.status_code, 200)

    def test_the_learning_scope_opens_nothing_else(self) -> None:
        response = get(self.client, API + "students/", self.secret)
        self.assertEqual(response.status_code, 403)
        self.assertIn("read:people", response.json()["error"]["message"])


class YearResultListTests(LearningApiTestCase):
    def test_each_role_lists_the_year_results_of_its_reach(self) -> None:
        """Principal and officers above: the school's; the homeroom teacher of 6A: 6A's; a
        subject teacher, other schools and families: none (an empty list, as every list)."""
        s6a, s7 = self.lw.s6a.code, self.lw.s7.code
        seen = {p: self.codes(p, "year-results/") for p in PERSONAS}
        self.assertEqual(
            seen,
            {
                "principal_c": [s6a, s7],
                "teacher_c": [s6a],
                "teacher_d": [],
                "parent_c": [],
                "batxat_officer": [s6a, s7],
                "province_officer": [s6a, s7],
                "baothang_officer": [],
                "teacher_a": [],
                "parent_a": [],
                "student_a": [],
                "nobody": [],
            },
        )
        self.assertEqual(self.as_(None, API + "year-results/").status_code, 401)

    def test_a_listed_year_result_is_one_the_results_page_shows(self) -> None:
        """For every persona, the results page of each student whose year result the API
        lists answers 200."""
        for persona in PERSONAS:
            for code in self.codes(persona, "year-results/"):
                page = reverse("learning:student_results", args=[code]) + f"?year={YEAR}"
                self.assertEqual(self.as_(persona, page).status_code, 200, (persona, code))

    def test_the_homeroom_teacher_loses_a_pupil_who_left_her_class(self) -> None:
        """A pupil whose enrolment in 6A has ended leaves the homeroom teacher's list, as he
        leaves her results page; the principal still lists him."""
        people_services.enrollment_end(
            enrollment=self.lw.s6a.enrollments.get(),
            on=dt.date(2022, 1, 10),
            status=EnrollmentStatus.TRANSFERRED_OUT,
            reason=ExitReason.TRANSFER,
            by=None,
        )
        self.assertEqual(self.codes("teacher_c", "year-results/"), [])
        page = reverse("learning:student_results", args=[self.lw.s6a.code])
        self.assertEqual(self.as_("teacher_c", page).status_code, 404)
        self.assertIn(self.lw.s6a.code, self.codes("principal_c", "year-results/"))

    def test_a_row_holds_codes_not_names(self) -> None:
        response = self.as_("batxat_officer", API + "year-results/?grade=6")
        self.assertEqual(
            response.json()["results"],
            [
                {
                    "id": YearResult.objects.get(student=self.lw.s6a).pk,
                    "student": self.lw.s6a.code,
                    "school_year": YEAR,
                    "school": self.lw.school_c.code,
                    "school_class": self.lw.class_6a.pk,
                    "class_name": "6A",
                    "grade": 6,
                    "regime": "tt22",
                    "learning": "kha",
                    "conduct": "tot",
                    "award": "",
                    "promotion": "len_lop",
                    "recorded_on": "2022-05-28",
                }
            ],
        )
        self.assertNotIn(self.lw.s6a.person.full_name, response.content.decode())

    def test_filters(self) -> None:
        s6a, s7 = self.lw.s6a.code, self.lw.s7.code
        for query, expected in (
            (f"year={YEAR}", [s6a, s7]),
            ("year=2022-2023", []),
            (f"school={self.lw.school_c.code}", [s6a, s7]),
            (f"school={self.world.school_a.code}", []),
            ("grade=7", [s7]),
            ("learning=kha", [s6a]),
            ("promotion=len_lop", [s6a, s7]),
            (f"school_class={self.lw.class_7a.pk}", [s7]),
            (f"student={s7}", [s7]),
            ("regime=tt58", []),
        ):
            self.assertEqual(self.codes("principal_c", "year-results/?" + query), expected, query)

    def test_a_bad_filter_value_is_a_400_naming_it(self) -> None:
        for query, field in (("grade=abc", "grade"), ("grade=13", "grade"), ("regime=x", "regime")):
            response = self.as_("principal_c", API + "year-results/?" + query)
            self.assertEqual(response.status_code, 400, query)
            self.assertEqual(list(response.json()["error"]["fields"]), [field])

    def test_tokens_list_their_units_year_results(self) -> None:
        response = get(self.client, API + "year-results/", self.secret)
        self.assertEqual(len(response.json()["results"]), 2)
        response = get(self.client, API + "year-results/", self.secret_other)
        self.assertEqual(response.json()["results"], [])


class TranscriptTests(LearningApiTestCase):
    def test_each_role_lists_the_transcripts_of_its_reach(self) -> None:
        """Staff see every version and status of their reach; the father sees his son's issued
        transcript only (not the revoked version, not a classmate's draft)."""
        t = {key: row.code for key, row in self.transcripts.items()}
        school = sorted(t.values())
        seen = {p: self.codes(p, "transcripts/", key="code") for p in PERSONAS}
        self.assertEqual(
            seen,
            {
                "principal_c": school,
                "teacher_c": sorted([t["s6a_revoked"], t["s6a_issued"], t["s6b_draft"]]),
                "teacher_d": [],
                "parent_c": [t["s6a_issued"]],
                "batxat_officer": school,
                "province_officer": school,
                "baothang_officer": [],
                "teacher_a": [],
                "parent_a": [],
                "student_a": [],
                "nobody": [],
            },
        )

    def test_a_transcript_record_holds_metadata_only(self) -> None:
        """The record carries no content and no PDF: its fields are exactly these."""
        transcript = self.transcripts["s6a_issued"]
        response = self.as_("parent_c", API + f"transcripts/{transcript.code}/")
        self.assertEqual(
            response.json(),
            {
                "code": transcript.code,
                "student": self.lw.s6a.code,
                "school_year": YEAR,
                "school": self.lw.school_c.code,
                "grade": 6,
                "regime": "tt22",
                "version": 2,
                "status": "issued",
                "issued_on": "2022-05-30",
                "pdf_sha256": "ab" * 32,
                "page": reverse("learning:transcript_detail", args=[transcript.pk]),
            },
        )

    def test_the_family_gets_404_for_what_is_not_issued_to_it(self) -> None:
        for key, status in (("s6a_issued", 200), ("s6a_revoked", 404), ("s6b_draft", 404)):
            url = API + f"transcripts/{self.transcripts[key].code}/"
            self.assertEqual(self.as_("parent_c", url).status_code, status, key)
            self.assertEqual(self.as_("teacher_c", url).status_code, 200, key)
        url = API + f"transcripts/{self.transcripts['s7_issued'].code}/"
        self.assertEqual(self.as_("teacher_c", url).status_code, 404)
        self.assertEqual(self.as_("baothang_officer", url).status_code, 404)
        self.assertEqual(get(self.client, url, self.secret_other).status_code, 404)
        self.assertEqual(get(self.client, url, self.secret).status_code, 200)

    def test_a_listed_transcript_is_one_its_page_shows(self) -> None:
        """For every persona, each transcript the API lists opens on its page (the page that
        gives out the file), and each one it does not list answers 404 through the API: the
        API never reaches further than the pages."""
        for persona in PERSONAS:
            rows = self.as_(persona, API + "transcripts/").json()["results"]
            listed = {row["code"] for row in rows}
            for row in rows:
                self.assertEqual(self.as_(persona, row["page"]).status_code, 200, persona)
            for transcript in self.transcripts.values():
                if transcript.code not in listed:
                    url = API + f"transcripts/{transcript.code}/"
                    self.assertEqual(self.as_(persona, url).status_code, 404, persona)

    def test_a_version_in_preparation_withdraws_the_issued_one_from_the_family(self) -> None:
        """While a new version of the year is prepared, the father sees no transcript of that
        year, as on the page; the staff see every version."""
        draft = Transcript.objects.create(
            student=self.lw.s6a,
            school_year=self.world.year,
            school=self.lw.school_c,
            school_class=self.lw.class_6a,
            grade=6,
            regime="tt22",
            version=3,
            code=transcript_code(),
        )
        self.assertEqual(self.codes("parent_c", "transcripts/", key="code"), [])
        issued = self.transcripts["s6a_issued"]
        page = reverse("learning:transcript_detail", args=[issued.pk])
        self.assertEqual(self.as_("parent_c", page).status_code, 404)
        self.assertIn(draft.code, self.codes("teacher_c", "transcripts/", key="code"))

    def test_a_code_as_typed_from_paper_finds_the_transcript(self) -> None:
        code = self.transcripts["s7_issued"].code
        typed = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()
        response = self.as_("principal_c", API + f"transcripts/{typed}/")
        self.assertEqual(response.json()["code"], code)

    def test_filters(self) -> None:
        t = self.transcripts
        for query, expected in (
            ("status=issued", sorted([t["s6a_issued"].code, t["s7_issued"].code])),
            ("grade=7", [t["s7_issued"].code]),
            (f"year={YEAR}&school={self.world.school_a.code}", []),
        ):
            self.assertEqual(
                self.codes("principal_c", "transcripts/?" + query, key="code"), expected, query
            )
        response = self.as_("principal_c", API + "transcripts/?status=signed")
        self.assertEqual(list(response.json()["error"]["fields"]), ["status"])


class SchemaTests(LearningApiTestCase):
    def test_answers_with_data_conform_to_the_schema(self) -> None:
        """The schemathesis run meets only empty lists and 404s in its world; here answers
        holding scores, reports, a year result and transcripts are checked against the
        published schema (types, required fields, decimal patterns)."""
        generator = SchemaGenerator()  # type: ignore[no-untyped-call]  # untyped package
        document = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
        schema = schemathesis.openapi.from_dict(document)
        release_set(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            column="average",
            now=True,
            by=None,
        )
        transcript = self.transcripts["s6a_issued"].code
        for persona, path, template in (
            ("teacher_c", self.results_url(self.lw.s6a), "/api/v1/students/{code}/results/"),
            ("parent_c", self.results_url(self.lw.s6a), "/api/v1/students/{code}/results/"),
            ("principal_c", API + "year-results/", "/api/v1/year-results/"),
            ("principal_c", API + "transcripts/", "/api/v1/transcripts/"),
            ("parent_c", API + f"transcripts/{transcript}/", "/api/v1/transcripts/{code}/"),
        ):
            response = self.as_(persona, path)
            self.assertEqual(response.status_code, 200, path)
            operation = schema[template]["GET"]
            prepared = requests.Request("GET", "http://testserver" + path).prepare()
            answer = schemathesis.Response(
                status_code=response.status_code,
                headers={k.lower(): [v] for k, v in response.items()},
                content=response.content,
                request=prepared,
                elapsed=0.0,
                verify=False,
            )
            operation.validate_response(answer)
