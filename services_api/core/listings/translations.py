"""Partners' translations of their records' text: checked like the original, versioned, audited.

Practical text (names, descriptions, hours, how to get there) goes live at once. Text that states
who may come and on what terms is a safety claim in words: a service's eligibility, application
process and fees say "no ID needed", "no immigration checks", "free", as the access & safety
attributes do. On a listing the public sees, a partner's translation of those three fields waits
for the operator, held with the service's claims (core/listings/held_changes.py); removing one
goes live at once (the original, in its place, is the text the listing was vetted with).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Session

from services_api.core.actors import Actor
from services_api.core.directory.languages import load_translations, original_languages
from services_api.core.errors import InvalidFieldsError, NotAllowedError
from services_api.core.field_rules import checked, language_tag
from services_api.core.listings.audit import field_changes, record_event
from services_api.core.listings.held_changes import claims_held, pending_change_of, propose
from services_api.core.listings.ownership import owning_organization
from services_api.core.search.text import refresh_search_text
from services_api.models import (
    LANGUAGE_HOLDERS,
    TRANSLATED_FIELDS,
    Location,
    Organization,
    Phone,
    ProposedChange,
    Schedule,
    Service,
    ServiceArea,
    TextLanguage,
    Translation,
    utcnow,
)

MODELS: dict[str, type[Any]] = {
    "service": Service,
    "organization": Organization,
    "location": Location,
    "phone": Phone,
    "schedule": Schedule,
    "service_area": ServiceArea,
}
SAFETY_TEXT_FIELDS = frozenset(
    {
        ("service", "eligibility_description"),
        ("service", "application_process"),
        ("service", "fees_description"),
    }
)
HELD_KEY = "translations"


@dataclass
class TranslationResult:
    """What a translation write did: the record's translation document, and a change held if any."""

    document: dict[str, Any]
    held: ProposedChange | None = None
    changed: bool = False


def find_translatable(
    session: Session, *, actor: Actor, record_kind: str, record_id: uuid.UUID
) -> Any | None:
    """Return the record whose text may be translated, if it exists and is the actor's to edit."""
    model = MODELS.get(record_kind)
    record = session.get(model, record_id) if model is not None else None
    if record is None:
        return None
    if not actor.is_operator and owning_organization(session, record=record) != actor.partner_id:
        return None
    return record


def original_language(session: Session, *, record: Any, default_language: str) -> str:
    """Return the language a record's own text is in (a nested record's is its parent's)."""
    holder = language_holder(session, record=record)
    if holder is None:
        return default_language
    return original_languages(session, record_ids=[holder.id]).get(holder.id, default_language)


def language_holder(session: Session, *, record: Any) -> Any | None:
    """Return the service, organisation or location whose language a record's text shares."""
    if record.__tablename__ in LANGUAGE_HOLDERS:
        return record
    for column, model in (
        ("service_id", Service),
        ("location_id", Location),
        ("organization_id", Organization),
    ):
        parent_id = getattr(record, column, None)
        if parent_id is not None:
            return session.get(model, parent_id)
    return None


def translation_document(session: Session, *, record: Any, default_language: str) -> dict[str, Any]:
    """Return what the admin API shows of a record's text: the original, its language, every translation."""
    kind = record.__tablename__
    stored = load_translations(session, record_ids=[record.id]).get(record.id, {})
    held = _held_texts(session, record)
    original = original_language(session, record=record, default_language=default_language)
    document = {
        "record_kind": kind,
        "record_id": str(record.id),
        "language": original,
        "fields": {name: getattr(record, name) for name in TRANSLATED_FIELDS[kind]},
        "translations": {language: dict(sorted(texts.items())) for language, texts in sorted(stored.items())},
        "pending_review": held,
    }
    document["version"] = version_tag(document)
    return document


def version_tag(document: Mapping[str, Any]) -> str:
    """Return the quoted ETag of a translation document (what If-Match must name to change it)."""
    payload = {key: document[key] for key in ("language", "translations", "pending_review")}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]
    return f'"t{digest}"'


def checked_language(value: Any, *, field: str = "/language") -> str:
    """Return a BCP 47 tag in canonical form, or raise naming the field."""
    try:
        return language_tag(value)
    except ValueError as error:
        raise InvalidFieldsError({field: str(error)}) from None


