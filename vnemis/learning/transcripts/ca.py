"""A test and demo certificate authority, and the interface every transcript signer meets.

A signed học bạ has legal value only when the certificates come from a licensed Vietnamese
CA (Luật Giao dịch điện tử 2023; the Ministry's pilot counted which Sở had "approved signing
certificates", domain-vn §4). This module never pretends to be one: it makes the throwaway
authority of the test suite and of ``make run``, whose root a verifier trusts only when told
to. Production plugs a remote-signing service of a licensed CA in behind :class:`Signer`
(``docs/modules/learning.md``, "Signing in production").

Keys are ECDSA on P-256. A signature costs ~0.1 ms and a key ~0.1 ms, against ~1 ms and
~50–100 ms for RSA-2048, so the test suite and the demo can give every teacher a key and sign
hundreds of thousands of transcripts; the signature is 64–72 bytes instead of 256. PAdES
(ETSI EN 319 142-1) and Adobe Reader accept ECDSA with SHA-256, and the verifier accepts RSA
as well, which is what most Vietnamese CAs issue today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class SignerKind(StrEnum):
    """Who a signing certificate belongs to: the homeroom teacher or the school itself."""

    PERSON = "person"
    ORGANISATION = "organisation"


class Signer(Protocol):
    """What :func:`~.signing.pdf_sign` needs from whoever holds the key.

    The key never has to be here: ``digest_sign`` receives the SHA-256 digest of the signed
    attributes and returns the raw signature, which is exactly what remote-signing services
    (and the Cloud Signature Consortium API) take and give. :class:`SigningIdentity` is the
    local-key implementation.
    """

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's certificate, embedded in the signature."""
        ...

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The issuing certificates, signer's issuer first, embedded to help path building."""
        ...

    @property
    def signature_size(self) -> int:
        """An upper bound of one raw signature's length in bytes, to reserve space."""
        ...

    def digest_sign(self, digest: bytes) -> bytes:
        """The raw signature (DER ECDSA or PKCS#1 v1.5 RSA) of a SHA-256 ``digest``."""
        ...


def _name(*, common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _start(not_before: dt.datetime | None) -> dt.datetime:
    if not_before is None:
        # A minute back, so that a certificate issued and used within the same second is
        # already valid for a verifier whose clock is slightly behind.
        return dt.datetime.now(tz=dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=1)
    if not_before.tzinfo is None:
        raise ValueError("not_before must be an aware datetime.")
    return not_before


@dataclass(frozen=True)
class Authority:
    """A certificate authority: its self-signed root certificate and private key."""

    certificate: x509.Certificate
    private_key: PrivateKey

    def pkcs12(self, *, passphrase: bytes) -> bytes:
        """The root and its key as PKCS#12, encrypted with ``passphrase``."""
        return _pkcs12_dump(
            name=b"vnemis-ca",
            key=self.private_key,
            certificate=self.certificate,
            chain=(),
            passphrase=passphrase,
        )

    @classmethod
    def from_pkcs12(cls, data: bytes, *, passphrase: bytes) -> Authority:
        """The authority stored by :meth:`pkcs12`; ``ValueError`` for a wrong passphrase."""
        key, certificate, _chain, _name_ = _pkcs12_load(data, passphrase=passphrase)
        return cls(certificate=certificate, private_key=key)


@dataclass(frozen=True)
class SigningIdentity:
    """A signing certificate with its private key in memory: the local :class:`Signer`."""

    kind: SignerKind
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    private_key: PrivateKey

    @property
    def signature_size(self) -> int:
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.key_size // 8
        # DER ECDSA: two integers of the curve size, each with a possible leading zero.
        return 2 * (self.private_key.curve.key_size // 8 + 3) + 3

    def digest_sign(self, digest: bytes) -> bytes:
        prehashed = Prehashed(hashes.SHA256())
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(digest, padding.PKCS1v15(), prehashed)
        return self.private_key.sign(digest, ec.ECDSA(prehashed))

    def pkcs12(self, *, passphrase: bytes) -> bytes:
        """Key, certificate and chain as PKCS#12; the kind travels in the friendly name."""
        return _pkcs12_dump(
            name=self.kind.value.encode(),
            key=self.private_key,
            certificate=self.certificate,
            chain=self.chain,
            passphrase=passphrase,
        )

    @classmethod
    def from_pkcs12(cls, data: bytes, *, passphrase: bytes) -> SigningIdentity:
        """The identity stored by :meth:`pkcs12`; ``ValueError`` for a wrong passphrase."""
        key, certificate, chain, name = _pkcs12_load(data, passphrase=passphrase)
        return cls(
            kind=SignerKind(name.decode()), certificate=certificate, chain=chain, private_key=key
        )


def _pkcs12_dump(
    *,
    name: bytes,
    key: PrivateKey,
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...],
    passphrase: bytes,
) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name=name,
        key=key,
        cert=certificate,
        cas=list(chain) or None,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
    )


def _pkcs12_load(
    data: bytes, *, passphrase: bytes
) -> tuple[PrivateKey, x509.Certificate, tuple[x509.Certificate, ...], bytes]:
    bundle = pkcs12.load_pkcs12(data, passphrase)
    key = bundle.key
    if bundle.cert is None or not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError("The PKCS#12 file holds no EC or RSA key with its certificate.")
    chain = tuple(extra.certificate for extra in bundle.additional_certs)
    return key, bundle.cert.certificate, chain, bundle.cert.friendly_name or b""


def ca_create(
    *,
    common_name: str,
    organisation: str,
    valid_days: int,
    not_before: dt.datetime | None = None,
) -> Authority:
    """A new self-signed root that may issue end-entity certificates only (path length 0).

    ``not_before`` backdates the root, for demo transcripts signed on past dates.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name=common_name, organisation=organisation)
    start = _start(not_before)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(certificate=certificate, private_key=key)


def signer_issue(
    authority: Authority,
    *,
    common_name: str,
    organisation: str,
    kind: SignerKind | str,
    valid_days: int = 3 * 365,
    not_before: dt.datetime | None = None,
) -> SigningIdentity:
    """A new key and an end-entity signing certificate issued by ``authority``.

    ``kind`` is ``"person"`` for the homeroom teacher (``common_name`` is her name,
    ``organisation`` her school) or ``"organisation"`` for the school (both are its name).
    The key usages are those of a document-signing certificate: digital signature and
    non-repudiation (content commitment), which pyHanko's validator requires by default.
    """
    signer_kind = SignerKind(kind)
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    start = _start(not_before)
    issuer = authority.certificate
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name=common_name, organisation=organisation))
        .issuer_name(issuer.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(max(start, issuer.not_valid_before_utc))
        .not_valid_after(min(start + dt.timedelta(days=valid_days), issuer.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.private_key.public_key()),
            critical=False,
        )
        .sign(authority.private_key, hashes.SHA256())
    )
    return SigningIdentity(
        kind=signer_kind, certificate=certificate, chain=(issuer,), private_key=key
    )
