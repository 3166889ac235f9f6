"""/admin/translations/{kind}/{id}: a partner translates the text of its own records."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, url_for

from services_api.api.admin.auth import current_actor
from services_api.api.admin.common import AdminResource, ns, path_id
from services_api.api.admin.writes import commit, idempotent, if_match_tags, json_body
from services_api.api.errors import ApiError
from services_api.api.openapi import IDEMPOTENCY_KEY, IF_MATCH
from services_api.api.responses import CONDITIONAL_GET, JSON_BODY, VERSIONED_WRITE, answers
from services_api.core.listings import translations
from services_api.db import get_session
from services_api.models import TRANSLATED_FIELDS

KINDS = tuple(TRANSLATED_FIELDS)
TEXT = {
    "type": "object",
    "description": "Translated fields by name (those of the record's kind; see the README). "
    "A field left out shows the original.",
    "additionalProperties": {"type": "string", "minLength": 1, "pattern": r"\S"},
}
LANGUAGE = {
    "type": "string",
    "minLength": 1,
    "maxLength": 35,
    "description": "A BCP 47 tag: es, pt-BR, zh-Hant.",
}
DOCUMENT = ns.schema_model(
    "TranslationDocument",
    {
        "type": "object",
        "properties": {
            "record_kind": {"type": "string", "enum": list(KINDS)},
            "record_id": {"type": "string", "format": "uuid"},
            "language": {**LANGUAGE, "description": "The language of the original text."},
            "fields": {"type": "object", "description": "The original text, by field."},
            "translations": {"type": "object", "description": "{language: {field: text}}, live."},
            "pending_review": {
                "type": "object",
                "description": "{language: {field: text}} waiting for the operator.",
            },
            "version": {"type": "string", "description": "The ETag If-Match names."},
        },
    },
)
NEW_TRANSLATION = ns.schema_model(
    "NewTranslation",
    {
        "type": "object",
        "required": ["language", "text"],
        "properties": {"language": LANGUAGE, "text": TEXT},
    },
)
REPLACEMENT = ns.schema_model(
    "TranslationText", {"type": "object", "required": ["text"], "properties": {"text": TEXT}}
)
ORIGINAL = ns.schema_model(
    "OriginalLanguage", {"type": "object", "required": ["language"], "properties": {"language": LANGUAGE}}
)


def _record(kind: str, record_id: str) -> Any:
    if kind not in KINDS:
        raise ApiError(404, f"Records of kind {kind!r} have no text to translate; kinds: {', '.join(KINDS)}.")
    record = translations.find_translatable(
        get_session(), actor=current_actor(), record_kind=kind, record_id=path_id(record_id)
    )
    if record is None:
        raise ApiError(404, f"You have no {kind} with this id.")
    return record


def _document(record: Any) -> dict[str, Any]:
    return translations.translation_document(get_session(), record=record, default_language=_default())


def _default() -> str:
    return str(current_app.config["DEFAULT_LANGUAGE"])


def _require_version(record: Any) -> None:
    """Refuse a write without If-Match (428), or naming another version of the record's text (412)."""
    tags = if_match_tags()
    current = _document(record)["version"]
    if current not in tags:
        raise ApiError(
            412,
            "The record's translations changed since you read them; fetch them again and re-apply your edit.",
            {"If-Match": ["Does not match the current version."]},
            headers={"ETag": current},
        )


def _body_object() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(422, "The body must be a JSON object.", {"body": ["Must be an object."]})
    return body


def _respond(
    result: translations.TranslationResult, status: int | None = None, location: str | None = None
) -> Response:
    code = status or (202 if result.held is not None else 200)
    response = current_app.response_class(
        current_app.json.dumps(result.document), status=code, mimetype="application/json"
    )
    response.headers["ETag"] = result.document["version"]
    if location:
        response.headers["Location"] = location
    return response