def put_translation(
    session: Session,
    *,
    actor: Actor,
    record: Any,
    language: Any,
    texts: Any,
    default_language: str,
    create: bool = False,
) -> TranslationResult:
    """Replace (or, with `create`, add) a record's translation into one language; the rest: the original."""
    kind = record.__tablename__
    language = checked_language(language)
    original = original_language(session, record=record, default_language=default_language)
    if language == original:
        raise InvalidFieldsError({"/language": f"is the language of the original text ({original})"})
    fields = checked_texts(kind=kind, record=record, texts=texts)
    before = translation_document(session, record=record, default_language=default_language)
    current = dict(before["translations"].get(language, {}))
    if create and (current or language in before["pending_review"]):
        raise NotAllowedError(f"This record already has a translation into {language}; replace it with PUT.")
    live = dict(fields)
    held: dict[str, str | None] = {}
    if claims_held(actor, _held_record(session, record)):
        for name in [name for name in fields if (kind, name) in SAFETY_TEXT_FIELDS]:
            if current.get(name) != fields[name]:
                held[name] = live.pop(name)
            else:
                live[name] = fields[name]
        for name, text in current.items():  # held fields keep their live text until approved
            if (kind, name) in SAFETY_TEXT_FIELDS and name in held:
                live[name] = text
    write_texts(session, record=record, language=language, texts=live)
    change = _hold(session, actor=actor, record=record, language=language, texts=held) if held else None
    return _finish(
        session, actor=actor, record=record, before=before, default_language=default_language, held=change
    )


def remove_translation(
    session: Session, *, actor: Actor, record: Any, language: str, default_language: str
) -> TranslationResult:
    """Remove a record's translation into one language (and any of it waiting for review)."""
    language = checked_language(language)
    before = translation_document(session, record=record, default_language=default_language)
    if language not in before["translations"] and language not in before["pending_review"]:
        raise NotAllowedError(f"This record has no translation into {language}.")
    write_texts(session, record=record, language=language, texts={})
    _drop_held(session, record=record, language=language)
    return _finish(session, actor=actor, record=record, before=before, default_language=default_language)


def set_original_language(
    session: Session, *, actor: Actor, record: Any, language: Any, default_language: str
) -> TranslationResult:
    """Record the language a service's, organisation's or location's own text is in."""
    if record.__tablename__ not in LANGUAGE_HOLDERS:
        raise InvalidFieldsError(
            {"/language": "is set on the service, organisation or location this record is part of"}
        )
    tag = checked_language(language)
    before = translation_document(session, record=record, default_language=default_language)
    if tag in before["translations"] or tag in before["pending_review"]:
        raise InvalidFieldsError(
            {"/language": f"has a translation already; remove the {tag} translation first"}
        )
    stored = session.get(TextLanguage, record.id)
    if tag == default_language and stored is not None:
        session.delete(stored)
    elif tag != default_language:
        if stored is None:
            session.add(TextLanguage(record_id=record.id, record_kind=record.__tablename__, language=tag))
        else:
            stored.language = tag
    session.flush()
    return _finish(session, actor=actor, record=record, before=before, default_language=default_language)


def checked_texts(*, kind: str, record: Any, texts: Any) -> dict[str, str]:
    """Check translated fields by the original's rules; raise naming each bad field."""
    if not isinstance(texts, Mapping):
        raise InvalidFieldsError({"/text": "must be an object of field names and their translated text"})
    allowed = TRANSLATED_FIELDS[kind]
    problems: dict[str, str] = {}
    fields: dict[str, str] = {}
    for name, value in texts.items():
        pointer = f"/text/{name}"
        if name not in allowed:
            problems[pointer] = f"cannot be translated; a {kind}'s translatable fields: {', '.join(allowed)}"
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            problems[pointer] = "must be a string"
            continue
        if not value.strip():
            problems[pointer] = "must not be blank (leave the field out to show the original)"
            continue
        if not getattr(record, name, None):
            problems[pointer] = "has no original text to translate"
            continue
        length = getattr(MODELS[kind].__table__.c[name].type, "length", None)
        if isinstance(MODELS[kind].__table__.c[name].type, String) and length and len(value) > length:
            problems[pointer] = f"must be at most {length} characters"
            continue
        try:
            fields[name] = checked(kind, name, value)
        except ValueError as error:
            problems[pointer] = str(error)
    if problems:
        raise InvalidFieldsError(problems)
    return fields


def write_texts(session: Session, *, record: Any, language: str, texts: Mapping[str, str]) -> None:
    """Store exactly these fields of a record in one language (others of that language are removed)."""
    kind = record.__tablename__
    stored = {
        row.field: row
        for row in session.scalars(
            select(Translation).where(Translation.record_id == record.id, Translation.language == language)
        )
    }
    for name, row in stored.items():
        if name not in texts:
            session.delete(row)
        elif row.text != texts[name]:
            row.text = texts[name]
    for name, text in texts.items():
        if name not in stored:
            session.add(
                Translation(
                    id=uuid.uuid4(),
                    record_kind=kind,
                    record_id=record.id,
                    field=name,
                    language=language,
                    text=text,
                )
            )
    session.flush()


