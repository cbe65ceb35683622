"""Export of a unit's subtree as a OneRoster 1.2 bulk bundle (zip).

Records imported from another system keep that system's sourcedId; vnemis's own records are
named with this installation's code (``ids.sourced_id``: "vnemis-<code>-cls-<id>"), so a
vnemis export imported again under the same unit finds every record and changes nothing,
while no other database can take the names for its own records. The human codes (school
code, student code, staff code) are in the ``identifier`` columns.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from vnemis.core.installation import installation_code
from vnemis.imports.models import ExternalRef
from vnemis.imports.oneroster import ids as names
from vnemis.imports.oneroster.bundle import HEADERS
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear, TreeVersion
from vnemis.people.models import Enrollment, Person, SchoolClass, Staff

V12_FILES = (
    "academicSessions",
    "categories",
    "classResources",
    "classes",
    "courseResources",
    "courses",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItemScoreScales",
    "lineItems",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "resultScoreScales",
    "results",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
)
ORG_TYPES: dict[str, str] = {
    OrgUnitKind.SCHOOL: "school",
    OrgUnitKind.SITE: "school",
    OrgUnitKind.DISTRICT_OFFICE: "district",
    OrgUnitKind.COMMUNE: "local",
    OrgUnitKind.DEPARTMENT: "state",
}
ROLES = {"giao_vien": "teacher", "cbql": "siteAdministrator", "nhan_vien": "aide"}


def _csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in header})
    return out.getvalue().encode("utf-8")


class _Ids:
    """The sourcedId of each exported record: another system's if it came from one, else this
    installation's name for it. Each name is used once per record type in a bundle."""

    def __init__(self, installation: str) -> None:
        self.installation = installation
        own = {names.LEGACY_SYSTEM, names.system_code(installation)}
        self.known: dict[tuple[str, str, int], str] = {}
        refs = ExternalRef.objects.filter(record_type__in=["org", "class", "user"]).order_by(
            "system", "record_type", "external_id"
        )
        for ref in refs:
            # Names that vnemis itself wrote (this installation's, or the unprefixed ones of
            # old exports) are not another system's: the record gets this installation's name.
            if ref.system.split("@")[0] in own or names.is_own(
                ref.external_id, installation=installation
            ):
                continue
            key = (ref.record_type, ref.target_type, ref.target_id)
            self.known.setdefault(key, ref.external_id)
        self.used: set[tuple[str, str]] = set()

    def of(self, record_type: str, obj: Any) -> str:
        kind = names.KINDS_BY_TYPE[record_type]
        value = self.known.get((record_type, obj._meta.label, obj.pk))
        # Two records may carry the same foreign id (two schools fed by one program): the
        # second is named by vnemis, so the bundle's ids stay unique.
        if value is None or (record_type, value) in self.used:
            value = names.sourced_id(installation=self.installation, kind=kind, pk=obj.pk)
        self.used.add((record_type, value))
        return value

    def own(self, kind: str, pk: int) -> str:
        return names.sourced_id(installation=self.installation, kind=kind, pk=pk)


def grade_code(grade: int) -> str:
    """The OneRoster grade code of a vnemis grade: "PK" for preschool (vnemis keeps all of
    preschool as grade 0), "01"…"12" for the grades of general education."""
    return "PK" if grade == 0 else f"{grade:02d}"


