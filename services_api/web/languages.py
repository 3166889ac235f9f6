"""The interface languages: chosen by a path prefix (/es/), else by the browser's Accept-Language."""

from __future__ import annotations

from flask import g, request

# Native names, so that a person finds their own language in the switcher whatever the page's language.
LANGUAGES = {
    "en": "English",
    "es": "Español",
    "pt": "Português",
    "ro": "Română",
    "fr": "Français",
    "th": "ไทย",
}
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ps", "ur", "yi"})
PREFIX_RULE = "/<any({}):lang>".format(",".join(LANGUAGES))


def select_locale() -> str:
    """Return the page's language: the path's prefix, else the best of Accept-Language, else English."""
    chosen = g.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def text_direction(language: str) -> str:
    """Return `rtl` for a language written right to left, else `ltr`."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"
