from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vnemis.core.http import PlausibleDateField, StrictIntegerField
from vnemis.core.uploads import evidence_check
from vnemis.digital.models import CriterionScore, DigitalProfile
from vnemis.digital.services import ScoreEntry


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


class CriterionScoreForm(forms.Form):
    """One criterion's line of a group's form: points (or met / not met for a mandatory
    condition), a note and an evidence file. The form's prefix is the criterion's code, so
    every message names the criterion it belongs to."""

    note = forms.CharField(label=_("note"), max_length=255, required=False)
    evidence = forms.FileField(label=_("evidence file"), required=False)

    def __init__(self, *args: Any, score: CriterionScore, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", score.criterion.code)
        kwargs.setdefault("initial", {"points": score.points, "met": score.met, "note": score.note})
        super().__init__(*args, **kwargs)
        self.score = score
        criterion = score.criterion
        if criterion.mandatory:
            self.fields["met"] = forms.BooleanField(label=_("met"), required=False)
        else:
            limits = _("Enter whole points from 0 to {max}.").format(max=criterion.max_points)
            self.fields["points"] = StrictIntegerField(
                label=_("points"),
                min_value=0,
                max_value=criterion.max_points,
                error_messages={
                    "required": limits,
                    "min_value": limits,
                    "max_value": limits,
                    "invalid": limits,
                },
            )

    def clean_evidence(self) -> Any:
        upload = self.cleaned_data.get("evidence")
        if upload:
            # By content, before anything of the group is stored.
            evidence_check(upload)
        return upload or None

    def entry(self) -> ScoreEntry:
        data = self.cleaned_data
        if self.score.criterion.mandatory:
            points, met = 0, bool(data.get("met"))
        else:
            points = data["points"]
            met = points > 0
        return ScoreEntry(
            code=self.score.criterion.code,
            points=points,
            met=met,
            note=data.get("note", ""),
            evidence=data.get("evidence"),
        )


class SelfAssessmentStepForm(forms.Form):
    """The office's comment on a step (required to return an assessment)."""

    comment = forms.CharField(
        label=_("Comments for the school"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExternalAssessmentForm(forms.Form):
    """The office's own points for each group (its external assessment)."""

    group_i = StrictIntegerField(
        label=_("Group I points"),
        min_value=0,
        max_value=100,
        error_messages={
            "required": _("Enter the points of group I (0 to 100)."),
            "min_value": _("Enter the points of group I (0 to 100)."),
            "max_value": _("Enter the points of group I (0 to 100)."),
        },
    )
    group_ii = StrictIntegerField(
        label=_("Group II points"),
        min_value=0,
        max_value=100,
        error_messages={
            "required": _("Enter the points of group II (0 to 100)."),
            "min_value": _("Enter the points of group II (0 to 100)."),
            "max_value": _("Enter the points of group II (0 to 100)."),
        },
    )
    comment = forms.CharField(
        label=_("Comments for the school"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