def apply_held_translations(session: Session, *, service: Service, held: Mapping[str, Any]) -> None:
    """Apply translations held for review (on approval): {language: {field: text}}."""
    for language, texts in held.items():
        current = load_translations(session, record_ids=[service.id]).get(service.id, {}).get(language, {})
        write_texts(session, record=service, language=language, texts={**current, **texts})
    refresh_search_text(service)


def delete_translations_of(session: Session, *, record_ids: list[uuid.UUID]) -> None:
    """Remove every translation and recorded language of records that are deleted."""
    if record_ids:
        session.execute(delete(Translation).where(Translation.record_id.in_(record_ids)))
        session.execute(delete(TextLanguage).where(TextLanguage.record_id.in_(record_ids)))


def _held_record(session: Session, record: Any) -> Any:
    """The service whose review a translation of this record follows (None: nothing is held)."""
    return record if isinstance(record, Service) else None


def _held_texts(session: Session, record: Any) -> dict[str, dict[str, str]]:
    if not isinstance(record, Service):
        return {}
    change = pending_change_of(session, entity_type="service", entity_id=record.id)
    if change is None:
        return {}
    return dict(change.changes.get(HELD_KEY) or {})


def _hold(
    session: Session, *, actor: Actor, record: Service, language: str, texts: Mapping[str, Any]
) -> ProposedChange:
    existing = _held_texts(session, record)
    waiting = {**existing, language: {**existing.get(language, {}), **texts}}
    change = propose(session, actor=actor, record=record, changes={HELD_KEY: waiting})
    record_event(
        session,
        actor=actor,
        action="propose_change",
        entity_type="service",
        entity_id=record.id,
        changes={HELD_KEY: {"before": existing or None, "after": waiting}},
    )
    return change


def _drop_held(session: Session, *, record: Any, language: str) -> None:
    if not isinstance(record, Service):
        return
    change = pending_change_of(session, entity_type="service", entity_id=record.id)
    if change is None or language not in (change.changes.get(HELD_KEY) or {}):
        return
    rest = {key: value for key, value in change.changes.items() if key != HELD_KEY}
    waiting = {key: value for key, value in change.changes[HELD_KEY].items() if key != language}
    if waiting:
        rest[HELD_KEY] = waiting
    if rest:
        change.changes = rest
    else:
        change.status = "rejected"
        change.decided_at = utcnow()
        change.decision_note = "Withdrawn by the partner."


def _finish(
    session: Session,
    *,
    actor: Actor,
    record: Any,
    before: dict[str, Any],
    default_language: str,
    held: ProposedChange | None = None,
) -> TranslationResult:
    """Move the versions of the listings that show the record, refresh their search text, audit the change."""
    session.flush()
    after = translation_document(session, record=record, default_language=default_language)
    changes = field_changes(_flat(before), _flat(after))
    if changes or held is not None:
        for service in _showing_services(session, record):
            service.modified = utcnow()
            refresh_search_text(service)
        holder = language_holder(session, record=record)
        if holder is not None and not isinstance(holder, Service):
            holder.modified = utcnow()
        if isinstance(holder, Location):
            for link in holder.service_at_locations:
                link.modified = utcnow()
        session.flush()
        after = translation_document(session, record=record, default_language=default_language)
    if changes:
        record_event(
            session,
            actor=actor,
            action="translate",
            entity_type=record.__tablename__,
            entity_id=record.id,
            changes=changes,
        )
    return TranslationResult(after, held=held, changed=bool(changes))


def _flat(document: Mapping[str, Any]) -> dict[str, Any]:
    """The audited shape: `language`, and each translated field as `language/field`."""
    flat: dict[str, Any] = {"language": document["language"]}
    for language, texts in document["translations"].items():
        flat.update({f"{language}/{name}": text for name, text in texts.items()})
    return flat


def _showing_services(session: Session, record: Any) -> list[Service]:
    """Return the services whose documents show this record's text (their last_modified moves)."""
    holder = language_holder(session, record=record)
    if isinstance(holder, Service):
        return [holder]
    if isinstance(holder, Location):
        return [link.service for link in holder.service_at_locations]
    if isinstance(holder, Organization):
        return list(holder.services)
    return []