def oneroster_export(*, scope: OrgUnit, school_year: SchoolYear) -> bytes:
    version = TreeVersion.objects.filter(placements__unit=scope).order_by("-valid_from").first()
    top = OrgPlacement.objects.get(version=version, unit=scope)
    placements = list(
        OrgPlacement.objects.filter(version=version, path__startswith=top.path)
        .exclude(unit__kind=OrgUnitKind.SITE)
        .select_related("unit", "parent")
    )
    installation = installation_code()
    ids = _Ids(installation)
    org_id = {p.unit_id: ids.of("org", p.unit) for p in placements}
    stamp = "2000-01-01T00:00:00.000Z"
    orgs = [
        {
            "sourcedId": org_id[p.unit_id],
            "status": "active",
            "dateLastModified": stamp,
            "name": p.unit.name,
            "type": ORG_TYPES.get(p.unit.kind, "school"),
            "identifier": p.unit.code,
            "parentSourcedId": org_id.get(p.parent_id or 0, "") if p.unit_id != scope.pk else "",
        }
        for p in placements
    ]
    schools = [p.unit_id for p in placements if p.unit.kind == OrgUnitKind.SCHOOL]
    year_id = ids.own(names.SESSION, school_year.pk)
    sessions = [
        {
            "sourcedId": year_id,
            "status": "active",
            "dateLastModified": stamp,
            "title": f"Năm học {school_year.code}",
            "type": "schoolYear",
            "startDate": school_year.starts_on.isoformat(),
            "endDate": school_year.ends_on.isoformat(),
            "schoolYear": school_year.code[5:],
        }
    ]
    classes_qs = SchoolClass.objects.filter(school_id__in=schools, school_year=school_year)
    class_rows, course_rows = [], []
    class_id: dict[int, str] = {}
    for c in classes_qs.order_by("school_id", "grade", "name"):
        cid = class_id[c.pk] = ids.of("class", c)
        course_id = ids.own(names.COURSE, c.pk)
        class_rows.append(
            {
                "sourcedId": cid,
                "status": "active",
                "dateLastModified": stamp,
                "title": c.name,
                "grades": grade_code(c.grade),
                "courseSourcedId": course_id,
                "classCode": c.name,
                "classType": "homeroom",
                "schoolSourcedId": org_id[c.school_id],
                "termSourcedIds": year_id,
            }
        )
        course_rows.append(
            {
                "sourcedId": course_id,
                "status": "active",
                "dateLastModified": stamp,
                "schoolYearSourcedId": year_id,
                "title": c.name,
                "courseCode": c.name,
                "grades": grade_code(c.grade),
                "orgSourcedId": org_id[c.school_id],
            }
        )
    enrollments = (
        Enrollment.objects.active()
        .filter(school_id__in=schools, school_year=school_year)
        .select_related("student__person", "school_class")
    )
    staff = Staff.objects.filter(org_unit_id__in=schools, is_active=True).select_related("person")
    users, roles, demographics, enrollment_rows = [], [], [], []
    user_id: dict[int, str] = {}

    def person_rows(person: Person, code: str, role: str, org: str) -> str:
        """Rows of ``person`` (once, whatever roles he has here); his sourcedId."""
        if person.pk in user_id:
            return user_id[person.pk]
        sid = user_id[person.pk] = ids.of("user", person)
        users.append(
            {
                "sourcedId": sid,
                "status": "active",
                "dateLastModified": stamp,
                "enabledUser": "true",
                "username": code,
                "givenName": person.given_name,
                "familyName": person.family_name,
                "middleName": person.middle_name,
                "identifier": code,
                "email": person.email,
                "phone": person.phone,
                "primaryOrgSourcedId": org,
            }
        )
        roles.append(
            {
                "sourcedId": ids.own(names.ROLE, person.pk),
                "status": "active",
                "dateLastModified": stamp,
                "userSourcedId": sid,
                "roleType": "primary",
                "role": role,
                "orgSourcedId": org,
            }
        )
        demographics.append(
            {
                "sourcedId": sid,
                "status": "active",
                "dateLastModified": stamp,
                "birthDate": person.birth_date.isoformat() if person.birth_date else "",
                "sex": {"M": "male", "F": "female"}.get(person.sex, ""),
            }
        )
        return sid

    for e in enrollments:
        sid = person_rows(e.student.person, e.student.code, "student", org_id[e.school_id])
        if e.school_class_id is not None:
            enrollment_rows.append(
                {
                    "sourcedId": ids.own(names.ENROLLMENT, e.pk),
                    "status": "active",
                    "dateLastModified": stamp,
                    "classSourcedId": class_id[e.school_class_id],
                    "schoolSourcedId": org_id[e.school_id],
                    "userSourcedId": sid,
                    "role": "student",
                    "primary": "false",
                }
            )
    for s in staff:
        sid = person_rows(s.person, s.code, ROLES.get(s.position, "aide"), org_id[s.org_unit_id])
        for c in classes_qs.filter(homeroom_teacher=s):
            enrollment_rows.append(
                {
                    "sourcedId": ids.own(names.HOMEROOM, c.pk),
                    "status": "active",
                    "dateLastModified": stamp,
                    "classSourcedId": class_id[c.pk],
                    "schoolSourcedId": org_id[c.school_id],
                    "userSourcedId": sid,
                    "role": "teacher",
                    "primary": "true",
                }
            )
    tables = {
        "orgs": orgs,
        "academicSessions": sessions,
        "classes": class_rows,
        "courses": course_rows,
        "users": users,
        "roles": roles,
        "demographics": demographics,
        "enrollments": enrollment_rows,
    }
    manifest = [
        ["propertyName", "value"],
        ["manifest.version", "1.0"],
        ["oneroster.version", "1.2"],
    ]
    manifest += [[f"file.{name}", "bulk" if name in tables else "absent"] for name in V12_FILES]
    manifest += [
        ["source.systemName", "vnemis"],
        ["source.systemCode", names.system_code(installation)],
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(manifest)
        archive.writestr("manifest.csv", out.getvalue())
        for name, rows in tables.items():
            archive.writestr(f"{name}.csv", _csv(HEADERS["1.2"][name], rows))
    return buffer.getvalue()
