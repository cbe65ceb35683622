"""Học bạ số: a student's transcript of one school year, from its frozen content to the signed
PDF, and everything done with it afterwards (domain-vn §4).

The workflow follows the Ministry's order (draft circular of 05/2026, domain-vn §4):
completion → verification → confirmation → the homeroom teacher's signature → the
institution's signature. ``transcript_prepare`` freezes the content (keyed by the personal ID,
tagged with its regime) as a DRAFT; ``transcript_advance`` takes one step at a time, each by
the person whose step it is, each appended to ``TranscriptStep``:

- completion and the teacher's signature: the class's homeroom teacher;
- verification and confirmation: the principal (or an administrator above the school);
- the institution's signature (ISSUED): the principal of the school itself.

The teacher's step renders the PDF from the frozen content and signs it with her key; the
school's step adds the school's signature, which locks the document. ``by=None`` is the system
actor (the command line, the demo loader): it may take every step, signing with the class's
homeroom teacher's key and the school's.

Publication rule (⚠ decided here, issue 11 item 5): a transcript is a release to the family, so
it is prepared only once every value it prints has been released to the family: the class
summary of term II and, for each subject, its term results of both terms (and, in primary
school, the periodic test scores).

A change of results after issue: preparing again makes a new version (new code) and revokes the
issued one, saying why; an unchanged year is refused, so nothing is issued twice.

Lazy materialisation (bulk and demo): a transcript recorded as ISSUED with no PDF is rendered
and signed when first needed (a download, ``vnemis transcripts sign --pending``, the worker's
``transcripts_sign_pending_task``), by the actors of its recorded steps, or the class's homeroom
teacher and the school when it has none; without content, the content is built from the
records at that moment (the year's terms are locked by then).

Signing keys: a deployment's certification authority lives in ``settings.TRANSCRIPT_CA_DIR``
(``ca.p12``: key and certificate, encrypted with ``TRANSCRIPT_KEY_PASSPHRASE``; every ``*.pem``
file there is a trust root of the verification page). ``demo_ca_ensure`` makes the demo one.
Teachers' and schools' keys are issued from it on first use (``SigningCredential``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.choices import Role
from vnemis.accounts.models import RoleAssignment, User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.learning import access
from vnemis.learning.choices import CopyKind, ReleaseColumn, Term, TranscriptStatus
from vnemis.learning.codes import transcript_code
from vnemis.learning.labels import number_text
from vnemis.learning.models import (
    Mark,
    Subject,
    TermReport,
    Transcript,
    TranscriptCopy,
    TranscriptStep,
    YearResult,
)
from vnemis.learning.regimes import tt22_2021, tt27_2020, tt30_2014, tt58_2011
from vnemis.learning.selectors import released_columns, student_class_of_year
from vnemis.learning.services.catalogue import class_regime, class_subjects
from vnemis.learning.services.credentials import (
    TranscriptRefused,
    credential_for_school,
    credential_for_staff,
    signing_identity,
    transcript_trust_roots,
)
from vnemis.learning.transcripts.document import (
    Regime,
    School,
    Student,
    SubjectRow,
    Summary,
    TranscriptData,
    TranscriptLayoutError,
    transcript_pdf,
)
from vnemis.learning.transcripts.signing import (
    INSTITUTION_FIELD,
    TEACHER_FIELD,
    SigningError,
    pdf_sign,
)
from vnemis.learning.transcripts.verify import Verdict, pdf_verify
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear, TreeVersion
from vnemis.people.models import SchoolClass, Staff
from vnemis.people.models import Student as StudentRecord

logger = logging.getLogger(__name__)

S = TranscriptStatus
# The Ministry's order; each status is reached from the one before it only.
ORDER: tuple[TranscriptStatus, ...] = (
    S.DRAFT,
    S.COMPLETED,
    S.VERIFIED,
    S.CONFIRMED,
    S.TEACHER_SIGNED,
    S.ISSUED,
)
NEXT: dict[str, TranscriptStatus] = {ORDER[i].value: ORDER[i + 1] for i in range(len(ORDER) - 1)}
IN_PROGRESS = (S.DRAFT, S.COMPLETED, S.VERIFIED, S.CONFIRMED, S.TEACHER_SIGNED)

# The remarks box of the page holds three printed lines (document.MAX_REMARK_LINES).
REMARK_MAX = 240
# The national store package's format version (an adapter until the Ministry publishes one).
NATIONAL_STORE_FORMAT = "vnemis-hocbaso-export/1"

# The words of the printed form (official wording, not UI text: style rule 9).
LEVEL_WORDS = {
    "tot": "Tốt",
    "kha": "Khá",
    "dat": "Đạt",
    "chua_dat": "Chưa đạt",
    "gioi": "Giỏi",
    "trung_binh": "Trung bình",
    "yeu": "Yếu",
    "kem": "Kém",
    "htxs": "Hoàn thành xuất sắc",
    "htt": "Hoàn thành tốt",
    "ht": "Hoàn thành",
    "cht": "Chưa hoàn thành",
    "can_co_gang": "Cần cố gắng",
}
COMMENT_SHORT = {"dat": "Đ", "chua_dat": "CĐ"}
PRIMARY_SHORT = {"htt": "T", "ht": "H", "cht": "C"}
# ⚠ The award titles of TT58 and TT30 are written from the circulars' wording as commonly
# printed (TT58 Điều 18, TT22/2016 Điều 10); TT22/2021 Điều 15; TT27 from its module.
AWARD_WORDS = {
    "xuat_sac": "Học sinh Xuất sắc",
    "gioi": "Học sinh Giỏi",
    "tien_tien": "Học sinh Tiên tiến",
    "tieu_bieu": "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện",
    "vuot_troi": "Học sinh có thành tích vượt trội",
}
PROMOTION_WORDS = {
    "len_lop": "Được lên lớp",
    "kiem_tra_lai": "Kiểm tra lại trong hè",
    "ren_luyen_he": "Rèn luyện trong hè",
    "o_lai_lop": "Ở lại lớp",
}
SEX_WORDS = {"M": "Nam", "F": "Nữ"}
REGIME_TITLES = {
    "tt22": ("TT22/2021", tt22_2021.TITLE),
    "tt58": ("TT58/2011 (sửa đổi bởi TT26/2020)", tt58_2011.TITLE),
    "tt27": ("TT27/2020", tt27_2020.TITLE),
    "tt30": ("TT30/2014 (sửa đổi bởi TT22/2016)", tt30_2014.TITLE),
}
PRIMARY = ("tt27", "tt30")


# --- the content -------------------------------------------------------------------------


def _school_header(school: OrgUnit, school_year: SchoolYear) -> dict[str, str]:
    """The unit above the school and the province of the date line, from the organisation
    tree in force when the year began."""
    try:
        version = TreeVersion.for_date(school_year.starts_on)
        placement = OrgPlacement.objects.filter(unit=school, version=version).first()
    except TreeVersion.DoesNotExist:
        placement = None
    if placement is None:
        placement = OrgPlacement.objects.filter(unit=school).order_by("-version_id").first()
    parent = ""
    province = ""
    if placement is not None:
        if placement.parent_id is not None:
            parent_unit = OrgUnit.objects.filter(pk=placement.parent_id).first()
            parent = parent_unit.name.upper() if parent_unit else ""
        root_code = placement.path.split(":", 1)[-1].split(".", 1)[0]
        root = OrgUnit.objects.filter(code=root_code).first()
        if root is not None:
            province = root.name
            for prefix in ("Sở Giáo dục và Đào tạo ", "Sở GD&ĐT ", "Sở GDĐT "):
                province = province.removeprefix(prefix)
            province = province.split(" (", 1)[0]
    return {
        "name": school.name,
        "parent_unit": parent,
        "province": province,
        "address": school.address,
    }


def _remark(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= REMARK_MAX:
        return text
    return text[: REMARK_MAX - 1].rsplit(" ", 1)[0] + "…"


def _number(value: Any) -> str:
    return "" if value is None else (number_text(value) or "")


def _secondary_rows(
    regime: str,
    subjects: Sequence[Subject],
    marks: dict[tuple[int, int], Mark],
    outcome: dict[str, Any],
) -> list[dict[str, Any]]:
    rows = []
    for subject in subjects:
        values: list[str] = []
        for term in (1, 2):
            mark = marks.get((subject.pk, term))
            if mark is None:
                values.append("")
            elif subject.mode == "score":
                values.append(_number(mark.average))
            else:
                values.append(COMMENT_SHORT.get(mark.result, mark.result))
        year = (outcome.get("subjects", {}).get(subject.code) or {}).get("year")
        if subject.mode == "score":
            values.append(_number(year))
        else:
            values.append(COMMENT_SHORT.get(str(year), "") if year else "")
        rows.append({"name": subject.name, "values": values})
    return rows


def _primary_rows(
    subjects: Sequence[Subject], marks: dict[tuple[int, int], Mark]
) -> list[dict[str, Any]]:
    rows = []
    for subject in subjects:
        values: list[str] = []
        for term in (1, 2):
            mark = marks.get((subject.pk, term))
            level = PRIMARY_SHORT.get(mark.result, mark.result) if mark else ""
            test = "" if mark is None or mark.final is None else str(int(mark.final))
            values += [level, test]
        rows.append({"name": subject.name, "values": values})
    return rows


def _traits_counted(outcome: dict[str, Any], key: str) -> str:
    """The year levels of the qualities (``key`` "qualities") or competencies, counted:
    "5 Tốt" or "7 Tốt, 3 Đạt"."""
    traits = ((outcome.get("conduct") or {}).get(key) or {}).values()
    levels = Counter((trait or {}).get("year") for trait in traits)
    return ", ".join(
        f"{levels[code]} {LEVEL_WORDS[code]}"
        for code in ("tot", "dat", "can_co_gang")
        if levels[code]
    )


def transcript_content(
    *,
    student: StudentRecord,
    school_year: SchoolYear,
    school_class: SchoolClass,
    year_result: YearResult,
) -> dict[str, Any]:
    """The page of ``student``'s year as JSON-ready data: everything ``TranscriptData`` takes
    but the issue date, the code and the verification address (added when it is rendered)."""
    person = student.person
    if person.birth_date is None:
        raise TranscriptRefused(
            _(
                "{name} has no date of birth in the records: a transcript prints it. Enter it "
                "in the student's record first."
            ).format(name=person.full_name)
        )
    regime = year_result.regime or class_regime(school_class)
    subjects = class_subjects(school_class)
    marks = {
        (m.subject_id, m.term): m
        for m in Mark.objects.filter(student=student, school_year=school_year)
    }
    reports = {
        r.term: r for r in TermReport.objects.filter(student=student, school_year=school_year)
    }
    outcome = year_result.outcome or {}
    absences = sum(r.absences_excused + r.absences_unexcused for r in reports.values())
    remark_report = reports.get(2) or reports.get(1)
    award = year_result.award
    if regime == "tt27" and award in tt27_2020.Award.__members__.values():
        award_words = tt27_2020.AWARD_NAMES[tt27_2020.Award(award)]
    else:
        award_words = AWARD_WORDS.get(award, award)
    summary: dict[str, Any] = {
        "learning_result": LEVEL_WORDS.get(year_result.learning, year_result.learning),
        "conduct": LEVEL_WORDS.get(year_result.conduct, year_result.conduct),
        "promotion": PROMOTION_WORDS.get(year_result.promotion, year_result.promotion),
        "absences": absences,
        "award": award_words,
        "homeroom_remarks": _remark(remark_report.remark if remark_report else ""),
        "principal_remarks": "",
    }
    extra: list[list[str]] = []
    if regime in PRIMARY:
        columns = ["Cuối HK I: mức", "Cuối HK I: điểm", "Cuối năm: mức", "Cuối năm: điểm"]
        rows = _primary_rows(subjects, marks)
        summary |= {
            "learning_label": "Đánh giá kết quả giáo dục",
            "conduct_label": "Phẩm chất",
            "conduct": _traits_counted(outcome, "qualities"),
        }
        extra.append(["Năng lực", _traits_counted(outcome, "competencies")])
        if (outcome.get("learning") or {}).get("primary_completed"):
            summary["promotion"] = "Hoàn thành chương trình tiểu học"
    else:
        columns = ["Học kì I", "Học kì II", "Cả năm"]
        rows = _secondary_rows(regime, subjects, marks, outcome)
        if regime == "tt58":
            summary |= {"learning_label": "Học lực", "conduct_label": "Hạnh kiểm"}
            average = (outcome.get("averages") or {}).get("year")
            if average is not None:
                extra.append(["Điểm trung bình các môn cả năm", _number(average)])
    code, citation = REGIME_TITLES[regime]
    homeroom = school_class.homeroom_teacher
    return {
        "school": _school_header(school_class.school, school_year),
        "student": {
            "full_name": person.full_name,
            "birth_date": person.birth_date.isoformat(),
            "sex": SEX_WORDS.get(person.sex, ""),
            "ethnicity": person.get_ethnicity_display(),
            "personal_id": person.national_id or "",
            "student_code": student.code,
            "birthplace": "",
        },
        "school_year": school_year.code,
        "grade": school_class.grade,
        "class_name": school_class.name,
        "regime": {"code": code, "citation": citation},
        "regime_code": regime,
        "columns": columns,
        "subjects": rows,
        "summary": summary,
        "homeroom_teacher": homeroom.person.full_name if homeroom else "",
        "principal": _principal_name(school_class.school),
        "extra": extra,
    }


def _principal_name(school: OrgUnit) -> str:
    """The name under the school's signature: the school's record, else the person holding
    the principal's role there today."""
    if school.principal_name:
        return school.principal_name
    today = timezone.localdate()
    assignment = (
        RoleAssignment.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            role=Role.PRINCIPAL,
            org_unit=school,
            user__person__isnull=False,
        )
        .select_related("user__person")
        .order_by("pk")
        .first()
    )
    return assignment.user.person.full_name if assignment is not None else ""


