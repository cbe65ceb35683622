"""Is a presented transcript authentic and unchanged? The checks behind the public page and
``vnemis transcripts verify``.

A transcript passes only if every one of these holds:

1. the file is a readable PDF;
2. it carries exactly two signatures, the homeroom teacher's (field
   :data:`~.signing.TEACHER_FIELD`) and then the school's (:data:`~.signing.INSTITUTION_FIELD`),
   in that order of revisions — the order of the Ministry's workflow (domain-vn §4);
3. each signature is cryptographically intact: the digest over its byte range matches and the
   signature over the signed attributes verifies with its certificate;
4. each certificate chains to one of the ``trust_roots`` given by the caller, with the key
   usages of a signing certificate;
5. between the two signatures only the school's signature was added (pyHanko's difference
   analysis reports no more than form filling), and the school's signature covers the whole
   file: nothing was appended or modified after it;
6. the school's signature locks the document (``/Lock`` with ``/P 1``), is not dated before
   the teacher's, and is made with another certificate than hers;
7. the document carries its verification code in its information dictionary.

The signing times are the signers' own claims (PAdES B-B has no trusted time stamp), and the
certificates are checked at the time of verification; production adds time stamps and
revocation data (B-LT) so a transcript stays verifiable after the certificates expire.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import SignatureCoverageLevel
from pyhanko.sign.validation.pdf_embedded import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from vnemis.learning.transcripts.document import INFO_CODE_KEY
from vnemis.learning.transcripts.signing import INSTITUTION_FIELD, TEACHER_FIELD

EXPECTED_FIELDS = (TEACHER_FIELD, INSTITUTION_FIELD)


@dataclass(frozen=True)
class SignedBy:
    """One signature found in the file, in signing order."""

    field_name: str
    name: str  # the certificate's common name: the teacher's or the school's name
    organisation: str
    signed_at: dt.datetime | None  # as claimed by the signer (the signature's /M)
    intact: bool
    trusted: bool


@dataclass(frozen=True)
class Verdict:
    """The answer for one presented file.

    ``ok`` is true only when every check passed; ``reasons`` then is empty, and otherwise
    says, one sentence per failed check in the UI language, what is wrong. ``codes`` are the
    same findings as stable identifiers for programs and tests.
    """

    ok: bool
    reasons: tuple[str, ...]
    codes: tuple[str, ...]
    signers: tuple[SignedBy, ...]
    verification_code: str | None
    sha256: str


class _Findings:
    def __init__(self) -> None:
        self.codes: list[str] = []
        self.reasons: list[str] = []

    def add(self, code: str, reason: str) -> None:
        self.codes.append(code)
        self.reasons.append(reason)


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _subject(status: PdfSignatureStatus, key: str) -> str:
    value = status.signing_cert.subject.native.get(key, "")
    return value if isinstance(value, str) else ""


def _code_read(reader: PdfFileReader, signatures: Sequence[EmbeddedPdfSignature]) -> str | None:
    # Read from the revision the last signature covers, so that a code changed by an update
    # appended afterwards is not the one shown next to the refusal.
    try:
        if signatures:
            resolver = reader.get_historical_resolver(signatures[-1].signed_revision)
            info = resolver.get_object(resolver.trailer_view.raw_get("/Info"))
        else:
            info = reader.trailer["/Info"]
        value = info.get("/" + INFO_CODE_KEY)
    except (KeyError, TypeError, AttributeError, ValueError):
        return None
    return str(value) if value is not None else None


def _who(field_name: str) -> str:
    if field_name == TEACHER_FIELD:
        return _("the homeroom teacher")
    if field_name == INSTITUTION_FIELD:
        return _("the school")
    return field_name


async def _statuses(
    signatures: Sequence[EmbeddedPdfSignature], context: ValidationContext
) -> list[PdfSignatureStatus | Exception]:
    results: list[PdfSignatureStatus | Exception] = []
    for signature in signatures:
        try:
            results.append(
                await async_validate_pdf_signature(signature, signer_validation_context=context)
            )
        except Exception as error:  # untrusted input: any malformed signature is a finding
            results.append(error)
    return results


def pdf_verify(pdf: bytes, *, trust_roots: Sequence[x509.Certificate]) -> Verdict:
    """The verdict on ``pdf``: see the module docstring for the checks, in order."""
    digest = hashlib.sha256(pdf).hexdigest()
    findings = _Findings()
    try:
        # Strict parsing: a transcript made by vnemis is well-formed, and leniency towards
        # broken cross-reference tables is room for ambiguity about what was signed.
        reader = PdfFileReader(BytesIO(pdf), strict=True)
        signatures = list(reader.embedded_regular_signatures)
    except Exception:  # untrusted input: any parse failure is the answer
        findings.add("unreadable", _("The file is not a readable PDF document."))
        return Verdict(False, tuple(findings.reasons), tuple(findings.codes), (), None, digest)

    code = _code_read(reader, signatures)
    if not signatures:
        findings.add("unsigned", _("The file carries no digital signature."))
    elif len(signatures) != len(EXPECTED_FIELDS):
        findings.add(
            "signature_count",
            _(
                "The file carries {count} signatures; a transcript carries exactly two, the "
                "homeroom teacher's and then the school's."
            ).format(count=len(signatures)),
        )
    names = tuple(signature.field_name for signature in signatures)
    if len(signatures) == len(EXPECTED_FIELDS) and names != EXPECTED_FIELDS:
        findings.add(
            "order",
            _(
                "The signatures are not in the required order: the homeroom teacher signs "
                "first, the school last."
            ),
        )

    context = ValidationContext(
        trust_roots=[_asn1(root) for root in trust_roots],
        allow_fetching=False,
        # The test and demo CAs publish no revocation data; production passes B-LT files
        # whose revocation data is embedded (see the module docstring).
        revocation_mode="soft-fail",
    )
    statuses = asyncio.run(_statuses(signatures, context))
    signed_by: list[SignedBy] = []
    for index, (signature, status) in enumerate(zip(signatures, statuses, strict=True)):
        who = _who(signature.field_name)
        last = index == len(signatures) - 1
        if isinstance(status, Exception):
            findings.add(
                "malformed",
                _("The signature of {who} cannot be read.").format(who=who),
            )
            continue
        signed_by.append(
            SignedBy(
                field_name=signature.field_name,
                name=_subject(status, "common_name"),
                organisation=_subject(status, "organization_name"),
                signed_at=status.signer_reported_dt,
                intact=status.intact and status.valid,
                trusted=status.trusted,
            )
        )
        if not (status.intact and status.valid):
            findings.add(
                "broken",
                _(
                    "The signature of {who} does not match the file: the document was altered "
                    "after it was signed."
                ).format(who=who),
            )
        elif not status.trusted:
            # Only for an intact signature: a broken one is not checked for trust at all.
            findings.add(
                "untrusted",
                _(
                    "The certificate of {who} was not issued by a trusted certification authority."
                ).format(who=who),
            )
        if last:
            if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
                findings.add(
                    "appended",
                    _("Content was added to the file after the last signature."),
                )
        else:
            level = status.modification_level
            if level is None or level > ModificationLevel.FORM_FILLING or not status.docmdp_ok:
                findings.add(
                    "modified_between",
                    _(
                        "The document was changed after the signature of {who}, beyond "
                        "adding the next signature."
                    ).format(who=who),
                )

    if names == EXPECTED_FIELDS and len(signed_by) == len(EXPECTED_FIELDS):
        if signatures[-1].docmdp_level != MDPPerm.NO_CHANGES:
            findings.add(
                "not_locked",
                _("The school's signature does not lock the document against changes."),
            )
        teacher_cert, school_cert = (signature.signer_cert for signature in signatures)
        if teacher_cert.dump() == school_cert.dump():
            findings.add(
                "same_signer",
                _(
                    "Both signatures were made with the same certificate; the school must sign "
                    "with its own."
                ),
            )
        teacher_at, school_at = signed_by[0].signed_at, signed_by[1].signed_at
        if teacher_at is None or school_at is None:
            findings.add("undated", _("A signature of the document carries no signing time."))
        elif school_at < teacher_at:
            findings.add(
                "time_order",
                _("The school's signature is dated before the homeroom teacher's."),
            )
    if not code:
        findings.add(
            "no_code",
            _("The document carries no verification code; it was not issued by vnemis."),
        )
    return Verdict(
        ok=not findings.codes,
        reasons=tuple(findings.reasons),
        codes=tuple(findings.codes),
        signers=tuple(signed_by),
        verification_code=code,
        sha256=digest,
    )
