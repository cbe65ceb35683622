from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vnemis.learning.choices import ReleaseColumn, Term


class TermForm(forms.Form):
    term = forms.TypedChoiceField(label=_("Term"), choices=Term.choices, coerce=int)


class UnlockForm(TermForm):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class ReleaseForm(forms.Form):
    subject = forms.IntegerField(required=False, min_value=1)
    term = forms.TypedChoiceField(label=_("Term"), choices=Term.choices, coerce=int)
    column = forms.ChoiceField(label=_("Column"), choices=ReleaseColumn.choices)
    release_on = forms.DateField(
        label=_("Release on"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
    )
    now = forms.BooleanField(label=_("Release now"), required=False)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=(("1", _("Approve")), ("0", _("Reject"))), coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)
