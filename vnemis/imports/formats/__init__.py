"""Import formats, one module per kind, listed in ``FORMATS``."""

from __future__ import annotations

from typing import Any

from vnemis.imports.formats.assignments import AssignmentFormat
from vnemis.imports.formats.base import ImportFormat
from vnemis.imports.formats.classes import ClassFormat
from vnemis.imports.formats.digital_profiles import DigitalProfileFormat
from vnemis.imports.formats.enrolments import EnrolmentFormat
from vnemis.imports.formats.gradebook import GradebookFormat
from vnemis.imports.formats.guardians import GuardianFormat
from vnemis.imports.formats.reported_values import ReportedValueFormat
from vnemis.imports.formats.schools import SchoolFormat
from vnemis.imports.formats.sites import SiteFormat
from vnemis.imports.formats.staff import StaffFormat
from vnemis.imports.formats.students import StudentFormat

# In the order a new province is loaded: units, then people, then what refers to them.
FORMATS: dict[str, type[ImportFormat[Any, Any]]] = {
    f.kind: f
    for f in (
        SchoolFormat,
        SiteFormat,
        StaffFormat,
        ClassFormat,
        StudentFormat,
        GuardianFormat,
        EnrolmentFormat,
        DigitalProfileFormat,
        ReportedValueFormat,
        AssignmentFormat,
        GradebookFormat,
    )
}
