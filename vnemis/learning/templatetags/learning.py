from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from vnemis.learning.labels import award_text, number_text, result_text

register = template.Library()


@register.filter(name="result_text")
def result_text_filter(value: object) -> str:
    return result_text(value)


@register.filter(name="award_text")
def award_text_filter(value: str) -> str:
    return award_text(value)


@register.filter
def get_item(mapping: object, key: Any) -> Any:
    """``mapping[key]``, or None when there is no such key or no mapping (a template variable
    that does not resolve is ``""``)."""
    return mapping.get(key) if isinstance(mapping, Mapping) else None


@register.simple_tag
def mark_summary(values: dict[str, Any]) -> SafeString:
    """One term of a subject in a line: regular scores, mid-term, end of term, result."""
    parts: list[tuple[str, str]] = []
    regular = [values[k] for k in ("r1", "r2", "r3", "r4") if k in values]
    regular += [values[k] for k in ("rr1", "rr2", "rr3", "rr4") if k in values]
    if regular:
        parts.append((_("Regular"), "; ".join(result_text(v) for v in regular)))
    for key, label in (
        ("midterm", _("Mid-term")),
        ("mid_result", _("Mid-term")),
        ("final", _("End of term")),
        ("final_result", _("End of term")),
    ):
        if key in values:
            parts.append((label, result_text(values[key])))
    if "average" in values:
        parts.append((_("Term average"), number_text(values["average"]) or ""))
    if "result" in values:
        parts.append((_("Result"), result_text(values["result"])))
    line = format_html_join(" · ", "{}: <strong>{}</strong>", parts)
    if values.get("comment"):
        return format_html('{}<br><span class="muted">{}</span>', line, values["comment"])
    return line
