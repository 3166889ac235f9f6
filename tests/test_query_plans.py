"""Query plans on SQLite after statistics: lookups a request makes use their indexes, never a table scan.

SQLite's planner trusts ANALYZE's statistics, which can make a useful index look useless (a mostly
NULL column counts as one value); these run on synthetic data, where hours belong to places and
languages to services, as in real directories.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from services_api.core.directory.reads import ListingFilters, service_at_locations_query, services_query
from services_api.core.directory.visibility import PublicView
from services_api.core.seeding.synthetic import create_synthetic_listings
from services_api.db import get_session, refresh_statistics

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL") is not None, reason="SQLite's planner statistics"
)

PARENT_COLUMNS = {
    "phone": ("location_id", "service_id", "organization_id", "contact_id", "service_at_location_id"),
    "schedule": ("service_id", "location_id", "service_at_location_id"),
    "language": ("service_id", "location_id", "phone_id"),
    "contact": ("organization_id", "service_id", "service_at_location_id", "location_id"),
}


@pytest.fixture
def analyzed(app: Flask) -> Iterator[Session]:
    """A session on 300 synthetic listings, with the planner's statistics gathered."""
    with app.app_context():
        session = get_session()
        create_synthetic_listings(session, count=300, seed=31)
        refresh_statistics(session)
        session.commit()
        yield session


def _plan(session: Session, sql: str, params: dict[str, object] | None = None) -> str:
    return " | ".join(
        str(row[-1]) for row in session.execute(text("EXPLAIN QUERY PLAN " + sql), params or {})
    )


def test_records_of_a_page_load_through_their_parent_indexes(analyzed: Session) -> None:
    for table, columns in PARENT_COLUMNS.items():
        for column in columns:
            plan = _plan(analyzed, f"SELECT * FROM {table} WHERE {column} IN ('a', 'b', 'c')")
            assert f"SCAN {table}" not in plan, (column, plan)


def test_counting_public_listings_reads_only_the_visibility_index(analyzed: Session) -> None:
    view = PublicView.at(stale_after_days=180, hide_after_days=365)
    for listing_query in (services_query, service_at_locations_query):
        query = listing_query(analyzed, view=view, filters=ListingFilters(), full=False)
        count = select(func.count()).select_from(query.order_by(None).subquery())
        sql = str(count.compile(analyzed.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = _plan(analyzed, sql)
        assert "SEARCH service USING COVERING INDEX ix_service_visibility" in plan, plan
        assert "SCAN" not in plan, plan
        assert analyzed.scalar(count) == 300


# The shape of result_summary's statements: one per table, an IN list per owner column, ORed.
SUMMARY_OWNERS = {
    "schedule": ("service_id", "location_id", "service_at_location_id"),
    "phone": ("service_id", "location_id", "service_at_location_id", "organization_id"),
    "language": ("service_id", "location_id", "phone_id"),
}


def test_result_summaries_load_through_their_parent_indexes(analyzed: Session) -> None:
    for table, columns in SUMMARY_OWNERS.items():
        where = " OR ".join(f"{column} IN ('a', 'b', 'c')" for column in columns)
        plan = _plan(analyzed, f"SELECT * FROM {table} WHERE {where}")
        assert f"SCAN {table}" not in plan, plan
    terms = _plan(
        analyzed,
        """SELECT a.link_id, t.code FROM attribute AS a JOIN taxonomy_term AS t ON t.id = a.taxonomy_term_id
            WHERE a.link_id IN ('a', 'b', 'c')""",
    )
    assert "SCAN attribute" not in terms, terms
