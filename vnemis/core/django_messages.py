"""Django's own messages that its Vietnamese catalogue does not translate yet.

Listed here so that ``makemessages`` puts them in the project's catalogue, whose
translations take precedence over Django's (``LOCALE_PATHS``). Never imported: the strings
are marked, not used.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

MESSAGES = (
    # django.db.models.fields.BLANK_CHOICE_LABEL (Django 6): the empty choice of a select.
    gettext_noop("- Select an option -"),
)
