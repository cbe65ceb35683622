"""``vnemis transcripts``: issue, sign and verify học bạ số from the command line.

- ``issue --org CODE --year 2021-2022``: prepare and take every step (as the system actor) of
  the transcript of every student with a year result under the unit; prints the counts.
- ``verify FILE.pdf``: exit 0 when the file is authentic, unchanged and the transcript the
  school issued (not revoked); exit 1 with the reasons otherwise.
- ``sign --pending [--limit N]``: render and sign the transcripts recorded as issued without a
  PDF (bulk and demo loads).
- ``ca --demo``: make the demo certification authority (kept if it exists).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vnemis.learning.services import credentials
from vnemis.learning.services import transcripts as services
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear

# A verification that failed (an unreadable file is the same: not authentic).
NOT_AUTHENTIC = 1
# Larger than any transcript by far; a bigger file is not read into memory.
VERIFY_MAX_BYTES = 20 * 2**20


class Command(BaseCommand):
    help = "Issue, sign and verify digital transcripts (học bạ số)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue the transcripts of every school under a unit.")
        issue.add_argument("--org", required=True, help="Code of the unit (a school or above).")
        issue.add_argument("--year", required=True, help="School year, e.g. 2021-2022.")
        verify = sub.add_parser("verify", help="Check that a transcript PDF is authentic.")
        verify.add_argument("file", help="The PDF file.")
        sign = sub.add_parser("sign", help="Sign transcripts recorded as issued without a PDF.")
        sign.add_argument("--pending", action="store_true", required=True)
        sign.add_argument("--limit", type=int, default=None)
        ca = sub.add_parser("ca", help="Make the demo certification authority.")
        ca.add_argument("--demo", action="store_true", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "issue":
            self._issue(options["org"], options["year"])
        elif action == "verify":
            self._verify(options["file"])
        elif action == "sign":
            self._sign(options["limit"])
        else:
            folder = credentials.demo_ca_ensure()
            self.stdout.write(
                _("Demo certification authority: {path}").format(
                    path=folder / credentials.CA_KEY_FILE
                )
            )

    def _issue(self, org: str, year_code: str) -> None:
        unit = OrgUnit.objects.filter(code=org).first()
        if unit is None:
            raise CommandError(_("There is no unit with the code {code}.").format(code=org))
        year = SchoolYear.objects.filter(code=year_code).first()
        if year is None:
            raise CommandError(_("There is no school year {code}.").format(code=year_code))
        if unit.kind == "school":
            schools = [unit]
        else:
            paths = OrgPlacement.objects.filter(unit=unit).values_list("path", flat=True)
            below = OrgPlacement.objects.none()
            for path in paths:
                below |= OrgPlacement.objects.filter(path__startswith=path)
            schools = list(
                OrgUnit.objects.filter(kind="school", pk__in=below.values("unit_id")).order_by(
                    "code"
                )
            )
        totals = services.BatchCounts()
        for school in schools:
            counts = services.transcripts_batch_run(school_year=year, school=school, by=None)
            totals.students += counts.students
            totals.prepared += counts.prepared
            totals.issued += counts.issued
            totals.already += counts.already
            totals.refused += counts.refused
        for line in totals.refused:
            self.stderr.write(line)
        self.stdout.write(
            _(
                "{schools} schools, {students} students with a year result: {issued} "
                "transcripts issued now, {already} already issued, {refused} refused."
            ).format(
                schools=len(schools),
                students=totals.students,
                issued=totals.issued,
                already=totals.already,
                refused=len(totals.refused),
            )
        )

    def _verify(self, file: str) -> None:
        path = Path(file)
        try:
            size = path.stat().st_size
            if size > VERIFY_MAX_BYTES:
                raise CommandError(
                    _("{path} is larger than any transcript: not checked.").format(path=file),
                    returncode=NOT_AUTHENTIC,
                )
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read {path}: {error}.").format(path=file, error=exc.strerror or exc),
                returncode=NOT_AUTHENTIC,
            ) from None
        check = services.transcript_verify_file(data)
        if not check.ok:
            raise CommandError(
                _("NOT AUTHENTIC: {path}").format(path=file)
                + "\n"
                + "\n".join(f"- {reason}" for reason in check.reasons),
                returncode=NOT_AUTHENTIC,
            )
        transcript = check.transcript
        assert transcript is not None  # ok implies the issuance log was matched
        self.stdout.write(
            _(
                "AUTHENTIC AND UNCHANGED: transcript {code}, {school}, school year {year}, "
                "SHA-256 {sha256}."
            ).format(
                code=transcript.code,
                school=transcript.school.name,
                year=transcript.school_year,
                sha256=check.verdict.sha256,
            )
        )
        for signer in check.verdict.signers:
            self.stdout.write(
                _("Signed by {name} ({organisation}) at {at}.").format(
                    name=signer.name,
                    organisation=signer.organisation,
                    at=signer.signed_at.isoformat() if signer.signed_at else "—",
                )
            )

    def _sign(self, limit: int | None) -> None:
        signed, problems = services.transcripts_sign_pending(limit=limit)
        for line in problems:
            self.stderr.write(line)
        self.stdout.write(
            _("{signed} transcripts signed, {failed} could not be.").format(
                signed=signed, failed=len(problems)
            )
        )
        if problems:
            raise CommandError(
                _("Some transcripts could not be signed: see the reasons above."), returncode=1
            )
