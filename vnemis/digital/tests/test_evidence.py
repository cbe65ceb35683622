"""QĐ 4725 evidence files: type by content, Office documents without macros or bombs, a size
cap enforced while the file arrives, and audited, uncached, scoped downloads."""

from __future__ import annotations

import datetime as dt
import io
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from django.utils import translation
from docx import Document
from openpyxl import Workbook

from vnemis.accounts import services as account_services
from vnemis.accounts.choices import Role
from vnemis.core import uploads
from vnemis.core.models import AuditEntry
from vnemis.digital import services
from vnemis.digital.models import CriterionScore
from vnemis.testing.files import real_pdf
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.world import PASSWORD

DAY = dt.date(2022, 5, 31)
CAP = 64 * 1024
WITHOUT_NO_STORE = [
    m for m in settings.MIDDLEWARE if not m.endswith("NoStoreWhenSignedInMiddleware")
]
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def real_png() -> bytes:
    """A valid 1×1 green PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\xff\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def real_docx() -> bytes:
    document = Document()
    document.add_paragraph("Kế hoạch chuyển đổi số năm học 2021-2022")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def real_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Tiêu chí", "Điểm"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def real_pptx() -> bytes:
    """The parts of a presentation package that name its type (no slide needed to check it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>',
        )
        archive.writestr("ppt/presentation.xml", "<p:presentation/>")
    return out.getvalue()


def rezip(data: bytes, *, change: dict[str, bytes] | None = None) -> bytes:
    """The package with some members replaced or added."""
    change = dict(change or {})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, change.pop(info.filename, source.read(info)))
        for name, content in change.items():
            target.writestr(name, content)
    return out.getvalue()


