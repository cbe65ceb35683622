"""Signing a transcript (teacher, then school) and verifying what someone presents.

Pure functions: no database. One test authority per module keeps key generation out of the
individual tests. Findings are asserted by their stable codes; the sentences are translated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from vnemis.learning.tests.test_transcript_document import transcript_sample
from vnemis.learning.transcripts.ca import (
    Authority,
    SignerKind,
    SigningIdentity,
    ca_create,
    signer_issue,
)
from vnemis.learning.transcripts.document import INFO_CODE_KEY, transcript_pdf
from vnemis.learning.transcripts.signing import (
    INSTITUTION_FIELD,
    TEACHER_FIELD,
    SigningError,
    pdf_sign,
)
from vnemis.learning.transcripts.verify import pdf_verify

# Pure rules: engine-independent, run once (the SQLite pass).
pytestmark = pytest.mark.one_pass

ICT = dt.timezone(dt.timedelta(hours=7))
TEACHER_AT = dt.datetime(2022, 5, 25, 9, 0, tzinfo=ICT)
SCHOOL_AT = dt.datetime(2022, 5, 25, 15, 30, tzinfo=ICT)
CODE = "HB-2022-7Q4M-9XKD"


class Keys:
    """The module's test authority, its two signers, and an authority nobody trusts."""

    def __init__(self) -> None:
        # Backdated so that the 2022 signing times fall inside the certificates' validity.
        start = dt.datetime(2021, 9, 1, tzinfo=dt.UTC)
        self.ca = ca_create(
            common_name="vnemis test CA",
            organisation="Sở Giáo dục và Đào tạo Lào Cai (thử nghiệm)",
            valid_days=20 * 365,
            not_before=start,
        )
        self.teacher = signer_issue(
            self.ca,
            common_name="Lê Thị Hồng Nhung",
            organisation="Trường THCS Lê Quý Đôn",
            kind="person",
            valid_days=20 * 365,
            not_before=start,
        )
        self.school = signer_issue(
            self.ca,
            common_name="Trường THCS Lê Quý Đôn",
            organisation="Trường THCS Lê Quý Đôn",
            kind="organisation",
            valid_days=20 * 365,
            not_before=start,
        )
        self.stranger = ca_create(common_name="Other CA", organisation="Other", valid_days=3650)


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return transcript_pdf(transcript_sample(code=CODE))


@pytest.fixture(scope="module")
def by_teacher(keys: Keys, unsigned: bytes) -> bytes:
    return teacher_sign(keys, unsigned)


@pytest.fixture(scope="module")
def signed(keys: Keys, by_teacher: bytes) -> bytes:
    return school_sign(keys, by_teacher)


@pytest.fixture(autouse=True)
def quiet_pyhanko() -> Iterator[None]:
    # pyHanko logs every failed path building with a traceback; the tests expect failures.
    logger = logging.getLogger("pyhanko")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def teacher_sign(keys: Keys, pdf: bytes, *, at: dt.datetime = TEACHER_AT) -> bytes:
    return pdf_sign(
        pdf,
        signer=keys.teacher,
        field_name=TEACHER_FIELD,
        reason="Giáo viên chủ nhiệm xác nhận học bạ",
        location="Lào Cai",
        signed_at=at,
    )


def school_sign(keys: Keys, pdf: bytes, *, at: dt.datetime = SCHOOL_AT, lock: bool = True) -> bytes:
    return pdf_sign(
        pdf,
        signer=keys.school,
        field_name=INSTITUTION_FIELD,
        reason="Nhà trường phê duyệt học bạ",
        location="Lào Cai",
        signed_at=at,
        lock=lock,
    )


def info_code_changed(pdf: bytes, code: str) -> bytes:
    """``pdf`` plus an incremental update that rewrites the verification code."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    info_ref = writer.trailer.raw_get("/Info")
    info = info_ref.get_object()
    info[generic.NameObject("/" + INFO_CODE_KEY)] = generic.pdf_string(code)
    writer.mark_update(info_ref)
    out = BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # pyHanko leaves it unannotated
    return out.getvalue()


def text_added(pdf: bytes) -> bytes:
    """``pdf`` plus an incremental update that prints one more line on the page."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    stream = generic.StreamObject(stream_data=b"BT /F1+0 12 Tf 100 60 Td (Gioi) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))  # type: ignore[no-untyped-call]
    out = BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # pyHanko leaves it unannotated
    return out.getvalue()


