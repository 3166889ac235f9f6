"""The case- and accent-folded text that keyword search matches against."""

from __future__ import annotations

import unicodedata

from services_api.models import Service


def fold(text: str) -> str:
    """Return text lower-cased with accents removed, so 'Café' and 'cafe' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


def refresh_search_text(service: Service) -> None:
    """Recompute a service's search text from its names, descriptions, organisation and categories."""
    parts = [service.name, service.alternate_name, service.description]
    if service.organization is not None:
        parts += [service.organization.name, service.organization.alternate_name]
    parts += [attribute.taxonomy_term.name for attribute in service.attributes if attribute.taxonomy_term]
    text = fold(" ".join(part for part in parts if part))
    if service.search_text != text:
        service.search_text = text
