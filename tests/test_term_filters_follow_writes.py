"""Category and attribute filters follow ORM writes to a service's attributes, however many terms exist.

On SQLite the place index carries a bit per term (migration 0006), kept by triggers; a term beyond
the available bits is filtered by joining services instead. These prove both stay right.
"""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy import select, text

from services_api.db import get_session
from services_api.models import Attribute, Taxonomy, TaxonomyTerm
from tests.factories import import_listings, listing

POINT = (-17.7134, 178.065)  # Fiji: no demo listing nearby
SEARCH = f"/api/v1/service_at_locations?lat={POINT[0]}&lng={POINT[1]}&radius_km=5"


def _found(app: Flask, query: str) -> list[str]:
    body = app.test_client().get(f"{SEARCH}&{query}").get_json()
    assert "contents" in body, body
    assert body["total_items"] == len(body["contents"])
    return [item["service"]["name"] for item in body["contents"]]


def _service_id(app: Flask, name: str) -> uuid.UUID:
    with app.app_context():
        body = app.test_client().get(f"{SEARCH}&min_results=5").get_json()
        found = (item["service_id"] for item in body["contents"] if item["service"]["name"] == name)
        return uuid.UUID(next(found))


def _tag(app: Flask, service_id: uuid.UUID, code: str) -> uuid.UUID:
    with app.app_context():
        session = get_session()
        term = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == code)).one()
        attribute = Attribute(link_id=service_id, link_entity="service", taxonomy_term_id=term.id)
        session.add(attribute)
        session.commit()
        return attribute.id


def test_adding_moving_and_removing_an_attribute_changes_what_filters_find(seeded_app: Flask) -> None:
    import_listings(seeded_app, [listing("Fiji clinic", *POINT), listing("Fiji refuge", POINT[0], 178.066)])
    clinic, refuge = _service_id(seeded_app, "Fiji clinic"), _service_id(seeded_app, "Fiji refuge")
    assert _found(seeded_app, "category=health") == []
    attribute_id = _tag(seeded_app, clinic, "hiv")
    assert _found(seeded_app, "category=health") == ["Fiji clinic"]
    assert _found(seeded_app, "category=hiv") == ["Fiji clinic"]
    assert _found(seeded_app, "category=housing") == []
    _tag(seeded_app, refuge, "free")
    assert _found(seeded_app, "category=health&attribute=free") == []
    with seeded_app.app_context():
        session = get_session()
        attribute = session.get(Attribute, attribute_id)
        assert attribute is not None
        attribute.link_id = refuge
        session.commit()
    assert _found(seeded_app, "category=health&attribute=free") == ["Fiji refuge"]
    with seeded_app.app_context():
        session = get_session()
        session.delete(session.get(Attribute, attribute_id))
        session.commit()
    assert _found(seeded_app, "category=health") == []
    assert _found(seeded_app, "attribute=free") == ["Fiji refuge"]


def test_terms_beyond_the_index_bits_still_filter(seeded_app: Flask) -> None:
    import_listings(seeded_app, [listing("Fiji clinic", *POINT), listing("Fiji refuge", POINT[0], 178.066)])
    clinic = _service_id(seeded_app, "Fiji clinic")
    with seeded_app.app_context():
        session = get_session()
        categories = session.scalars(select(Taxonomy).where(Taxonomy.name.ilike("%categor%"))).first()
        parent = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == "health")).one()
        for number in range(70):
            session.add(
                TaxonomyTerm(
                    code=f"extra-{number:02d}",
                    name=f"Extra {number}",
                    parent_id=parent.id,
                    taxonomy=parent.taxonomy,
                    taxonomy_id=categories.id if categories else parent.taxonomy_id,
                )
            )
            session.flush()
        session.commit()
        if session.get_bind().dialect.name == "sqlite":
            last = session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.code == "extra-69")).one()
            assert session.execute(text("SELECT count(*) FROM search_term_bit")).scalar() == 63
            bit = text("SELECT bit FROM search_term_bit WHERE term_id = :id")
            assert session.execute(bit, {"id": last.hex}).first() is None
    _tag(seeded_app, clinic, "extra-69")
    assert _found(seeded_app, "category=extra-69") == ["Fiji clinic"]
    assert _found(seeded_app, "category=health") == ["Fiji clinic"]
    assert _found(seeded_app, "category=extra-00") == []


def test_a_term_removed_and_added_again_still_filters(seeded_app: Flask) -> None:
    import_listings(seeded_app, [listing("Fiji clinic", *POINT)])
    clinic = _service_id(seeded_app, "Fiji clinic")
    term_id = uuid.uuid4()
    with seeded_app.app_context():
        session = get_session()
        parent = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == "health")).one()
        fields = {"code": "again", "name": "Again", "parent_id": parent.id, "taxonomy": parent.taxonomy}
        session.add(TaxonomyTerm(id=term_id, **fields))
        session.commit()
        session.delete(session.get(TaxonomyTerm, term_id))
        session.commit()
        session.add(TaxonomyTerm(id=term_id, **fields))
        session.commit()
    _tag(seeded_app, clinic, "again")
    assert _found(seeded_app, "category=again") == ["Fiji clinic"]
