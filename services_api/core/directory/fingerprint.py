"""A cheap fingerprint of the public directory, for ETags of answers too big to hash after building."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_api.core.directory.visibility import PublicView, stale_filter
from services_api.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

PUBLISHED_MODELS: tuple[Any, ...] = (
    Organization,
    Service,
    Location,
    ServiceAtLocation,
    Address,
    Accessibility,
    Phone,
    Schedule,
    Language,
    Contact,
    ServiceArea,
    CostOption,
    Attribute,
    Taxonomy,
    TaxonomyTerm,
)


def directory_fingerprint(session: Session, view: PublicView) -> str:
    """Return a hash that changes whenever anything the public may see can have changed.

    Every write adds a row (the count changes) or moves a `modified` time forward; deletions lower
    a count; the passing of time hides listings by whole days and marks them stale (the count of
    listings past the stale limit).
    """
    columns = []
    for model in PUBLISHED_MODELS:
        columns.append(select(func.count()).select_from(model).scalar_subquery())
        columns.append(select(func.max(model.modified)).scalar_subquery())
    stale = select(func.count()).select_from(Service).where(stale_filter(view.stale_before))
    row = session.execute(select(*columns, stale.scalar_subquery())).one()
    text = "|".join([str(view.hidden_before_day), *(str(value) for value in row)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]
