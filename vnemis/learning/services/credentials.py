"""Signing keys of the học bạ số: the deployment's certification authority (a demo one for
``make run`` and the tests, ``demo_ca_ensure``) and the homeroom teachers' and schools'
credentials issued from it on first use (``SigningCredential``)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.learning.models import (
    SigningCredential,
)
from vnemis.learning.transcripts.ca import Authority, SignerKind, SigningIdentity, ca_create
from vnemis.learning.transcripts.ca import signer_issue as _signer_issue
from vnemis.organisations.models import OrgUnit
from vnemis.people.models import Staff

logger = logging.getLogger(__name__)

CA_KEY_FILE = "ca.p12"
CA_CERT_FILE = "ca.pem"
DEMO_CA_NAME = "vnemis demo CA - NOT FOR PRODUCTION"
# A signing key is replaced this long before its certificate expires.
RENEW_BEFORE = dt.timedelta(days=30)


class TranscriptRefused(ValidationError):
    """A transcript step that cannot be taken; the message says why and what to do."""


# --- the certification authority and the signing keys ----------------------------------


def ca_dir() -> Path:
    return Path(settings.TRANSCRIPT_CA_DIR)


def key_passphrase() -> bytes:
    return str(settings.TRANSCRIPT_KEY_PASSPHRASE).encode()


def demo_ca_ensure() -> Path:
    """Make the demo certification authority once (``ca.p12`` and ``ca.pem`` in
    ``TRANSCRIPT_CA_DIR``); return the folder. An existing authority is kept: a new one would
    break every transcript signed with the old.

    Safe to run by two processes at once: the key file is put in place with a hard link,
    which fails for the second writer, who then keeps the first one's authority.
    """
    folder = ca_dir()
    key_path = folder / CA_KEY_FILE
    if key_path.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    authority = ca_create(common_name=DEMO_CA_NAME, organisation="vnemis demo", valid_days=3650)
    pem = authority.certificate.public_bytes(serialization.Encoding.PEM)
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as handle:
        handle.write(authority.pkcs12(passphrase=key_passphrase()))
        key_tmp = Path(handle.name)
    key_tmp.chmod(0o600)
    try:
        os.link(key_tmp, key_path)
    except FileExistsError:
        return folder
    finally:
        key_tmp.unlink()
    cert_tmp = folder / (CA_CERT_FILE + ".tmp")
    cert_tmp.write_bytes(pem)
    os.replace(cert_tmp, folder / CA_CERT_FILE)
    logger.info("Demo certification authority created in %s", folder)
    return folder


def authority_load() -> Authority:
    path = ca_dir() / CA_KEY_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TranscriptRefused(
            _(
                "No certification authority is set up to issue signing certificates. An "
                "administrator runs “vnemis transcripts ca --demo” for a demonstration, or "
                "installs the certificates of a licensed CA."
            )
        ) from None
    try:
        return Authority.from_pkcs12(data, passphrase=key_passphrase())
    except ValueError:
        raise TranscriptRefused(
            _(
                "The key of the certification authority cannot be opened with the configured "
                "passphrase (VNEMIS_TRANSCRIPT_KEY_PASSPHRASE)."
            )
        ) from None


def transcript_trust_roots() -> list[x509.Certificate]:
    """The certificates the verification page trusts: every ``*.pem`` of the CA folder."""
    roots: list[x509.Certificate] = []
    folder = ca_dir()
    if not folder.is_dir():
        return roots
    for path in sorted(folder.glob("*.pem")):
        roots.extend(x509.load_pem_x509_certificates(path.read_bytes()))
    return roots


def _usable(credential: SigningCredential | None, authority: Authority) -> bool:
    if credential is None or not credential.pkcs12:
        return False
    certificate = x509.load_pem_x509_certificate(credential.certificate.encode())
    try:
        # Issued by the authority in place now (a replaced demo CA leaves old keys behind).
        certificate.verify_directly_issued_by(authority.certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return certificate.not_valid_after_utc > timezone.now() + RENEW_BEFORE


def _credential_issue(
    *,
    holder: dict[str, Any],
    common_name: str,
    organisation: str,
    kind: SignerKind,
    by: User | None,
) -> SigningCredential:
    authority = authority_load()
    found = (
        SigningCredential.objects.filter(revoked=False, **holder)
        .exclude(pkcs12=b"")
        .order_by("-not_after")
        .first()
    )
    if found is not None and _usable(found, authority):
        return found
    identity = _signer_issue(
        authority, common_name=common_name, organisation=organisation, kind=kind
    )
    credential = SigningCredential.objects.create(
        certificate=identity.certificate.public_bytes(serialization.Encoding.PEM).decode(),
        pkcs12=identity.pkcs12(passphrase=key_passphrase()),
        not_after=identity.certificate.not_valid_after_utc,
        **holder,
    )
    # Never the key in the audit log, even encrypted.
    audit_record(
        actor=by,
        verb=AuditVerb.CREATED,
        target=credential,
        after=snapshot(credential, ["staff", "school", "not_after"]),
        note=common_name,
    )
    return credential


def credential_for_staff(*, staff: Staff, by: User | None) -> SigningCredential:
    """The homeroom teacher's signing credential, issued by the deployment's CA if she has
    no valid one."""
    return _credential_issue(
        holder={"staff": staff},
        common_name=staff.person.full_name,
        organisation=staff.org_unit.name,
        kind=SignerKind.PERSON,
        by=by,
    )


def credential_for_school(*, school: OrgUnit, by: User | None) -> SigningCredential:
    """The school's (organisation) signing credential, issued if it has no valid one."""
    return _credential_issue(
        holder={"school": school},
        common_name=school.name,
        organisation=school.name,
        kind=SignerKind.ORGANISATION,
        by=by,
    )


def signing_identity(credential: SigningCredential) -> SigningIdentity:
    return SigningIdentity.from_pkcs12(bytes(credential.pkcs12), passphrase=key_passphrase())