def content_sha256(content: dict[str, Any]) -> str:
    """The fingerprint of frozen content: SHA-256 of its canonical JSON."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def transcript_verify_url(code: str) -> str:
    """The public verification address printed under the QR code."""
    base = str(settings.TRANSCRIPT_PUBLIC_URL).rstrip("/")
    return base + reverse("learning:transcript_verify_code", kwargs={"code": code})


def transcript_data(*, transcript: Transcript, issued_on: dt.date) -> TranscriptData:
    """The document of a transcript from its frozen content."""
    c = transcript.content
    student = dict(c["student"])
    student["birth_date"] = dt.date.fromisoformat(student["birth_date"])
    try:
        return TranscriptData(
            school=School(**c["school"]),
            student=Student(**student),
            school_year=c["school_year"],
            grade=c["grade"],
            class_name=c["class_name"],
            regime=Regime(**c["regime"]),
            columns=tuple(c["columns"]),
            subjects=tuple(
                SubjectRow(name=row["name"], values=tuple(row["values"])) for row in c["subjects"]
            ),
            summary=Summary(**c["summary"]),
            homeroom_teacher=c["homeroom_teacher"],
            principal=c["principal"],
            issued_on=issued_on,
            verification_code=transcript.code,
            verification_url=transcript_verify_url(transcript.code),
            extra=tuple((label, value) for label, value in c.get("extra", [])),
        )
    except TranscriptLayoutError as exc:
        raise _layout_refusal(transcript, exc) from exc


def _layout_refusal(transcript: Transcript, exc: TranscriptLayoutError) -> TranscriptRefused:
    logger.warning("Transcript %s does not fit its page: %s", transcript.code, exc)
    return TranscriptRefused(
        _(
            "The transcript does not fit the one-page form (too many subjects or remarks "
            "too long). Shorten the homeroom teacher's remark and try again."
        )
    )


# --- preparing -----------------------------------------------------------------------------


def _release_missing(
    *, school_class: SchoolClass, subjects: Sequence[Subject], regime: str
) -> list[str]:
    """What the transcript would print that the family has not been given yet."""
    released = released_columns(school_class_id=school_class.pk, now=timezone.now())
    missing: list[str] = []
    if (None, 2, ReleaseColumn.SUMMARY.value) not in released:
        missing.append(
            _("{column}, {term}").format(column=ReleaseColumn.SUMMARY.label, term=Term(2).label)
        )
    for subject in subjects:
        columns = [ReleaseColumn.AVERAGE]
        if regime in PRIMARY and subject.tested:
            columns.append(ReleaseColumn.FINAL)
        for term in (1, 2):
            for column in columns:
                if (subject.pk, term, column.value) not in released:
                    missing.append(
                        _("{subject}: {column}, {term}").format(
                            subject=subject.name, column=column.label, term=Term(term).label
                        )
                    )
    return missing


def _step(
    transcript: Transcript, status: TranscriptStatus, by: User | None, note: str = ""
) -> None:
    TranscriptStep.objects.create(
        transcript=transcript, status=status, by=by if by is not None else None, note=note[:255]
    )


def _latest(student: StudentRecord, school_year: SchoolYear) -> Transcript | None:
    return (
        Transcript.objects.select_for_update()
        .filter(student=student, school_year=school_year)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def transcript_prepare(
    *, student: StudentRecord, school_year: SchoolYear, by: User | None
) -> Transcript:
    """Freeze ``student``'s year as a transcript DRAFT (or refresh the one in progress).

    Refused when the year has no result, when a value it prints is not released to the family
    yet, or when the issued transcript already says the same. A year that changed after issue
    gets a new version with a new code, and the issued one is revoked with the reason.
    """
    school_class = student_class_of_year(student=student, school_year_id=school_year.pk)
    name = student.person.full_name
    if school_class is None:
        raise TranscriptRefused(
            _("{name} has no class in {year}: there is no transcript to prepare.").format(
                name=name, year=school_year
            )
        )
    if not access.transcript_may_prepare(user=by, school_class=school_class):
        raise TranscriptRefused(
            _("Only the homeroom teacher or the principal prepares the class's transcripts.")
        )
    year_result = YearResult.objects.filter(student=student, school_year=school_year).first()
    if year_result is None:
        raise TranscriptRefused(
            _(
                "{name} has no year result for {year} yet: complete the gradebook and the term "
                "reports of both terms first."
            ).format(name=name, year=school_year)
        )
    regime = year_result.regime or class_regime(school_class)
    missing = _release_missing(
        school_class=school_class, subjects=class_subjects(school_class), regime=regime
    )
    if missing:
        shown = "; ".join(missing[:4]) + ("; …" if len(missing) > 4 else "")
        raise TranscriptRefused(
            _(
                "A transcript is given to the family, so every result it shows must be released "
                "to them first. Not released yet: {missing}. Release them on the class page, "
                "then prepare the transcript again."
            ).format(missing=shown)
        )
    content = transcript_content(
        student=student, school_year=school_year, school_class=school_class, year_result=year_result
    )
    fingerprint = content_sha256(content)
    latest = _latest(student, school_year)
    if latest is not None and latest.status in IN_PROGRESS:
        if latest.content_sha256 == fingerprint:
            return latest
        restart = latest.status != S.DRAFT
        before = snapshot(latest, ["status", "content_sha256"])
        if latest.pdf:
            latest.pdf.delete(save=False)
        latest.content = content
        latest.content_sha256 = fingerprint
        latest.national_id = student.person.national_id or ""
        latest.status = S.DRAFT
        latest.pdf_sha256 = ""
        latest.save()
        if restart:
            _step(latest, S.DRAFT, by, _("The results changed: the workflow starts again."))
        audit_record(
            actor=by,
            verb=AuditVerb.UPDATED,
            target=latest,
            before=before,
            after=snapshot(latest, ["status", "content_sha256"]),
        )
        return latest
    version = 1
    if latest is not None:
        version = latest.version + 1
        if latest.status == S.ISSUED:
            if latest.content_sha256 == fingerprint:
                raise TranscriptRefused(
                    _(
                        "The transcript of {name} for {year} is already issued and the results "
                        "have not changed since."
                    ).format(name=name, year=school_year)
                )
            _revoke(
                latest,
                reason=_("Replaced by version {version}: the results changed after issue.").format(
                    version=version
                ),
                by=by,
            )
    transcript = Transcript.objects.create(
        student=student,
        school_year=school_year,
        school=school_class.school,
        school_class=school_class,
        grade=school_class.grade,
        regime=regime,
        version=version,
        code=transcript_code(),
        national_id=student.person.national_id or "",
        status=S.DRAFT,
        content=content,
        content_sha256=fingerprint,
    )
    _step(transcript, S.DRAFT, by)
    audit_record(
        actor=by,
        verb=AuditVerb.CREATED,
        target=transcript,
        after=snapshot(transcript, ["student", "school_year", "version", "code", "status"]),
    )
    return transcript


# --- the workflow --------------------------------------------------------------------------


def _homeroom_staff(transcript: Transcript, by: User | None, *, strict: bool = True) -> Staff:
    """Whose key signs as homeroom teacher: ``by``'s staff record (the permission check made
    sure she is the class's homeroom teacher), or for the system the class's homeroom teacher.
    Not ``strict`` (signing on first use): a recorded actor without a staff record falls back
    to the class's homeroom teacher."""
    if by is not None:
        staff = Staff.objects.filter(person__user=by).select_related("person", "org_unit").first()
        if staff is not None:
            return staff
        if strict:
            raise TranscriptRefused(
                _("Only a member of the school's staff signs as homeroom teacher.")
            )
    school_class = transcript.school_class
    homeroom = school_class.homeroom_teacher if school_class is not None else None
    if homeroom is None:
        raise TranscriptRefused(
            _(
                "The class has no homeroom teacher to sign the transcript. The principal sets "
                "the homeroom teacher of the class first."
            )
        )
    return homeroom


