"""Search results loaded with Core and dumped by compiled schemas equal the ORM + marshmallow output."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from marshmallow import Schema, fields, post_dump, pre_dump
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core.directory.reads import ListingFilters
from services_api.core.directory.visibility import PublicView
from services_api.core.search.query import PER_PLACE, PER_SERVICE, Hit, Query, SearchArea, search
from services_api.core.search.result_records import PUBLIC_COLUMNS, place_records, service_records
from services_api.core.search.results import load_place_results, load_service_results
from services_api.geo.sphere import Point
from services_api.models import Base, Location, utcnow
from services_api.schemas.compiled import CompiledDump
from services_api.schemas.hsds import (
    AddressSchema,
    OrganizationSchema,
    ServiceAreaSchema,
    ServiceSchema,
    public_context,
)
from services_api.schemas.search import PlaceResultSchema, ServiceResultSchema

PLACE = PlaceResultSchema()
SERVICE = ServiceResultSchema()
MINIMAL_SERVICE = ServiceResultSchema(
    only=("id", "name", "status", "last_modified", "distance_km", "match", "beyond_radius")
)


def _views() -> list[PublicView]:
    """Today's view, and one 300 days on, when every demo listing still shown is stale."""
    now = utcnow()
    return [
        PublicView.at(now + timedelta(days=days), stale_after_days=180, hide_after_days=365)
        for days in (0, 300)
    ]


def _hits(db: Session, view: PublicView, per: str) -> list[Hit]:
    """Return every result near every demo place (plus the nearest others), without duplicates."""
    points = db.execute(select(Location.public_latitude, Location.public_longitude).distinct()).all()
    hits: dict[Any, Hit] = {}
    for latitude, longitude in points:
        if latitude is None or longitude is None:
            continue
        query = Query(
            view=view,
            per=per,
            filters=ListingFilters(),
            area=SearchArea(origin=Point(latitude, longitude), radius_km=20.0),
            open_at=None,
            page=1,
            per_page=100,
            min_results=20,
        )
        for hit in search(db, query).items:
            hits.setdefault((hit.id, hit.match), hit)
    return list(hits.values())


def _json(schema: Any, items: Any, view: PublicView) -> str:
    with public_context(view):
        return json.dumps(schema.dump(items, many=True))


@pytest.mark.parametrize("view", _views(), ids=["today", "in_300_days"])
def test_place_results_match_the_orm_and_marshmallow_output(db: Session, view: PublicView) -> None:
    hits = _hits(db, view, PER_PLACE)
    expected = _json(PLACE, load_place_results(db, hits, full=False), view)
    assert _json(CompiledDump(PLACE), place_records(db, hits), view) == expected
    dumped = json.loads(expected)
    assert any(item["location"]["confidential"] for item in dumped if "location" in item)
    assert any(item["match"] == "service_area" for item in dumped)
    assert any(item.get("beyond_radius") for item in dumped)


@pytest.mark.parametrize("view", _views(), ids=["today", "in_300_days"])
@pytest.mark.parametrize("schema", [SERVICE, MINIMAL_SERVICE], ids=["brief", "minimal"])
def test_service_results_match_the_orm_and_marshmallow_output(
    db: Session, view: PublicView, schema: Schema
) -> None:
    hits = _hits(db, view, PER_SERVICE)
    expected = _json(schema, load_service_results(db, hits, full=False), view)
    assert _json(CompiledDump(schema), service_records(db, hits), view) == expected
    assert len(json.loads(expected)) == len(hits) > 10


def test_later_view_marks_demo_listings_stale(db: Session) -> None:
    today, later = _views()
    hits = _hits(db, later, PER_SERVICE)
    dumped = json.loads(_json(CompiledDump(SERVICE), service_records(db, hits), later))
    assert dumped and all(item["stale"] and "alert" in item for item in dumped)
    assert not all(item["stale"] for item in json.loads(_json(SERVICE, service_records(db, hits), today)))


@pytest.mark.parametrize(
    ("table", "schema"),
    [
        ("service_at_location", PLACE),
        ("location", PLACE.fields["location"].schema),  # type: ignore[attr-defined]
        ("address", AddressSchema()),
        ("service", ServiceSchema()),
        ("organization", OrganizationSchema()),
        ("service_area", ServiceAreaSchema()),
    ],
)
def test_records_carry_every_column_the_brief_shapes_show(table: str, schema: Schema) -> None:
    columns = Base.metadata.tables[table].c
    shown = {field.attribute or name for name, field in schema.dump_fields.items()}
    assert shown & set(columns.keys()) <= set(PUBLIC_COLUMNS[table])


class _Shaped(Schema):
    name = fields.String(data_key="title")
    tags = fields.List(fields.String())
    shout = fields.Function(lambda obj: obj.name.upper())

    @post_dump(pass_original=True)
    def add_length(self, data: dict[str, Any], original: Any, **_kwargs: Any) -> dict[str, Any]:
        return {**data, "length": len(original.name)}


def test_compiled_dump_keeps_keys_order_hooks_and_missing_attributes() -> None:
    class Thing:
        name = "abc"
        tags = ("x", "y")

    class Partial:
        name = "de"

    compiled = CompiledDump(_Shaped())
    for thing in (Thing(), Partial()):
        assert json.dumps(compiled.dump(thing)) == json.dumps(_Shaped().dump(thing))
    assert list(compiled.dump(Thing())) == ["title", "tags", "shout", "length"]


def test_compiled_dump_refuses_pre_dump_hooks() -> None:
    class Prepared(Schema):
        name = fields.String()

        @pre_dump
        def prepare(self, obj: Any, **_kwargs: Any) -> Any:
            return obj

    with pytest.raises(TypeError):
        CompiledDump(Prepared())
