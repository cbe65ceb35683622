from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vnemis.core.http import PlausibleDateField
from vnemis.digital.models import DigitalProfile


class DigitalProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    """A school's or site's facts from a date on; the earlier history is kept."""

    valid_from = PlausibleDateField(
        label=_("In place from"),
        years_ahead=1,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
    )

    class Meta:
        model = DigitalProfile
        fields = [
            "valid_from",
            "internet",
            "has_website",
            "website",
            "cashless_payment",
            "contact_book",
            "it_in_management",
            "basic_ict",
            "note",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("has_website") and not data.get("website"):
            self.add_error("website", _("Give the website's address."))
        return data
