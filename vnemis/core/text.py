"""Text helpers for Vietnamese: accent folding for search."""

from __future__ import annotations

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "\u00d0": "d"})


def fold(text: str) -> str:
    """Lower-case ``text`` and drop Vietnamese diacritics: "Nguyễn Đức" → "nguyen duc"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())
