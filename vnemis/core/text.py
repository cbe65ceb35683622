"""Text helpers for Vietnamese: accent folding for search."""

from __future__ import annotations

import unicodedata


def _fold_table() -> dict[int, int | None]:
    """Every accented Latin letter → its base letter; combining marks → nothing; đ → d."""
    table: dict[int, int | None] = {}
    for code in range(0x00C0, 0x2000):
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if len(base) == 1 and base != char and base.isascii():
            table[code] = ord(base)
    for code in range(0x0300, 0x0370):  # combining marks of decomposed input
        table[code] = None
    table |= {ord("đ"): ord("d"), ord("Đ"): ord("D"), 0x00D0: ord("D")}
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower-case ``text`` and drop Vietnamese diacritics: "Nguyễn Đức" → "nguyen duc".

    One table lookup per character: the import of a million names folds each of them.
    """
    folded = text.translate(_FOLD)
    if not folded.isascii():
        # Letters outside the table (other scripts, rare symbols): the general way.
        decomposed = unicodedata.normalize("NFD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.lower().split())
