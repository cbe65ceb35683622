"""The role × URL matrix: every URL pattern of the project, requested by every persona.

The patterns are enumerated from the URL configuration, so a new page cannot be forgotten: a
URL name missing from ``EXPECTED`` fails the test, which says what to declare. A page that
names an object (in its path, or as ``?org=``) is requested with an object of school A and
one of school B (``vnemis/testing/urlmatrix.py`` says how), so a persona of one school gets 404
on the other's. No page shows a persona the names or personal ID numbers of people of a school
it may not see.

It runs on both database passes: access is decided by path prefix queries (LIKE), whose
behaviour is the database's, and the whole matrix takes a few seconds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django.test import Client, override_settings
from django.urls import reverse

from vnemis.testing import urlmatrix
from vnemis.testing.personas import PersonaTestCase

LOGIN = "302 to the login page"
ADMIN_LOGIN = "302 to the admin login page"
Outcome = int | str
Statuses = Mapping[str | None, Outcome]
LOGGED_IN = tuple(p for p in urlmatrix.PERSONAS if p is not None)


def grant(
    personas: Collection[str],
    *,
    ok: Outcome = 200,
    denied: Outcome = 404,
    anonymous: Outcome = LOGIN,
) -> dict[str | None, Outcome]:
    """``ok`` for ``personas``, ``denied`` for the other logged-in ones, ``anonymous`` for the
    visitor who is not logged in."""
    unknown = set(personas) - set(LOGGED_IN)
    assert not unknown, f"not personas: {unknown}"
    statuses: dict[str | None, Outcome] = {p: ok if p in personas else denied for p in LOGGED_IN}
    statuses[None] = anonymous
    return statuses


@dataclass(frozen=True)
class Expect:
    """Statuses per persona: ``a`` with school A's object (or the only request of a page
    without object), ``b`` with school B's. ``method="post"`` for views that take only POST.
    ``any_object``: the answer does not depend on the object (the admin site turns every
    persona away), so only school A's is requested."""

    a: Statuses
    b: Statuses | None = None
    method: str = "get"
    any_object: bool = False


EVERYONE = set(LOGGED_IN)
PROVINCE = {"department_admin", "province_officer"}
OFFICERS_A = PROVINCE | {"batxat_officer", "commune_officer", "principal_a"}
OFFICERS_B = PROVINCE | {"baothang_officer", "principal_b"}
OFFICERS = OFFICERS_A | OFFICERS_B
WRITERS_A = {"department_admin", "principal_a"}
WRITERS_B = {"department_admin", "principal_b"}
WRITERS = WRITERS_A | WRITERS_B
TEACHERS_A = {"teacher_a", "teacher_a2"}
# Student A1, his homeroom teacher, his father and he himself.
FAMILY_A1 = {"teacher_a", "parent_a", "student_a"}
API_ANONYMOUS = 401  # the API answers a caller without credentials; it redirects nobody


def api(personas: Collection[str], *, ok: Outcome = 200) -> dict[str | None, Outcome]:
    """``grant`` for the REST API: 401, not the login page, without credentials."""
    return grant(personas, ok=ok, anonymous=API_ANONYMOUS)


# The admin site is for staff accounts, and no persona is staff: it sends them to its login.
ADMIN_ONLY = grant(set(), denied=ADMIN_LOGIN, anonymous=ADMIN_LOGIN)