def _signed_at(after: dt.datetime | None = None) -> dt.datetime:
    now = timezone.now()
    if after is not None and now <= after:
        return after + dt.timedelta(seconds=1)
    return now


def _sign_teacher(
    transcript: Transcript, staff: Staff, by: User | None, *, printed_on: dt.date
) -> tuple[bytes, dt.datetime]:
    identity = signing_identity(credential_for_staff(staff=staff, by=by))
    data = transcript_data(transcript=transcript, issued_on=printed_on)
    try:
        page = transcript_pdf(data)
    except TranscriptLayoutError as exc:
        raise _layout_refusal(transcript, exc) from exc
    signed_at = _signed_at()
    try:
        pdf = pdf_sign(
            page,
            signer=identity,
            field_name=TEACHER_FIELD,
            reason="Giáo viên chủ nhiệm ký học bạ",
            location=data.school.province or data.school.name,
            signed_at=signed_at,
        )
    except SigningError as exc:
        logger.exception("Teacher's signature failed on %s", transcript.code)
        raise TranscriptRefused(
            _("The transcript could not be signed: {error}").format(error=exc)
        ) from exc
    return pdf, signed_at


def _sign_school(
    transcript: Transcript, pdf: bytes, by: User | None, *, after: dt.datetime | None
) -> bytes:
    identity = signing_identity(credential_for_school(school=transcript.school, by=by))
    location = (transcript.content.get("school") or {}).get("province") or transcript.school.name
    try:
        return pdf_sign(
            pdf,
            signer=identity,
            field_name=INSTITUTION_FIELD,
            reason="Nhà trường ký, đóng dấu số học bạ",
            location=location,
            signed_at=_signed_at(after),
            lock=True,
        )
    except SigningError as exc:
        logger.exception("School's signature failed on %s", transcript.code)
        raise TranscriptRefused(
            _("The transcript could not be signed: {error}").format(error=exc)
        ) from exc


