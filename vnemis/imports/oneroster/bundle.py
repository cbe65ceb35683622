"""Reading a OneRoster CSV bundle (zip or folder) and checking it against the binding.

Problems carry the file, line and column, and say what is wrong; anything that makes the
bundle ambiguous is an error and refuses it whole, while oddities the binding tolerates
(a dangling optional reference, a capitalised enumeration value) are warnings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from vnemis.core.archives import ArchiveRefused, zip_archive_check

MAX_UNPACKED = 200 * 2**20

COMMON = {
    "academicSessions": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
    "parentSourcedId,schoolYear",
    "classes": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
    "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "enrollments": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
    "userSourcedId,role,primary,beginDate,endDate",
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "courses": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
    "orgSourcedId,subjects,subjectCodes",
    "demographics": "sourcedId,status,dateLastModified,birthDate,sex,"
    "americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,"
    "nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,"
    "hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,"
    "cityOfBirth,publicSchoolResidenceStatus",
}


def _cols(text: str) -> list[str]:
    return text.split(",")


HEADERS: dict[str, dict[str, list[str]]] = {
    "1.1": {
        **{k: _cols(v) for k, v in COMMON.items()},
        "users": _cols(
            "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,"
            "userIds,givenName,familyName,middleName,identifier,email,sms,phone,"
            "agentSourcedIds,grades,password"
        ),
    },
    "1.2": {
        **{k: _cols(v) for k, v in COMMON.items()},
        "users": _cols(
            "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,"
            "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
            "password,userMasterIdentifier,preferredGivenName,preferredMiddleName,"
            "preferredFamilyName,primaryOrgSourcedId,pronouns"
        ),
        "roles": _cols(
            "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,"
            "endDate,orgSourcedId,userProfileSourcedId"
        ),
        "userProfiles": _cols(
            "sourcedId,status,dateLastModified,userSourcedId,profileType,"
            "vendorId,applicationId,description,credentialType,username,"
            "password"
        ),
    },
}
ENUMS = {
    ("orgs", "type"): {"department", "school", "district", "local", "state", "national"},
    ("classes", "classType"): {"homeroom", "scheduled"},
    ("enrollments", "role"): {
        "administrator",
        "proctor",
        "student",
        "teacher",
        "aide",
        "guardian",
        "parent",
    },
    ("academicSessions", "type"): {"gradingPeriod", "semester", "schoolYear", "term"},
}
METADATA = "metadata."
STATUSES = {"active", "tobedeleted", "inactive", ""}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    message: str
    error: bool = True

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.line:
            where += f", dòng {self.line}"
        if self.column:
            where += f", cột {self.column}"
        return f"{where}: {self.message}"


@dataclass
class Bundle:
    version: str = ""
    manifest: dict[str, str] = field(default_factory=dict)
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.error]

    @property
    def system(self) -> str:
        code = self.manifest.get("source.systemCode", "")
        return code if code and code != "absent" else "oneroster"

    def rows(self, name: str) -> list[tuple[int, dict[str, str]]]:
        return list(zip(self.lines.get(name, []), self.tables.get(name, []), strict=True))


def _files(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return {p.name: p.read_bytes() for p in path.iterdir() if p.suffix == ".csv"}
    if not zipfile.is_zipfile(path):
        raise BundleError([Problem(path.name, 0, "", "không phải tệp zip hợp lệ")])
    # The central directory is checked (member count, unpacked size, compression ratio)
    # before anything is decompressed: a zip bomb is refused without being opened.
    try:
        members = zip_archive_check(path, max_unpacked=MAX_UNPACKED)
    except ArchiveRefused as exc:
        raise BundleError([Problem(path.name, 0, "", str(exc))]) from exc
    try:
        with zipfile.ZipFile(path) as archive:
            return {Path(i.filename).name: archive.read(i) for i in members if not i.is_dir()}
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BundleError([Problem(path.name, 0, "", "không phải tệp zip hợp lệ")]) from exc


class BundleError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _date_ok(value: str) -> bool:
    if not _ISO.match(value):
        return False
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError:
        return False
    return True


def read_bundle(path: Path) -> Bundle:
    """Read and check a bundle; ``bundle.errors`` empty means it may be imported."""
    files = _files(path)
    bundle = Bundle()
    say = bundle.problems.append
    if "manifest.csv" not in files:
        raise BundleError([Problem("manifest.csv", 0, "", "thiếu tệp manifest.csv")])
    manifest_rows = list(csv.reader(io.StringIO(files["manifest.csv"].decode("utf-8-sig"))))
    if not manifest_rows or manifest_rows[0] != ["propertyName", "value"]:
        say(Problem("manifest.csv", 1, "", "dòng tiêu đề phải là propertyName,value"))
    for line, row in enumerate(manifest_rows[1:], start=2):
        if len(row) != 2:
            say(Problem("manifest.csv", line, "", "mỗi dòng phải có đúng 2 cột"))
            continue
        bundle.manifest[row[0]] = row[1]
    bundle.version = bundle.manifest.get("oneroster.version", "")
    if bundle.version not in HEADERS:
        raise BundleError(
            bundle.problems
            + [
                Problem(
                    "manifest.csv",
                    0,
                    "oneroster.version",
                    f"phiên bản '{bundle.version}' không được hỗ trợ (1.1 hoặc 1.2)",
                )
            ]
        )
    for key, value in bundle.manifest.items():
        if not key.startswith("file."):
            continue
        name = key[5:]
        if value not in {"absent", "bulk", "delta"}:
            say(
                Problem(
                    "manifest.csv",
                    0,
                    key,
                    f"giá trị '{value}' không hợp lệ: phải là absent, bulk hoặc delta",
                )
            )
            continue
        bundle.modes[name] = value
    by_lower = {n.lower(): n for n in files}
    for name, mode in bundle.modes.items():
        expected = f"{name}.csv"
        if mode == "absent":
            if expected in files:
                say(
                    Problem(
                        expected,
                        0,
                        "",
                        "tệp có trong gói nhưng manifest ghi absent; tệp bị bỏ qua",
                        error=False,
                    )
                )
            continue
        if expected not in files:
            other = by_lower.get(expected.lower())
            hint = (
                f" (gói có tệp '{other}': tên tệp phân biệt chữ hoa, chữ thường)" if other else ""
            )
            say(Problem(expected, 0, "", f"manifest ghi {mode} nhưng thiếu tệp{hint}"))
            continue
        header_spec = HEADERS[bundle.version].get(name)
        rows = list(csv.reader(io.StringIO(files[expected].decode("utf-8-sig"))))
        if not rows:
            say(Problem(expected, 1, "", "tệp rỗng"))
            continue
        header, data = rows[0], rows[1:]
        # The binding lets a producer append extension columns named "metadata.<name>".
        extensions = header[len(header_spec) :] if header_spec is not None else []
        if header_spec is not None and all(c.startswith(METADATA) for c in extensions):
            header_checked = header[: len(header_spec)]
        else:
            header_checked = header
        if header_spec is not None and header_checked != header_spec:
            for i in range(max(len(header), len(header_spec))):
                got = header[i] if i < len(header) else ""
                want = header_spec[i] if i < len(header_spec) else ""
                if got != want:
                    say(
                        Problem(
                            expected,
                            1,
                            str(i + 1),
                            f"tên cột '{got}' không đúng, phải là '{want}'"
                            if want
                            else f"cột thừa '{got}'",
                        )
                    )
            continue
        table: list[dict[str, str]] = []
        lines: list[int] = []
        for line, row in enumerate(data, start=2):
            if not any(row):
                continue
            if len(row) != len(header):
                say(Problem(expected, line, "", f"có {len(row)} trường, tiêu đề có {len(header)}"))
                continue
            record = dict(zip(header, row, strict=True))
            if record["status"] not in STATUSES:
                say(
                    Problem(
                        expected, line, "status", f"trạng thái '{record['status']}' không hợp lệ"
                    )
                )
            modified = record.get("dateLastModified", "")
            if modified and not _date_ok(modified):
                say(
                    Problem(
                        expected,
                        line,
                        "dateLastModified",
                        f"'{modified}' không phải ngày ISO 8601 (YYYY-MM-DD)",
                    )
                )
            for (table_name, column), allowed in ENUMS.items():
                value = record.get(column, "")
                if table_name == name and value and value not in allowed:
                    ok = value.lower() in {a.lower() for a in allowed}
                    say(
                        Problem(
                            expected,
                            line,
                            column,
                            f"giá trị '{value}' không thuộc danh "
                            "mục" + (" (chấp nhận, khác chữ hoa)" if ok else ""),
                            error=not ok,
                        )
                    )
            if not record["sourcedId"]:
                say(Problem(expected, line, "sourcedId", "thiếu sourcedId"))
            table.append(record)
            lines.append(line)
        bundle.tables[name] = table
        bundle.lines[name] = lines
    return bundle
