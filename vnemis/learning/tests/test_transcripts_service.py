"""Học bạ số services: the frozen content of each regime, the publication rule, the Ministry's
workflow order and who takes each step, the signed PDF against the issuance log, new versions
after a change, lazy signing, copies and the national-store package."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.utils import timezone

from vnemis.accounts.models import User
from vnemis.core.models import AuditEntry
from vnemis.learning.choices import CopyKind, ReleaseColumn, TranscriptStatus
from vnemis.learning.models import (
    Mark,
    Release,
    SigningCredential,
    Transcript,
    TranscriptCopy,
    YearResult,
)
from vnemis.learning.services import credentials
from vnemis.learning.services import transcripts as ts
from vnemis.learning.services.catalogue import class_subjects
from vnemis.learning.services.marks import CellInput, marks_save
from vnemis.learning.services.releases import release_set
from vnemis.learning.services.reports import ReportInput, term_reports_save
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.organisations.models import OrgUnit
from vnemis.people.models import Person, SchoolClass, Student
from vnemis.testing.world import World, build_world

S = TranscriptStatus
# One folder for the test CA and one for the stored PDFs, shared by every class of the
# transcript tests of this process (a CA is made once per class in setUpTestData).
CA_DIR = tempfile.mkdtemp(prefix="vnemis-test-ca-")
MEDIA_DIR = tempfile.mkdtemp(prefix="vnemis-test-transcripts-")
TRANSCRIPT_SETTINGS = {
    "TRANSCRIPT_CA_DIR": Path(CA_DIR),
    "TRANSCRIPT_KEY_PASSPHRASE": "test-passphrase",
    "TRANSCRIPT_PUBLIC_URL": "https://vnemis.example.vn",
    "MEDIA_ROOT": MEDIA_DIR,
}


def cells(student_id: int, **values: str) -> list[CellInput]:
    return [CellInput(student_id, column, value) for column, value in values.items()]


def fill_year(school_class: SchoolClass, student_id: int, score: str = "8") -> None:
    """Every subject of a secondary class, both terms, the same score; every comment
    subject Đạt; conduct Tốt both terms (as test_gradebook_services.fill_year)."""
    for subject in class_subjects(school_class):
        for term in (1, 2):
            if subject.mode == "score":
                periods = subject.periods_per_year or 0
                count = 4 if periods > 70 else (3 if periods > 35 else 2)
                values = {f"r{i}": score for i in range(1, count + 1)}
                values |= {"midterm": score, "final": score}
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
            rows=[ReportInput(student_id=student_id, conduct="T", remark="Chăm ngoan, tiến bộ.")],
            by=None,
        )


def release_all(school_class: SchoolClass) -> None:
    """Release to families everything a transcript of the class prints."""
    for subject in class_subjects(school_class):
        for term in (1, 2):
            for column in (ReleaseColumn.AVERAGE, ReleaseColumn.FINAL):
                release_set(
                    school_class=school_class,
                    subject=subject,
                    term=term,
                    column=column,
                    by=None,
                    now=True,
                )
    release_set(
        school_class=school_class,
        subject=None,
        term=2,
        column=ReleaseColumn.SUMMARY,
        by=None,
        now=True,
    )


def issue(transcript: Transcript, lw: Learning) -> Transcript:
    """Take every step with the right person: teacher_c (homeroom of 6A), principal_c."""
    teacher, principal = lw.users["teacher_c"], lw.users["principal_c"]
    for step, by in (
        (S.COMPLETED, teacher),
        (S.VERIFIED, principal),
        (S.CONFIRMED, principal),
        (S.TEACHER_SIGNED, teacher),
        (S.ISSUED, principal),
    ):
        transcript = ts.transcript_advance(transcript=transcript, to=step, by=by)
    return transcript


def flip_byte(pdf: bytes) -> bytes:
    """The file with one byte of the page content changed (inside both signed ranges)."""
    at = pdf.index(b"stream") + 40
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


class TranscriptCase(TestCase):
    """A world with the lower-secondary school of the learning fixtures, a test CA and the
    year of s6a (6A, TT22) filled and released."""

    world: ClassVar[World]
    lw: ClassVar[Learning]
    settings_override: ClassVar[Any]

    @classmethod
    def setUpClass(cls) -> None:
        cls.settings_override = override_settings(**TRANSCRIPT_SETTINGS)
        cls.settings_override.enable()
        shutil.rmtree(CA_DIR, ignore_errors=True)
        credentials.demo_ca_ensure()  # the test CA, made once per class
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        cls.settings_override.disable()

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)
        fill_year(cls.lw.class_6a, cls.lw.s6a.pk)
        release_all(cls.lw.class_6a)

    def user(self, name: str) -> User:
        return self.lw.users[name]

    def prepare(self, student: Student | None = None, by: str | None = "teacher_c") -> Transcript:
        return ts.transcript_prepare(
            student=student or self.lw.s6a,
            school_year=self.world.year,
            by=self.user(by) if by else None,
        )


class PrepareTests(TranscriptCase):
    def test_no_year_result_is_refused_with_what_to_do(self) -> None:
        """s6b has no marks: no year result, so no transcript, and the message says so."""
        with self.assertRaises(ValidationError) as caught:
            self.prepare(self.lw.s6b)
        self.assertIn("has no year result for 2021–2022", caught.exception.messages[0])
        self.assertFalse(Transcript.objects.filter(student=self.lw.s6b).exists())

    def test_unreleased_results_are_refused(self) -> None:
        """A transcript is a release to the family: with the class summary of term II not
        released, preparing is refused and names what is missing."""
        Release.objects.filter(school_class=self.lw.class_6a, subject__isnull=True).delete()
        with self.assertRaises(ValidationError) as caught:
            self.prepare()
        message = caught.exception.messages[0]
        self.assertIn("Not released yet: Conduct and overall results, Term II.", message)
        self.assertFalse(Transcript.objects.exists())

    def test_one_unreleased_subject_column_is_refused(self) -> None:
        """Toán's term I result not released: refused, naming it."""
        Release.objects.filter(
            school_class=self.lw.class_6a, subject=self.lw.toan_6, term=1, column="average"
        ).delete()
        with self.assertRaises(ValidationError) as caught:
            self.prepare()
        self.assertIn("Toán: Term result of the subject, Term I", caught.exception.messages[0])

    def test_tt22_content_is_frozen_with_decimal_commas_and_comment_letters(self) -> None:
        """The TT22 page: HK I / HK II / Cả năm with decimal commas, Đ for comment subjects,
        Tốt / Tốt / Giỏi / promoted, keyed by the personal ID; a 12-character code; DRAFT
        with one step by the homeroom teacher; the fingerprint is the content's."""
        transcript = self.prepare()
        content = transcript.content
        self.assertEqual(transcript.status, S.DRAFT)
        self.assertEqual(transcript.national_id, "010310000021")
        self.assertEqual((transcript.regime, transcript.grade, transcript.version), ("tt22", 6, 1))
        self.assertEqual(len(transcript.code), 12)
        self.assertEqual(content["columns"], ["Học kì I", "Học kì II", "Cả năm"])
        rows = {row["name"]: row["values"] for row in content["subjects"]}
        self.assertEqual(rows["Toán"], ["8,0", "8,0", "8,0"])
        self.assertEqual(rows[self.lw.gdtc_6.name], ["Đ", "Đ", "Đ"])
        self.assertEqual(len(rows), 13)
        summary = content["summary"]
        self.assertEqual(
            (summary["learning_result"], summary["conduct"], summary["award"]),
            ("Tốt", "Tốt", "Học sinh Giỏi"),
        )
        self.assertEqual(summary["promotion"], "Được lên lớp")
        self.assertEqual(summary["homeroom_remarks"], "Chăm ngoan, tiến bộ.")
        self.assertEqual(content["student"]["personal_id"], "010310000021")
        self.assertEqual(content["student"]["full_name"], "Sùng Thị Mỷ")
        self.assertEqual(content["homeroom_teacher"], "Vàng Thị Chi")
        self.assertEqual(content["school"]["parent_unit"], "PHÒNG GD&ĐT BÁT XÁT")
        self.assertEqual(content["school"]["province"], "Lào Cai")
        self.assertEqual(transcript.content_sha256, ts.content_sha256(content))
        self.assertEqual(
            [(s.status, s.by) for s in transcript.steps.all()],
            [(S.DRAFT, self.user("teacher_c"))],
        )

    def test_tt58_and_primary_pages_use_their_regime_columns_and_words(self) -> None:
        """TT58 (7A): Học lực / Hạnh kiểm labels and the year's overall average; TT30 (3A):
        levels as T/H/C and test scores per term, the year's result in words, qualities and
        competencies counted by level. Built from rows as the regimes store them."""
        s7 = self.lw.s7
        year = self.world.year
        Mark.objects.create(
            student=s7, school_year=year, subject=self.lw.toan_7, term=1, average=Decimal("6.4")
        )
        Mark.objects.create(
            student=s7, school_year=year, subject=self.lw.toan_7, term=2, average=Decimal("7.0")
        )
        result = YearResult.objects.create(
            student=s7,
            school_year=year,
            school=self.lw.school_c,
            school_class=self.lw.class_7a,
            grade=7,
            regime="tt58",
            learning="kha",
            conduct="tot",
            award="tien_tien",
            promotion="len_lop",
            outcome={
                "subjects": {"toan": {"terms": [6.4, 7.0], "year": 6.8}},
                "averages": {"terms": [6.5, 7.1], "year": 6.9},
            },
            recorded_on=dt.date(2022, 5, 25),
        )
        content = ts.transcript_content(
            student=s7, school_year=year, school_class=self.lw.class_7a, year_result=result
        )
        rows = {row["name"]: row["values"] for row in content["subjects"]}
        self.assertEqual(rows["Toán"], ["6,4", "7,0", "6,8"])
        self.assertEqual(
            (content["summary"]["learning_label"], content["summary"]["conduct_label"]),
            ("Học lực", "Hạnh kiểm"),
        )
        self.assertEqual(
            (content["summary"]["learning_result"], content["summary"]["award"]),
            ("Khá", "Học sinh Tiên tiến"),
        )
        self.assertEqual(content["extra"], [["Điểm trung bình các môn cả năm", "6,9"]])
        self.assertEqual(content["regime"]["code"], "TT58/2011 (sửa đổi bởi TT26/2020)")

        pupil, klass = self.world.student_a1, self.world.class_a1
        toan_3 = next(s for s in class_subjects(klass) if s.code == "toan")
        Mark.objects.create(
            student=pupil, school_year=year, subject=toan_3, term=1, result="htt", final=9
        )
        Mark.objects.create(
            student=pupil, school_year=year, subject=toan_3, term=2, result="ht", final=7
        )
        primary = YearResult.objects.create(
            student=pupil,
            school_year=year,
            school=self.world.school_a,
            school_class=klass,
            grade=3,
            regime="tt30",
            learning="ht",
            promotion="len_lop",
            outcome={
                "conduct": {
                    "qualities": {"cham_hoc": {"year": "tot"}, "tu_tin": {"year": "dat"}},
                    "competencies": {"tu_phuc_vu": {"year": "tot"}},
                }
            },
            recorded_on=dt.date(2022, 5, 25),
        )
        content = ts.transcript_content(
            student=pupil, school_year=year, school_class=klass, year_result=primary
        )
        rows = {row["name"]: row["values"] for row in content["subjects"]}
        self.assertEqual(rows["Toán"], ["T", "9", "H", "7"])
        self.assertEqual(len(content["columns"]), 4)
        self.assertEqual(content["summary"]["learning_result"], "Hoàn thành")
        self.assertEqual(
            (content["summary"]["conduct_label"], content["summary"]["conduct"]),
            ("Phẩm chất", "1 Tốt, 1 Đạt"),
        )
        self.assertEqual(content["extra"], [["Năng lực", "1 Tốt"]])
        self.assertEqual(content["summary"]["learning_label"], "Đánh giá kết quả giáo dục")

    def test_the_principals_name_comes_from_the_school_or_its_principal(self) -> None:
        """Without a name in the school's record, the person holding the principal's role
        there signs; with one, the record's name."""
        self.assertEqual(self.prepare().content["principal"], "")
        # principal_c's account given a person (teacher_c's, for want of another).
        Person.objects.filter(national_id="010188000011").update(user=self.user("principal_c"))
        self.assertEqual(ts._principal_name(self.lw.school_c), "Vàng Thị Chi")
        OrgUnit.objects.filter(pk=self.lw.school_c.pk).update(principal_name="Lý Văn Hùng")
        self.lw.school_c.refresh_from_db()
        self.assertEqual(ts._principal_name(self.lw.school_c), "Lý Văn Hùng")

    def test_preparing_again_unchanged_keeps_the_draft(self) -> None:
        first = self.prepare()
        again = self.prepare(by="principal_c")
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(Transcript.objects.count(), 1)

    def test_a_teacher_of_another_class_may_not_prepare(self) -> None:
        """teacher_d teaches Toán in 6A but is not its homeroom teacher."""
        with self.assertRaises(ValidationError):
            self.prepare(by="teacher_d")