def _store_pdf(transcript: Transcript, pdf: bytes, suffix: str) -> None:
    if transcript.pdf:
        transcript.pdf.delete(save=False)
    name = f"hoc-ba-{transcript.code}-v{transcript.version}{suffix}.pdf"
    transcript.pdf.save(name, ContentFile(pdf), save=False)
    transcript.pdf_sha256 = hashlib.sha256(pdf).hexdigest()


def _stored_pdf(transcript: Transcript) -> bytes:
    with transcript.pdf.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != transcript.pdf_sha256:
        raise TranscriptRefused(
            _(
                "The stored PDF of transcript {code} does not match its fingerprint: it was "
                "changed on the server. Prepare the transcript again."
            ).format(code=transcript.code)
        )
    return bytes(data)


@transaction.atomic
def transcript_advance(
    *, transcript: Transcript, to: TranscriptStatus, by: User | None, note: str = ""
) -> Transcript:
    """Take the next step of the Ministry's workflow; a skipped step, a step of another
    person's or a step on a revoked transcript is refused with the reason."""
    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    expected = NEXT.get(current.status)
    if current.status == S.REVOKED:
        raise TranscriptRefused(_("This transcript was revoked: prepare a new one instead."))
    if expected is None:
        raise TranscriptRefused(_("This transcript is already issued."))
    if to != expected:
        raise TranscriptRefused(
            _(
                "The transcript is at the step “{status}”: the next step is “{next}”, not "
                "“{to}”. Steps are taken in the Ministry's order."
            ).format(
                status=S(current.status).label, next=expected.label, to=TranscriptStatus(to).label
            )
        )
    if not access.transcript_step_allowed(user=by, transcript=current, to=expected):
        who = (
            _("the homeroom teacher of the class")
            if expected in (S.COMPLETED, S.TEACHER_SIGNED)
            else _("the principal of the school")
        )
        raise TranscriptRefused(
            _("The step “{step}” is taken by {who}.").format(step=expected.label, who=who)
        )
    before = snapshot(current, ["status", "pdf_sha256", "issued_on"])
    if expected == S.TEACHER_SIGNED:
        pdf, _at = _sign_teacher(
            current, _homeroom_staff(current, by), by, printed_on=timezone.localdate()
        )
        _store_pdf(current, pdf, "-gvcn")
    elif expected == S.ISSUED:
        teacher_step = current.steps.filter(status=S.TEACHER_SIGNED).order_by("-at").first()
        pdf = _sign_school(
            current, _stored_pdf(current), by, after=teacher_step.at if teacher_step else None
        )
        _store_pdf(current, pdf, "")
        current.issued_on = timezone.localdate()
    current.status = expected
    current.save()
    _step(current, expected, by, note)
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=current,
        before=before,
        after=snapshot(current, ["status", "pdf_sha256", "issued_on"]),
        note=note,
    )
    return current


