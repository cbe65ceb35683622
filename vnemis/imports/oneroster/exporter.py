"""Export of a unit's subtree as a OneRoster 1.2 bulk bundle (zip).

Records imported from another system keep that system's sourcedId; vnemis's own records use
their vnemis codes (school code, student code, staff code, "cls-<id>", "sy-<year>"), so a
vnemis export imported again finds every record and changes nothing.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from vnemis.imports.models import ExternalRef
from vnemis.imports.oneroster.bundle import HEADERS
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear, TreeVersion
from vnemis.people.models import Enrollment, SchoolClass, Staff

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
    """The sourcedId of each exported record: another system's if it came from one."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, int], str] = {}
        for ref in ExternalRef.objects.filter(record_type__in=["org", "class", "user"]):
            self.known.setdefault((ref.target_type, ref.target_id), ref.external_id)

    def of(self, obj: Any, default: str) -> str:
        return self.known.get((obj._meta.label, obj.pk), default)


def oneroster_export(*, scope: OrgUnit, school_year: SchoolYear) -> bytes:
    version = TreeVersion.objects.filter(placements__unit=scope).order_by("-valid_from").first()
    top = OrgPlacement.objects.get(version=version, unit=scope)
    placements = list(
        OrgPlacement.objects.filter(version=version, path__startswith=top.path)
        .exclude(unit__kind=OrgUnitKind.SITE)
        .select_related("unit", "parent")
    )
    ids = _Ids()
    org_id = {p.unit_id: ids.of(p.unit, p.unit.code) for p in placements}
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
    year_id = f"sy-{school_year.code}"
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
    for c in classes_qs.order_by("school_id", "grade", "name"):
        cid = ids.of(c, f"cls-{c.pk}")
        class_rows.append(
            {
                "sourcedId": cid,
                "status": "active",
                "dateLastModified": stamp,
                "title": c.name,
                "grades": f"{c.grade:02d}",
                "courseSourcedId": f"crs-{cid}",
                "classCode": c.name,
                "classType": "homeroom",
                "schoolSourcedId": org_id[c.school_id],
                "termSourcedIds": year_id,
            }
        )
        course_rows.append(
            {
                "sourcedId": f"crs-{cid}",
                "status": "active",
                "dateLastModified": stamp,
                "schoolYearSourcedId": year_id,
                "title": c.name,
                "courseCode": c.name,
                "grades": f"{c.grade:02d}",
                "orgSourcedId": org_id[c.school_id],
            }
        )
    class_id = {r["title"] + "|" + r["schoolSourcedId"]: r["sourcedId"] for r in class_rows}
    enrollments = (
        Enrollment.objects.active()
        .filter(school_id__in=schools, school_year=school_year)
        .select_related("student__person", "school_class")
    )
    staff = Staff.objects.filter(org_unit_id__in=schools, is_active=True).select_related("person")
    users, roles, demographics, enrollment_rows = [], [], [], []

    def person_rows(person: Any, sid: str, role: str, org: str) -> None:
        users.append(
            {
                "sourcedId": sid,
                "status": "active",
                "dateLastModified": stamp,
                "enabledUser": "true",
                "username": sid,
                "givenName": person.given_name,
                "familyName": person.family_name,
                "middleName": person.middle_name,
                "identifier": sid,
                "email": person.email,
                "phone": person.phone,
                "primaryOrgSourcedId": org,
            }
        )
        roles.append(
            {
                "sourcedId": f"role-{sid}",
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

    for e in enrollments:
        sid = ids.of(e.student.person, e.student.code)
        person_rows(e.student.person, sid, "student", org_id[e.school_id])
        if e.school_class is not None:
            cid = class_id[e.school_class.name + "|" + org_id[e.school_id]]
            enrollment_rows.append(
                {
                    "sourcedId": f"enr-{e.pk}",
                    "status": "active",
                    "dateLastModified": stamp,
                    "classSourcedId": cid,
                    "schoolSourcedId": org_id[e.school_id],
                    "userSourcedId": sid,
                    "role": "student",
                    "primary": "false",
                }
            )
    for s in staff:
        sid = ids.of(s.person, s.code)
        person_rows(s.person, sid, ROLES.get(s.position, "aide"), org_id[s.org_unit_id])
        for c in classes_qs.filter(homeroom_teacher=s):
            cid = class_id[c.name + "|" + org_id[c.school_id]]
            enrollment_rows.append(
                {
                    "sourcedId": f"enr-t-{c.pk}",
                    "status": "active",
                    "dateLastModified": stamp,
                    "classSourcedId": cid,
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
    manifest += [["source.systemName", "vnemis"], ["source.systemCode", "vnemis"]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(manifest)
        archive.writestr("manifest.csv", out.getvalue())
        for name, rows in tables.items():
            archive.writestr(f"{name}.csv", _csv(HEADERS["1.2"][name], rows))
    return buffer.getvalue()
