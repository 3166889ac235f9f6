"""Query parameters of the public API, validated before anything touches the database."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from services_api.core.errors import bad_parameters
from services_api.core.field_rules import language_tag
from services_api.core.limits import MAX_SEARCH_WORD_LENGTH, MAX_SEARCH_WORDS
from services_api.core.plain_text import STRAY_CONTROL_RULE, has_stray_controls
from services_api.schemas.search_params import GeoSearchArgs


def plain_text(value: str) -> None:
    """Reject free text holding control characters other than tab and line breaks."""
    if has_stray_controls(value):
        raise ValidationError(f"{STRAY_CONTROL_RULE.capitalize()}.")


def follows(rule: Callable[[str], object]) -> Callable[[str], None]:
    """Check a field with one of `core.field_rules` (the same rule every other way in uses)."""

    def validator(value: str) -> None:
        try:
            rule(value)
        except ValueError as error:
            raise ValidationError(f"{str(error).capitalize()}.") from None

    return validator


def no_control_characters(value: str) -> None:
    """Reject text holding control characters (a NUL byte cannot even be stored by PostgreSQL)."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError("Must not contain control characters.")


def few_short_words(value: str) -> None:
    """Reject a keyword search of more words, or longer words, than the caps allow.

    Words are counted as typed (split at spaces, repeats included), so that the OpenAPI pattern
    (`api.openapi.TEXT_PATTERNS`) says exactly the same; the search itself uses each folded word once.
    """
    words = value.split()
    if len(words) > MAX_SEARCH_WORDS:
        raise ValidationError(f"At most {MAX_SEARCH_WORDS} words (got {len(words)}).")
    if any(len(word) > MAX_SEARCH_WORD_LENGTH for word in words):
        raise ValidationError(f"Words of at most {MAX_SEARCH_WORD_LENGTH} characters.")


MAX_PAGE = 1_000_000_000  # far past any last page; keeps the row offset within a 64-bit integer


def known_language(value: str) -> None:
    """Refuse a `lang` that is not a known BCP 47 language tag."""
    try:
        language_tag(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None


LANGUAGE_TAG = r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,6}$"
LANG_DESCRIPTION = (
    "The language to show listings' text in (a BCP 47 tag: es, pt-BR); instead of Accept-Language. "
    "Each field without a translation shows the original; `text_language` says which did."
)


class QuerySchema(Schema):
    """Base of every query-parameter schema: unknown parameters are ignored, as HSDS clients expect."""

    class Meta:
        unknown = EXCLUDE

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        """Refuse the query naming each bad parameter (400)."""
        raise bad_parameters(error.normalized_messages())


class PageArgs(QuerySchema):
    """Paging shared by every list."""

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number, from 1."},
    )
    per_page = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1),
        metadata={"description": "Items per page (default 25, at most 100 unless configured otherwise)."},
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "ndjson"]),
        metadata={
            "description": "`json` (a page) or `ndjson`: every matching item, one HSDS object a line, "
            "streamed (page and per_page are ignored)."
        },
    )


class SearchArgs(PageArgs):
    """Paging plus a keyword."""

    search = fields.String(
        validate=[validate.Length(max=200), no_control_characters, few_short_words],
        metadata={
            "description": "Keywords; every word must match (case- and accent-insensitive; at most "
            f"{MAX_SEARCH_WORDS} words of at most {MAX_SEARCH_WORD_LENGTH} characters, split at spaces)."
        },
    )


class LanguageArgs(QuerySchema):
    """The reader's language, for lists and records with translated text."""

    lang = fields.String(
        validate=[
            validate.Regexp(LANGUAGE_TAG, error="Must be a BCP 47 language tag, such as es or pt-BR."),
            known_language,
        ],
        metadata={"description": LANG_DESCRIPTION},
    )


class ListingArgs(SearchArgs, GeoSearchArgs, LanguageArgs):
    """Filters of /services and /service_at_locations."""

    taxonomy_term_id = fields.UUID(
        metadata={"description": "Only listings with this term or a term below it."}
    )
    taxonomy_id = fields.UUID(metadata={"description": "Only listings with any term of this taxonomy."})
    organization_id = fields.UUID(metadata={"description": "Only listings of this organisation."})
    modified_after = fields.AwareDateTime(
        default_timezone=UTC,
        format="iso",
        metadata={
            "description": "ISO 8601 date or date-time (UTC unless it has an offset): every listing whose "
            "public version changed on or after it, oldest change first, with tombstones for listings "
            "that left public output (valid HSDS records, status `inactive` or `defunct`, with "
            "`removed: {reason, at}`). Send the response's X-Next-Modified-After next time; page with "
            "`page`, or follow next_cursor to get each change exactly once while the directory changes."
        },
    )
    cursor = fields.String(
        validate=validate.Length(max=100),
        metadata={
            "description": "With modified_after: the next_cursor of the previous page "
            "(`page` is then ignored)."
        },
    )
    full = fields.Boolean(load_default=False, metadata={"description": "Return fully nested objects."})


class ServiceListArgs(ListingArgs):
    """Parameters of /services."""

    minimal = fields.Boolean(
        load_default=False, metadata={"description": "Return only id, name, status and last_modified."}
    )


class OrganizationListArgs(SearchArgs, LanguageArgs):
    """Parameters of /organizations."""

    full = fields.Boolean(load_default=False, metadata={"description": "Return fully nested organisations."})
    full_service = fields.Boolean(
        load_default=False,
        metadata={"description": "Fully nested organisations, their services fully nested (implies full)."},
    )


class OrganizationArgs(LanguageArgs):
    """Parameters of /organizations/{id}."""

    full_service = fields.Boolean(load_default=False, metadata={"description": "Nest full services."})


class TaxonomyTermListArgs(SearchArgs):
    """Parameters of /taxonomy_terms."""

    taxonomy_id = fields.UUID(metadata={"description": "Only terms of this taxonomy."})
    parent_id = fields.UUID(metadata={"description": "Only the direct children of this term."})
    top_only = fields.Boolean(
        load_default=False, metadata={"description": "Only top-level terms (no parent)."}
    )
