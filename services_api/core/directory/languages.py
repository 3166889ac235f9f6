"""Listings in their readers' languages: which language to show, and HSDS documents in it.

The reader's preferences (an explicit `lang`, or `Accept-Language` with q-values) are matched per
record against the languages its text exists in: its own language and its partners' translations.
Each field falls back to the original where the chosen language has no translation of it, and the
record says so (`text_language`, an extension member HSDS allows).

A record's choice covers the records nested in it that have no language of their own (a service's
phones, schedules and service areas); its organisation and locations choose for themselves, so a
service translated into Spanish can sit at a location described only in English.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core.field_rules import language_tag
from services_api.models import LANGUAGE_HOLDERS, TRANSLATED_FIELDS, TextLanguage, Translation

MAX_PREFERENCES = 20
NO_ID = uuid.UUID(int=0)
ID_BATCH = 500
# Which kind of record the members of an HSDS document hold.
MEMBER_KINDS = {
    "organization": "organization",
    "service": "service",
    "services": "service",
    "location": "location",
    "locations": "location",
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
}
SUMMARY = "text_language"
ALL_TRANSLATIONS = "translations"


def accepted_languages(header: str | None) -> tuple[str, ...]:
    """Return an Accept-Language header's languages, most wanted first (q=0, `*`, unknown tags: left out)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")[: MAX_PREFERENCES * 2]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0 or tag.strip() in ("", "*"):
            continue
        try:
            weighted.append((-quality, index, language_tag(tag)))
        except ValueError:
            continue
    ordered = [tag for _, _, tag in sorted(weighted)]
    return tuple(dict.fromkeys(ordered))[:MAX_PREFERENCES]


def preferred_languages(*, lang: str | None, accept_language: str | None) -> tuple[str, ...]:
    """Return the reader's languages in order: an explicit `lang` wins over the Accept-Language header."""
    if lang:
        return (lang,)
    return accepted_languages(accept_language)


def best_language(preferred: Sequence[str], *, available: Iterable[str], original: str) -> str:
    """Return the language to show: the first preference the record has (exactly, else by its language alone).

    `pt-BR` wanted finds `pt-BR`, then `pt`, then any other `pt-*`; without a match, the original.
    """
    have = [original, *sorted(set(available) - {original})]
    for wanted in preferred:
        if wanted in have:
            return wanted
        base = wanted.split("-")[0]
        for tag in have:
            if tag == base:
                return tag
        for tag in have:
            if tag.split("-")[0] == base:
                return tag
    return original


@dataclass(frozen=True)
class RenderedText:
    """One record's text in the language chosen for it, and which fields are shown in the original."""

    language: str
    original_language: str
    available: tuple[str, ...]
    fields: dict[str, str | None]
    untranslated: tuple[str, ...]


def render_text(
    *,
    fields: Mapping[str, str | None],
    translations: Mapping[str, Mapping[str, str]],
    original_language: str,
    preferred: Sequence[str],
) -> RenderedText:
    """Render a record's fields in the best of the preferred languages, each falling back to the original.

    `translations` is {language: {field: text}}; `untranslated` names the fields with text that is
    shown in the original language although another was chosen.
    """
    chosen = best_language(preferred, available=translations, original=original_language)
    texts = translations.get(chosen, {}) if chosen != original_language else {}
    shown = {name: texts.get(name, value) for name, value in fields.items()}
    missing = tuple(name for name, value in fields.items() if value and name not in texts)
    return RenderedText(
        language=chosen,
        original_language=original_language,
        available=tuple(sorted({original_language, *translations})),
        fields=shown,
        untranslated=missing if chosen != original_language else (),
    )


def record_text(
    session: Session,
    *,
    record: Any,
    preferred: Sequence[str],
    default_language: str,
) -> RenderedText:
    """Render a stored record's translatable fields in the reader's language (for the search page)."""
    kind = record.__tablename__
    fields = {name: getattr(record, name) for name in TRANSLATED_FIELDS.get(kind, ())}
    stored = load_translations(session, record_ids=[record.id])
    own = stored.get(record.id, {})
    original = original_languages(session, record_ids=[record.id]).get(record.id, default_language)
    return render_text(fields=fields, translations=own, original_language=original, preferred=preferred)


