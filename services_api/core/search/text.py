"""The case- and accent-folded text that keyword search matches against."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import object_session

from services_api.models import Service, Translation

# Translated fields that keyword search matches, as it matches the originals.
SEARCHED_TRANSLATIONS = ("name", "alternate_name", "description")


def fold(text: str) -> str:
    """Return text lower-cased with accents removed, so 'Café' and 'cafe' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


def refresh_search_text(service: Service, *, translated: list[str] | None = None) -> None:
    """Recompute a service's search text from its names, descriptions, organisation and categories.

    Translations of its names and descriptions count too: those stored, or `translated` (in the
    order `translated_words` gives) when an import is about to store them.
    """
    parts = [service.name, service.alternate_name, service.description]
    if service.organization is not None:
        parts += [service.organization.name, service.organization.alternate_name]
    parts += [attribute.taxonomy_term.name for attribute in service.attributes if attribute.taxonomy_term]
    parts += translated_words(service) if translated is None else translated
    text = fold(" ".join(part for part in parts if part))
    if service.search_text != text:
        service.search_text = text


def translated_words(service: Service) -> list[str]:
    """Return the translations of the service's and its organisation's names and descriptions."""
    session = object_session(service)
    if session is None or service.id is None:
        return []
    owners = [service.id] + ([service.organization_id] if service.organization_id else [])
    query = select(Translation.record_id, Translation.language, Translation.field, Translation.text).where(
        Translation.record_id.in_(owners), Translation.field.in_(SEARCHED_TRANSLATIONS)
    )
    with session.no_autoflush:
        rows = [
            (str(record_id), language, field, text)
            for record_id, language, field, text in session.execute(query)
        ]
    return in_search_order(rows)


def in_search_order(rows: list[tuple[str, str, str, str]]) -> list[str]:
    """Return the searched texts of (record id, language, field, text) rows, in one order everywhere."""
    return [row[3] for row in sorted(rows) if row[2] in SEARCHED_TRANSLATIONS]
