"""Django REST framework's messages that the API documentation shows, for the project's
catalogue (DRF's Vietnamese catalogue does not translate them).

Listed here so that ``makemessages`` puts them in the project's catalogue, whose translations
take precedence (``LOCALE_PATHS``). Never imported: the strings are marked, not used.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

MESSAGES = (
    # rest_framework.pagination.CursorPagination: the query parameters of every list.
    gettext_noop("The pagination cursor value."),
    gettext_noop("Number of results to return per page."),
    # rest_framework.schemas.utils.get_pk_description: a path parameter.
    gettext_noop("A {value_type} identifying this {name}."),
    gettext_noop("unique integer value"),
    gettext_noop("unique value"),
)
