from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vnemis.api.choices import TokenScope
from vnemis.organisations.models import OrgUnit

DEFAULT_VALIDITY = dt.timedelta(days=365)
LONGEST_VALIDITY = dt.timedelta(days=3 * 365)


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Who uses it and for what, e.g. the school-management software of a vendor."),
    )
    unit = forms.ChoiceField(label=_("Organisation unit"))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        # Written dd/mm/yyyy like every date of the site's forms (a browser's date input
        # showed the localised initial value as empty, so no token could be issued).
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
    )
    rate_per_minute = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=10_000, initial=120
    )

    def __init__(self, *args: Any, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = [(u.code, f"{u.code} · {u.name}") for u in units]
        self.fields["expires_on"].initial = timezone.localdate() + DEFAULT_VALIDITY

    def clean_expires_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("The expiry must lie in the future."))
        if day > today + LONGEST_VALIDITY:
            raise forms.ValidationError(_("A token is valid for three years at most."))
        return day