# URL name (or "namespace:" for all its URLs not named here) → expected statuses.
EXPECTED: dict[str, Expect] = {
    # Django's admin site and language switch; the public pages.
    "admin:": Expect(ADMIN_ONLY, any_object=True),
    "admin:login": Expect(grant(EVERYONE, anonymous=200)),
    "admin:logout": Expect(grant(EVERYONE, ok=302, anonymous=302)),
    "set_language": Expect(grant(EVERYONE, ok=302, anonymous=302)),
    "accounts:login": Expect(grant(EVERYONE, anonymous=200)),
    "accounts:logout": Expect(grant(EVERYONE, ok=405, anonymous=405)),
    "core:health": Expect(grant(EVERYONE, anonymous=200)),
    # Lists and home pages: every user, each seeing only the rows of their scope.
    "portal:home": Expect(grant(EVERYONE)),
    "people:student_list": Expect(grant(EVERYONE)),
    "people:staff_list": Expect(grant(EVERYONE)),
    "organisations:school_list": Expect(grant(EVERYONE)),
    "reports:report_list": Expect(grant(EVERYONE)),
    "imports:import_template": Expect(grant(EVERYONE)),
    "exports:export_list": Expect(grant(EVERYONE)),
    # An export job and its file: the user who asked for it only.
    "exports:export_detail": Expect(grant({"principal_a"}), grant({"principal_b"})),
    "exports:export_download": Expect(grant({"principal_a"}), grant({"principal_b"})),
    "people:data_quality": Expect(grant(OFFICERS)),
    "indicators:check": Expect(grant(OFFICERS)),
    "imports:import_list": Expect(grant(WRITERS)),
    "imports:import_export": Expect(grant(WRITERS)),
    # Pages of one school's objects.
    "people:school_detail": Expect(
        grant(OFFICERS_A | {"teacher_a", "teacher_a2"}), grant(OFFICERS_B)
    ),
    "people:school_promotion": Expect(grant(WRITERS_A), grant(WRITERS_B)),
    "people:student_detail": Expect(
        grant(OFFICERS_A | {"teacher_a", "parent_a", "student_a"}), grant(OFFICERS_B)
    ),
    "people:student_transfer": Expect(grant(WRITERS_A), grant(WRITERS_B)),
    "people:staff_detail": Expect(grant(OFFICERS_A | {"teacher_a"}), grant(OFFICERS_B)),
    "organisations:orgunit_tree": Expect(
        grant(OFFICERS_A | {"teacher_a", "teacher_a2"}), grant(OFFICERS_B)
    ),
    "indicators:dashboard": Expect(grant(OFFICERS_A), grant(OFFICERS_B)),
    "indicators:records": Expect(grant(OFFICERS_A), grant(OFFICERS_B)),
    "indicators:reported": Expect(grant(WRITERS_A), grant(WRITERS_B)),
    "reports:report_start": Expect(
        grant(OFFICERS_A, ok=302), grant(OFFICERS_B, ok=302), method="post"
    ),
    "reports:report_edit": Expect(grant(OFFICERS_A), grant(OFFICERS_B)),
    # A unit's report header and signer: its writers (the Sở's administrator, the principal).
    "reports:report_settings": Expect(grant(WRITERS_A), grant(WRITERS_B)),
    "reports:report_finalise": Expect(
        grant(WRITERS_A, ok=302), grant(WRITERS_B, ok=302), method="post"
    ),
    "reports:report_new_version": Expect(
        grant(OFFICERS_A, ok=302), grant(OFFICERS_B, ok=302), method="post"
    ),
    # A school's semi-annual report has no figures to render: back to the draft, with why.
    "reports:report_download": Expect(grant(OFFICERS_A, ok=302), grant(OFFICERS_B, ok=302)),
    "digital:profile_history": Expect(grant(OFFICERS_A), grant(OFFICERS_B)),
    "digital:self_assessment": Expect(grant(OFFICERS_A), grant(OFFICERS_B)),
    "digital:criterion_evidence": Expect(grant(OFFICERS_A), grant(OFFICERS_B)),
    # The office above the school reviews; a principal never reviews their own school.
    "digital:self_assessment_step": Expect(
        grant(PROVINCE | {"batxat_officer", "commune_officer"}),
        grant(PROVINCE | {"baothang_officer"}),
        method="post",
    ),
    # Officers and principals, each seeing the schools of their scope.
    "digital:self_assessment_status": Expect(grant(OFFICERS)),
    # Programmes and plan tasks: officers of the task's owner unit (404 for everyone else).
    "plans:programme_list": Expect(grant(OFFICERS)),
    "plans:programme_detail": Expect(grant(OFFICERS_A), grant(OFFICERS_B)),
    "plans:task_detail": Expect(grant(OFFICERS_A), grant(OFFICERS_B)),
    "plans:task_update_evidence": Expect(grant(OFFICERS_A), grant(OFFICERS_B)),
    "imports:import_detail": Expect(grant(WRITERS_A), grant(WRITERS_B)),
    "imports:import_errors": Expect(grant(WRITERS_A), grant(WRITERS_B)),
    # Committed by the importer of the job's unit only (the Sở's administrator imports into
    # the Sở: he reads a school's job but does not commit it).
    "imports:import_commit": Expect(
        grant({"principal_a"}, ok=302), grant({"principal_b"}, ok=302), method="post"
    ),
    "imports:import_cancel": Expect(
        grant(WRITERS_A, ok=302), grant(WRITERS_B, ok=302), method="post"
    ),
    # A list's file asked for without a format (?export=): 400 with the reason.
    "exports:list_file": Expect(grant(EVERYONE, ok=400)),
    # API tokens: the Department's administrators issue and revoke them.
    "api:token_list": Expect(grant({"department_admin"})),
    "api:token_revoke": Expect(
        grant({"department_admin"}, ok=302), grant({"department_admin"}, ok=302), method="post"
    ),
    # The REST API's schema and documentation are public; an unknown API address is a 404.
    "api:schema": Expect(grant(EVERYONE, anonymous=200)),
    "api:documentation": Expect(grant(EVERYONE, anonymous=200)),
    "api:not_found": Expect(grant(set(), anonymous=404)),
    # The REST API (401 without credentials): lists hold the rows of the caller's scope, a
    # record outside it is 404, as on the pages.
    "api:orgunit-list": Expect(api(EVERYONE)),
    "api:school-list": Expect(api(EVERYONE)),
    "api:site-list": Expect(api(EVERYONE)),
    "api:class-list": Expect(api(EVERYONE)),
    "api:student-list": Expect(api(EVERYONE)),
    "api:staff-list": Expect(api(EVERYONE)),
    "api:enrollment-list": Expect(api(EVERYONE)),
    "api:elementvalue-list": Expect(api(EVERYONE)),
    "api:digitalprofile-list": Expect(api(EVERYONE)),
    "api:plantask-list": Expect(api(EVERYONE)),
    "api:importjob-list": Expect(api(EVERYONE)),
    "api:orgunit-detail": Expect(api(OFFICERS_A | TEACHERS_A), api(OFFICERS_B)),
    "api:school-detail": Expect(api(OFFICERS_A | TEACHERS_A), api(OFFICERS_B)),
    "api:site-detail": Expect(api(OFFICERS_A | TEACHERS_A), api(OFFICERS_B)),
    "api:class-detail": Expect(api(OFFICERS_A | {"teacher_a"}), api(OFFICERS_B)),
    "api:student-detail": Expect(api(OFFICERS_A | FAMILY_A1), api(OFFICERS_B)),
    "api:staff-detail": Expect(api(OFFICERS_A | {"teacher_a"}), api(OFFICERS_B)),
    "api:enrollment-detail": Expect(api(OFFICERS_A | FAMILY_A1), api(OFFICERS_B)),
    "api:elementvalue-detail": Expect(api(OFFICERS_A), api(OFFICERS_B)),
    "api:digitalprofile-detail": Expect(api(OFFICERS_A), api(OFFICERS_B)),
    "api:plantask-detail": Expect(api(OFFICERS_A), api(OFFICERS_B)),
    "api:importjob-detail": Expect(api(WRITERS_A), api(WRITERS_B)),
    "api:indicator_values": Expect(api(OFFICERS_A), api(OFFICERS_B)),
    "api:dhis2_data_value_sets": Expect(api(OFFICERS_A), api(OFFICERS_B)),
    "api:dhis2_adx": Expect(api(OFFICERS_A), api(OFFICERS_B)),
    # Only POST: a GET is 405 once signed in.
    "api:reported_values": Expect(api(EVERYONE, ok=405)),
    # Learning results. Staff start at their classes; families go on to their children.
    "learning:home": Expect({**grant(OFFICERS | TEACHERS_A), "parent_a": 302, "student_a": 302}),
    "learning:family": Expect(grant({"parent_a", "student_a"})),
    "learning:corrections": Expect(grant(OFFICERS | TEACHERS_A)),
    # A class's pages: officers above it and its homeroom teacher (teacher_a, 3A).
    "learning:class_detail": Expect(grant(OFFICERS_A | {"teacher_a"}), grant(OFFICERS_B)),
    "learning:gradebook": Expect(grant(OFFICERS_A | {"teacher_a"}), grant(OFFICERS_B)),
    "learning:term_reports": Expect(grant(OFFICERS_A | {"teacher_a"}), grant(OFFICERS_B)),
    # Entry endpoints: the teacher who enters (teacher_a teaches Toán to 3A and is its
    # homeroom teacher); the probe's form body is not the JSON they take: 400. School B's
    # Toán teacher has no account: nobody enters there.
    "learning:gradebook_cells": Expect(grant({"teacher_a"}, ok=400), grant(set()), method="post"),
    "learning:correction_request": Expect(
        grant({"teacher_a"}, ok=400), grant(set()), method="post"
    ),
    "learning:term_reports_rows": Expect(grant({"teacher_a"}, ok=400), grant(set()), method="post"),
    # Locks and corrections: the principal (and the Sở's administrator above him).
    "learning:term_lock": Expect(grant(WRITERS_A, ok=302), grant(WRITERS_B, ok=302), method="post"),
    "learning:term_unlock": Expect(
        grant(WRITERS_A, ok=302), grant(WRITERS_B, ok=302), method="post"
    ),
    "learning:correction_decide": Expect(
        grant(WRITERS_A, ok=302), grant(WRITERS_B, ok=302), method="post"
    ),
    # Publication: the principal, or the homeroom teacher for the class summary.
    "learning:release_set": Expect(
        grant(WRITERS_A | {"teacher_a"}, ok=302), grant(WRITERS_B, ok=302), method="post"
    ),
    # The teacher who enters (teacher_a, Toán 3A) uploads her sheet: the probe sends no file,
    # so 302 back to the gradebook with the form's message.
    "imports:gradebook_import": Expect(grant({"teacher_a"}, ok=302), grant(set()), method="post"),
    "learning:gradebook_sheet": Expect(grant(OFFICERS_A | {"teacher_a"}), grant(OFFICERS_B)),
    # Học bạ số. A class's transcripts: as its other pages; its batch: the homeroom teacher
    # and the principal (and the Sở's administrator above him).
    "learning:transcripts_class": Expect(grant(OFFICERS_A | {"teacher_a"}), grant(OFFICERS_B)),
    "learning:transcripts_class_batch": Expect(
        grant(WRITERS_A | {"teacher_a"}, ok=302), grant(WRITERS_B, ok=302), method="post"
    ),
    # An issued transcript: whoever sees the pupil's results, his family included.
    "learning:transcript_detail": Expect(
        grant(OFFICERS_A | {"teacher_a", "parent_a", "student_a"}), grant(OFFICERS_B)
    ),
    "learning:transcript_download": Expect(
        grant(OFFICERS_A | {"teacher_a", "parent_a", "student_a"}), grant(OFFICERS_B)
    ),
    # Workflow steps: the school's staff who see it (an issued transcript refuses the step
    # with a message: 302); never the family.
    "learning:transcript_advance": Expect(
        grant(OFFICERS_A | {"teacher_a"}, ok=302), grant(OFFICERS_B, ok=302), method="post"
    ),
    # Revoking and giving out copies: the principal (and the administrator above him). The
    # probe sends no reason (refused: 302, nothing revoked) and no kind of copy (400).
    "learning:transcript_revoke": Expect(
        grant(WRITERS_A, ok=302), grant(WRITERS_B, ok=302), method="post"
    ),
    "learning:transcript_copy": Expect(
        grant(WRITERS_A, ok=400), grant(WRITERS_B, ok=400), method="post"
    ),
    "learning:transcripts_school_batch": Expect(
        grant(WRITERS_A, ok=302), grant(WRITERS_B, ok=302), method="post"
    ),
    "learning:transcripts_school_export": Expect(grant(WRITERS_A), grant(WRITERS_B), method="post"),
    # The public verification page, by code (QR) too: everyone, signed in or not.
    "learning:transcript_verify": Expect(grant(EVERYONE, anonymous=200)),
    "learning:transcript_verify_code": Expect(
        grant(EVERYONE, anonymous=200), grant(EVERYONE, anonymous=200)
    ),
    # Learning through the API: a student's results and transcript as on their pages; lists
    # answer every signed-in user with the rows of his reach.
    "api:student_results": Expect(api(OFFICERS_A | FAMILY_A1), api(OFFICERS_B)),
    "api:yearresult-list": Expect(api(EVERYONE)),
    "api:transcript-list": Expect(api(EVERYONE)),
    "api:transcript-detail": Expect(api(OFFICERS_A | FAMILY_A1), api(OFFICERS_B)),
    "learning:student_results": Expect(
        grant(OFFICERS_A | {"teacher_a", "parent_a", "student_a"}), grant(OFFICERS_B)
    ),
}

