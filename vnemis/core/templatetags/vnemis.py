"""Template filters shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def period_label(period: Any) -> str:
    """A period as officials write it ("6 tháng đầu năm 2022"), from its ``label``; a plain
    code when the object has none."""
    label = getattr(period, "label", None)
    if label is None:
        return str(getattr(period, "code", period))
    return str(label() if callable(label) else label)
