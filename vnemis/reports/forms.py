from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from vnemis.core.http import PlausibleDateField, text_without_control_characters
from vnemis.reports.models import ReportDocument
from vnemis.reports.services import EDITABLE


class ReportDraftForm(forms.ModelForm):  # type: ignore[type-arg]
    """The parts of a report the officer writes; figures come from the records."""

    # A report of the digital-transformation programme is signed from 2000 (the programme is
    # younger) until a year ahead at most.
    signed_on = PlausibleDateField(
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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Text pasted from Word carries line-break characters that a DOCX cannot hold.
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = text_without_control_characters(value)
        return data