@ns.route("/translations/<string:kind>/<string:id>", endpoint="admin_translations")
@ns.param("kind", "The kind of record: " + ", ".join(KINDS), enum=list(KINDS))
@ns.param("id", "The record's id", format="uuid")
class RecordTranslations(AdminResource):
    """The text of one of your records, its language and its translations."""

    @ns.response(200, "The original text and every translation, with their ETag", DOCUMENT)
    @answers(*CONDITIONAL_GET, (404, "You have no such record"))
    def get(self, kind: str, id: str) -> Response:
        """Read a record's text, its language and its translations (send the ETag back in If-Match)."""
        document = _document(_record(kind, id))
        return _respond(translations.TranslationResult(document))

    @ns.expect(NEW_TRANSLATION, validate=False)
    @ns.response(201, "Added; it is public at once", DOCUMENT)
    @ns.response(
        202, "Added; text that states who may come and on what terms waits for the operator", DOCUMENT
    )
    @ns.doc(params=IDEMPOTENCY_KEY)
    @answers(*JSON_BODY, (404, "You have no such record"), (409, "This language is there already: use PUT"))
    def post(self, kind: str, id: str) -> Response:
        """Add a translation into a new language: {"language": "es", "text": {"name": ..., ...}}."""
        record = _record(kind, id)
        body = _body_object()

        def create() -> Response:
            result = translations.put_translation(
                get_session(),
                actor=current_actor(),
                record=record,
                language=body.get("language"),
                texts=body.get("text"),
                default_language=_default(),
                create=True,
            )
            language = translations.checked_language(body.get("language"))
            location = url_for("api_v1.admin_translation", kind=kind, id=id, language=language)
            return _respond(result, 202 if result.held is not None else 201, location)

        return idempotent(create)

    @ns.expect(ORIGINAL, validate=False)
    @ns.response(200, "The language of the original text is recorded", DOCUMENT)
    @ns.doc(params=IF_MATCH)
    @answers(
        *JSON_BODY,
        *VERSIONED_WRITE,
        (412, "The translations changed since you read them"),
        (428, "If-Match is missing"),
    )
    def patch(self, kind: str, id: str) -> Response:
        """Say which language the original text is in: {"language": "pt"} (not for nested records)."""
        record = _record(kind, id)
        _require_version(record)
        body = _body_object()
        result = translations.set_original_language(
            get_session(),
            actor=current_actor(),
            record=record,
            language=body.get("language"),
            default_language=_default(),
        )
        commit()
        return _respond(result)


@ns.route("/translations/<string:kind>/<string:id>/<string:language>", endpoint="admin_translation")
@ns.param("kind", "The kind of record: " + ", ".join(KINDS), enum=list(KINDS))
@ns.param("id", "The record's id", format="uuid")
@ns.param("language", "A BCP 47 language tag (es, pt-BR)")
class RecordTranslation(AdminResource):
    """One of your records' text in one language."""

    @ns.expect(REPLACEMENT, validate=False)
    @ns.response(200, "Replaced; it is public at once", DOCUMENT)
    @ns.response(
        202, "Replaced; text that states who may come and on what terms waits for the operator", DOCUMENT
    )
    @ns.doc(params=IF_MATCH)
    @answers(
        *JSON_BODY,
        *VERSIONED_WRITE,
        (412, "The translations changed since you read them"),
        (428, "If-Match is missing"),
    )
    def put(self, kind: str, id: str, language: str) -> Response:
        """Replace (or add) the translation into this language: {"text": {...}}; the rest: the original."""
        record = _record(kind, id)
        _require_version(record)
        body = _body_object()
        result = translations.put_translation(
            get_session(),
            actor=current_actor(),
            record=record,
            language=language,
            texts=body.get("text"),
            default_language=_default(),
        )
        commit()
        return _respond(result)

    @ns.response(200, "Removed: the original shows in its place", DOCUMENT)
    @ns.doc(params=IF_MATCH)
    @answers(
        *VERSIONED_WRITE,
        (412, "The translations changed since you read them"),
        (428, "If-Match is missing"),
        422,
    )
    def delete(self, kind: str, id: str, language: str) -> Response:
        """Remove the translation into this language (and any of it waiting for review)."""
        record = _record(kind, id)
        _require_version(record)
        result = translations.remove_translation(
            get_session(),
            actor=current_actor(),
            record=record,
            language=language,
            default_language=_default(),
        )
        commit()
        return _respond(result)
