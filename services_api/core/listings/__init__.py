"""Keeping listings right: partner and operator edits, ownership, vetting, public reports, the audit log."""
