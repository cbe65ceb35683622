from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from vnemis.core.http import PlausibleDateField, StrictIntegerField
from vnemis.organisations import access as org_access
from vnemis.organisations.models import OrgUnit


class EnrollmentTransferForm(forms.Form):
    """Where and when a student moves; the destination is any school of the sector."""

    to_school = forms.CharField(label=_("Destination school code"), max_length=32)
    # The preview then checks the date against the school year; this refuses year 1 or 9999.
    on = PlausibleDateField(label=_("Transfer date"), years_ahead=1)
    to_class = StrictIntegerField(label=_("Class at the new school (optional)"), required=False)

    def clean_to_school(self) -> OrgUnit:
        code = self.cleaned_data["to_school"].strip()
        try:
            return org_access.school_directory_get(code=code)
        except Http404:
            raise forms.ValidationError(
                _("No school has the code {code}.").format(code=code)
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        school = data.get("to_school")
        class_id = data.get("to_class")
        data["to_class_obj"] = None
        if school is not None and class_id:
            school_class = school.classes.filter(pk=class_id).first()
            if school_class is None:
                self.add_error("to_class", _("That class is not at the destination school."))
            data["to_class_obj"] = school_class
        return data
