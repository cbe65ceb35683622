"""How the codes of results read in the UI, documents and exports (the học bạ's words)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RESULT_LABELS: dict[str, Promise] = {
    # Levels (TT22), conduct (TT22 and TT58), comment results
    "tot": _("Good"),
    "kha": _("Fair"),
    "dat": _("Pass"),
    "chua_dat": _("Not yet passed"),
    "trung_binh": _("Average"),
    "yeu": _("Weak"),
    "kem": _("Poor"),
    "gioi": _("Very good"),
    # Primary levels
    "htxs": _("Completed with excellence"),
    "htt": _("Completed well"),
    "ht": _("Completed"),
    "cht": _("Not yet completed"),
    "can_co_gang": _("Needs effort"),
    # Awards
    "xuat_sac": _("Excellent student"),
    "tien_tien": _("Advanced student"),
    "tieu_bieu": _("Exemplary student"),
    "vuot_troi": _("Outstanding progress"),
    # Promotion
    "len_lop": _("Promoted"),
    "kiem_tra_lai": _("Re-test in summer"),
    "ren_luyen_he": _("Summer conduct training"),
    "o_lai_lop": _("Repeats the grade"),
}
# Awards whose code is also a level ("gioi"): the title reads differently.
AWARD_LABELS: dict[str, Promise] = {
    "gioi": _("Very good student"),
    "xuat_sac": _("Excellent student"),
    "tien_tien": _("Advanced student"),
    "tieu_bieu": _("Exemplary student"),
    "vuot_troi": _("Outstanding progress"),
}


def number_text(value: object) -> str | None:
    """A stored score ("8.0", Decimal, float) as the học bạ writes it ("8,0"); None if the
    value is not a number."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return format(number.quantize(Decimal("0.1")), "f").replace(".", ",")


def result_text(value: object) -> str:
    """A result code or score in words ("kha" → "Khá", "8.25" stays numeric "8,3" only if
    stored so); unknown values are shown as they are."""
    if value is None or value == "":
        return ""
    if isinstance(value, str) and value in RESULT_LABELS:
        return str(RESULT_LABELS[value])
    number = number_text(value)
    return number if number is not None else str(value)


def award_text(value: str) -> str:
    return str(AWARD_LABELS.get(value, value)) if value else ""