# Who must not find the names or personal ID numbers of these people on any page: everyone
# of school A, of school B, and each pupil of school A (urlmatrix.personal_data).
HIDDEN_FROM: dict[str, set[str | None]] = {
    "a": {None, "nobody", "baothang_officer", "principal_b"},
    "b": {None, "nobody", *(EVERYONE - OFFICERS_B)},
    "student_a1": {"teacher_a2"},  # another class
    "student_a2": {"teacher_a", "parent_a", "student_a"},
}


def expected_for(key: str, namespace: str) -> Expect | None:
    return EXPECTED.get(key) or (EXPECTED.get(namespace + ":") if namespace else None)


# The fast hasher only shortens building the world's accounts; no persona logs in by password.
@override_settings(
    MEDIA_ROOT=tempfile.mkdtemp(prefix="vnemis-matrix-"),
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    TRANSCRIPT_CA_DIR=tempfile.mkdtemp(prefix="vnemis-matrix-ca-"),
    # The probes ask the public verification page ~30 times from one address.
    VNEMIS_TRANSCRIPT_VERIFY_RATE_PER_HOUR=100_000,
)
class UrlMatrixTests(PersonaTestCase):
    values: ClassVar[dict[str, dict[str, str]]]
    secrets: ClassVar[dict[str, tuple[str, ...]]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.values = urlmatrix.build_matrix_world(cls.world)
        cls.secrets = urlmatrix.personal_data(cls.world)

    def setUp(self) -> None:
        self.clients: dict[str | None, Client] = {}
        for persona in urlmatrix.PERSONAS:
            client = Client()
            if persona is not None:
                client.force_login(self.world.users[persona])
            self.clients[persona] = client
        self.shown: set[str] = set()  # personal data seen by those who may see it
        self.login_url = reverse("accounts:login")
        self.admin_login_url = reverse("admin:login")

    def outcome(self, response: Any) -> Outcome:
        if response.status_code == 302:
            location = response["Location"]
            if location.startswith(self.login_url):
                return LOGIN
            if location.startswith(self.admin_login_url):
                return ADMIN_LOGIN
        return int(response.status_code)

    def leaks(self, persona: str | None, body: bytes) -> list[str]:
        """Personal data in ``body`` that ``persona`` may not see."""
        found = []
        for whose, strings in self.secrets.items():
            if persona in HIDDEN_FROM[whose]:
                found += [s for s in strings if s.encode() in body]
            else:
                self.shown.update(s for s in strings if s.encode() in body)
        return found

    def test_every_url_has_declared_statuses_for_every_persona(self) -> None:
        """Each persona gets the declared status on every URL, with school A's object and
        with school B's; anonymous visitors are sent to the login page."""
        undeclared: list[str] = []
        mismatches: list[str] = []
        leaks: list[str] = []
        for route in urlmatrix.project_routes():
            expect = expected_for(route.key, route.namespace)
            if expect is None:
                undeclared.append(route.key)
                continue
            for side in urlmatrix.SIDES:
                probe = urlmatrix.probe_for(route, self.values[side])
                wanted = expect.a if side == "a" else expect.b
                if wanted is None:
                    if probe.per_side and not expect.any_object:
                        undeclared.append(f"{route.key} (statuses with school B's object: b=)")
                    break
                seen: dict[str | None, Outcome] = {}
                for persona, client in self.clients.items():
                    if expect.method == "post":
                        response = client.post(probe.url, probe.data)
                    else:
                        response = client.get(probe.url)
                    seen[persona] = self.outcome(response)
                    body = b"" if response.streaming else response.content
                    leaks += [f"{persona} {probe.url}: {s}" for s in self.leaks(persona, body)]
                if seen != dict(wanted):
                    diff = {p: (wanted.get(p), seen[p]) for p in seen if wanted.get(p) != seen[p]}
                    mismatches.append(f"{route.key} {probe.url} (expected, got): {diff}")
                if not probe.per_side:
                    break
        self.assertEqual(
            undeclared,
            [],
            "Declare the expected statuses of these URLs in EXPECTED "
            "(vnemis/testing/tests/test_url_matrix.py), e.g. "
            '"app:name": Expect(grant(OFFICERS_A), grant(OFFICERS_B))',
        )
        self.assertEqual(leaks, [], "personal data the persona may not see")
        self.assertEqual(mismatches, [])
        # The check could fail: each group's data is on some page of those who may see it.
        unseen = [whose for whose, strings in self.secrets.items() if not self.shown & {*strings}]
        self.assertEqual(unseen, [])

    def test_an_undeclared_url_is_reported(self) -> None:
        """A URL name missing from the table is found, not silently skipped."""
        keys = [r.key for r in urlmatrix.project_routes()]
        self.assertIn("people:student_detail", keys)
        self.assertIn("admin:people_person_change", keys)
        self.assertIsNone(expected_for("people:a_page_added_tomorrow", "people"))
        self.assertIsNotNone(expected_for("admin:a_model_added_tomorrow", "admin"))

    def test_out_of_scope_objects_answer_404_without_their_data(self) -> None:
        """principal_a asking for school B's student, staff and school gets 404 pages that do
        not hold the student's name or personal ID number."""
        b = self.values["b"]
        student_b = self.world.student_b.person
        for url in (
            reverse("people:student_detail", args=[b["student"]]),
            reverse("people:staff_detail", args=[b["staff"]]),
            reverse("people:school_detail", args=[b["school"]]),
            reverse("reports:report_edit", args=[b["report"]]),
        ):
            response = self.clients["principal_a"].get(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotContains(response, student_b.full_name, status_code=404)
            self.assertNotContains(response, str(student_b.national_id), status_code=404)
