"""The archive file: writing its entries with their digests, and checking every byte of it.

An archive is one uncompressed tar file (``tar tvf`` lists it) holding, in this order:

- ``database/vnemis.sqlite3.gz``: a copy made with SQLite's online backup API, consistent
  while the site runs, gzip-compressed; or ``database/vnemis.pgdump``: ``pg_dump
  --format=custom`` (already compressed).
- ``media/…``: every file under ``MEDIA_ROOT`` (imported files, error reports, evidence).
- ``manifest.json``: format, vnemis version, time, engine, installation code, the latest
  applied migration per app, each table's column layout, row count and checksum, and the
  size and SHA-256 of every member above; plus ``archive``: the SHA-256 of every byte of the
  tar stream before the manifest (headers and padding included).
- ``manifest.sha256``: the SHA-256 of ``manifest.json``.

So every byte of the archive is covered: the data and headers before the manifest by the
prefix digest, the manifest by its own digest, the two last headers by the tar header checksum
and the padding after them by a check that it is all zeros. A damaged or truncated archive is
refused before anything changes. The digests detect damage, not a forger who rewrites the
manifest as well: archives are kept where only operators can write.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from vnemis.core.backup.base import (
    CHUNK,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MANIFEST_DIGEST,
    MEDIA_PREFIX,
    POSTGRES_MEMBER,
    SQLITE_MEMBER,
    BackupError,
    Progress,
    engine_name,
    megabytes,
    quiet,
)


class HashingWriter:
    """A write-only file that hashes and counts what goes through it (the tar stream)."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.count = 0

    def write(self, data: bytes) -> int:
        self.target.write(data)
        self.digest.update(data)
        self.count += len(data)
        return len(data)

    def tell(self) -> int:
        return self.count

    def flush(self) -> None:
        self.target.flush()