def load_translations(
    session: Session, *, record_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, dict[str, dict[str, str]]]:
    """Return every translation of these records: {record id: {language: {field: text}}}."""
    found: dict[uuid.UUID, dict[str, dict[str, str]]] = {}
    for batch in _batches(record_ids):
        rows = session.execute(
            select(Translation.record_id, Translation.language, Translation.field, Translation.text).where(
                Translation.record_id.in_(batch)
            )
        )
        for record_id, language, field, text in rows:
            found.setdefault(record_id, {}).setdefault(language, {})[field] = text
    return found


def original_languages(session: Session, *, record_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Return the recorded own language of these records (those in the default language are absent)."""
    found: dict[uuid.UUID, str] = {}
    for batch in _batches(record_ids):
        query = select(TextLanguage.record_id, TextLanguage.language).where(TextLanguage.record_id.in_(batch))
        found.update({record_id: language for record_id, language in session.execute(query)})
    return found


def localize_documents(
    session: Session,
    *,
    documents: Sequence[dict[str, Any]],
    kind: str,
    preferred: Sequence[str],
    default_language: str,
    summary: bool = True,
    carry_all: bool = False,
) -> set[str]:
    """Show HSDS documents in the reader's languages, in place; return the languages shown.

    With `summary`, each service, organisation and location gets `text_language`: the language
    shown, its own, those available, and the fields shown in the original. With `carry_all`,
    every record with translations carries them all (`translations`: {language: {field: text}}),
    for the copies offline apps keep.
    """
    records = [found for document in documents for found in _records(document, kind)]
    ids = {_uuid(doc.get("id")) for _, doc, children in records for doc in [doc, *(c for _, c in children)]}
    ids.discard(None)
    stored = load_translations(session, record_ids=ids)  # type: ignore[arg-type]
    originals = original_languages(session, record_ids=ids)  # type: ignore[arg-type]
    shown: set[str] = set()
    for record_kind, doc, children in records:
        record_id = _uuid(doc.get("id"))
        if record_id is None:
            continue
        original = originals.get(record_id, default_language)
        own = stored.get(record_id, {})
        nested = [
            (child_kind, child, stored.get(_uuid(child.get("id")) or NO_ID, {}))
            for child_kind, child in children
        ]
        available = set(own) | {language for _, _, texts in nested for language in texts}
        chosen = best_language(preferred, available=available, original=original)
        shown.add(chosen)
        untranslated: list[str] = []
        for pointer, target, target_kind, texts in [
            ("", doc, record_kind, own),
            *_child_targets(doc, nested),
        ]:
            for name in TRANSLATED_FIELDS.get(target_kind, ()):
                if name not in target:
                    continue
                text = texts.get(chosen, {}).get(name) if chosen != original else None
                if text is not None:
                    target[name] = text
                elif target[name] and chosen != original:
                    untranslated.append(f"{pointer}/{name}")
            if carry_all and texts:
                target[ALL_TRANSLATIONS] = {
                    language: dict(sorted(fields.items())) for language, fields in sorted(texts.items())
                }
        if summary:
            doc[SUMMARY] = {
                "language": chosen,
                "original": original,
                "available": sorted(available | {original}),
                "untranslated": untranslated,
            }
    return shown


def _child_targets(
    doc: dict[str, Any], nested: list[tuple[str, dict[str, Any], dict[str, dict[str, str]]]]
) -> Iterator[tuple[str, dict[str, Any], str, dict[str, dict[str, str]]]]:
    for child_kind, child, texts in nested:
        for member, kind in MEMBER_KINDS.items():
            if kind != child_kind or not isinstance(doc.get(member), list):
                continue
            for index, item in enumerate(doc[member]):
                if item is child:
                    yield f"/{member}/{index}", child, child_kind, texts


def _records(doc: Any, kind: str) -> Iterator[tuple[str, dict[str, Any], list[tuple[str, dict[str, Any]]]]]:
    """Yield each record with a language of its own in a document, with its nested records that share it."""
    if not isinstance(doc, dict):
        return
    children: list[tuple[str, dict[str, Any]]] = []
    for member, value in doc.items():
        member_kind = MEMBER_KINDS.get(member)
        if member_kind is None:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, dict):
                continue
            if member_kind in LANGUAGE_HOLDERS or member_kind == "service_at_location":
                yield from _records(item, member_kind)
            elif member_kind in TRANSLATED_FIELDS:
                children.append((member_kind, item))
    if kind in LANGUAGE_HOLDERS:
        yield kind, doc, children


def _batches(values: Iterable[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    batch: list[uuid.UUID] = []
    for value in values:
        batch.append(value)
        if len(batch) == ID_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None
