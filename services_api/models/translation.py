"""Partners' translations of the text a person reads, and the language each record's own text is in."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services_api.models.base import Base, IdMixin, TimestampMixin

# The free-text fields a person reads, by record kind (table name): what may be translated.
TRANSLATED_FIELDS: dict[str, tuple[str, ...]] = {
    "service": (
        "name",
        "alternate_name",
        "description",
        "eligibility_description",
        "application_process",
        "fees_description",
        "interpretation_services",
        "alert",
    ),
    "organization": ("name", "description"),
    "location": ("name", "description", "transportation"),
    "schedule": ("description",),
    "phone": ("description",),
    "service_area": ("description",),
}
# Records whose own language is recorded; the records nested in them share it.
LANGUAGE_HOLDERS = ("service", "organization", "location")
_KINDS = ", ".join(f"'{kind}'" for kind in TRANSLATED_FIELDS)


class Translation(IdMixin, TimestampMixin, Base):
    """One field of one record in one language (a BCP 47 tag, stored in its canonical form)."""

    __tablename__ = "translation"
    __table_args__ = (
        CheckConstraint(f"record_kind IN ({_KINDS})", name="record_kind"),
        UniqueConstraint("record_id", "language", "field", "record_kind", name="uq_translation_text"),
        Index("ix_translation_language", "language"),
    )

    record_kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    field: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(35))
    text: Mapped[str] = mapped_column(Text)


class TextLanguage(Base):
    """The language a record's own text is in, when it is not the directory's DEFAULT_LANGUAGE."""

    __tablename__ = "text_language"
    __table_args__ = (
        CheckConstraint("record_kind IN ('service', 'organization', 'location')", name="record_kind"),
    )

    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(35))
