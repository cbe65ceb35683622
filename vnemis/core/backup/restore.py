"""``backup_restore``: checks before anything changes, the database and the files put back,
then the restored tables compared with the manifest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from vnemis.core.audit import audit_event
from vnemis.core.backup.archive import archive_verify, member_name_check
from vnemis.core.backup.base import (
    CHUNK,
    MANIFEST,
    MANIFEST_DIGEST,
    MEDIA_PREFIX,
    BackupError,
    Progress,
    database_vendor,
    engine_name,
    os_user,
    quiet,
)
from vnemis.core.backup.postgres import postgres_apply
from vnemis.core.backup.sqlite import sqlite_apply, sqlite_readonly, sqlite_source
from vnemis.core.backup.tables import states_compare, states_for_manifest
from vnemis.core.choices import AuditVerb

# A restore asks for --force when any of these holds a row: a database that only went through
# `vnemis migrate` (reference data, permissions) is empty; one that anyone used is not.
DATA_MODELS = (
    "accounts.User",
    "people.Person",
    "organisations.OrgUnit",
    "core.AuditEntry",
    "imports.ImportFile",
)


@dataclasses.dataclass
class RestoreResult:
    manifest: dict[str, Any]
    differences: list[str]
    media_aside: Path | None
    pending_migrations: list[str]
    seconds: float


def migrations_unknown(archive: dict[str, str], *, known: set[tuple[str, str]]) -> list[str]:
    """The archive's latest migrations that this code does not have (it is newer than us),
    for the apps this code installs."""
    installed = {app for app, _ in known}
    return sorted(
        f"{app}.{name}"
        for app, name in archive.items()
        if app in installed and (app, name) not in known
    )


def _migration_facts(archive: dict[str, str]) -> tuple[list[str], list[str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.graph.nodes)
    unknown = migrations_unknown(archive, known=known)
    pending = sorted(
        f"{app}.{name}" for app, name in loader.graph.leaf_nodes() if archive.get(app) != name
    )
    return unknown, pending


def database_holdings() -> dict[str, int]:
    """Row counts of the tables that only a used installation fills (users, people, units,
    audit log, imported files): empty for a new database."""
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        found = {}
        for label in DATA_MODELS:
            model = apps.get_model(label)
            if model._meta.db_table in present:
                found[label] = model._default_manager.count()
    return {label: n for label, n in found.items() if n}


def _target_installation() -> str:
    model = apps.get_model("core", "Installation")
    with connection.cursor() as cursor:
        if model._meta.db_table not in connection.introspection.table_names(cursor):
            return ""
    row = model._default_manager.order_by("pk").first()
    return str(getattr(row, "code", "") or "")


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, *, sha256: str) -> None:
    """Write an entry to ``target``, checking its digest again (the file could have changed
    since it was verified)."""
    stream = tar.extractfile(member)
    assert stream is not None
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as out:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != sha256:
        raise BackupError(
            f"{member.name} changed while the archive was being read; nothing was restored."
        )


def _media_swap(staged: Path, media: Path, stamp: str) -> Path | None:
    """Put the restored files in place; the previous ones are kept aside, never deleted."""
    if not media.exists():
        media.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, media)
        return None
    entries = list(media.iterdir())
    if os.path.ismount(media):
        # A mounted folder cannot be renamed: swap its contents instead.
        aside = media / f".before-restore-{stamp}"
        aside.mkdir()
        for entry in entries:
            os.rename(entry, aside / entry.name)
        for entry in staged.iterdir():
            shutil.move(str(entry), str(media / entry.name))
        return aside
    if not entries:
        media.rmdir()
        os.replace(staged, media)
        return None
    aside = media.with_name(f"{media.name}.before-restore-{stamp}")
    os.rename(media, aside)
    os.replace(staged, media)
    return aside


def _live_states(manifest: dict[str, Any], vendor: str, progress: Progress) -> dict[str, Any]:
    connections.close_all()
    if vendor == "sqlite":
        with sqlite_source() as raw:
            return states_for_manifest(raw=raw, vendor=vendor, manifest=manifest, progress=progress)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return states_for_manifest(
            raw=connection.connection, vendor=vendor, manifest=manifest, progress=progress
        )


def backup_restore(
    *,
    path: Path,
    force: bool = False,
    confirm: Callable[[str], bool] | None = None,
    progress: Progress = quiet,
) -> RestoreResult:
    """Restore the database and the uploaded files from an archive, then verify them.

    Nothing changes unless the archive is intact, its engine is the configured one, this code
    knows all its migrations, and — when the database holds data — ``force`` is set or
    ``confirm(question)`` says yes. The result lists the tables that differ from the manifest
    after the restore (empty: verified).
    """
    started = time.monotonic()
    manifest = archive_verify(path=path, progress=progress)
    vendor = database_vendor()
    if manifest["engine"] != vendor:
        raise BackupError(
            f"This archive holds a {engine_name(manifest['engine'])} database and the "
            f"configured database is {engine_name(vendor)}: a restore needs the same engine. "
            "Point VNEMIS_DATABASE_URL at a database of the archive's engine. Nothing was "
            "restored."
        )
    unknown, pending = _migration_facts(manifest["migrations"])
    if unknown:
        raise BackupError(
            "This archive was made by a newer vnemis ({}): its database has migrations this "
            "version does not know ({}). Install that version, then restore. Nothing was "
            "restored.".format(manifest["vnemis_version"], ", ".join(unknown))
        )
    holdings = database_holdings()
    if holdings:
        current = _target_installation()
        question = (
            "The configured database {name} is not empty ({held}; installation {current}). "
            "Restoring replaces all of it with the backup of {created} (installation {code})."
        ).format(
            name=connection.settings_dict["NAME"],
            held=", ".join(f"{label}: {n:,}" for label, n in holdings.items()),
            current=current or "-",
            created=manifest["created_at"],
            code=manifest["installation_code"] or "-",
        )
        if not force and (confirm is None or not confirm(question)):
            raise BackupError(
                question + " Pass --force to do so (after a backup of it). Nothing was restored."
            )
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory(dir=media.parent, prefix=".vnemis-restore-") as tmp:
        work = Path(tmp)
        staged_media = work / "media"
        staged_media.mkdir()
        database = manifest["database"]
        files = manifest["files"]
        dump = work / PurePosixPath(database["member"]).name
        progress(f"Unpacking the database and {manifest['media_files']:,} uploaded files…")
        with tarfile.open(path, mode="r:", encoding="utf-8") as tar:
            for member in tar:
                if member.name in (MANIFEST, MANIFEST_DIGEST):
                    continue
                member_name_check(member.name)
                if member.name == database["member"]:
                    target = dump
                else:
                    target = staged_media / member.name.removeprefix(MEDIA_PREFIX)
                _extract(tar, member, target, sha256=files[member.name]["sha256"])
        if vendor == "sqlite":
            staged_db = work / "vnemis.sqlite3"
            with gzip.open(dump, "rb") as gz, staged_db.open("xb") as out:
                shutil.copyfileobj(gz, out, CHUNK)
            dump.unlink()
            # The file is the one the manifest's checksums were computed on (its digest
            # matched); SQLite's own check catches what a buggy copy would break, while the
            # live database is still untouched.
            progress("Checking the unpacked database…")
            check = sqlite_readonly(staged_db)
            try:
                verdict = str(check.execute("PRAGMA quick_check").fetchone()[0])
            finally:
                check.close()
            if verdict != "ok":
                raise BackupError(
                    f"The database in the archive is damaged ({verdict}). Nothing was "
                    "restored; use another copy of the backup."
                )
            sqlite_apply(staged_db, progress)
        else:
            postgres_apply(dump, work, progress)
        progress(f"Putting {manifest['media_files']:,} uploaded files in {media}…")
        aside = _media_swap(staged_media, media, stamp)
    progress("Verifying the restored database against the manifest…")
    found = _live_states(manifest, vendor, progress)
    differences = states_compare(expected=manifest["tables"], found=found)
    connections.close_all()
    audit_event(
        actor=None,
        verb=AuditVerb.UPDATED,
        target_type="core.backup",
        target_repr=str(path),
        after={
            "restored_from": str(path),
            "backup_created_at": manifest["created_at"],
            "installation_code": manifest["installation_code"],
            "tables": len(manifest["tables"]),
            "differences": differences,
            "media_aside": str(aside) if aside else "",
            "os_user": os_user(),
        },
        note="vnemis restore" + (": verification failed" if differences else ", verified"),
    )
    return RestoreResult(
        manifest=manifest,
        differences=differences,
        media_aside=aside,
        pending_migrations=pending,
        seconds=time.monotonic() - started,
    )
