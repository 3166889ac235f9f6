"""Taxonomies, their terms, and attributes that link a term to a listed record."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services_api.models.base import Base, IdMixin, TimestampMixin


class Taxonomy(IdMixin, TimestampMixin, Base):
    """A named vocabulary of terms, such as our service categories."""

    __tablename__ = "taxonomy"

    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(String(2048))
    version: Mapped[str | None] = mapped_column(String(64))

    terms: Mapped[list[TaxonomyTerm]] = relationship(back_populates="taxonomy_detail")


class TaxonomyTerm(IdMixin, TimestampMixin, Base):
    """One term of a taxonomy; terms form a tree through `parent_id`."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("taxonomy_id", "code"),)

    code: Mapped[str | None] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("taxonomy_term.id"), index=True)
    taxonomy: Mapped[str | None] = mapped_column(String(255))
    taxonomy_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("taxonomy.id"), index=True)
    language: Mapped[str | None] = mapped_column(String(35))
    term_uri: Mapped[str | None] = mapped_column(String(2048))

    taxonomy_detail: Mapped[Taxonomy | None] = relationship(back_populates="terms")
    parent: Mapped[TaxonomyTerm | None] = relationship(remote_side="TaxonomyTerm.id")


class Attribute(IdMixin, TimestampMixin, Base):
    """Links a taxonomy term to a record (`link_entity` names its table, `link_id` its id)."""

    __tablename__ = "attribute"
    __table_args__ = (Index("ix_attribute_link_id_taxonomy_term_id", "link_id", "taxonomy_term_id"),)

    link_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    link_type: Mapped[str | None] = mapped_column(String(255))
    link_entity: Mapped[str] = mapped_column(String(64))
    taxonomy_term_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("taxonomy_term.id"), index=True)
    value: Mapped[str | None] = mapped_column(Text)

    taxonomy_term: Mapped[TaxonomyTerm] = relationship(lazy="joined")
