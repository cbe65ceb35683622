"""Học bạ số pages: a class's transcripts and its batch, a transcript's workflow page, the
download (every one logged as a copy), the family's access to their child's issued transcript
only, the national-store package, and the public verification page (by code and by file,
minimal data, rate-limited)."""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseBase
from django.test import override_settings
from django.urls import reverse

from vnemis.learning.choices import TranscriptStatus
from vnemis.learning.models import Transcript, TranscriptCopy
from vnemis.learning.services import transcripts as ts
from vnemis.learning.tests.test_transcripts_service import (
    TranscriptCase,
    fill_year,
    flip_byte,
    issue,
)

S = TranscriptStatus


class PageCase(TranscriptCase):
    """The pages in English (the language switch's cookie), so the assertions read the
    msgids; the Vietnamese pages are walked in test_transcripts_browser.py."""

    def setUp(self) -> None:
        cache.clear()  # the verification page's rate limit counts in the cache
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def login(self, name: str) -> None:
        users = {**self.world.users, **self.lw.users}
        self.client.force_login(users[name])

    def issued(self) -> Transcript:
        return issue(self.prepare(), self.lw)


class ClassPageTests(PageCase):
    def test_class_page_lists_each_student_with_a_year_result_and_the_counts(self) -> None:
        transcript = self.prepare()
        self.login("teacher_c")
        response = self.client.get(
            reverse("learning:transcripts_class", args=[self.lw.class_6a.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Sùng Thị Mỷ")
        self.assertContains(response, transcript.code)
        self.assertContains(response, "0 of 1 transcripts issued")
        self.assertContains(
            response, reverse("learning:transcripts_class_batch", args=[self.lw.class_6a.pk])
        )

    def test_batches_take_each_persons_steps(self) -> None:
        """The homeroom teacher's batch brings the transcript to “Completed”; the principal's
        to “Confirmed”; after the teacher's and the principal's second batches it is issued
        (the job runs after commit; the test suite's backend runs it at once)."""
        url = reverse("learning:transcripts_class_batch", args=[self.lw.class_6a.pk])
        expected = [
            ("teacher_c", S.COMPLETED),
            ("principal_c", S.CONFIRMED),
            ("teacher_c", S.TEACHER_SIGNED),
            ("principal_c", S.ISSUED),
        ]
        for name, status in expected:
            self.login(name)
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(url)
            self.assertRedirects(
                response, reverse("learning:transcripts_class", args=[self.lw.class_6a.pk])
            )
            self.assertEqual(Transcript.objects.get(student=self.lw.s6a).status, status)

    def test_a_subject_teacher_may_not_start_a_batch(self) -> None:
        """teacher_d teaches Toán in 6A, is not its homeroom teacher: 404, nothing prepared."""
        self.login("teacher_d")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("learning:transcripts_class_batch", args=[self.lw.class_6a.pk])
            )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Transcript.objects.exists())


class TranscriptPageTests(PageCase):
    def test_the_page_shows_the_steps_and_takes_the_next_one(self) -> None:
        transcript = self.prepare()
        self.login("teacher_c")
        page = self.client.get(reverse("learning:transcript_detail", args=[transcript.pk]))
        self.assertContains(page, "Next step: Completed")
        response = self.client.post(
            reverse("learning:transcript_advance", args=[transcript.pk]),
            {"to": "completed", "note": "Đã rà soát"},
        )
        self.assertRedirects(response, reverse("learning:transcript_detail", args=[transcript.pk]))
        transcript.refresh_from_db()
        self.assertEqual(transcript.status, S.COMPLETED)
        self.assertEqual(transcript.steps.last().note, "Đã rà soát")  # type: ignore[union-attr]

    def test_a_skipped_step_is_refused_on_the_page(self) -> None:
        transcript = self.prepare()
        self.login("principal_c")
        response = self.client.post(
            reverse("learning:transcript_advance", args=[transcript.pk]),
            {"to": "issued"},
            follow=True,
        )
        self.assertContains(response, "the next step is “Completed”")
        transcript.refresh_from_db()
        self.assertEqual(transcript.status, S.DRAFT)

    def test_every_download_is_logged_as_a_copy(self) -> None:
        """The principal's download is a COPY to him, the father's the ORIGINAL to him; each
        with the file's fingerprint, and the file is the signed one."""
        transcript = self.issued()
        self.login("principal_c")
        response = self.client.get(reverse("learning:transcript_download", args=[transcript.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(response.content, ts.transcript_pdf_bytes(transcript=transcript))
        self.login("parent_c")
        self.client.get(reverse("learning:transcript_download", args=[transcript.pk]))
        self.assertEqual(
            list(TranscriptCopy.objects.values_list("kind", "issued_to", "sha256")),
            [
                ("copy", "principal_c", transcript.pdf_sha256),
                ("original", "Sùng Thị Páo", transcript.pdf_sha256),
            ],
        )

    def test_the_school_gives_a_copy_to_someone(self) -> None:
        transcript = self.issued()
        self.login("principal_c")
        response = self.client.post(
            reverse("learning:transcript_copy", args=[transcript.pk]),
            {
                "kind": "extract",
                "issued_to": "Trường THPT số 1 Lào Cai",
                "purpose": "Chuyển trường",
            },
        )
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            list(TranscriptCopy.objects.values_list("kind", "issued_to", "purpose")),
            [("extract", "Trường THPT số 1 Lào Cai", "Chuyển trường")],
        )

    def test_the_family_sees_only_their_childs_issued_transcript(self) -> None:
        """parent_c is s6a's father: while the transcript is a draft, 404; issued, he sees it
        (without the staff's workflow and copy log) and downloads it; s6b's is 404 for him;
        after a new version, the revoked one is 404 for him."""
        transcript = self.prepare()
        self.login("parent_c")
        detail = reverse("learning:transcript_detail", args=[transcript.pk])
        self.assertEqual(self.client.get(detail).status_code, 404)
        self.assertEqual(
            self.client.get(
                reverse("learning:transcript_download", args=[transcript.pk])
            ).status_code,
            404,
        )
        transcript = issue(transcript, self.lw)
        page = self.client.get(detail)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Download the signed transcript (PDF)")
        self.assertNotContains(page, "Copies given out")
        self.assertNotContains(page, "Next step")
        fill_year(self.lw.class_6a, self.lw.s6b.pk)
        other = issue(self.prepare(self.lw.s6b), self.lw)
        self.assertEqual(
            self.client.get(reverse("learning:transcript_detail", args=[other.pk])).status_code,
            404,
        )
        self.assertEqual(
            self.client.post(
                reverse("learning:transcript_advance", args=[transcript.pk]), {"to": "issued"}
            ).status_code,
            404,
        )
        ts.transcript_revoke(transcript=transcript, reason="Cấp lại", by=None)
        self.assertEqual(self.client.get(detail).status_code, 404)

    def test_national_store_package_for_the_principal_only(self) -> None:
        transcript = self.issued()
        url = reverse("learning:transcripts_school_export", args=[self.lw.school_c.code])
        self.login("teacher_c")
        self.assertEqual(self.client.post(url + "?year=2021-2022").status_code, 404)
        self.login("principal_c")
        response = self.client.post(url + "?year=2021-2022")
        self.assertEqual(response["Content-Type"], "application/zip")
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            self.assertIn(f"2021-2022/10082101/{transcript.code}.pdf", archive.namelist())
        self.assertEqual(
            list(TranscriptCopy.objects.values_list("kind", flat=True)), ["national_store"]
        )


class VerifyPageTests(PageCase):
    def upload(self, data: bytes, name: str = "hoc-ba.pdf") -> HttpResponseBase:
        return self.client.post(
            reverse("learning:transcript_verify"),
            {"file": SimpleUploadedFile(name, data, content_type="application/pdf")},
        )

    def test_a_code_shows_only_school_year_grade_and_initials(self) -> None:
        """Anonymous, by the QR address and by the typed code (lower case, dashes): the school,
        the year and the initials "S. T. M.", never the full name or the personal ID."""
        transcript = self.issued()
        for response in (
            self.client.get(reverse("learning:transcript_verify_code", args=[transcript.code])),
            self.client.get(
                reverse("learning:transcript_verify"),
                {
                    "code": "-".join(
                        [transcript.code[:4], transcript.code[4:8], transcript.code[8:]]
                    ).lower()
                },
            ),
        ):
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "A transcript with this code was issued.")
            self.assertContains(response, "Trường THCS Bát Xát")
            self.assertContains(response, "S. T. M.")
            self.assertNotContains(response, "Sùng Thị Mỷ")
            self.assertNotContains(response, "010310000021")

    def test_unknown_and_unissued_codes_reveal_nothing(self) -> None:
        """An unknown code, a malformed one and a draft's code get the same 404 answer with
        no school, year or name."""
        draft = self.prepare()
        for code in ("0000-0000-0000", "nonsense!", draft.code):
            response = self.client.get(reverse("learning:transcript_verify"), {"code": code})
            self.assertEqual(response.status_code, 404)
            self.assertContains(
                response, "No transcript with this code was found.", status_code=404
            )
            self.assertNotContains(response, "Trường THCS Bát Xát", status_code=404)
            self.assertNotContains(response, "S. T. M.", status_code=404)

    def test_a_revoked_code_says_so(self) -> None:
        transcript = self.issued()
        ts.transcript_revoke(transcript=transcript, reason="Cấp nhầm", by=None)
        response = self.client.get(
            reverse("learning:transcript_verify_code", args=[transcript.code])
        )
        self.assertContains(response, "This transcript was revoked by the school.")
        self.assertContains(response, "Cấp nhầm")

    def test_the_signed_file_is_authentic_and_a_modified_one_is_not(self) -> None:
        transcript = self.issued()
        pdf = ts.transcript_pdf_bytes(transcript=transcript)
        response = self.upload(pdf)
        self.assertContains(response, "Authentic and unchanged")
        self.assertContains(response, "Vàng Thị Chi")
        response = self.upload(flip_byte(pdf))
        self.assertContains(response, "This file is not a valid transcript.")
        self.assertContains(response, "the document was altered after it was signed")
        self.assertNotContains(response, "Authentic and unchanged")

    def test_a_revoked_transcripts_file_fails_with_the_reason(self) -> None:
        transcript = self.issued()
        pdf = ts.transcript_pdf_bytes(transcript=transcript)
        ts.transcript_revoke(transcript=transcript, reason="Cấp nhầm học sinh", by=None)
        response = self.upload(pdf)
        self.assertContains(response, "The school revoked this transcript: Cấp nhầm học sinh")
        self.assertNotContains(response, "Authentic and unchanged")

    def test_only_small_pdf_files_are_checked(self) -> None:
        response = self.upload(b"PK\x03\x04 not a pdf", name="hoc-ba.pdf")
        self.assertContains(response, "The file is not a PDF document.")
        response = self.upload(b"%PDF-1.7\n" + b"0" * (2 * 2**20), name="big.pdf")
        self.assertEqual(response.status_code, 413)

    @override_settings(VNEMIS_TRANSCRIPT_VERIFY_RATE_PER_HOUR=3)
    def test_checks_are_rate_limited_per_client_address(self) -> None:
        """Three checks an hour here: the fourth, by code or by file, is refused with 429
        and looks nothing up; another address is still served."""
        transcript = self.issued()
        url = reverse("learning:transcript_verify_code", args=[transcript.code])
        for _ in range(3):
            self.assertEqual(self.client.get(url).status_code, 200)
        refused = self.client.get(url)
        self.assertEqual(refused.status_code, 429)
        self.assertContains(refused, "Too many checks from your connection", status_code=429)
        self.assertNotContains(refused, "Trường THCS Bát Xát", status_code=429)
        self.assertEqual(self.upload(b"%PDF-1.7").status_code, 429)
        self.assertEqual(self.client.get(url, REMOTE_ADDR="10.0.0.9").status_code, 200)
