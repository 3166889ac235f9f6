"""What free text (listings, reports, notes) may hold: no control characters but tab and line breaks."""

from __future__ import annotations

# NUL cannot be stored by PostgreSQL; the other C0 controls and DEL are never meant in a listing.
STRAY_CONTROLS = frozenset(chr(code) for code in [*range(32), 127]) - {"\t", "\n", "\r"}
STRAY_CONTROL_RULE = "must not contain control characters (other than tab and line breaks)"


def has_stray_controls(text: str) -> bool:
    """Return whether the text holds a control character other than tab and line breaks."""
    return any(char in STRAY_CONTROLS for char in text)
