"""Verification codes of transcripts: short enough to type from paper, too many to guess."""

from __future__ import annotations

import secrets

# Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or typed from a
# printout is not mistaken (0/O, 1/I/L).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12  # 60 bits: guessing one of a province's 10⁶ codes takes ~10¹² tries on average


def transcript_code() -> str:
    """A new random verification code, e.g. "7KQ2-M9XD-3HTA" without the dashes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_normalise(text: str) -> str:
    """A typed code as stored: upper case, dashes and spaces dropped, O→0 and I/L→1."""
    cleaned = text.upper().replace("-", "").replace(" ", "")
    return cleaned.translate(str.maketrans("OIL", "011"))
