"""``vnemis transcripts``: issue for a unit as the system, verify a file (exit 0 only when
authentic, unchanged and not revoked), sign pending transcripts, make the demo CA."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from vnemis.learning.choices import TranscriptStatus
from vnemis.learning.models import Transcript
from vnemis.learning.services import credentials
from vnemis.learning.services import transcripts as ts
from vnemis.learning.tests.test_transcripts_service import TranscriptCase, flip_byte

S = TranscriptStatus


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("transcripts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# The commands speak the site's language (Vietnamese); in English here, the assertions read
# the msgids. test_the_commands_speak_vietnamese_by_default checks the default.
@override_settings(LANGUAGE_CODE="en")
class CommandTests(TranscriptCase):
    def write(self, data: bytes) -> str:
        path = Path(tempfile.mkdtemp(prefix="vnemis-verify-")) / "hoc-ba.pdf"
        path.write_bytes(data)
        return str(path)

    def test_issue_for_a_district_issues_every_student_with_a_year_result(self) -> None:
        """Under Bát Xát's office: the THCS school's 6A student with a year result is issued
        (signed by teacher and school); a second run issues nothing new."""
        out, _err = run("issue", "--org", "PGD082", "--year", "2021-2022")
        self.assertIn(
            "students with a year result: 1 transcripts issued now, 0 already issued, 0 refused.",
            out,
        )
        transcript = Transcript.objects.get()
        self.assertEqual((transcript.student, transcript.status), (self.lw.s6a, S.ISSUED))
        self.assertEqual([s.by for s in transcript.steps.all()], [None] * 6)
        out, _err = run("issue", "--org", "10082101", "--year", "2021-2022")
        self.assertIn(
            "1 schools, 1 students with a year result: 0 transcripts issued now, 1 already "
            "issued, 0 refused.",
            out,
        )

    def test_issue_with_an_unknown_unit_or_year_fails(self) -> None:
        with self.assertRaisesMessage(CommandError, "There is no unit with the code NOPE."):
            run("issue", "--org", "NOPE", "--year", "2021-2022")
        with self.assertRaisesMessage(CommandError, "There is no school year 1999-2000."):
            run("issue", "--org", "PGD082", "--year", "1999-2000")

    def test_verify_exits_zero_only_for_the_authentic_unchanged_file(self) -> None:
        """The issued file: exit 0 naming the code and both signers. One byte changed: exit 1
        with the reason. Revoked: exit 1 saying it was revoked."""
        run("issue", "--org", "10082101", "--year", "2021-2022")
        transcript = Transcript.objects.get()
        pdf = ts.transcript_pdf_bytes(transcript=transcript)
        out, _err = run("verify", self.write(pdf))
        self.assertIn(f"AUTHENTIC AND UNCHANGED: transcript {transcript.code}", out)
        self.assertIn("Signed by Vàng Thị Chi (Trường THCS Bát Xát)", out)
        with self.assertRaises(CommandError) as caught:
            run("verify", self.write(flip_byte(pdf)))
        self.assertEqual(caught.exception.returncode, 1)
        self.assertIn("NOT AUTHENTIC", str(caught.exception))
        self.assertIn("the document was altered after it was signed", str(caught.exception))
        ts.transcript_revoke(transcript=transcript, reason="Cấp nhầm", by=None)
        with self.assertRaises(CommandError) as caught:
            run("verify", self.write(pdf))
        self.assertEqual(caught.exception.returncode, 1)
        self.assertIn("The school revoked this transcript: Cấp nhầm", str(caught.exception))

    def test_verify_a_file_that_is_missing_or_not_a_pdf(self) -> None:
        with self.assertRaises(CommandError) as caught:
            run("verify", "/nonexistent/hoc-ba.pdf")
        self.assertEqual(caught.exception.returncode, 1)
        with self.assertRaises(CommandError) as caught:
            run("verify", self.write(b"not a pdf"))
        self.assertIn("is not a readable PDF", str(caught.exception))

    def test_sign_pending_signs_what_was_recorded_as_issued(self) -> None:
        ts.transcript_record_issued(
            student=self.lw.s6a,
            school_year=self.world.year,
            issued_on=dt.date(2022, 5, 25),
            by=None,
        )
        out, _err = run("sign", "--pending", "--limit", "5")
        self.assertIn("1 transcripts signed, 0 could not be.", out)
        self.assertNotEqual(Transcript.objects.get().pdf_sha256, "")

    def test_ca_demo_is_made_once(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="vnemis-ca-"))
        with override_settings(TRANSCRIPT_CA_DIR=folder):
            out, _err = run("ca", "--demo")
            self.assertIn(str(folder / "ca.p12"), out)
            first = (folder / "ca.pem").read_bytes()
            run("ca", "--demo")
            self.assertEqual((folder / "ca.pem").read_bytes(), first)
            self.assertEqual(oct((folder / "ca.p12").stat().st_mode & 0o777), "0o600")
            self.assertEqual(len(credentials.transcript_trust_roots()), 1)


class VietnameseOutputTests(TranscriptCase):
    def test_the_commands_speak_vietnamese_by_default(self) -> None:
        """An officer reads the verdict in Vietnamese."""
        run("issue", "--org", "10082101", "--year", "2021-2022")
        transcript = Transcript.objects.get()
        folder = tempfile.mkdtemp(prefix="vnemis-verify-")
        path = os.path.join(folder, "hoc-ba.pdf")
        with open(path, "wb") as target:
            target.write(ts.transcript_pdf_bytes(transcript=transcript))
        out, _err = run("verify", path)
        self.assertIn(f"XÁC THỰC VÀ NGUYÊN VẸN: học bạ {transcript.code}", out)