def test_teacher_then_school_verifies(keys: Keys, signed: bytes) -> None:
    """Both signatures, in order, intact, trusted; nothing after the last: authentic."""
    verdict = pdf_verify(signed, trust_roots=[keys.ca.certificate])
    assert verdict.ok is True
    assert verdict.codes == ()
    assert verdict.reasons == ()
    assert verdict.verification_code == CODE
    assert verdict.sha256 == hashlib.sha256(signed).hexdigest()
    assert [(s.field_name, s.name, s.signed_at) for s in verdict.signers] == [
        (TEACHER_FIELD, "Lê Thị Hồng Nhung", TEACHER_AT),
        (INSTITUTION_FIELD, "Trường THCS Lê Quý Đôn", SCHOOL_AT),
    ]
    assert all(s.intact and s.trusted for s in verdict.signers)


def test_signing_appends_and_keeps_the_earlier_revisions(
    unsigned: bytes, by_teacher: bytes, signed: bytes
) -> None:
    """Each signature is an incremental update: the earlier file is a prefix of the next."""
    assert by_teacher.startswith(unsigned)
    assert signed.startswith(by_teacher)


def test_a_flipped_byte_in_the_page_fails(keys: Keys, unsigned: bytes, signed: bytes) -> None:
    """One bit changed in the first revision breaks both signatures, which cover it."""
    position = unsigned.index(b"stream", len(unsigned) // 2) + 20
    altered = bytearray(signed)
    altered[position] ^= 0x01
    verdict = pdf_verify(bytes(altered), trust_roots=[keys.ca.certificate])
    assert verdict.ok is False
    assert verdict.codes == ("broken", "broken")
    assert len(verdict.reasons) == 2


def test_a_flipped_byte_in_the_school_revision_fails(
    keys: Keys, by_teacher: bytes, signed: bytes
) -> None:
    """A change to the school's signature dictionary (its /Reason) breaks only that one."""
    position = signed.index(b"/Reason", len(by_teacher)) + 10
    altered = bytearray(signed)
    altered[position] ^= 0x01
    verdict = pdf_verify(bytes(altered), trust_roots=[keys.ca.certificate])
    assert verdict.ok is False
    assert verdict.codes == ("broken",)
    assert [s.intact for s in verdict.signers] == [True, False]


def test_an_update_appended_after_the_school_signature_fails(keys: Keys, signed: bytes) -> None:
    """Anything after the last signature is refused, and the code shown is the signed one."""
    forged = info_code_changed(signed, "HB-FORGED")
    verdict = pdf_verify(forged, trust_roots=[keys.ca.certificate])
    assert verdict.ok is False
    assert verdict.codes == ("appended",)
    assert verdict.verification_code == CODE


def test_content_changed_between_the_two_signatures_fails(keys: Keys, by_teacher: bytes) -> None:
    """The school cannot countersign a page altered after the teacher signed it."""
    countersigned = school_sign(keys, text_added(by_teacher))
    verdict = pdf_verify(countersigned, trust_roots=[keys.ca.certificate])
    assert verdict.ok is False
    assert verdict.codes == ("modified_between",)


def test_school_first_then_teacher_fails(keys: Keys, unsigned: bytes) -> None:
    """The workflow's order is teacher, then school; the reverse is refused."""
    reversed_order = teacher_sign(keys, school_sign(keys, unsigned, lock=False))
    verdict = pdf_verify(reversed_order, trust_roots=[keys.ca.certificate])
    assert verdict.ok is False
    assert verdict.codes == ("order",)


def test_nobody_can_sign_after_the_school_locked(keys: Keys, signed: bytes) -> None:
    """The school's lock forbids further signatures, and pdf_sign says so."""
    with pytest.raises(SigningError):
        teacher_sign(keys, signed)


def test_a_school_signature_without_lock_fails(keys: Keys, by_teacher: bytes) -> None:
    """The last signature must close the document, not leave it open to more."""
    verdict = pdf_verify(
        school_sign(keys, by_teacher, lock=False), trust_roots=[keys.ca.certificate]
    )
    assert verdict.codes == ("not_locked",)


def test_a_school_signature_dated_before_the_teacher_fails(keys: Keys, by_teacher: bytes) -> None:
    """The school confirms what the teacher signed, so it cannot have signed earlier."""
    early = school_sign(keys, by_teacher, at=TEACHER_AT - dt.timedelta(days=1))
    verdict = pdf_verify(early, trust_roots=[keys.ca.certificate])
    assert verdict.codes == ("time_order",)


def test_the_teacher_signing_for_the_school_fails(keys: Keys, by_teacher: bytes) -> None:
    """The school's field signed with the teacher's certificate is not the school's signature."""
    twice = pdf_sign(
        by_teacher,
        signer=keys.teacher,
        field_name=INSTITUTION_FIELD,
        reason="r",
        location="Lào Cai",
        signed_at=SCHOOL_AT,
        lock=True,
    )
    verdict = pdf_verify(twice, trust_roots=[keys.ca.certificate])
    assert verdict.codes == ("same_signer",)


def test_only_the_teacher_signature_fails(keys: Keys, by_teacher: bytes) -> None:
    """A transcript the school has not signed yet is not issued."""
    verdict = pdf_verify(by_teacher, trust_roots=[keys.ca.certificate])
    assert verdict.codes == ("signature_count",)


def test_an_untrusted_authority_fails(keys: Keys, signed: bytes) -> None:
    """Intact signatures from a CA the verifier does not trust are refused."""
    verdict = pdf_verify(signed, trust_roots=[keys.stranger.certificate])
    assert verdict.ok is False
    assert verdict.codes == ("untrusted", "untrusted")
    assert [s.trusted for s in verdict.signers] == [False, False]


def test_an_unsigned_transcript_fails(keys: Keys, unsigned: bytes) -> None:
    """A rendered but unsigned PDF is not a học bạ số."""
    verdict = pdf_verify(unsigned, trust_roots=[keys.ca.certificate])
    assert verdict.ok is False
    assert verdict.codes == ("unsigned",)
    assert verdict.verification_code == CODE


def test_a_file_that_is_not_a_pdf_fails(keys: Keys) -> None:
    """Garbage gets an answer, not an exception: the public page receives any upload."""
    verdict = pdf_verify(b"not a pdf at all", trust_roots=[keys.ca.certificate])
    assert verdict.ok is False
    assert verdict.codes == ("unreadable",)
    assert verdict.sha256 == hashlib.sha256(b"not a pdf at all").hexdigest()


def test_a_transcript_without_code_fails(keys: Keys) -> None:
    """A PDF that did not come from vnemis has no verification code to match."""
    pdf = transcript_pdf(transcript_sample(code=""))
    verdict = pdf_verify(
        school_sign(keys, teacher_sign(keys, pdf)), trust_roots=[keys.ca.certificate]
    )
    assert verdict.codes == ("no_code",)


def test_signed_at_must_be_aware(keys: Keys, unsigned: bytes) -> None:
    """A naive time would be read in the server's zone; it is refused."""
    with pytest.raises(ValueError):
        teacher_sign(keys, unsigned, at=dt.datetime(2022, 5, 25, 9, 0))  # noqa: DTZ001


def test_identity_survives_pkcs12_and_still_signs(keys: Keys, unsigned: bytes) -> None:
    """PKCS#12 round trip keeps key, certificate, chain and kind; a wrong passphrase fails."""
    data = keys.teacher.pkcs12(passphrase=b"mat-khau")
    loaded = SigningIdentity.from_pkcs12(data, passphrase=b"mat-khau")
    assert loaded.kind is SignerKind.PERSON
    assert loaded.certificate == keys.teacher.certificate
    assert loaded.chain == (keys.ca.certificate,)
    signed = pdf_sign(
        unsigned,
        signer=loaded,
        field_name=TEACHER_FIELD,
        reason="r",
        location="Lào Cai",
        signed_at=TEACHER_AT,
    )
    verdict = pdf_verify(school_sign(keys, signed), trust_roots=[keys.ca.certificate])
    assert verdict.ok is True
    with pytest.raises(ValueError):
        SigningIdentity.from_pkcs12(data, passphrase=b"sai")


def test_authority_survives_pkcs12(keys: Keys) -> None:
    """The demo CA is stored as PKCS#12 between runs and issues from it again."""
    loaded = Authority.from_pkcs12(keys.ca.pkcs12(passphrase=b"x"), passphrase=b"x")
    assert loaded.certificate == keys.ca.certificate
    issued = signer_issue(loaded, common_name="A", organisation="B", kind="organisation")
    assert issued.kind is SignerKind.ORGANISATION
    assert issued.certificate.issuer == keys.ca.certificate.subject
