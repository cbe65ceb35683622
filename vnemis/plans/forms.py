from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vnemis.core import uploads
from vnemis.core.http import PlausibleDateField, text_without_control_characters
from vnemis.plans.choices import TaskStatus


class TaskUpdateAddForm(forms.Form):
    """A progress update on a task: its date, the status from then on, a note, a file."""

    # The programmes of the digital transformation began in 2021; nothing is reported before
    # 2000, and nothing after today (the service refuses it too).
    on = PlausibleDateField(
        label=gettext_lazy("Date of the update"),
        earliest=dt.date(2000, 1, 1),
        years_ahead=0,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
        error_messages={
            "required": gettext_lazy("Enter the date of the update, as dd/mm/yyyy."),
            "invalid": gettext_lazy("Write the date as dd/mm/yyyy, e.g. 15/06/2022."),
        },
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=TaskStatus.choices,
        error_messages={"required": gettext_lazy("Choose the status of the task.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Progress note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = forms.FileField(
        label=gettext_lazy("Evidence file (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(sorted(uploads.EVIDENCE_EXTENSIONS))}),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cap = uploads.upload_cap(uploads.UploadKind.EVIDENCE)
        self.fields["evidence"].help_text = _(
            "PDF, image (PNG, JPEG, WebP) or Office document (DOCX, XLSX, PPTX), at most {limit}."
        ).format(limit=uploads.size_text(cap))
        # A file refused for its size never reaches the form: say why on its field.
        uploads.explain_refusals(self, request)

    def clean_on(self) -> dt.date:
        on: dt.date = self.cleaned_data["on"]
        today = timezone.localdate()
        if on > today:
            raise forms.ValidationError(
                _(
                    "The date cannot be after today ({today}): record progress once it has "
                    "happened."
                ).format(today=today.strftime("%d/%m/%Y"))
            )
        return on

    def clean_note(self) -> str:
        # Text pasted from Word carries line-break characters a spreadsheet cannot hold.
        return text_without_control_characters(self.cleaned_data["note"]).strip()

    def clean_evidence(self) -> UploadedFile[Any] | None:
        upload: UploadedFile[Any] | None = self.cleaned_data.get("evidence")
        if upload:
            uploads.evidence_check(upload)
        return upload
