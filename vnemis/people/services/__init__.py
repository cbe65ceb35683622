"""Every write to people, classes and enrolments goes through these functions.

Each concern has its module; callers use ``people.services.<name>``, re-exported here.
"""

from __future__ import annotations

from vnemis.core.keep import KEEP, Keep
from vnemis.people.services.bulk import (
    NewClass,
    NewStudent,
    school_classes_bulk_create,
    students_bulk_create,
)
from vnemis.people.services.codes import (
    staff_code_claim,
    staff_codes_reserve,
    student_codes_reserve,
)
from vnemis.people.services.enrollments import (
    enrollment_create,
    enrollment_end,
    enrollment_place,
    enrollment_update,
    school_class_create,
    school_class_set_homeroom,
    school_class_update,
)
from vnemis.people.services.moves import (
    PromotionLine,
    PromotionResult,
    TransferPreview,
    enrollment_transfer,
    enrollment_transfer_preview,
    promotion_apply,
    promotion_preview,
    school_promotion_apply,
)
from vnemis.people.services.records import (
    guardian_create,
    guardian_link_set,
    guardian_update,
    person_create,
    person_update,
    staff_create,
    staff_update,
    student_create,
    student_update,
)

__all__ = [
    "KEEP",
    "Keep",
    "NewClass",
    "NewStudent",
    "PromotionLine",
    "PromotionResult",
    "TransferPreview",
    "enrollment_create",
    "enrollment_end",
    "enrollment_place",
    "enrollment_transfer",
    "enrollment_transfer_preview",
    "enrollment_update",
    "guardian_create",
    "guardian_link_set",
    "guardian_update",
    "person_create",
    "person_update",
    "promotion_apply",
    "promotion_preview",
    "school_class_create",
    "school_class_set_homeroom",
    "school_class_update",
    "school_classes_bulk_create",
    "school_promotion_apply",
    "staff_code_claim",
    "staff_codes_reserve",
    "staff_create",
    "staff_update",
    "student_codes_reserve",
    "student_create",
    "student_update",
    "students_bulk_create",
]