def docx_part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def macro_docx() -> bytes:
    """A DOCX carrying a VBA project, declared as Word declares it."""
    docx = real_docx()
    types = docx_part(docx, "[Content_Types].xml").replace(
        b"</Types>",
        b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    return rezip(docx, change={"[Content_Types].xml": types, "word/vbaProject.bin": b"\xd0\xcf"})


def linked_docx(kind: str) -> bytes:
    """A DOCX whose document relationships point outside the package."""
    docx = real_docx()
    rels = docx_part(docx, "word/_rels/document.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="%s%s" Target="http://example.org/t.dotm" '
        b'TargetMode="External"/></Relationships>' % (REL.encode(), kind.encode()),
    )
    return rezip(docx, change={"word/_rels/document.xml.rels": rels})


def refusal(name: str, content: bytes) -> str:
    """The message ``evidence_check`` gives (in English), or "" if the file is accepted."""
    try:
        with translation.override("en"):
            uploads.evidence_check(SimpleUploadedFile(name, content))
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


class EvidenceCheckTests(SimpleTestCase):
    """``evidence_check`` on its own, file by file."""

    def test_real_files_are_accepted(self) -> None:
        """A real PDF, PNG, JPEG start, DOCX, XLSX and PPTX under their own extensions pass."""
        files = {
            "ke-hoach.pdf": real_pdf(),
            "anh.png": real_png(),
            "anh.JPG": b"\xff\xd8\xff\xe0\0\x10JFIF\0" + b"\0" * 64,
            "ke-hoach.docx": real_docx(),
            "bang.xlsx": real_xlsx(),
            "trinh-chieu.pptx": real_pptx(),
        }
        self.assertEqual(
            {name: refusal(name, data) for name, data in files.items()}, dict.fromkeys(files, "")
        )

    def test_any_bytes_named_pdf_are_refused(self) -> None:
        """Text, an image or a truncated PDF saved as .pdf is refused."""
        mismatch = (
            "The content of “{}” is not what its extension .pdf says. Upload the original "
            "file, or open it and save it again in the right format."
        )
        self.assertEqual(refusal("bc.pdf", b"just some text"), mismatch.format("bc.pdf"))
        self.assertEqual(refusal("anh.pdf", real_png()), mismatch.format("anh.pdf"))
        self.assertEqual(
            refusal("bc.pdf", real_pdf()[:200]),
            "“bc.pdf” is damaged or incomplete. Open it on your computer to check it, save it "
            "again and upload it.",
        )

    def test_a_pdf_named_docx_or_a_docx_named_xlsx_is_refused(self) -> None:
        self.assertIn("is not what its extension .docx says", refusal("a.docx", real_pdf()))
        self.assertIn("is not what its extension .xlsx says", refusal("a.xlsx", real_docx()))

    def test_macros_are_refused(self) -> None:
        """A DOCX with vbaProject.bin, a macro-enabled package renamed .docx and a .docm are
        refused."""
        macro = (
            "“{}” contains macros or controls (program code), which are not accepted. Save it "
            "as .docx, .xlsx or .pptx (without macros) or as PDF, and upload it again."
        )
        self.assertEqual(refusal("a.docx", macro_docx()), macro.format("a.docx"))
        docx = real_docx()
        enabled = docx_part(docx, "[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"application/vnd.ms-word.document.macroEnabled.main+xml",
        )
        self.assertEqual(
            refusal("b.docx", rezip(docx, change={"[Content_Types].xml": enabled})),
            macro.format("b.docx"),
        )
        self.assertEqual(refusal("c.docm", docx), macro.format("c.docm"))

    def test_a_zip_bomb_docx_is_refused_before_any_member_is_unpacked(self) -> None:
        """A DOCX with a 5 MB member of zeros, a few KB compressed, is refused from the
        archive's directory alone: no member is opened."""
        bomb = rezip(real_docx(), change={"customXml/item1.xml": b"\0" * (5 * 2**20)})
        self.assertLess(len(bomb), 60_000)
        with mock.patch.object(zipfile.ZipFile, "open", side_effect=AssertionError("unpacked")):
            message = refusal("bom.docx", bomb)
        self.assertEqual(
            message,
            "The file is compressed more than 100 times, as only a damaged or malicious file "
            "is; it was not opened.",
        )

    def test_old_binary_office_files_are_refused(self) -> None:
        ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
        message = (
            "“{}” is in an old Office format (.doc, .xls, .ppt) or protected with a password; "
            "such files can hide macros. Open it in Office, remove any password, save it as "
            ".docx, .xlsx, .pptx or PDF, and upload that file."
        )
        self.assertEqual(refusal("cu.doc", ole), message.format("cu.doc"))
        self.assertEqual(refusal("mat-khau.docx", ole), message.format("mat-khau.docx"))

    def test_content_fetched_from_outside_is_refused_but_hyperlinks_pass(self) -> None:
        self.assertIn(
            "loads content from outside the file when it is opened",
            refusal("mau.docx", linked_docx("attachedTemplate")),
        )
        self.assertIn("loads content from outside", refusal("ole.docx", linked_docx("oleObject")))
        self.assertEqual(refusal("lien-ket.docx", linked_docx("hyperlink")), "")

    def test_other_types_are_refused(self) -> None:
        accepted = (
            "Evidence is accepted as a PDF file, an image (PNG, JPEG, WebP) or an Office "
            "document (DOCX, XLSX, PPTX)."
        )
        for name in ("a.exe", "a.svg", "a.html", "a", "a.zip"):
            self.assertEqual(refusal(name, b"<svg onload=alert(1)>"), accepted, name)
        self.assertEqual(refusal("a.pdf", b""), "The file is empty.")

    @override_settings(VNEMIS_EVIDENCE_MAX_BYTES=CAP)
    def test_the_cap_holds_outside_a_request(self) -> None:
        big = real_pdf() + b"%" * CAP
        self.assertIn("is larger than 64 KB", refusal("to.pdf", big))


class EvidencePageTests(PersonaTestCase):
    """Evidence uploaded and downloaded through the self-assessment page."""

    def setUp(self) -> None:
        self.media = Path(tempfile.mkdtemp(prefix="vnemis-media-"))
        self.spool = Path(tempfile.mkdtemp(prefix="vnemis-spool-"))
        settings_override = override_settings(
            MEDIA_ROOT=str(self.media),
            FILE_UPLOAD_TEMP_DIR=str(self.spool),
            FILE_UPLOAD_MAX_MEMORY_SIZE=1024,
            VNEMIS_EVIDENCE_MAX_BYTES=CAP,
            LANGUAGE_CODE="en",
        )
        settings_override.enable()
        self.addCleanup(settings_override.disable)
        assessment = services.self_assessment_prepare(
            school=self.world.school_a, school_year=self.world.year, day=DAY, by=None
        )
        self.score = assessment.scores.get(criterion__code="1.4")
        self.before = (self.score.points, self.score.note, self.score.automatic)
        self.page = reverse("digital:self_assessment", args=[self.world.school_a.code])
        self.saved = self.page + "?year=2021-2022"  # back to the page of the year saved
        self.download = reverse(
            "digital:criterion_evidence", args=[self.world.school_a.code, "1.4"]
        )
        self.principal = self.world.users["principal_a"]
        self.client.force_login(self.principal)

    def post(self, name: str, content: bytes) -> Any:
        """Group I's form with 1.4 given 5 points, a note and ``content`` as its evidence."""
        from vnemis.digital.tests.test_selfassessment import group_data

        assessment = self.score.assessment
        data: dict[str, Any] = group_data(
            assessment, "I", **{"1.4-points": "5", "1.4-note": "kế hoạch"}
        )
        data["1.4-evidence"] = SimpleUploadedFile(name, content)
        return self.client.post(self.page, data)

    def assert_nothing_stored(self, response: Any, message: str) -> None:
        """The page names 1.4 and gives ``message`` on its evidence; nothing is kept."""
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["error"],
            "Nothing was saved: correct the criteria marked below (1.4).",
        )
        forms = {f.score.criterion.code: f for g in response.context["groups"] for f in g["forms"]}
        self.assertEqual(forms["1.4"].errors, {"evidence": [message]})
        score = CriterionScore.objects.get(pk=self.score.pk)
        self.assertEqual((score.points, score.note, score.automatic), self.before)
        self.assertFalse(score.evidence)
        self.assertEqual([p for p in self.media.rglob("*") if p.is_file()], [])
        self.assertEqual([p for p in self.spool.rglob("*") if p.is_file()], [])

    def test_a_file_over_the_cap_is_refused_and_nothing_is_stored(self) -> None:
        """A PDF one byte over the cap is cut off while it arrives: the row is not saved, no
        file is kept, and the page says why."""
        big = real_pdf()
        big = big[:9] + b"%" * (CAP + 1 - len(big)) + big[9:]
        self.assertEqual(len(big), CAP + 1)
        self.assert_nothing_stored(
            self.post("ke-hoach.pdf", big),
            "The file “ke-hoach.pdf” is larger than 64 KB, the most accepted here, and was not "
            "saved. Make it smaller (scan at a lower resolution, or split a list into several "
            "files) and upload it again.",
        )

    def test_text_named_pdf_is_refused_through_the_page(self) -> None:
        self.assert_nothing_stored(
            self.post("ke-hoach.pdf", b"not a pdf at all"),
            "The content of “ke-hoach.pdf” is not what its extension .pdf says. Upload the "
            "original file, or open it and save it again in the right format.",
        )

    @override_settings(VNEMIS_EVIDENCE_MAX_BYTES=2**20)  # a DOCX unpacks to 800 KB
    def test_macro_docx_is_refused_through_the_page(self) -> None:
        self.assert_nothing_stored(
            self.post("ke-hoach.docx", macro_docx()),
            "“ke-hoach.docx” contains macros or controls (program code), which are not "
            "accepted. Save it as .docx, .xlsx or .pptx (without macros) or as PDF, and upload "
            "it again.",
        )

    @override_settings(MIDDLEWARE=WITHOUT_NO_STORE)
    def test_a_real_pdf_is_stored_and_its_download_audited_and_not_cached(self) -> None:
        """A real PDF is kept; downloading it writes an audit entry naming the user, and the
        response itself forbids caching."""
        pdf = real_pdf()
        self.assertRedirects(self.post("ke-hoach.pdf", pdf), self.saved)
        score = CriterionScore.objects.get(pk=self.score.pk)
        self.assertEqual((score.points, score.note), (5, "kế hoạch"))
        response: Any = self.client.get(self.download)
        self.assertEqual(b"".join(response.streaming_content), pdf)
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("attachment", response["Content-Disposition"])
        entry = AuditEntry.objects.get(verb="downloaded")
        self.assertEqual(
            (entry.actor, entry.target_type, entry.target_id, entry.note),
            (self.principal, "digital.CriterionScore", str(score.pk), "evidence file"),
        )

    def test_a_real_png_is_accepted(self) -> None:
        self.assertRedirects(self.post("anh.png", real_png()), self.saved)
        stored = CriterionScore.objects.get(pk=self.score.pk).evidence
        self.assertEqual(Path(str(stored.name)).suffix, ".png")
        self.assertEqual(stored.read(), real_png())

    def test_another_schools_principal_cannot_download(self) -> None:
        """The principal of school B gets 404 for school A's evidence, and no entry is logged."""
        self.assertRedirects(self.post("ke-hoach.pdf", real_pdf()), self.saved)
        principal_b = account_services.user_create(
            username="principal_b", password=PASSWORD, by=None, check_password=False
        )
        account_services.role_assign(
            user=principal_b, role=Role.PRINCIPAL, org_unit=self.world.school_b, by=None
        )
        self.client.force_login(principal_b)
        self.assertEqual(self.client.get(self.download).status_code, 404)
        self.assertFalse(AuditEntry.objects.filter(verb="downloaded").exists())

    def test_the_page_states_the_accepted_types_and_the_cap(self) -> None:
        response = self.client.get(self.page)
        self.assertContains(
            response, "without macros, at most 64 KB for all the files of one save."
        )