def _revoke(transcript: Transcript, *, reason: str, by: User | None) -> None:
    before = snapshot(transcript, ["status", "revoked_reason"])
    transcript.status = S.REVOKED
    transcript.revoked_reason = reason[:255]
    transcript.save()
    _step(transcript, S.REVOKED, by, reason)
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=transcript,
        before=before,
        after=snapshot(transcript, ["status", "revoked_reason"]),
        note=reason,
    )


@transaction.atomic
def transcript_revoke(*, transcript: Transcript, reason: str, by: User | None) -> Transcript:
    """Withdraw a transcript (issued or not): the verification page then says it was revoked
    and why. The signed file is kept, for the record."""
    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if not access.transcript_may_revoke(user=by, transcript=current):
        raise TranscriptRefused(_("Only the principal revokes the school's transcripts."))
    if current.status == S.REVOKED:
        raise TranscriptRefused(_("This transcript is already revoked."))
    if not reason.strip():
        raise TranscriptRefused(_("Say why the transcript is revoked."))
    _revoke(current, reason=reason.strip(), by=by)
    return current


# --- issued transcripts: lazy signing, copies, the national store ---------------------------


@transaction.atomic
def transcript_record_issued(
    *,
    student: StudentRecord,
    school_year: SchoolYear,
    issued_on: dt.date,
    by: User | None,
) -> Transcript:
    """Record a transcript as issued without making its PDF now (bulk and demo loads): the
    content and the signed PDF are made on first use (``transcript_materialise``)."""
    school_class = student_class_of_year(student=student, school_year_id=school_year.pk)
    if school_class is None:
        raise TranscriptRefused(
            _("{name} has no class in {year}: there is no transcript to prepare.").format(
                name=student.person.full_name, year=school_year
            )
        )
    latest = _latest(student, school_year)
    transcript = Transcript.objects.create(
        student=student,
        school_year=school_year,
        school=school_class.school,
        school_class=school_class,
        grade=school_class.grade,
        regime=class_regime(school_class),
        version=1 if latest is None else latest.version + 1,
        code=transcript_code(),
        national_id=student.person.national_id or "",
        status=S.ISSUED,
        issued_on=issued_on,
    )
    _step(transcript, S.ISSUED, by, _("Recorded as issued; signed when first used."))
    return transcript


