"""Uploaded files: a size cap per kind of upload, enforced while the file arrives, and checks of
what a file is by its content, not by its name.

Size. ``CappedUploadHandler`` (first in ``FILE_UPLOAD_HANDLERS``) counts the bytes of the files
in a request and refuses a file as soon as it passes the cap of the view's upload kind (a view
declares it with ``upload_kind``): the part received so far, in a temporary file, is deleted,
and the rest of the file is read and thrown away, so the browser still gets the page with the
form and the reason (a connection closed mid-upload shows the user only a browser error page).
A body whose declared length already exceeds the cap is refused before a byte is kept; one
larger than ``VNEMIS_UPLOAD_BODY_MAX_BYTES`` is not even read. The view learns of a refusal
through ``upload_refusals`` (or ``explain_refusals`` for a Django form): a refused file is
simply absent from ``request.FILES``.

Content. ``evidence_check`` accepts PDF, PNG, JPEG and WebP files and Office Open XML documents
(DOCX, XLSX, PPTX) whose extension matches what their first bytes say. Office documents are zip
archives: the archive's directory is checked for bombs before any member is read
(``core.archives``), then the package must declare the main part its extension promises, and
nothing that runs code or fetches content when the document is opened (VBA macros, Excel 4.0
macro sheets, ActiveX controls, external templates or objects). The old binary formats (.doc,
.xls, .ppt) are refused: their macros hide inside an OLE compound file that would need a parser
of its own to inspect, and every Office version since 2007 saves the new formats.
``import_upload_check`` refuses the cheap cases of an import file before it is stored; the
reader checks the rest in the worker.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import IO, Any, TypeVar
from xml.etree import ElementTree

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from vnemis.core.archives import ArchiveRefused, zip_archive_check

View = TypeVar("View", bound=Callable[..., Any])


class UploadKind(StrEnum):
    """What a view receives files for; each kind has its own size cap."""

    IMPORT = "import"
    EVIDENCE = "evidence"
    OTHER = "other"  # a view that declares no kind (the admin's file fields)


# The setting holding each kind's cap, and its value when the setting is absent.
_CAPS = {
    UploadKind.IMPORT: ("VNEMIS_IMPORT_MAX_BYTES", 100 * 2**20),
    UploadKind.EVIDENCE: ("VNEMIS_EVIDENCE_MAX_BYTES", 20 * 2**20),
    UploadKind.OTHER: ("VNEMIS_UPLOAD_MAX_BYTES", 20 * 2**20),
}
# Room in a multipart body for the form's other fields and the parts' headers: a body longer
# than the cap by more than this carries more file bytes than the cap allows.
FORM_ROOM = 2**20
_KIND_ATTR = "vnemis_upload_kind"
_REFUSALS_ATTR = "_vnemis_upload_refusals"


def upload_cap(kind: UploadKind) -> int:
    """The most bytes of files one request of this kind may carry."""
    name, default = _CAPS[kind]
    return int(getattr(settings, name, default))


def _body_max() -> int:
    return int(getattr(settings, "VNEMIS_UPLOAD_BODY_MAX_BYTES", 256 * 2**20))


def upload_kind(kind: UploadKind) -> Callable[[View], View]:
    """Declare what a view receives files for, so that their cap is that kind's and a refusal
    is left for the view to explain (instead of Django's bare 400 page)."""

    def mark(view: View) -> View:
        setattr(view, _KIND_ATTR, kind)
        return view

    return mark


def view_upload_kind(request: HttpRequest) -> UploadKind | None:
    """The upload kind the view of ``request`` declared, or None."""
    match = request.resolver_match
    if match is None:  # the body was read before URL resolution (by a middleware)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    kind = getattr(match.func, _KIND_ATTR, None)
    return kind if isinstance(kind, UploadKind) else None


def size_text(size: int) -> str:
    """A byte count as users read it: "20 MB", or "64 KB" below a megabyte."""
    if size >= 2**20:
        return f"{size // 2**20} MB"
    return f"{max(1, size // 2**10)} KB"


@dataclass(frozen=True)
class Refusal:
    """A file refused for its size while it arrived."""

    file_name: str
    cap: int

    def message(self) -> str:
        return _(
            "The file “{name}” is larger than {limit}, the most accepted here, and was not "
            "saved. Make it smaller (scan at a lower resolution, or split a list into several "
            "files) and upload it again."
        ).format(name=self.file_name, limit=size_text(self.cap))


class CappedUploadHandler(FileUploadHandler):
    """Refuse the files of a request past the cap of the view's upload kind, while they arrive.

    Placed before Django's memory and temporary-file handlers: a chunk past the cap never
    reaches them, and the file they were filling is closed, which deletes it.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.kind: UploadKind | None = None
        self.cap = upload_cap(UploadKind.OTHER)
        self.body_length = 0
        self.received = 0  # bytes of the request's files so far, all files together

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],  # noqa: N803 (Django's argument name)
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, UploadedFile[Any]]] | None:
        if self.request is not None:
            self.kind = view_upload_kind(self.request)
        self.cap = upload_cap(self.kind or UploadKind.OTHER)
        self.body_length = content_length
        return None  # the parsing itself is Django's

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        if self.body_length > max(_body_max(), self.cap + FORM_ROOM):
            self._refuse()
            # Not worth reading: the answer goes back now and the rest of the body is left
            # unread (the fields before the file, the CSRF token among them, were read).
            raise StopUpload(connection_reset=True)
        if self.body_length > self.cap + FORM_ROOM:
            self._refuse()
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.cap:
            self._refuse()
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile[Any] | None:
        return None  # the next handler holds the file

    def upload_complete(self) -> None:
        if self.kind is None and getattr(self.request, _REFUSALS_ATTR, None):
            # A view that declared no upload kind could not explain the refusal: Django's own
            # answer to an oversize request (400) is the best it gets. Raised only now, once
            # the parser has closed (and so deleted) the partial file.
            raise RequestDataTooBig(
                f"An uploaded file exceeded settings.{_CAPS[UploadKind.OTHER][0]}."
            )

    def _refuse(self) -> None:
        refusals: dict[str, Refusal] = getattr(self.request, _REFUSALS_ATTR, None) or {}
        refusals[self.field_name] = Refusal(self.file_name or "", self.cap)
        setattr(self.request, _REFUSALS_ATTR, refusals)


def upload_refusals(request: HttpRequest) -> dict[str, str]:
    """The reasons files of ``request`` were refused for their size, by form field name."""
    files = request.FILES  # reading FILES parses the body, which is when refusals happen
    refusals: dict[str, Refusal] = getattr(request, _REFUSALS_ATTR, None) or {}
    return {name: r.message() for name, r in refusals.items() if name not in files}


def explain_refusals(form: forms.BaseForm, request: HttpRequest) -> None:
    """Let a form's file field give the reason its file was refused for size: the file never
    reached the form, which would otherwise say only that the field is empty."""
    for name, message in upload_refusals(request).items():
        field = form.fields.get(name)
        if field is not None:
            field.required = True
            field.error_messages = {**field.error_messages, "required": message}


@contextmanager
def upload_path(upload: UploadedFile[Any]) -> Iterator[Path]:
    """The upload as a file on disk: the temporary file Django spooled a large upload to, else
    a copy deleted afterwards."""
    if isinstance(upload, TemporaryUploadedFile):
        yield Path(upload.temporary_file_path())
        return
    with tempfile.TemporaryDirectory(prefix="vnemis-upload-") as tmp:
        path = Path(tmp) / "upload"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        yield path


# First bytes of the formats recognised.
_PDF = b"%PDF-"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .doc, .xls, .ppt, .msg
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# The extensions each content may carry.
_EXTENSIONS = {
    "pdf": {".pdf"},
    "png": {".png"},
    "jpeg": {".jpg", ".jpeg"},
    "webp": {".webp"},
    "docx": {".docx"},
    "xlsx": {".xlsx"},
    "pptx": {".pptx"},
}
EVIDENCE_EXTENSIONS = frozenset(ext for exts in _EXTENSIONS.values() for ext in exts)
_OLD_OFFICE = frozenset({".doc", ".dot", ".xls", ".xlt", ".ppt", ".pot", ".pps", ".rtf"})
_MACRO_OFFICE = frozenset(
    {".docm", ".dotm", ".xlsm", ".xltm", ".xlsb", ".xlam", ".pptm", ".potm", ".ppsm", ".ppam"}
)
# The content type of the main part of each Office document accepted.
_OFFICE_MAIN = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}
# Parts Office may run code from: VBA projects (and the main parts of macro-enabled documents),
# Excel 4.0 macro sheets, ActiveX controls. Matched in lower case within content types.
_ACTIVE_CONTENT = ("vbaproject", "macroenabled", "macrosheet", "activex")
# Relationships to outside the package that Office follows on its own when opening the
# document (a template, an OLE object, a frame: how remote-template attacks load their code);
# links the reader chooses to follow (hyperlinks) are fine.
_FOLLOWED_TYPES = ("attachedtemplate", "oleobject", "frame", "subdocument", "image", "package")
_MAX_XML_PART = 2**20  # [Content_Types].xml or one .rels part; real ones are a few KB
_MAX_RELS_TOTAL = 16 * 2**20
_PDF_TAIL = 8 * 2**10  # readers look for %%EOF near the end; some writers add a little after


def _head(path: Path, size: int = 64 * 2**10) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)


def _tail(path: Path, size: int) -> bytes:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        fh.seek(max(0, fh.tell() - size))
        return fh.read()


def _sniff(head: bytes) -> str | None:
    """The format the first bytes of a file announce."""
    if head.startswith(_PDF):
        return "pdf"
    if head.startswith(_PNG) and head[12:16] == b"IHDR":
        return "png"
    if head.startswith(_JPEG):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(_OLE):
        return "ole"
    return None


def _accepted_types() -> str:
    return _(
        "Evidence is accepted as a PDF file, an image (PNG, JPEG, WebP) or an Office document "
        "(DOCX, XLSX, PPTX)."
    )


def _old_office(name: str) -> ValidationError:
    return ValidationError(
        _(
            "“{name}” is in an old Office format (.doc, .xls, .ppt) or protected with a "
            "password; such files can hide macros. Open it in Office, remove any password, save "
            "it as .docx, .xlsx, .pptx or PDF, and upload that file."
        ).format(name=name)
    )


def _macros(name: str) -> ValidationError:
    return ValidationError(
        _(
            "“{name}” contains macros or controls (program code), which are not accepted. "
            "Save it as .docx, .xlsx or .pptx (without macros) or as PDF, and upload it again."
        ).format(name=name)
    )


def _mismatch(name: str, ext: str) -> ValidationError:
    return ValidationError(
        _(
            "The content of “{name}” is not what its extension {ext} says. Upload the original "
            "file, or open it and save it again in the right format."
        ).format(name=name, ext=ext)
    )


def _damaged(name: str) -> ValidationError:
    return ValidationError(
        _(
            "“{name}” is damaged or incomplete. Open it on your computer to check it, save it "
            "again and upload it."
        ).format(name=name)
    )


def _size_and_name(upload: UploadedFile[Any], kind: UploadKind) -> tuple[str, str]:
    """Refuse an upload over the kind's cap (a service called outside a request gets the same
    cap) or empty; its name and lower-case extension."""
    name = PurePosixPath(upload.name or "").name
    size = upload.size or 0
    cap = upload_cap(kind)
    if size > cap:
        raise ValidationError(Refusal(name, cap).message())
    if size == 0:
        raise ValidationError(_("The file is empty."))
    return name, PurePosixPath(name).suffix.lower()


def evidence_check(upload: UploadedFile[Any]) -> None:
    """Refuse (``ValidationError``, message for the user) an evidence file over the cap, empty,
    of a type not accepted, whose content is not what its extension says, or an Office document
    that is a zip bomb, is damaged, or holds macros, controls or content fetched from outside."""
    name, ext = _size_and_name(upload, UploadKind.EVIDENCE)
    if ext in _OLD_OFFICE:
        raise _old_office(name)
    if ext in _MACRO_OFFICE:
        raise _macros(name)
    if ext not in EVIDENCE_EXTENSIONS:
        raise ValidationError(_accepted_types())
    with upload_path(upload) as path:
        found = _sniff(_head(path, 16))
        if found == "ole" and ext in _OFFICE_MAIN:
            raise _old_office(name)
        if found == "zip" and ext in _OFFICE_MAIN:
            _office_check(path, name=name, ext=ext)
        elif found is None or ext not in _EXTENSIONS.get(found, set()):
            raise _mismatch(name, ext)
        elif found == "pdf" and b"%%EOF" not in _tail(path, _PDF_TAIL):
            raise _damaged(name)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> ElementTree.Element:
    """A small XML part of a package, refused if large or carrying a DTD (entity expansion)."""
    if info.file_size > _MAX_XML_PART:
        raise _damaged(name)
    with archive.open(info) as stream:
        data = stream.read(_MAX_XML_PART + 1)
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        raise _damaged(name)
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise _damaged(name) from exc


def _office_check(path: Path, *, name: str, ext: str) -> None:
    """An Office Open XML package: no bomb, the main part its extension promises, no active or
    externally fetched content. Only the package's directory and small XML parts are read."""
    try:
        members = zip_archive_check(path, max_unpacked=10 * upload_cap(UploadKind.EVIDENCE))
    except ArchiveRefused as exc:
        raise ValidationError(str(exc)) from exc
    infos = {m.filename: m for m in members}
    if any(PurePosixPath(n).name.lower().startswith("vbaproject") for n in infos):
        raise _macros(name)
    if "[Content_Types].xml" not in infos:
        raise _mismatch(name, ext)
    try:
        with zipfile.ZipFile(path) as archive:
            types = _xml_part(archive, infos["[Content_Types].xml"], name)
            declared = [
                (child.get("PartName", ""), child.get("ContentType", "").lower())
                for child in types
                if _local(child.tag) in {"Default", "Override"}
            ]
            if any(a in ct for _part, ct in declared for a in _ACTIVE_CONTENT):
                raise _macros(name)
            main = [part for part, ct in declared if ct == _OFFICE_MAIN[ext]]
            if not main:
                raise _mismatch(name, ext)
            if not all(p.lstrip("/") in infos for p in main):
                raise _damaged(name)
            _refuse_followed_links(archive, members, name)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        # zlib errors are re-raised by zipfile as BadZipFile; an encrypted member as
        # RuntimeError; an unsupported compression as NotImplementedError.
        raise _damaged(name) from exc


