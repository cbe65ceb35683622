from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vnemis.core.http import PlausibleDateField, text_without_control_characters
from vnemis.reports.letterhead import FIELDS as SETTINGS_FIELDS
from vnemis.reports.models import ReportDocument, ReportSettings
from vnemis.reports.services import EDITABLE


class ReportDraftForm(forms.ModelForm):  # type: ignore[type-arg]
    """The parts of a report the officer writes; figures come from the records."""

    # A report of the digital-transformation programme is signed from 2000 (the programme is
    # younger) until a year ahead at most.
    signed_on = PlausibleDateField(
        label=_("Date of signing"),
        required=False,
        earliest=dt.date(2000, 1, 1),
        years_ahead=1,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
    )

    class Meta:
        model = ReportDocument
        fields = list(EDITABLE)
        widgets = {
            name: forms.Textarea(attrs={"rows": 8})
            for name in (
                "basis",
                "steering_results",
                "assessment",
                "next_tasks",
                "recommendations",
                "recipients",
            )
        }
        widgets["addressees"] = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The signature block needs a position; a draft saved without one could not be
        # downloaded, so the form says it here.
        position = self.fields["signer_title"]
        position.required = True
        position.error_messages["required"] = POSITION_REQUIRED
        position.help_text = _("In capitals, as signed: GIÁM ĐỐC, TRƯỞNG PHÒNG, HIỆU TRƯỞNG.")
        self.fields["archive_copies"].required = False

    def clean_archive_copies(self) -> int:
        return _copies(self.cleaned_data.get("archive_copies"))

    def clean(self) -> dict[str, Any]:
        return _plain_text(super().clean() or {})


def _copies(value: int | None) -> int:
    # An empty box means no count in "Lưu", as 0 does.
    return value or 0


POSITION_REQUIRED = _(
    "Enter the signer's position (for example GIÁM ĐỐC or TRƯỞNG PHÒNG): the "
    "signature block of the report cannot be left without it."
)


def _plain_text(data: dict[str, Any]) -> dict[str, Any]:
    # Text pasted from Word carries line-break characters that a DOCX cannot hold.
    for name, value in data.items():
        if isinstance(value, str):
            data[name] = text_without_control_characters(value)
    return data


class ReportSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """How the unit heads and signs its reports."""

    class Meta:
        model = ReportSettings
        fields = list(SETTINGS_FIELDS)
        help_texts = {
            "parent_agency": _("In capitals, e.g. UBND HUYỆN BÁT XÁT; empty if there is none."),
            "agency": _("In capitals, e.g. PHÒNG GIÁO DỤC VÀ ĐÀO TẠO."),
            "agency_in_text": _(
                "As the closing sentence names the unit: “… trân trọng báo cáo./.”"
            ),
            "agency_symbol": _(
                "As the unit writes it after the type of document: PGDĐT gives “Số: "
                "07/BC-PGDĐT”; a Sở may write SGDĐT or SGD&ĐT."
            ),
            "place": _("Begins the date line: “Bát Xát, ngày … tháng … năm …”."),
            "signer_authority": _("KT. GIÁM ĐỐC when a deputy signs; empty when the head signs."),
            "signer_title": _("In capitals, as signed: GIÁM ĐỐC, TRƯỞNG PHÒNG, HIỆU TRƯỞNG."),
            "archive_unit": _("The drafting unit, after “Lưu: VT,”."),
            "archive_copies": _(
                "Copies the office keeps, written after the drafting unit: “Lưu: VT, GDTrH, "
                "02b.”; 0 leaves it out."
            ),
        }
        error_messages = {
            "agency": {"required": _("Enter the issuing body, e.g. PHÒNG GIÁO DỤC VÀ ĐÀO TẠO.")},
            "agency_in_text": {
                "required": _(
                    "Enter the unit's name as the text writes it, e.g. Phòng Giáo dục và Đào "
                    "tạo huyện Bát Xát."
                )
            },
            "agency_symbol": {
                "required": _("Enter the unit's symbol in document numbers, e.g. PGDĐT.")
            },
            "place": {"required": _("Enter the place name of the date line, e.g. Bát Xát.")},
            "signer_title": {"required": POSITION_REQUIRED},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["archive_copies"].required = False

    def clean_archive_copies(self) -> int:
        return _copies(self.cleaned_data.get("archive_copies"))

    def clean(self) -> dict[str, Any]:
        data = _plain_text(super().clean() or {})
        for name in (
            "parent_agency",
            "agency",
            "agency_symbol",
            "signer_authority",
            "signer_title",
        ):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        return data
