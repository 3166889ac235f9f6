"""The HSDS filters and paging on the public lists return what a caseworker asks for."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.models import Service, TaxonomyTerm, utcnow


def _all(client: FlaskClient, path: str) -> list[dict[str, Any]]:
    separator = "&" if "?" in path else "?"
    items, page = [], 1
    while True:
        body = client.get(f"{path}{separator}per_page=7&page={page}").get_json()
        items += body["contents"]
        if body["last_page"]:
            return items
        page += 1


def _term(db: Session, code: str) -> TaxonomyTerm:
    return db.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == code)).one()


def test_paging_visits_every_listing_once_in_a_stable_order(client: FlaskClient) -> None:
    whole = client.get("/api/v1/services?per_page=100").get_json()
    paged = _all(client, "/api/v1/services")
    assert [item["id"] for item in paged] == [item["id"] for item in whole["contents"]]
    assert len({item["id"] for item in paged}) == whole["total_items"]
    names = [item["name"] for item in paged]
    assert names == sorted(names)
    first = client.get("/api/v1/services?per_page=7").get_json()
    assert first["total_pages"] == -(-whole["total_items"] // 7)
    assert first["first_page"] and not first["last_page"] and first["page_number"] == 1


def test_category_filter_includes_sub_categories(client: FlaskClient, db: Session) -> None:
    housing, refuge = _term(db, "housing"), _term(db, "refuge")
    under_housing = {item["id"] for item in _all(client, f"/api/v1/services?taxonomy_term_id={housing.id}")}
    refuges = {item["id"] for item in _all(client, f"/api/v1/services?taxonomy_term_id={refuge.id}")}
    assert refuges and refuges < under_housing
    for service_id in under_housing:
        full = client.get(f"/api/v1/services/{service_id}").get_json()
        terms = {attribute["taxonomy_term_id"] for attribute in full["attributes"]}
        housing_terms = {
            str(term.id) for term in db.scalars(select(TaxonomyTerm)) if term.parent_id == housing.id
        }
        assert terms & (housing_terms | {str(housing.id)})


def test_filters_combine_with_and(client: FlaskClient, db: Session) -> None:
    legal, free = _term(db, "legal"), _term(db, "free")
    legal_ids = {item["id"] for item in _all(client, f"/api/v1/services?taxonomy_term_id={legal.id}")}
    free_ids = {item["id"] for item in _all(client, f"/api/v1/services?taxonomy_term_id={free.id}")}
    organization_id = client.get(f"/api/v1/services/{sorted(legal_ids)[0]}").get_json()["organization_id"]
    of_organization = {
        item["id"] for item in _all(client, f"/api/v1/services?organization_id={organization_id}")
    }
    both = {
        item["id"]
        for item in _all(
            client, f"/api/v1/services?taxonomy_term_id={legal.id}&organization_id={organization_id}"
        )
    }
    assert both == legal_ids & of_organization
    assert legal_ids & free_ids != legal_ids | free_ids


def test_taxonomy_filter_matches_any_term_of_the_taxonomy(client: FlaskClient, db: Session) -> None:
    categories = _term(db, "health").taxonomy_id
    everything = {item["id"] for item in _all(client, "/api/v1/services")}
    categorised = {item["id"] for item in _all(client, f"/api/v1/services?taxonomy_id={categories}")}
    assert categorised == everything
    assert _all(client, f"/api/v1/services?taxonomy_id={uuid.uuid4()}") == []


def test_search_ignores_case_and_accents_and_needs_every_word(client: FlaskClient) -> None:
    services = _all(client, "/api/v1/services")
    target = next(item for item in services if "clinic" in item["name"].lower())
    word = target["name"].split()[-1].strip("()")
    found = {item["id"] for item in _all(client, f"/api/v1/services?search={word.upper()}")}
    assert target["id"] in found
    accented = word.replace("e", "é").replace("a", "á")
    assert target["id"] in {item["id"] for item in _all(client, f"/api/v1/services?search={accented}")}
    assert _all(client, f"/api/v1/services?search={word}%20zzqqxxnothing") == []


def test_search_matches_category_and_organisation_names(client: FlaskClient) -> None:
    by_category = _all(client, "/api/v1/services?search=criminal%20defence")
    assert by_category
    organization = client.get("/api/v1/organizations").get_json()["contents"][0]
    of_org = _all(client, f"/api/v1/services?search={organization['name']}")
    assert of_org and all(item["organization_id"] == organization["id"] for item in of_org[:1])


def test_modified_after_returns_listings_changed_since(client: FlaskClient, db: Session) -> None:
    assert _all(client, "/api/v1/services?modified_after=2999-01-01") == []
    since = (utcnow() + timedelta(seconds=1)).isoformat()
    service_id = client.get("/api/v1/services").get_json()["contents"][0]["id"]
    service = db.get(Service, uuid.UUID(service_id))
    assert service is not None
    service.modified = utcnow() + timedelta(seconds=2)
    db.commit()
    changed = _all(client, f"/api/v1/services?modified_after={since.replace('+', '%2B')}")
    assert [item["id"] for item in changed] == [service_id]


def test_minimal_and_full_change_the_shape_not_the_set(client: FlaskClient) -> None:
    brief = client.get("/api/v1/services?per_page=100").get_json()
    minimal = client.get("/api/v1/services?per_page=100&minimal=true").get_json()
    full = client.get("/api/v1/services?per_page=100&full=true").get_json()
    assert [s["id"] for s in brief["contents"]] == [s["id"] for s in minimal["contents"]]
    assert [s["id"] for s in brief["contents"]] == [s["id"] for s in full["contents"]]
    assert set(minimal["contents"][0]) == {"id", "name", "status", "last_modified"}
    assert "phones" not in brief["contents"][0] and "organization" in brief["contents"][0]
    assert "service_at_locations" in full["contents"][0] or "service_areas" in full["contents"][0]


def test_service_at_locations_filter_like_services(client: FlaskClient, db: Session) -> None:
    refuge = _term(db, "refuge")
    links = _all(client, f"/api/v1/service_at_locations?taxonomy_term_id={refuge.id}")
    services = {item["id"] for item in _all(client, f"/api/v1/services?taxonomy_term_id={refuge.id}")}
    assert links and {link["service_id"] for link in links} <= services
    assert all(link["service"]["id"] == link["service_id"] for link in links)


def test_taxonomy_terms_by_parent_and_top_level(client: FlaskClient, db: Session) -> None:
    health = _term(db, "health")
    children = _all(client, f"/api/v1/taxonomy_terms?parent_id={health.id}")
    assert {term["code"] for term in children} >= {"sexual-health", "hiv", "mental-health"}
    top = _all(client, "/api/v1/taxonomy_terms?top_only=true")
    assert all("parent_id" not in term for term in top)
    assert {"health", "housing", "legal"} <= {term["code"] for term in top}
    one = client.get(f"/api/v1/taxonomy_terms/{health.id}").get_json()
    assert one["taxonomy_detail"]["id"] == str(health.taxonomy_id)


def test_organizations_list_only_those_with_public_services(client: FlaskClient) -> None:
    organizations = _all(client, "/api/v1/organizations")
    with_public = {item["organization_id"] for item in _all(client, "/api/v1/services")}
    assert {item["id"] for item in organizations} == with_public
    full = client.get(f"/api/v1/organizations/{organizations[0]['id']}?full_service=true").get_json()
    assert full["services"] and all("stale" in service for service in full["services"])
