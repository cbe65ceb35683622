"""Import formats, one module per kind, listed in ``FORMATS``."""

from __future__ import annotations

from vnemis.imports.formats.base import ImportFormat
from vnemis.imports.formats.digital_profiles import DigitalProfileFormat
from vnemis.imports.formats.students import StudentFormat

FORMATS: dict[str, type[ImportFormat]] = {
    "students": StudentFormat,
    "digital_profiles": DigitalProfileFormat,
}
