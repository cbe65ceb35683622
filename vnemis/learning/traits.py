"""The levels a homeroom teacher types for conduct and for the primary qualities and
competencies, with the spellings in use (codes, the học bạ's letters, the words)."""

from __future__ import annotations

CONDUCT_CODES: dict[str, dict[str, str]] = {
    # TT22/2021 Điều 8: kết quả rèn luyện.
    "tt22": {
        "tot": "tot",
        "t": "tot",
        "tốt": "tot",
        "kha": "kha",
        "k": "kha",
        "khá": "kha",
        "dat": "dat",
        "đ": "dat",
        "đạt": "dat",
        "chua_dat": "chua_dat",
        "cđ": "chua_dat",
        "chưa đạt": "chua_dat",
    },
    # TT58/2011: hạnh kiểm.
    "tt58": {
        "tot": "tot",
        "t": "tot",
        "tốt": "tot",
        "kha": "kha",
        "k": "kha",
        "khá": "kha",
        "trung_binh": "trung_binh",
        "tb": "trung_binh",
        "trung bình": "trung_binh",
        "yeu": "yeu",
        "y": "yeu",
        "yếu": "yeu",
    },
}
CONDUCT_SHORT: dict[str, dict[str, str]] = {
    "tt22": {"tot": "T", "kha": "K", "dat": "Đ", "chua_dat": "CĐ"},
    "tt58": {"tot": "T", "kha": "K", "trung_binh": "TB", "yeu": "Y"},
}
# Qualities and competencies (TT27/2020 and TT30/2014 as amended): Tốt / Đạt / Cần cố gắng.
TRAIT_CODES: dict[str, str] = {
    "tot": "tot",
    "t": "tot",
    "tốt": "tot",
    "dat": "dat",
    "đ": "dat",
    "đạt": "dat",
    "can_co_gang": "can_co_gang",
    "c": "can_co_gang",
    "cần cố gắng": "can_co_gang",
}
TRAIT_SHORT = {"tot": "T", "dat": "Đ", "can_co_gang": "C"}