class WorkflowTests(TranscriptCase):
    def test_steps_follow_the_ministry_order_and_each_persons_role(self) -> None:
        """A skipped step is refused; each step is taken only by its person (completion and
        the teacher's signature: the homeroom teacher; verification, confirmation and the
        school's signature: the principal); the steps are logged in order with who."""
        transcript = self.prepare()
        teacher, principal = self.user("teacher_c"), self.user("principal_c")
        with self.assertRaisesMessage(ValidationError, "the next step is “Completed”"):
            ts.transcript_advance(transcript=transcript, to=S.VERIFIED, by=principal)
        with self.assertRaisesMessage(ValidationError, "taken by the homeroom teacher"):
            ts.transcript_advance(transcript=transcript, to=S.COMPLETED, by=principal)
        transcript = ts.transcript_advance(transcript=transcript, to=S.COMPLETED, by=teacher)
        with self.assertRaisesMessage(ValidationError, "taken by the principal of the school"):
            ts.transcript_advance(transcript=transcript, to=S.VERIFIED, by=teacher)
        transcript = ts.transcript_advance(transcript=transcript, to=S.VERIFIED, by=principal)
        with self.assertRaisesMessage(ValidationError, "the next step is “Confirmed”"):
            ts.transcript_advance(transcript=transcript, to=S.TEACHER_SIGNED, by=teacher)
        transcript = ts.transcript_advance(transcript=transcript, to=S.CONFIRMED, by=principal)
        with self.assertRaisesMessage(ValidationError, "taken by the homeroom teacher"):
            ts.transcript_advance(transcript=transcript, to=S.TEACHER_SIGNED, by=principal)
        transcript = ts.transcript_advance(transcript=transcript, to=S.TEACHER_SIGNED, by=teacher)
        self.assertTrue(str(transcript.pdf.name).endswith("-gvcn.pdf"))
        with self.assertRaisesMessage(ValidationError, "taken by the principal of the school"):
            ts.transcript_advance(transcript=transcript, to=S.ISSUED, by=teacher)
        transcript = ts.transcript_advance(transcript=transcript, to=S.ISSUED, by=principal)
        self.assertEqual(transcript.status, S.ISSUED)
        self.assertEqual(transcript.issued_on, timezone.localdate())
        with self.assertRaisesMessage(ValidationError, "already issued"):
            ts.transcript_advance(transcript=transcript, to=S.ISSUED, by=principal)
        self.assertEqual(
            [(s.status, s.by) for s in transcript.steps.all()],
            [
                (S.DRAFT, teacher),
                (S.COMPLETED, teacher),
                (S.VERIFIED, principal),
                (S.CONFIRMED, principal),
                (S.TEACHER_SIGNED, teacher),
                (S.ISSUED, principal),
            ],
        )

    def test_an_administrator_above_may_verify_but_not_sign_for_the_school(self) -> None:
        """The Sở's administrator manages the school (verifies, confirms), but the school's
        signature is its principal's."""
        admin = self.world.users["department_admin"]
        transcript = self.prepare()
        transcript = ts.transcript_advance(
            transcript=transcript, to=S.COMPLETED, by=self.user("teacher_c")
        )
        transcript = ts.transcript_advance(transcript=transcript, to=S.VERIFIED, by=admin)
        transcript = ts.transcript_advance(transcript=transcript, to=S.CONFIRMED, by=admin)
        transcript = ts.transcript_advance(
            transcript=transcript, to=S.TEACHER_SIGNED, by=self.user("teacher_c")
        )
        with self.assertRaisesMessage(ValidationError, "taken by the principal of the school"):
            ts.transcript_advance(transcript=transcript, to=S.ISSUED, by=admin)

    def test_the_issued_file_verifies_and_names_both_signers(self) -> None:
        """Signed by the homeroom teacher, then the school: authentic, the file's fingerprint
        is the stored one, the code read from the PDF names this transcript."""
        transcript = issue(self.prepare(), self.lw)
        pdf = ts.transcript_pdf_bytes(transcript=transcript)
        self.assertEqual(hashlib.sha256(pdf).hexdigest(), transcript.pdf_sha256)
        check = ts.transcript_verify_file(pdf)
        self.assertEqual((check.ok, check.codes), (True, ()))
        self.assertEqual(check.transcript, transcript)
        self.assertEqual(
            [(s.name, s.organisation) for s in check.verdict.signers],
            [
                ("Vàng Thị Chi", "Trường THCS Bát Xát"),
                ("Trường THCS Bát Xát", "Trường THCS Bát Xát"),
            ],
        )

    def test_a_byte_modified_copy_fails(self) -> None:
        transcript = issue(self.prepare(), self.lw)
        check = ts.transcript_verify_file(flip_byte(ts.transcript_pdf_bytes(transcript=transcript)))
        self.assertFalse(check.ok)
        self.assertIn("broken", check.codes)
        self.assertIn("not_the_issued_file", check.codes)

    def test_a_revoked_transcript_fails_with_the_reason(self) -> None:
        """The signatures are intact, but the school revoked it: the check fails saying so."""
        transcript = issue(self.prepare(), self.lw)
        pdf = ts.transcript_pdf_bytes(transcript=transcript)
        with self.assertRaises(ValidationError):
            ts.transcript_revoke(transcript=transcript, reason="Nhầm", by=self.user("teacher_c"))
        ts.transcript_revoke(
            transcript=transcript, reason="Cấp nhầm học sinh", by=self.user("principal_c")
        )
        check = ts.transcript_verify_file(pdf)
        self.assertEqual((check.ok, check.codes), (False, ("revoked",)))
        self.assertEqual(check.reasons, ("The school revoked this transcript: Cấp nhầm học sinh",))

    def test_a_signed_file_whose_code_is_unknown_fails(self) -> None:
        transcript = issue(self.prepare(), self.lw)
        pdf = ts.transcript_pdf_bytes(transcript=transcript)
        Transcript.objects.filter(pk=transcript.pk).update(code="0000000000AA")
        check = ts.transcript_verify_file(pdf)
        self.assertEqual(check.codes, ("unknown_code",))

    def test_results_changed_after_issue_make_a_new_version(self) -> None:
        """Unchanged: refused. After Toán's term II end-of-term score goes from 8 to 10
        ((4·8 + 2·8 + 3·10) / 9 = 8,67 → 8,7; year (8,0 + 2·8,7) / 3 = 8,47 → 8,5): version 2
        with a new code, the issued version revoked with the reason, and the old file then
        fails verification."""
        first = issue(self.prepare(), self.lw)
        old_pdf = ts.transcript_pdf_bytes(transcript=first)
        with self.assertRaisesMessage(ValidationError, "already issued and the results"):
            self.prepare()
        marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=2,
            cells=cells(self.lw.s6a.pk, final="10"),
            by=None,
        )
        second = self.prepare()
        first.refresh_from_db()
        self.assertEqual((second.version, second.status), (2, S.DRAFT))
        self.assertNotEqual(second.code, first.code)
        self.assertEqual(first.status, S.REVOKED)
        self.assertEqual(
            first.revoked_reason, "Replaced by version 2: the results changed after issue."
        )
        rows = {row["name"]: row["values"] for row in second.content["subjects"]}
        self.assertEqual(rows["Toán"], ["8,0", "8,7", "8,5"])
        self.assertEqual(ts.transcript_verify_file(old_pdf).codes, ("revoked",))

    def test_a_change_during_the_workflow_restarts_it(self) -> None:
        transcript = self.prepare()
        transcript = ts.transcript_advance(
            transcript=transcript, to=S.COMPLETED, by=self.user("teacher_c")
        )
        marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=2,
            cells=cells(self.lw.s6a.pk, final="10"),
            by=None,
        )
        again = self.prepare()
        self.assertEqual((again.pk, again.status, again.version), (transcript.pk, S.DRAFT, 1))
        self.assertEqual([s.status for s in again.steps.all()], [S.DRAFT, S.COMPLETED, S.DRAFT])

    def test_keys_are_issued_once_and_never_logged(self) -> None:
        """One credential for the teacher, one for the school, reused by a second transcript;
        the audit entry of a credential has no key."""
        issue(self.prepare(), self.lw)
        fill_year(self.lw.class_6a, self.lw.s6b.pk)
        issue(self.prepare(self.lw.s6b), self.lw)
        self.assertEqual(SigningCredential.objects.count(), 2)
        entries = AuditEntry.objects.filter(target_type="learning.SigningCredential")
        self.assertEqual(entries.count(), 2)
        for entry in entries:
            self.assertEqual(set(entry.after or {}), {"staff", "school", "not_after"})


