"""Masking of personal data (national ID numbers, phone numbers, addresses) for display."""

from __future__ import annotations


def mask_tail(value: str, *, keep: int = 3, fill: str = "•") -> str:
    """Hide all but the last ``keep`` characters: ``001203012345`` → ``•••••••••345``."""
    if not value:
        return ""
    if len(value) <= keep:
        return fill * len(value)
    return fill * (len(value) - keep) + value[-keep:]


def mask_phone(value: str) -> str:
    """Keep the first two and last two digits of a phone number: ``09•••••• 89``-style."""
    digits = value.strip()
    if len(digits) <= 4:
        return "•" * len(digits)
    return digits[:2] + "•" * (len(digits) - 4) + digits[-2:]


def mask_address(value: str) -> str:
    """Keep only the last comma-separated part (commune, province) of an address."""
    if not value:
        return ""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) <= 1:
        return "•••"
    return "•••, " + ", ".join(parts[-2:])