class _HashingReader:
    """Reads a file for ``tarfile.addfile`` and hashes exactly what was read."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data


def add_file(
    tar: tarfile.TarFile, name: str, source: IO[bytes], *, size: int, mtime: float
) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    reader = _HashingReader(source)
    tar.addfile(info, cast("IO[bytes]", reader))
    return {"size": size, "sha256": reader.digest.hexdigest()}


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes, *, mtime: float) -> None:
    add_file(tar, name, io.BytesIO(data), size=len(data), mtime=mtime)


def media_entries(root: Path) -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every regular file under ``root``, in a stable order."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue  # Django's storage writes regular files only; a link points elsewhere
            yield MEDIA_PREFIX + path.relative_to(root).as_posix(), path


def member_name_check(name: str) -> None:
    """Refuse names that would land outside the restore folders (absolute, ``..``)."""
    if name in {MANIFEST, MANIFEST_DIGEST, SQLITE_MEMBER, POSTGRES_MEMBER}:
        return
    path = PurePosixPath(name)
    if (
        not name.startswith(MEDIA_PREFIX)
        or path.is_absolute()
        or any(part in {"", ".", ".."} for part in name.split("/"))
        or "\\" in name
        or "\x00" in name
    ):
        raise BackupError(
            f"The archive holds an unexpected entry {name!r}. Nothing was restored; use another "
            "copy of the backup."
        )


def _copy_range(fh: IO[bytes], start: int, length: int, digests: list[Any]) -> None:
    fh.seek(start)
    left = length
    while left > 0:
        data = fh.read(min(CHUNK, left))
        if not data:
            raise BackupError("The archive is shorter than its entries say: it is incomplete.")
        for digest in digests:
            digest.update(data)
        left -= len(data)


def _all_zero(fh: IO[bytes], start: int, end: int) -> bool:
    fh.seek(start)
    left = end - start
    while left > 0:
        data = fh.read(min(CHUNK, left))
        if not data or data.count(0) != len(data):
            return False
        left -= len(data)
    return True


def archive_verify(*, path: Path, progress: Progress = quiet) -> dict[str, Any]:
    """Check every byte of the archive against its manifest; return the manifest.

    Raises ``BackupError`` naming what is wrong: not a backup, incomplete, a damaged entry.
    Reads the whole file once; writes nothing.
    """
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    size = path.stat().st_size
    progress(f"Checking the archive {path} ({megabytes(size)})…")
    damaged = (
        f"{path} is damaged or incomplete: it does not match its own checksums. Nothing was "
        "restored; use another copy of the backup."
    )
    try:
        with tarfile.open(path, mode="r:", encoding="utf-8") as tar:
            members = tar.getmembers()
            by_name = {m.name: m for m in members}
            if MANIFEST not in by_name or MANIFEST_DIGEST not in by_name:
                raise BackupError(
                    f"{path} is incomplete or is not a vnemis backup: it has no manifest. "
                    "Nothing was restored; use another copy of the backup."
                )
            if members[-2:] != [by_name[MANIFEST], by_name[MANIFEST_DIGEST]] or len(by_name) != len(
                members
            ):
                raise BackupError(damaged)
            for member in members:
                if not member.isreg():
                    raise BackupError(
                        f"The archive holds an unexpected entry {member.name!r}. Nothing was "
                        "restored; use another copy of the backup."
                    )
                member_name_check(member.name)
            body = _member_bytes(tar, by_name[MANIFEST], limit=256 * 2**20)
            line = _member_bytes(tar, by_name[MANIFEST_DIGEST], limit=1024).decode(
                "ascii", "replace"
            )
    except (tarfile.TarError, EOFError, OSError, UnicodeError) as exc:
        raise BackupError(
            f"{path} is not a readable archive ({exc}). Nothing was restored; use another copy "
            "of the backup."
        ) from exc
    if line != f"{hashlib.sha256(body).hexdigest()}  {MANIFEST}\n":
        raise BackupError(damaged)
    try:
        manifest: dict[str, Any] = json.loads(body)
    except ValueError as exc:
        raise BackupError(damaged) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a vnemis backup.")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(
            f"{path} was written by a newer vnemis ({manifest.get('vnemis_version')}), in an "
            "archive format this version cannot read. Install that version to restore it."
        )
    files: dict[str, dict[str, Any]] = manifest["files"]
    content = members[:-2]
    if {m.name for m in content} != set(files) or manifest["database"]["member"] not in files:
        raise BackupError(damaged)
    prefix = hashlib.sha256()
    bad: list[str] = []
    with path.open("rb") as fh:
        position = 0
        for member in content:
            # Headers and padding since the previous entry, then the entry's data.
            _copy_range(fh, position, member.offset_data - position, [prefix])
            digest = hashlib.sha256()
            _copy_range(fh, member.offset_data, member.size, [prefix, digest])
            position = member.offset_data + member.size
            want = files[member.name]
            if member.size != want["size"] or digest.hexdigest() != want["sha256"]:
                bad.append(member.name)
        manifest_member, digest_member = by_name[MANIFEST], by_name[MANIFEST_DIGEST]
        _copy_range(fh, position, manifest_member.offset - position, [prefix])
        archive = manifest["archive"]
        intact = (
            manifest_member.offset == archive["prefix_bytes"]
            and prefix.hexdigest() == archive["prefix_sha256"]
            and _all_zero(
                fh, manifest_member.offset_data + manifest_member.size, digest_member.offset
            )
            and _all_zero(fh, digest_member.offset_data + digest_member.size, size)
        )
    if bad:
        raise BackupError(
            "{} Damaged: {}.".format(damaged, ", ".join(bad[:10]) + (" …" if len(bad) > 10 else ""))
        )
    if not intact:
        raise BackupError(damaged)
    progress(
        "Archive intact: backup of {created} by vnemis {version}, installation {code}, {engine}, "
        "{tables} tables, {rows:,} rows, {files:,} uploaded files.".format(
            created=manifest["created_at"],
            version=manifest["vnemis_version"],
            code=manifest["installation_code"] or "-",
            engine=engine_name(manifest["engine"]),
            tables=len(manifest["tables"]),
            rows=sum(t["rows"] for t in manifest["tables"].values()),
            files=manifest["media_files"],
        )
    )
    return manifest


def _member_bytes(tar: tarfile.TarFile, member: tarfile.TarInfo, *, limit: int) -> bytes:
    if member.size > limit:
        raise BackupError(f"The archive's {member.name} is implausibly large.")
    stream = tar.extractfile(member)
    assert stream is not None
    return stream.read()
