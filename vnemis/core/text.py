"""Text helpers for Vietnamese: accent folding for search.

One folding rule serves both sides of a search: ``fold`` makes the stored search keys
(``Person.search_name``, ``OrgUnit.search_key``) and the words of a query, so "bat xat",
"BÁT XÁT" and "Bát  Xát" all find "Trường Tiểu học Bát Xát".
"""

from __future__ import annotations

import unicodedata

from django.db.models import Q


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


# A query is matched word by word, each word a substring test; past this many words the
# query is cut, so that a pasted paragraph cannot build a query of hundreds of conditions.
MAX_SEARCH_WORDS = 8


def search_words(query: str) -> list[str]:
    """The words of a search query, folded like the stored search keys, each once, in order:
    "Nguyễn  VĂN" → ["nguyen", "van"]."""
    return list(dict.fromkeys(fold(query).split()))[:MAX_SEARCH_WORDS]


def words_match(field: str, words: list[str]) -> Q:
    """Every one of ``words`` occurs in ``field``, a folded search key (in any order).

    The words must come from ``search_words``: the keys are stored folded, so a plain,
    case-sensitive ``LIKE '%word%'`` is right, and it is what PostgreSQL's trigram index
    serves (a lookup on ``UPPER(...)`` would not use it).
    """
    match = Q()
    for word in words:
        match &= Q(**{f"{field}__contains": word})
    return match
