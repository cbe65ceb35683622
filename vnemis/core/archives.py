"""Checks on zip archives (XLSX and DOCX files are zip archives) before anything unpacks them.

A zip bomb is small on disk and huge unpacked, or holds so many members that listing them
exhausts memory. Only the central directory is read here: nothing is decompressed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

# Office files compress well (XML), but not a thousandfold: a real workbook of a province's
# students unpacks to 10–20 times its size.
MAX_RATIO = 100
MAX_MEMBERS = 2_000


class ArchiveRefused(ValueError):
    """The archive is refused; the message tells the user why."""


def zip_archive_check(
    path: Path,
    *,
    max_unpacked: int,
    max_members: int = MAX_MEMBERS,
    max_ratio: int = MAX_RATIO,
) -> list[zipfile.ZipInfo]:
    """The archive's members, after refusing a damaged archive, too many members, too large
    an unpacked size or too high a compression ratio (of the whole or of one member)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ArchiveRefused(_("The file is damaged or is not a valid Office file.")) from exc
    if len(members) > max_members:
        raise ArchiveRefused(
            _("The file holds {count} parts; at most {limit} are accepted.").format(
                count=len(members), limit=max_members
            )
        )
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > max_unpacked:
        raise ArchiveRefused(
            _("The file unpacks to more than {mb} MB; split it into smaller files.").format(
                mb=max_unpacked // 2**20
            )
        )
    # A ratio is only meaningful past a few kilobytes: a tiny XML part may compress 200-fold.
    worst = max(
        (m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 1 << 16),
        default=0.0,
    )
    if unpacked > 1 << 20 and (unpacked / max(packed, 1) > max_ratio or worst > max_ratio * 10):
        raise ArchiveRefused(
            _(
                "The file is compressed more than {ratio} times, as only a damaged or "
                "malicious file is; it was not opened."
            ).format(ratio=max_ratio)
        )
    return members
