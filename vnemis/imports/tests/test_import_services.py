"""Every write of an import goes through a service: an upload is kept, its job created and
queued only once the transaction commits; a roster's guardians are linked through the people
services, audited, without overruling what a school set."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.db import transaction
from django.test import override_settings

from vnemis.core.models import AuditEntry
from vnemis.imports import services
from vnemis.imports.models import ImportFile, ImportJob
from vnemis.people import services as people_services
from vnemis.people.models import Guardian, GuardianLink
from vnemis.people.services import guardians
from vnemis.testing.personas import PersonaTestCase

TMP = tempfile.mkdtemp(prefix="vnemis-import-services-")


class _Undo(Exception):
    """Rolls the test's transaction back."""


def _csv() -> Path:
    path = Path(tempfile.mkdtemp(dir=TMP)) / "diem-truong.csv"
    path.write_text("Mã điểm trường,Tên điểm trường,Mã trường\n10082001-09,Nậm Chạc,10082001\n")
    return path


@override_settings(MEDIA_ROOT=TMP, VNEMIS_JOBS_DIR=Path(TMP) / "jobs")
class ImportUploadTests(PersonaTestCase):
    def test_an_upload_is_kept_and_its_job_queued_when_the_transaction_commits(self) -> None:
        """The file and a queued job exist at once; the job's task is handed to the queue by
        one callback run on commit, with the job's and the uploader's ids."""
        principal = self.world.users["principal_a"]
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            job = services.import_upload(
                path=_csv(),
                name="diem-truong.csv",
                kind="sites",
                into=self.world.school_a,
                by=principal,
            )
        job.refresh_from_db()
        self.assertEqual(
            (job.status, job.kind, job.dry_run, job.partial, job.scope_unit, job.created_by),
            ("queued", "sites", True, False, self.world.school_a, principal),
        )
        self.assertEqual(
            (job.source.original_name, job.source.uploaded_by), ("diem-truong.csv", principal)
        )
        self.assertEqual(len(callbacks), 1)
        queued = callbacks[0]
        self.assertEqual(
            getattr(queued, "keywords", None), {"job_id": job.pk, "user_id": principal.pk}
        )

    def test_a_rolled_back_upload_queues_nothing(self) -> None:
        """When the caller's transaction is undone, neither the file, the job nor a task is
        left behind."""
        with (
            self.captureOnCommitCallbacks(execute=True) as callbacks,
            self.assertRaises(_Undo),
            transaction.atomic(),
        ):
            services.import_upload(
                path=_csv(),
                name="diem-truong.csv",
                kind="sites",
                into=self.world.school_a,
                by=self.world.users["principal_a"],
            )
            raise _Undo
        self.assertEqual(callbacks, [])
        self.assertEqual((ImportFile.objects.count(), ImportJob.objects.count()), (0, 0))

    def test_commit_queues_a_writing_job_for_the_same_file(self) -> None:
        """After a dry run, committing makes a second job on the same file that writes, and
        runs it after commit."""
        principal = self.world.users["principal_a"]
        with self.captureOnCommitCallbacks(execute=True):
            dry = services.import_upload(
                path=_csv(),
                name="diem-truong.csv",
                kind="sites",
                into=self.world.school_a,
                by=principal,
            )
        dry.refresh_from_db()
        self.assertEqual((dry.status, dry.created, dry.written), ("done", 1, False))
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            again = services.import_job_commit(job=dry, by=principal, partial=True)
        again.refresh_from_db()
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(
            (again.source, again.dry_run, again.partial, again.status, again.written),
            (dry.source, False, True, "done", True),
        )
        self.assertEqual(again.scope_unit, self.world.school_a)


class RosterGuardianServiceTests(PersonaTestCase):
    def test_children_are_added_and_a_schools_link_is_kept(self) -> None:
        """The father of student A1 (linked as father and main contact by the school) named by
        a roster as guardian of A1 and A2 gets one new link, to A2, as "other" and not the main
        contact; the link to A1 is left as the school set it. Only the new link is audited."""
        guardian = Guardian.objects.get()
        a1, a2 = self.world.student_a1, self.world.student_a2
        created = guardians.guardian_children_add(guardian=guardian, students=[a1, a2], by=None)
        self.assertEqual(
            [(link.student, link.relation, link.is_primary) for link in created],
            [(a2, "other", False)],
        )
        self.assertEqual(
            sorted(
                GuardianLink.objects.filter(guardian=guardian).values_list(
                    "student_id", "relation", "is_primary"
                )
            ),
            sorted([(a1.pk, "father", True), (a2.pk, "other", False)]),
        )
        audited = AuditEntry.objects.filter(target_type="people.GuardianLink", verb="created")
        self.assertEqual(list(audited.values_list("target_id", flat=True)), [str(created[0].pk)])
        self.assertEqual(
            guardians.guardian_children_add(guardian=guardian, students=[a1, a2], by=None), []
        )

    def test_guardian_ensure_makes_one_guardian_record(self) -> None:
        """A person gets a guardian record once, audited; asking again returns the same one."""
        person = people_services.person_create(
            family_name="Vàng", given_name="Mỷ", birth_date=dt.date(1985, 1, 1), by=None
        )
        first = guardians.guardian_ensure(person=person, by=None)
        again = guardians.guardian_ensure(person=person, by=None)
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Guardian.objects.filter(person=person).count(), 1)
        audited = AuditEntry.objects.filter(target_type="people.Guardian", verb="created")
        self.assertEqual(list(audited.values_list("target_id", flat=True)), [str(first.pk)])
