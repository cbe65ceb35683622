"""``backup_create``: the database snapshot first, then the uploaded files, then the
manifest, written to a private file that takes the archive's name only when complete."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import socket
import tarfile
import tempfile
import time
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from vnemis.core.audit import audit_event
from vnemis.core.backup.archive import HashingWriter, add_bytes, add_file, media_entries
from vnemis.core.backup.base import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MANIFEST_DIGEST,
    BackupError,
    Progress,
    database_vendor,
    os_user,
    quiet,
)
from vnemis.core.backup.postgres import postgres_snapshot
from vnemis.core.backup.sqlite import sqlite_snapshot
from vnemis.core.choices import AuditVerb
from vnemis.core.installation import installation_code


@dataclasses.dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    tables: int
    rows: int
    media_files: int
    media_bytes: int
    seconds: float


def _vnemis_version() -> str:
    try:
        return importlib.metadata.version("vnemis")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _output_path(output: Path, *, code: str, now: dt.datetime, overwrite: bool) -> Path:
    if output.is_dir():
        stamp = now.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
        output = output / f"vnemis-{code}-{stamp}.tar"
    media = Path(settings.MEDIA_ROOT).resolve()
    if output.parent.resolve().is_relative_to(media):
        # The archive would take in itself while it is being written.
        raise BackupError(f"Write the archive outside the uploaded files' folder {media}.")
    if output.exists() and not overwrite:
        raise BackupError(f"{output} already exists; choose another name or pass --overwrite.")
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    return output


def backup_create(
    *, output: Path, overwrite: bool = False, progress: Progress = quiet
) -> BackupResult:
    """Write an archive of the database and the uploaded files to ``output`` (a file, or a
    folder to hold ``vnemis-<installation>-<UTC time>.tar``), and audit it."""
    started = time.monotonic()
    vendor = database_vendor()
    now = timezone.now()
    try:
        # Made now if it was never asked for, so that the snapshot carries it.
        code = installation_code()
    except DatabaseError as exc:
        raise BackupError(
            f"The database is not ready ({exc}); run `vnemis migrate` first."
        ) from exc
    output = _output_path(output.expanduser(), code=code, now=now, overwrite=overwrite)
    partial = output.with_name(output.name + ".partial")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".vnemis-backup-") as tmp:
        work = Path(tmp)
        # The database first, the files after: every file the snapshot refers to was saved
        # before its row and is never deleted, so it is in the archive. A file uploaded
        # meanwhile comes along unreferenced, which is harmless.
        if vendor == "sqlite":
            dump, facts = sqlite_snapshot(work, progress)
        else:
            dump, facts = postgres_snapshot(work, progress)
        # The archive holds personal data: readable by its owner only, from the first byte.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw:
                writer = HashingWriter(raw)
                files: dict[str, dict[str, Any]] = {}
                with tarfile.open(
                    fileobj=cast("IO[bytes]", writer),
                    mode="w",
                    format=tarfile.PAX_FORMAT,
                    encoding="utf-8",
                ) as tar:
                    with dump.open("rb") as fh:
                        files[facts["database"]["member"]] = add_file(
                            tar,
                            facts["database"]["member"],
                            fh,
                            size=dump.stat().st_size,
                            mtime=now.timestamp(),
                        )
                    dump.unlink()
                    media_bytes = 0
                    media = list(media_entries(media_root))
                    progress(f"Adding {len(media):,} uploaded files from {media_root}…")
                    for name, path in media:
                        with path.open("rb") as fh:
                            stat = os.fstat(fh.fileno())
                            files[name] = add_file(
                                tar, name, fh, size=stat.st_size, mtime=stat.st_mtime
                            )
                        media_bytes += stat.st_size
                    prefix_bytes = writer.count
                    prefix_sha256 = writer.digest.copy().hexdigest()
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "vnemis_version": _vnemis_version(),
                        "created_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
                        "engine": vendor,
                        "host": socket.gethostname(),
                        "installation_code": facts["installation_code"],
                        "database": facts["database"],
                        "migrations": facts["migrations"],
                        "tables": facts["tables"],
                        "media_files": len(media),
                        "media_bytes": media_bytes,
                        "files": files,
                        "archive": {"prefix_bytes": prefix_bytes, "prefix_sha256": prefix_sha256},
                    }
                    body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                    add_bytes(tar, MANIFEST, body, mtime=now.timestamp())
                    line = f"{hashlib.sha256(body).hexdigest()}  {MANIFEST}\n".encode()
                    add_bytes(tar, MANIFEST_DIGEST, line, mtime=now.timestamp())
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    _fsync_folder(output.parent)
    size = output.stat().st_size
    tables = manifest["tables"]
    result = BackupResult(
        path=output,
        size=size,
        sha256=writer.digest.hexdigest(),
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        media_files=len(media),
        media_bytes=media_bytes,
        seconds=time.monotonic() - started,
    )
    audit_event(
        actor=None,
        verb=AuditVerb.EXPORTED,
        target_type="core.backup",
        target_repr=str(output),
        after={
            "file": str(output),
            "bytes": size,
            "sha256": result.sha256,
            "engine": vendor,
            "tables": result.tables,
            "rows": result.rows,
            "media_files": result.media_files,
            "os_user": os_user(),
        },
        note="vnemis backup",
    )
    return result


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