def _step_actor(transcript: Transcript, status: TranscriptStatus) -> User | None:
    step = transcript.steps.filter(status=status).order_by("-at").first()
    return step.by if step is not None else None


@transaction.atomic
def transcript_materialise(*, transcript: Transcript) -> Transcript:
    """Render and sign an issued transcript that has no PDF yet (see the module's docstring);
    a transcript that has one is returned as it is."""
    current = Transcript.objects.select_for_update().select_related("school").get(pk=transcript.pk)
    if current.status != S.ISSUED or current.pdf:
        return current
    if not current.content:
        year_result = YearResult.objects.filter(
            student_id=current.student_id, school_year_id=current.school_year_id
        ).first()
        school_class = current.school_class
        if year_result is None or school_class is None:
            raise TranscriptRefused(
                _(
                    "Transcript {code} has no year result to print: complete the student's "
                    "results, then sign the transcript again."
                ).format(code=current.code)
            )
        current.content = transcript_content(
            student=current.student,
            school_year=current.school_year,
            school_class=school_class,
            year_result=year_result,
        )
        current.content_sha256 = content_sha256(current.content)
    teacher_user = _step_actor(current, S.TEACHER_SIGNED)
    staff = _homeroom_staff(current, teacher_user, strict=False)
    printed_on = current.issued_on or timezone.localdate()
    pdf, signed_at = _sign_teacher(current, staff, teacher_user, printed_on=printed_on)
    pdf = _sign_school(current, pdf, _step_actor(current, S.ISSUED), after=signed_at)
    _store_pdf(current, pdf, "")
    current.issued_on = printed_on
    current.save()
    audit_record(
        actor=None,
        verb=AuditVerb.UPDATED,
        target=current,
        after=snapshot(current, ["pdf_sha256", "content_sha256"]),
        note="signed on first use",
    )
    return current