class IssuedTests(TranscriptCase):
    def test_every_copy_is_logged_with_the_files_fingerprint(self) -> None:
        transcript = issue(self.prepare(), self.lw)
        copy = ts.transcript_copy_issue(
            transcript=transcript,
            kind=CopyKind.COPY,
            issued_to="Trường THPT Bát Xát",
            purpose="Hồ sơ tuyển sinh",
            by=self.user("principal_c"),
        )
        self.assertEqual(copy.sha256, transcript.pdf_sha256)
        self.assertEqual(
            list(TranscriptCopy.objects.values_list("kind", "issued_to")),
            [("copy", "Trường THPT Bát Xát")],
        )

    def test_no_copy_of_a_transcript_not_issued(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Only an issued transcript"):
            ts.transcript_copy_issue(
                transcript=self.prepare(), kind=CopyKind.COPY, issued_to="x", purpose="", by=None
            )
        self.assertFalse(TranscriptCopy.objects.exists())

    def test_recorded_as_issued_is_signed_on_first_use(self) -> None:
        """A demo transcript recorded as issued without content or PDF: the pending signer
        builds its content from the records, signs it (teacher, then school) and it verifies;
        the printed date is the recorded issue date."""
        transcript = ts.transcript_record_issued(
            student=self.lw.s6a,
            school_year=self.world.year,
            issued_on=dt.date(2022, 5, 25),
            by=None,
        )
        self.assertEqual((transcript.content, transcript.pdf.name), ({}, ""))
        signed, problems = ts.transcripts_sign_pending()
        self.assertEqual((signed, problems), (1, []))
        transcript.refresh_from_db()
        self.assertEqual(transcript.issued_on, dt.date(2022, 5, 25))
        self.assertEqual(transcript.content["student"]["personal_id"], "010310000021")
        check = ts.transcript_verify_file(ts.transcript_pdf_bytes(transcript=transcript))
        self.assertTrue(check.ok, check.reasons)
        self.assertEqual(ts.transcripts_sign_pending(), (0, []))

    def test_recorded_without_a_year_result_cannot_be_signed(self) -> None:
        ts.transcript_record_issued(
            student=self.lw.s6b,
            school_year=self.world.year,
            issued_on=dt.date(2022, 5, 25),
            by=None,
        )
        signed, problems = ts.transcripts_sign_pending()
        self.assertEqual(signed, 0)
        self.assertEqual(len(problems), 1)
        self.assertIn("has no year result to print", problems[0])

    def test_national_store_package_has_the_files_and_logs_each(self) -> None:
        """The ZIP holds manifest.json (format, one entry per issued transcript with its
        personal ID and fingerprint) and the signed PDF; a NATIONAL_STORE copy is logged; a
        draft is left out."""
        transcript = issue(self.prepare(), self.lw)
        fill_year(self.lw.class_6a, self.lw.s6b.pk)
        draft = self.prepare(self.lw.s6b)
        package = ts.national_store_export(transcripts=[transcript, draft], by=None)
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            name = f"2021-2022/10082101/{transcript.code}.pdf"
            self.assertEqual(sorted(archive.namelist()), sorted(["manifest.json", name]))
            pdf = archive.read(name)
        self.assertEqual(manifest["format"], "vnemis-hocbaso-export/1")
        self.assertEqual(manifest["count"], 1)
        entry = manifest["transcripts"][0]
        self.assertEqual(
            (entry["personal_id"], entry["sha256"], entry["regime"], entry["file"]),
            ("010310000021", hashlib.sha256(pdf).hexdigest(), "tt22", name),
        )
        self.assertEqual(
            list(TranscriptCopy.objects.values_list("transcript_id", "kind")),
            [(transcript.pk, CopyKind.NATIONAL_STORE.value)],
        )


class BatchTests(TranscriptCase):
    def test_the_system_issues_every_student_with_a_year_result(self) -> None:
        counts = ts.transcripts_batch_run(
            school_year=self.world.year, school_class=self.lw.class_6a, by=None
        )
        self.assertEqual((counts.students, counts.issued, counts.refused), (1, 1, []))
        transcript = Transcript.objects.get(student=self.lw.s6a)
        self.assertEqual(transcript.status, S.ISSUED)
        self.assertTrue(
            ts.transcript_verify_file(ts.transcript_pdf_bytes(transcript=transcript)).ok
        )
        again = ts.transcripts_batch_run(
            school_year=self.world.year, school_class=self.lw.class_6a, by=None
        )
        self.assertEqual((again.issued, again.already), (0, 1))

    def test_a_persons_batch_takes_only_that_persons_steps(self) -> None:
        """The homeroom teacher's batch prepares and completes, then stops at verification;
        the principal's verifies and confirms, then stops at the teacher's signature."""
        ts.transcripts_batch_run(
            school_year=self.world.year, school_class=self.lw.class_6a, by=self.user("teacher_c")
        )
        self.assertEqual(Transcript.objects.get().status, S.COMPLETED)
        ts.transcripts_batch_run(
            school_year=self.world.year, school=self.lw.school_c, by=self.user("principal_c")
        )
        self.assertEqual(Transcript.objects.get().status, S.CONFIRMED)
        ts.transcripts_batch_run(
            school_year=self.world.year, school_class=self.lw.class_6a, by=self.user("teacher_c")
        )
        self.assertEqual(Transcript.objects.get().status, S.TEACHER_SIGNED)
        ts.transcripts_batch_run(
            school_year=self.world.year, school=self.lw.school_c, by=self.user("principal_c")
        )
        self.assertEqual(Transcript.objects.get().status, S.ISSUED)
