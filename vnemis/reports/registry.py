"""The kinds of report vnemis writes: for each, what fills it and what builds its document.

A kind is a plain entry of `KINDS`: its `data` function reads the figures and the officer's
text of one `ReportDocument` into the kind's data object, and its `build` function lays that
object out as a document in the Nghị định 30/2020 layout. Adding a kind (the end-of-year
statistics report) is a new `ReportKind` choice, a data function in `selectors.py`, a builder
in `documents/`, and one line here; rendering, the pages and the command find it through
`document_kind`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from vnemis.reports.choices import ReportKind
from vnemis.reports.documents.dx_semiannual import DxReportData, build_dx_semiannual
from vnemis.reports.documents.nd30 import Nd30Document
from vnemis.reports.errors import ReportError
from vnemis.reports.models import ReportDocument
from vnemis.reports.selectors import dx_report_data


@dataclass(frozen=True)
class DocumentKind[Data]:
    """One kind of report: `data` fills it from the records and the draft (raising
    ReportError for what the user can fix), `build` lays it out."""

    kind: ReportKind
    data: Callable[[ReportDocument], Data]
    build: Callable[[Data], Nd30Document]

    @property
    def title(self) -> str:
        """The kind's name, as the pages show it."""
        return str(self.kind.label)

    def render(self, document: ReportDocument) -> bytes:
        return self.build(self.data(document)).to_bytes()


def _dx_data(document: ReportDocument) -> DxReportData:
    return dx_report_data(document=document)


KINDS: dict[str, DocumentKind[Any]] = {
    ReportKind.DX_SEMIANNUAL: DocumentKind(
        kind=ReportKind.DX_SEMIANNUAL, data=_dx_data, build=build_dx_semiannual
    ),
}


def document_kind(kind: str) -> DocumentKind[Any]:
    """The registered kind named `kind`; an unknown name is a ReportError."""
    found = KINDS.get(kind)
    if found is None:
        raise ReportError(
            _("There is no report of the kind “{kind}”. Choose one of: {kinds}.").format(
                kind=kind,
                kinds="; ".join(f"{code} ({spec.title})" for code, spec in KINDS.items()),
            ),
            field="kind",
        )
    return found