def _refuse_followed_links(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], name: str
) -> None:
    total = 0
    for info in members:
        if not info.filename.lower().endswith(".rels"):
            continue
        total += info.file_size
        if total > _MAX_RELS_TOTAL:
            raise _damaged(name)
        for rel in _xml_part(archive, info, name):
            if rel.get("TargetMode", "").lower() != "external":
                continue
            kind = rel.get("Type", "").rpartition("/")[2].lower()
            if kind in _FOLLOWED_TYPES:
                raise ValidationError(
                    _(
                        "“{name}” loads content from outside the file when it is opened, as "
                        "harmful documents do. Save it as PDF, or remove the linked template "
                        "or object, and upload it again."
                    ).format(name=name)
                )


# What the import reader accepts (vnemis.imports.readers.open_table).
_IMPORT_XLSX = frozenset({".xlsx", ".xlsm"})
_IMPORT_TEXT = frozenset({".csv", ".txt"})


def import_upload_check(upload: UploadedFile[Any]) -> None:
    """Refuse, before it is stored, an import file over the cap, empty, of a type the reader
    does not take, a workbook that is no zip archive or is a zip bomb, or a CSV file holding
    binary data. The reader checks the rest in the worker."""
    _name, ext = _size_and_name(upload, UploadKind.IMPORT)
    if ext not in _IMPORT_XLSX | _IMPORT_TEXT:
        raise ValidationError(_("Upload an .xlsx or .csv file."))
    with upload_path(upload) as path:
        head = _head(path)
        if head.startswith(_OLE):
            raise ValidationError(
                _(
                    "The file is an old .xls workbook or is protected with a password. Open it "
                    "in Excel, remove the password if there is one, and save it as .xlsx."
                )
            )
        if ext in _IMPORT_XLSX:
            if not head.startswith(_ZIP) or not zipfile.is_zipfile(path):
                raise ValidationError(_("The Excel file is damaged or is not an .xlsx file."))
            try:
                zip_archive_check(path, max_unpacked=10 * upload_cap(UploadKind.IMPORT))
            except ArchiveRefused as exc:
                raise ValidationError(str(exc)) from exc
            return
        if head.startswith(_ZIP):
            raise ValidationError(
                _("This file is an Excel workbook, not a CSV text file: upload it as .xlsx.")
            )
        if b"\x00" in head and not head.startswith(_UTF16_BOMS):
            raise ValidationError(
                _(
                    "This file is not a CSV text file: it holds binary data. In Excel, save the "
                    "list as “CSV UTF-8”, or upload the .xlsx file."
                )
            )
