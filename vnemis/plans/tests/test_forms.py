"""``TaskUpdateAddForm``: what it accepts and how it explains what it refuses."""

from __future__ import annotations

import datetime as dt

from django.test import RequestFactory, SimpleTestCase
from django.utils import timezone, translation

from vnemis.plans.forms import TaskUpdateAddForm


class TaskUpdateAddFormTests(SimpleTestCase):
    def form(self, **data: str) -> TaskUpdateAddForm:
        request = RequestFactory().post("/programmes/tasks/1/")
        return TaskUpdateAddForm(data, {}, request=request)

    def test_accepts_today_in_dd_mm_yyyy_and_cleans_the_note(self) -> None:
        """Today is a valid date; Word's line breaks in the note become plain ones."""
        today = timezone.localdate()
        form = self.form(on=today.strftime("%d/%m/%Y"), status="done", note=" Đợt 1\x0bĐợt 2 ")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["on"], today)
        self.assertEqual(form.cleaned_data["note"], "Đợt 1\nĐợt 2")
        self.assertIsNone(form.cleaned_data["evidence"])

    def test_explains_each_refusal(self) -> None:
        """Each field's error says what to do, in the user's language."""
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
        with translation.override("en"):
            cases = {
                "": "Enter the date of the update, as dd/mm/yyyy.",
                "31/02/2022": "Write the date as dd/mm/yyyy, e.g. 15/06/2022.",
                "01/01/1999": "Enter a date between 01/01/2000 and ",
                tomorrow: "The date cannot be after today (",
            }
            for typed, message in cases.items():
                errors = self.form(on=typed, status="done").errors
                self.assertEqual(list(errors), ["on"], typed)
                self.assertTrue(str(errors["on"][0]).startswith(message), (typed, errors["on"]))
            self.assertEqual(
                self.form(on="01/06/2022", status="finished").errors["status"],
                ["Select a valid choice. finished is not one of the available choices."],
            )