def transcripts_sign_pending(*, limit: int | None = None) -> tuple[int, list[str]]:
    """Sign issued transcripts that have no PDF yet, each in its own transaction; return how
    many were signed and the reasons of those that could not be."""
    pending = Transcript.objects.filter(status=S.ISSUED, pdf="").order_by("pk")
    ids = list(
        pending.values_list("pk", flat=True)[:limit]
        if limit
        else pending.values_list("pk", flat=True)
    )
    signed = 0
    problems: list[str] = []
    for pk in ids:
        transcript = Transcript.objects.get(pk=pk)
        try:
            transcript_materialise(transcript=transcript)
        except ValidationError as exc:
            problems.append(
                "{code}: {reason}".format(code=transcript.code, reason=" ".join(exc.messages))
            )
        else:
            signed += 1
    return signed, problems


@transaction.atomic
def transcript_copy_issue(
    *,
    transcript: Transcript,
    kind: CopyKind | str,
    issued_to: str,
    purpose: str,
    by: User | None,
) -> TranscriptCopy:
    """Log one copy or extract given out (append-only), with the fingerprint of the file."""
    current = transcript_materialise(transcript=transcript)
    if current.status != S.ISSUED:
        raise TranscriptRefused(
            _("Only an issued transcript is given out; this one is “{status}”.").format(
                status=S(current.status).label
            )
        )
    return TranscriptCopy.objects.create(
        transcript=current,
        kind=CopyKind(kind),
        issued_to=issued_to[:255],
        purpose=purpose[:255],
        by=by,
        sha256=current.pdf_sha256,
    )


def transcript_pdf_bytes(*, transcript: Transcript) -> bytes:
    """The signed file of an issued transcript (signed now if it was recorded lazily)."""
    current = transcript_materialise(transcript=transcript)
    return _stored_pdf(current)


