"""Our extension tables in a data package: translations and the language of each record's own text.

An import holding `translations.csv` rows for a record replaces that record's translations with
them; a file without them leaves its translations as they are (plain HSDS files know nothing of
translations). Each row is checked as a partner's translation is: a known kind and field, a known
BCP 47 tag, text that is not blank, and a record of that kind in the same file.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core.field_rules import language_tag
from services_api.core.hsds.tables import TEXT_LANGUAGE_TABLE, TRANSLATION_TABLE
from services_api.core.search.text import in_search_order, refresh_search_text
from services_api.models import TRANSLATED_FIELDS, Service, TextLanguage, Translation
from services_api.models.translation import LANGUAGE_HOLDERS

EXTENSION_ROWS = (TRANSLATION_TABLE, TEXT_LANGUAGE_TABLE)


def take_text_rows(rows: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Remove and return the rows of our extension tables (the HSDS checks do not know them)."""
    return {table: rows.pop(table, {}) for table in EXTENSION_ROWS}


def prepare_texts(
    session: Session,
    *,
    text_rows: Mapping[str, Mapping[str, Mapping[str, Any]]],
    records: Mapping[str, Mapping[str, Any]],
    origins: Mapping[tuple[str, str], str],
    services: Mapping[Any, Service],
    default_language: str,
    problems: dict[str, str],
) -> None:
    """Check the extension rows and prepare their writes in the session (flushed by the caller)."""
    wanted: dict[uuid.UUID, dict[tuple[str, str], str]] = defaultdict(dict)
    kinds: dict[uuid.UUID, str] = {}
    for row_id, row in text_rows.get(TRANSLATION_TABLE, {}).items():
        where = origins.get((TRANSLATION_TABLE, row_id), "translations.csv")
        checked = _checked_translation(row, records, where, problems)
        if checked is not None:
            record_id, kind, language, field, text = checked
            wanted[record_id][(language, field)] = text
            kinds[record_id] = kind
    languages: dict[uuid.UUID, tuple[str, str]] = {}
    for row_id, row in text_rows.get(TEXT_LANGUAGE_TABLE, {}).items():
        where = origins.get((TEXT_LANGUAGE_TABLE, row_id), "text_languages.csv")
        kind = str(row.get("record_kind") or "")
        if kind not in LANGUAGE_HOLDERS or row_id not in records.get(kind, {}):
            problems[f"{where}/id"] = "must be the id of a service, organization or location in this file"
            continue
        try:
            languages[uuid.UUID(row_id)] = (kind, language_tag(str(row.get("language") or "")))
        except ValueError as error:
            problems[f"{where}/language"] = str(error)
    if problems:
        return
    changed = _write_translations(session, wanted, kinds)
    _write_languages(session, languages, default_language)
    _refresh_search_text(services, {record_id: wanted[record_id] for record_id in changed})


def _checked_translation(
    row: Mapping[str, Any], records: Mapping[str, Mapping[str, Any]], where: str, problems: dict[str, str]
) -> tuple[uuid.UUID, str, str, str, str] | None:
    kind, field, text = str(row.get("record_kind") or ""), str(row.get("field") or ""), row.get("text")
    if kind not in TRANSLATED_FIELDS:
        problems[f"{where}/record_kind"] = f"must be one of {', '.join(TRANSLATED_FIELDS)}"
        return None
    if str(row.get("record_id")) not in records.get(kind, {}):
        problems[f"{where}/record_id"] = f"must be the id of a {kind} in this file"
        return None
    if field not in TRANSLATED_FIELDS[kind]:
        problems[f"{where}/field"] = f"cannot be translated; a {kind}'s: {', '.join(TRANSLATED_FIELDS[kind])}"
        return None
    if not isinstance(text, str) or not text.strip():
        problems[f"{where}/text"] = "must not be blank"
        return None
    try:
        language = language_tag(str(row.get("language") or ""))
    except ValueError as error:
        problems[f"{where}/language"] = str(error)
        return None
    return uuid.UUID(str(row["record_id"])), kind, language, field, text


def _write_translations(
    session: Session,
    wanted: Mapping[uuid.UUID, Mapping[tuple[str, str], str]],
    kinds: Mapping[uuid.UUID, str],
) -> set[uuid.UUID]:
    """Prepare the writes; return the records whose translations change (only their search text moves)."""
    changed: set[uuid.UUID] = set()
    ids = list(wanted)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stored = session.scalars(select(Translation).where(Translation.record_id.in_(chunk)))
        seen: set[tuple[uuid.UUID, str, str]] = set()
        for row in stored:
            text = wanted[row.record_id].get((row.language, row.field))
            if text is None:
                session.delete(row)
                changed.add(row.record_id)
            else:
                seen.add((row.record_id, row.language, row.field))
                if row.text != text:
                    row.text = text
                    changed.add(row.record_id)
        for record_id in chunk:
            for (language, field), text in wanted[record_id].items():
                if (record_id, language, field) not in seen:
                    changed.add(record_id)
                    session.add(
                        Translation(
                            id=uuid.uuid4(),
                            record_kind=kinds[record_id],
                            record_id=record_id,
                            field=field,
                            language=language,
                            text=text,
                        )
                    )
    return changed


def _write_languages(session: Session, languages: Mapping[uuid.UUID, tuple[str, str]], default: str) -> None:
    for record_id, (kind, language) in languages.items():
        stored = session.get(TextLanguage, record_id)
        if language == default:
            if stored is not None:
                session.delete(stored)
        elif stored is None:
            session.add(TextLanguage(record_id=record_id, record_kind=kind, language=language))
        elif stored.language != language:
            stored.language = language


def _refresh_search_text(
    services: Mapping[Any, Service], wanted: Mapping[uuid.UUID, Mapping[tuple[str, str], str]]
) -> None:
    """Give the services of the file the words of their (and their organisations') new translations."""
    if not wanted:
        return
    for service in services.values():
        owners = [service.id, service.organization_id]
        if not any(owner in wanted for owner in owners):
            continue
        rows = [
            (str(owner), language, field, text)
            for owner in owners
            for (language, field), text in wanted.get(owner, {}).items()
        ]
        refresh_search_text(service, translated=in_search_order(rows))
