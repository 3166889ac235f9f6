"""Keyword search on the full-text index: words as typed -> a safe query -> matches ranked by relevance.

Both databases index the same text (migration 0013) without stemming: the service's name and
alternate name, weighed most, and its folded search text. A keyword matches any indexed word it
begins (`immig` finds "immigration"), whatever the case or accents. Stemming is done on the query
instead: a word that ends like an inflection also matches as its stem (`clinics` as `clinic`,
`housing` as `hous`), so a plural or `-ing` form finds the other forms by prefix. An index stemmer
(FTS5 `porter`, PostgreSQL `english`) would make the two databases disagree, knows English only in
a multilingual directory, and breaks prefixes that end inside a suffix (`housin` would find nothing).

Only runs of letters and digits reach the query, each quoted, so no character a client sends can
become query syntax (FTS5's quotes, `*`, `NEAR`, `-`, `:`, parentheses; tsquery's `&|!:*`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, bindparam, false, func, literal_column, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean

from services_api.core.limits import search_words
from services_api.core.search.text import fold

KEYWORDS_PARAM = "f_keywords"
# bm25 weights of the FTS5 columns: name, alternate_name, search_text (which repeats the names).
SQLITE_WEIGHTS = (10.0, 5.0, 1.0)
MIN_STEM = 3
_WORD = re.compile(r"[^\W_]+")
# Inflections stripped for the stem, longest first: plurals and -ing / -ed forms, which in English,
# Spanish, French and Portuguese alike mostly add letters to the word's stem.
_ENDINGS = ("ies", "es", "s", "ing", "ed")
service_fts = table("service_fts", literal_column("rowid"))
SEARCH_KEY: ColumnElement[Any] = literal_column("service.search_key")
SEARCH_VECTOR: ColumnElement[Any] = literal_column("service.search_vector")


def keyword_tokens(search: str | None) -> list[str]:
    """Return the folded words of a keyword search (letters and digits only), at most MAX_SEARCH_WORDS."""
    return search_words(" ".join(_WORD.findall(fold(search or ""))))


def word_forms(word: str) -> list[str]:
    """Return the prefixes a word matches by: the word, and its stem when it ends like an inflection."""
    for ending in _ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= MIN_STEM and not word.endswith(("ss", "us", "is")):
            return [word, stem]
    return [word]


def keyword_query(dialect: str, words: Sequence[str]) -> str:
    """Return the database's full-text query: every word, each as a prefix of any of its forms."""
    if dialect == "postgresql":
        return " & ".join(
            "(" + " | ".join(f"'{form}':*" for form in word_forms(word)) + ")" for word in words
        )
    return " AND ".join("(" + " OR ".join(f'"{form}"*' for form in word_forms(word)) + ")" for word in words)


class KeywordMatch(FunctionElement[bool]):
    """The condition: a service's indexed text matches the full-text query bound as `f_keywords`."""

    type = Boolean()
    inherit_cache = True
    name = "KeywordMatch"


@compiles(KeywordMatch, "sqlite")
def _sqlite_match(element: KeywordMatch, compiler: SQLCompiler, **kw: Any) -> str:
    query = compiler.process(element.clauses, **kw)
    return f"service.search_key IN (SELECT rowid FROM service_fts WHERE service_fts MATCH {query})"


@compiles(KeywordMatch, "postgresql")
def _postgres_match(element: KeywordMatch, compiler: SQLCompiler, **kw: Any) -> str:
    query = compiler.process(element.clauses, **kw)
    return f"service.search_vector @@ to_tsquery('simple', {query})"


def keyword_condition(value: Any) -> ColumnElement[bool]:
    """Return the condition: a service matches the keyword query bound as `f_keywords` (default `value`)."""
    if value is None:
        return false()
    return KeywordMatch(bindparam(KEYWORDS_PARAM, value))


def keyword_params(dialect: str, search: str | None) -> dict[str, Any]:
    """Return the bound value of `keyword_condition` (None when the search has no word: nothing matches)."""
    if search is None:
        return {}
    words = keyword_tokens(search)
    return {KEYWORDS_PARAM: keyword_query(dialect, words) if words else None}


def keyword_shape(search: str | None) -> int:
    """Return the keyword part of a filter shape: 0 without a search, 1 with words, 2 with none."""
    if search is None:
        return 0
    return 1 if keyword_tokens(search) else 2


def by_relevance(
    statement: Select[Any], *, dialect: str, search: str | None, then: Sequence[Any]
) -> Select[Any]:
    """Keep the statement's services that match the keywords, most relevant first, then by `then`.

    Without a search, only orders by `then`. On SQLite the full-text matches drive the query (a join
    on `search_key`), so bm25 runs once per match; on PostgreSQL the GIN index finds them.
    """
    if search is None:
        return statement.order_by(*then)
    words = keyword_tokens(search)
    if not words:
        return statement.where(false()).order_by(*then)
    query = keyword_query(dialect, words)
    if dialect == "postgresql":
        tsquery = func.to_tsquery("simple", bindparam(KEYWORDS_PARAM, query))
        relevance = func.ts_rank(SEARCH_VECTOR, tsquery)
        return statement.where(SEARCH_VECTOR.op("@@")(tsquery)).order_by(relevance.desc(), *then)
    ranked = select_matches(query).subquery("KeywordMatches")
    return statement.join(ranked, ranked.c.key == SEARCH_KEY).order_by(ranked.c.score, *then)


def select_matches(query: str) -> Select[Any]:
    """Select the SQLite full-text matches of a query: their `search_key` and bm25 score (lower is better)."""
    match = literal_column("service_fts").op("MATCH")(bindparam(KEYWORDS_PARAM, query))
    score = func.bm25(literal_column("service_fts"), *SQLITE_WEIGHTS, type_=Float)
    key: ColumnElement[Any] = literal_column("service_fts.rowid")
    return select(key.label("key"), score.label("score")).select_from(service_fts).where(match)
