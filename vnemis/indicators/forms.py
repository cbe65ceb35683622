"""Fields and forms of the indicator pages: the reporting period and the reported figures."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vnemis.core.http import StrictDecimalField
from vnemis.indicators.models import DataElement
from vnemis.indicators.periods import Period, parse_period

# No figure of the sector predates 1990; a period more than five years ahead is a typing slip.
FIRST_PERIOD_YEAR = 1990
YEARS_AHEAD = 5


class PeriodField(forms.CharField):
    """A reporting period code: 2022H1, 2022Q3, 2022 or 2021-2022, of a plausible year.

    ``parse_period`` alone accepts year 0 (and fails with ValueError building its dates),
    year 9999 (whose next period cannot exist) and digits of other scripts ("٢٠٢٢H1").
    """

    default_error_messages = {
        "invalid": _("Write the period as 2022H1, 2022Q3, 2022 or 2021-2022."),
        "range": _("Periods from {first} to {last} can be chosen."),
    }

    def to_python(self, value: Any) -> Period | None:  # type: ignore[override]
        text = str(super().to_python(value))
        if not text:
            return None
        if not text.isascii():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            period = parse_period(text)
        except ValueError:  # PeriodError, and a date that cannot exist (year 0)
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        last = timezone.localdate().year + YEARS_AHEAD
        if period.start.year < FIRST_PERIOD_YEAR or period.end.year > last:
            raise ValidationError(
                self.error_messages["range"].format(first=FIRST_PERIOD_YEAR, last=last),
                code="range",
            )
        return period


class ReportedValuesForm(forms.Form):
    """One percentage per reported element, each optional: a blank keeps the stored value."""

    def __init__(self, *args: Any, elements: Iterable[DataElement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.elements = list(elements)
        for element in self.elements:
            self.fields[element.code] = StrictDecimalField(
                label=element.name,
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=7,
                decimal_places=4,
                error_messages={
                    "min_value": _("A percentage lies between 0 and 100."),
                    "max_value": _("A percentage lies between 0 and 100."),
                },
            )

    def accepted(self) -> dict[DataElement, Decimal]:
        """The figures that passed their checks, after ``is_valid()``; blanks are left out.

        A refused figure does not hold back the others: the officer corrects only it.
        """
        cleaned = self.cleaned_data
        return {e: cleaned[e.code] for e in self.elements if cleaned.get(e.code) is not None}