def national_store_export(*, transcripts: Iterable[Transcript], by: User | None = None) -> bytes:
    """A ZIP package for the Ministry's national transcript store (Kho học bạ số).

    ⚠ An adapter: the Ministry has not published the store's format (CV 119/BGDĐT-GDTH annex
    unread; domain-vn §4). The package holds ``manifest.json`` (format
    ``vnemis-hocbaso-export/1``: per transcript its code, version, personal ID, student code,
    school code, school year, grade, class, regime, issue date, the PDF's file name and
    SHA-256) and each signed PDF as ``<school year>/<school code>/<code>.pdf``. Only issued
    transcripts go in; each sent one is logged as a NATIONAL_STORE copy.
    """
    entries: list[dict[str, Any]] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for transcript in transcripts:
            if transcript.status != S.ISSUED:
                continue
            pdf = transcript_pdf_bytes(transcript=transcript)
            current = Transcript.objects.select_related("school", "school_year", "student").get(
                pk=transcript.pk
            )
            name = f"{current.school_year.code}/{current.school.code}/{current.code}.pdf"
            archive.writestr(name, pdf)
            entries.append(
                {
                    "code": current.code,
                    "version": current.version,
                    "personal_id": current.national_id,
                    "student_code": current.student.code,
                    "school_code": current.school.code,
                    "school_moet_code": current.school.moet_code,
                    "school_year": current.school_year.code,
                    "grade": current.grade,
                    "class_name": (current.content or {}).get("class_name", ""),
                    "regime": current.regime,
                    "issued_on": current.issued_on.isoformat() if current.issued_on else None,
                    "file": name,
                    "sha256": current.pdf_sha256,
                }
            )
            transcript_copy_issue(
                transcript=current,
                kind=CopyKind.NATIONAL_STORE,
                issued_to="Kho học bạ số (Bộ GDĐT)",
                purpose=NATIONAL_STORE_FORMAT,
                by=by,
            )
        manifest = {
            "format": NATIONAL_STORE_FORMAT,
            "created_at": timezone.now().isoformat(),
            "count": len(entries),
            "transcripts": entries,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return buffer.getvalue()


# --- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileCheck:
    """The answer for a presented file: the signatures (``verdict``) and the issuance log.

    ``ok`` only when the file is authentic, unchanged, and is the file the school issued under
    a code that is not revoked. ``codes``: the verifier's codes, then ``unknown_code``,
    ``not_issued``, ``revoked``, ``not_the_issued_file``.
    """

    ok: bool
    reasons: tuple[str, ...]
    codes: tuple[str, ...]
    verdict: Verdict
    transcript: Transcript | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def transcript_verify_file(pdf: bytes) -> FileCheck:
    verdict = pdf_verify(pdf, trust_roots=transcript_trust_roots())
    reasons = list(verdict.reasons)
    codes = list(verdict.codes)
    transcript = None
    if verdict.verification_code:
        transcript = (
            Transcript.objects.select_related("school", "school_year", "student__person")
            .filter(code=verdict.verification_code)
            .first()
        )
        if transcript is None:
            codes.append("unknown_code")
            reasons.append(
                _("No transcript was issued with the code {code}.").format(
                    code=verdict.verification_code
                )
            )
        elif transcript.status == S.REVOKED:
            codes.append("revoked")
            reasons.append(
                _("The school revoked this transcript: {reason}").format(
                    reason=transcript.revoked_reason or "—"
                )
            )
        elif transcript.status != S.ISSUED:
            codes.append("not_issued")
            reasons.append(_("This transcript has not been issued by the school yet."))
        elif transcript.pdf_sha256 != verdict.sha256:
            codes.append("not_the_issued_file")
            reasons.append(
                _(
                    "The file is not the one the school issued under this code: its content "
                    "differs from the signed original."
                )
            )
    return FileCheck(
        ok=not codes,
        reasons=tuple(reasons),
        codes=tuple(codes),
        verdict=verdict,
        transcript=transcript,
    )


# --- batches -------------------------------------------------------------------------------


@dataclass
class BatchCounts:
    """What a batch did: transcripts prepared, steps taken, issued, and the refusals."""

    students: int = 0
    prepared: int = 0
    steps: int = 0
    issued: int = 0
    already: int = 0
    refused: list[str] = field(default_factory=list)


def batch_results(
    *,
    school_year: SchoolYear,
    school: OrgUnit | None = None,
    school_class: SchoolClass | None = None,
) -> QuerySet[YearResult]:
    results = YearResult.objects.filter(school_year=school_year)
    if school_class is not None:
        results = results.filter(school_class=school_class)
    if school is not None:
        results = results.filter(school=school)
    return results.order_by("school_class_id", "student_id")


def transcripts_batch_run(
    *,
    school_year: SchoolYear,
    school: OrgUnit | None = None,
    school_class: SchoolClass | None = None,
    by: User | None,
) -> BatchCounts:
    """Prepare and advance the transcript of every student with a year result of the class or
    school, through every step ``by`` may take (``None``: the system, up to issue). One
    transaction per student, so the class page shows progress while it runs."""
    counts = BatchCounts()
    student_ids = list(
        batch_results(
            school_year=school_year, school=school, school_class=school_class
        ).values_list("student_id", flat=True)
    )
    for student in StudentRecord.objects.filter(pk__in=student_ids).select_related("person"):
        counts.students += 1
        try:
            transcript = transcript_prepare(student=student, school_year=school_year, by=by)
        except TranscriptRefused as exc:
            latest = (
                Transcript.objects.filter(student=student, school_year=school_year)
                .order_by("-version")
                .first()
            )
            if latest is not None and latest.status == S.ISSUED:
                counts.already += 1
            else:
                counts.refused.append(f"{student.person.full_name}: {' '.join(exc.messages)}")
            continue
        if transcript.status == S.DRAFT and transcript.steps.count() == 1:
            counts.prepared += 1
        while transcript.status in NEXT:
            step = NEXT[transcript.status]
            if not access.transcript_step_allowed(user=by, transcript=transcript, to=step):
                break
            try:
                transcript = transcript_advance(transcript=transcript, to=step, by=by)
            except TranscriptRefused as exc:
                counts.refused.append(f"{student.person.full_name}: {' '.join(exc.messages)}")
                break
            counts.steps += 1
        if transcript.status == S.ISSUED:
            counts.issued += 1
    return counts
