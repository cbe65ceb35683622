"""Where an import may write is decided once, from the access functions: the actor's write
scope (a system import, with no actor, reaches the whole database) within the unit the job
imports into. Rows are frozen, and what a run has seen is kept in its state object."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import tempfile
from pathlib import Path

from django.test import override_settings
from django.utils import translation

from vnemis.accounts.models import User
from vnemis.imports import services
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats import FORMATS
from vnemis.imports.formats.student_rows import StudentRow
from vnemis.imports.formats.students import StudentFormat
from vnemis.imports.models import ImportJob
from vnemis.organisations.models import OrgUnit
from vnemis.people.models import Staff
from vnemis.testing.personas import PersonaTestCase

TMP = tempfile.mkdtemp(prefix="vnemis-import-area-")
DAY = dt.date(2021, 10, 1)
NO_SCHOOL_B = "No school with the code 10086001 in your area."


def _site_row(code: str, school: str) -> list[str]:
    return [code, "Điểm trường Nậm Chạc", school, "", ""]


@override_settings(MEDIA_ROOT=TMP, VNEMIS_JOBS_DIR=Path(TMP) / "jobs")
class ImportAreaTests(PersonaTestCase):
    def run_sites(self, rows: list[list[str]], *, by: User | None, into: OrgUnit) -> ImportJob:
        path = Path(tempfile.mkdtemp(dir=TMP)) / "sites.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([[c.header for c in FORMATS["sites"].columns], *rows])
        with translation.override("en"):
            source = services.import_file_store(path=path, name=path.name, by=by)
            job = services.import_job_create(
                source=source, kind="sites", by=by, dry_run=False, partial=True, scope_unit=into
            )
            job = services.import_job_run(job=job, by=by, day=DAY)
        self.assertEqual(job.status, "done", job.message)
        return job

    def test_a_job_into_a_unit_outside_the_actors_write_scope_writes_nothing(self) -> None:
        """Principal A running a job into school B (a unit she may not write: a job made
        before her role changed, or by another client) is refused every row there."""
        job = self.run_sites(
            [_site_row("10086001-09", "10086001")],
            by=self.world.users["principal_a"],
            into=self.world.school_b,
        )
        self.assertEqual((job.created, job.rejected), (0, 1))
        self.assertEqual(job.rejections, [[2, NO_SCHOOL_B]])
        self.assertFalse(OrgUnit.objects.filter(code="10086001-09").exists())

    def test_an_actor_without_a_write_role_reaches_nothing(self) -> None:
        """A teacher of school A may read her classes but write no unit: a job into school A
        run as her writes nothing."""
        job = self.run_sites(
            [_site_row("10082001-09", "10082001")],
            by=self.world.users["teacher_a"],
            into=self.world.school_a,
        )
        self.assertEqual((job.created, job.rejected), (0, 1))
        self.assertEqual(job.rejections, [[2, "No school with the code 10082001 in your area."]])
        self.assertFalse(OrgUnit.objects.filter(code="10082001-09").exists())

    def test_a_writer_and_the_system_reach_the_unit_the_job_goes_into(self) -> None:
        """The Department's administrator writes school B; a system import (no actor) does
        too; neither reaches past the unit the job imports into."""
        job = self.run_sites(
            [_site_row("10086001-08", "10086001"), _site_row("10082001-08", "10082001")],
            by=self.world.users["department_admin"],
            into=self.world.school_b,
        )
        self.assertEqual((job.created, job.rejected), (1, 1))
        self.assertEqual(job.rejections, [[3, "No school with the code 10082001 in your area."]])
        job = self.run_sites(
            [_site_row("10086001-07", "10086001")], by=None, into=self.world.school_b
        )
        self.assertEqual((job.created, job.rejected), (1, 0))
        self.assertEqual(
            sorted(
                OrgUnit.objects.filter(code__startswith="10086001-0").values_list("code", flat=True)
            ),
            ["10086001-07", "10086001-08"],
        )

    def test_an_export_holds_only_what_the_actor_may_write(self) -> None:
        """Exporting the province's staff as principal A gives school A's staff only; the
        system's export of the province gives everyone's."""
        paths = tuple(self.world.province.placements.values_list("path", flat=True))

        def units(by: User | None) -> list[str]:
            content = services.records_export(
                kind="staff", scope_paths=paths, by=by, csv_format=True
            )
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
            column = [c.key for c in FORMATS["staff"].columns].index("org_unit")
            return sorted(row[column] for row in rows[1:])

        own = list(
            Staff.objects.filter(org_unit=self.world.school_a).values_list(
                "org_unit__code", flat=True
            )
        )
        self.assertEqual(units(self.world.users["principal_a"]), sorted(own))
        everyone = sorted(Staff.objects.values_list("org_unit__code", flat=True))
        self.assertIn("10086001", everyone)
        self.assertEqual(units(None), everyone)


class RowAndRunStateTests(PersonaTestCase):
    def test_rows_are_frozen_and_the_run_keeps_its_state_in_one_object(self) -> None:
        """A parsed row cannot be changed; after a batch the format holds its actor, area, day
        and job, and everything the run has seen is on ``state``."""
        paths = tuple(self.world.school_a.placements.values_list("path", flat=True))
        fmt = StudentFormat(by=None, scope_paths=paths, day=DAY)
        columns = [c.key for c in StudentFormat.columns]
        cells = ["", "", "Vàng Seo Páo", "02/05/2013", "Nam", "H'Mông", "010213000101"]
        row = fmt.parse(dict(zip(columns, [*cells, "10082001", "3", "3A"], strict=True)))
        self.assertIsInstance(row, StudentRow)
        with self.assertRaises(dataclasses.FrozenInstanceError):
            setattr(row, "grade", 4)  # noqa: B010 an assignment mypy would refuse
        self.assertEqual(fmt.apply_batch([row], write=False), [RowOutcome.CREATE])
        self.assertEqual(set(vars(fmt)), {"by", "scope_paths", "day", "job", "state"})
        self.assertEqual(fmt.state.ids_in_file, {"010213000101": "id:010213000101"})
        self.assertEqual(list(fmt.state.area_schools or {}), ["10082001"])
