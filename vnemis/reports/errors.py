"""The one error type of the reports app for problems the user can fix."""

from __future__ import annotations


class ReportError(Exception):
    """A report cannot be prepared or produced for a reason the user can fix: a period the
    report does not cover, a figure the records lack, an unknown figure named in a progress
    note, a missing signer or header line, a kind of report that does not exist, a format
    this server cannot make.

    The message is translated and says what to do; pages show it as a message and the
    command prints it, so none of these problems is ever a server error.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        # The draft or settings field to fix, when the problem is one field.
        self.field = field

    def __str__(self) -> str:
        return self.message
