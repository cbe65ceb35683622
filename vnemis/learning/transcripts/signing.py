"""PAdES signatures on a transcript PDF, one incremental update per signer.

The Ministry's workflow (domain-vn §4, draft circular of 05/2026) ends with the individual's
signature, then the institution's. Here that is two approval signatures, each appended as an
incremental update so the first stays valid when the second is added:

1. the homeroom teacher signs field :data:`TEACHER_FIELD` (``lock=False``);
2. the school signs field :data:`INSTITUTION_FIELD` with ``lock=True``: the field's lock
   dictionary names every field (FieldMDP ``/All``) and carries ``/P 1``, so from then on no
   change at all is permitted (ISO 32000-2 §12.7.5.5, 12.8.2.4).

Why not a certification (DocMDP) signature: a certification signature must be the first
signature of a document (ISO 32000-1 §12.8.2.2; pyHanko refuses otherwise), and the school
signs last. Making the teacher's signature the certification one would give the lock to the
wrong signer. The approval signature with a ``/P 1`` lock is the PDF 2.0 way for a last
signer to close a document; readers that predate PDF 2.0 ignore the ``/P``, which is why
:func:`~.verify.pdf_verify` does not rely on it and refuses anything after the last signature
itself.

The signature is PAdES baseline B-B: ``/SubFilter /ETSI.CAdES.detached``, SHA-256, the
signing-certificate-v2 attribute, no CMS signing-time attribute (EN 319 142-1 §6.3 forbids it;
the time is the dictionary's ``/M``). B-T and longer-term levels need a licensed time-stamping
authority and revocation data, which production adds (``docs/modules/learning.md``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from functools import lru_cache
from io import BytesIO

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import general, signers
from pyhanko.sign.fields import (
    FieldMDPAction,
    FieldMDPSpec,
    MDPPerm,
    SigFieldSpec,
    SigSeedSubFilter,
)
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vnemis.learning.transcripts.ca import Signer

TEACHER_FIELD = "ChuKyGiaoVienChuNhiem"
INSTITUTION_FIELD = "ChuKyNhaTruong"

# Room reserved for the CMS container beyond the certificates and the raw signature: the
# signed attributes, the algorithm identifiers and the DER framing take about 400 bytes.
_CMS_OVERHEAD = 1024


class SigningError(ValueError):
    """The PDF cannot be signed as asked (already locked, unreadable, no such field…)."""


@lru_cache(maxsize=256)
def _asn1_certificate(der: bytes) -> asn1_x509.Certificate:
    # Parsed once per certificate: a batch signs thousands of transcripts with the same two.
    return asn1_x509.Certificate.load(der)


def _store(certificates: list[asn1_x509.Certificate]) -> SimpleCertificateStore:
    store = SimpleCertificateStore()  # type: ignore[no-untyped-call]  # pyHanko: no annotations
    for certificate in certificates:
        store.register(certificate)
    return store


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


class _PyHankoSigner(signers.Signer):
    """pyHanko's signer over any :class:`~.ca.Signer`: it only asks for a digest's signature."""

    def __init__(self, signer: Signer) -> None:
        certificate = _asn1_certificate(_der(signer.certificate))
        chain = [_asn1_certificate(_der(issuer)) for issuer in signer.chain]
        if isinstance(signer.certificate.public_key(), rsa.RSAPublicKey):
            mechanism = "sha256_rsa"
        else:
            mechanism = "sha256_ecdsa"
        super().__init__(
            signing_cert=certificate,
            # The issuers only: pyHanko adds the signer's own certificate itself, and a second
            # copy of it would be written into the CMS certificate set.
            cert_registry=_store(chain),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}),
            # The verifier brings its own trust roots; a root in the file proves nothing, and
            # leaving it out saves ~500 bytes and its encoding time per signature.
            embed_roots=False,
        )
        self._signer = signer

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if digest_algorithm != "sha256":
            raise SigningError("Transcripts are signed with SHA-256 only.")
        if dry_run:
            return bytes(self._signer.signature_size)
        return self._signer.digest_sign(hashlib.sha256(data).digest())


def _reserved_size(signer: Signer) -> int:
    # pyHanko counts the room of /Contents in hexadecimal digits: two per byte of DER.
    certificates = (signer.certificate, *signer.chain)
    der_size = sum(len(_der(c)) for c in certificates) + signer.signature_size + _CMS_OVERHEAD
    return 2 * der_size


def _locking_field(writer: IncrementalPdfFileWriter) -> str | None:
    """The name of a signed field whose lock forbids any change, if there is one.

    pyHanko refuses to sign after a certification signature that forbids changes, but not
    after an approval signature whose lock does (ISO 32000-2 §12.7.5.5 ``/Lock`` ``/P 1``).
    Reading the form fields is enough and cheap: collecting the embedded signatures would
    parse their CMS containers, a third of a signature's time.
    """
    form = writer.root.get("/AcroForm")
    if form is None:
        return None
    for reference in form.get_object().get("/Fields", ()):
        field = reference.get_object()
        lock = field.get("/Lock")
        if "/V" in field and lock is not None and lock.get_object().get("/P") == 1:
            return str(field.get("/T", "?"))
    return None


async def _sign(
    pdf: bytes,
    *,
    signer: Signer,
    field_name: str,
    reason: str,
    location: str,
    signed_at: dt.datetime,
    lock: bool,
) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    locked_by = _locking_field(writer)
    if locked_by is not None:
        raise SigningError(f"The document is locked by its signature in field {locked_by}.")
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        docmdp_permissions=MDPPerm.NO_CHANGES,
    )
    field_spec = SigFieldSpec(
        sig_field_name=field_name,
        field_mdp_spec=FieldMDPSpec(action=FieldMDPAction.ALL) if lock else None,
        doc_mdp_update_value=MDPPerm.NO_CHANGES if lock else None,
    )
    pdf_signer = signers.PdfSigner(meta, _PyHankoSigner(signer), new_field_spec=field_spec)
    # The steps of PdfSigner.sign_pdf, run one by one so the signing time is the one given
    # (sign_pdf always takes the clock's) and the reserved size is computed, not estimated
    # by a dry-run signature.
    session = pdf_signer.init_signing_session(writer)
    session.system_time = signed_at
    tbs = session.prepare_tbs_document(validation_info=None, bytes_reserved=_reserved_size(signer))
    output = BytesIO()
    prepared, _written = tbs.digest_tbs_document(output=output)
    await tbs.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=signed_at),
    )
    return output.getvalue()


def pdf_sign(
    pdf: bytes,
    *,
    signer: Signer,
    field_name: str,
    reason: str,
    location: str,
    signed_at: dt.datetime,
    lock: bool = False,
) -> bytes:
    """``pdf`` with one more PAdES B-B signature by ``signer``, appended incrementally.

    ``field_name`` is a new invisible signature field (:data:`TEACHER_FIELD`, then
    :data:`INSTITUTION_FIELD`); ``signed_at`` (an aware datetime) is the time written into the
    signature. ``lock=True`` makes this the last signature: no later change is permitted.
    Raises :class:`SigningError` when the PDF cannot take the signature (for instance it is
    already locked, or the field exists).
    """
    if signed_at.tzinfo is None:
        raise ValueError("signed_at must be an aware datetime.")
    try:
        return asyncio.run(
            _sign(
                pdf,
                signer=signer,
                field_name=field_name,
                reason=reason,
                location=location,
                signed_at=signed_at,
                lock=lock,
            )
        )
    except general.SigningError as error:  # pyHanko's own type, e.g. "document is locked"
        raise SigningError(str(error)) from error
