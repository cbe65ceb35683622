from __future__ import annotations

from django import forms

from vnemis.reports.models import ReportDocument
from vnemis.reports.services import EDITABLE


class ReportDraftForm(forms.ModelForm):  # type: ignore[type-arg]
    """The parts of a report the officer writes; figures come from the records."""

    signed_on = forms.DateField(
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
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
