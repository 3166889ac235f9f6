"""Listings in their readers' languages: partners translate their own records; the public API negotiates."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import inspect

from services_api.core.directory.languages import accepted_languages, best_language, render_text
from services_api.migrate import alembic_config
from tests.admin_helpers import Admin, make_admin, new_service
from tests.test_admin_listings import publish

SPANISH = {"name": "Clínica de tarde sin cita", "description": "Pruebas de salud sexual sin cita previa."}


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def translate(admin: Admin, service_id: str, language: str, text: dict[str, Any], **headers: str) -> Any:
    return admin.as_partner(
        "POST",
        f"/translations/service/{service_id}",
        json={"language": language, "text": text},
        headers=headers or None,
    )


def public(admin: Admin, path: str, **headers: str) -> Any:
    return admin.client.get(f"/api/v1{path}", headers=headers)


def test_accept_language_orders_by_quality_and_drops_unknown_tags() -> None:
    header = "fr;q=0.5, es-419, klingon, *;q=0.1, pt-br;q=0.8, de;q=0"
    assert accepted_languages(header) == ("es-419", "pt-BR", "fr")
    assert accepted_languages(None) == ()
    assert best_language(["pt-BR"], available=["pt"], original="en") == "pt"
    assert best_language(["es"], available=["es-419"], original="en") == "es-419"
    assert best_language(["de"], available=["es"], original="en") == "en"


def test_render_text_names_the_fields_shown_in_the_original() -> None:
    rendered = render_text(
        fields={"name": "Clinic", "description": "Tests.", "alert": None},
        translations={"es": {"name": "Clínica"}},
        original_language="en",
        preferred=["es"],
    )
    assert rendered.language == "es"
    assert rendered.fields == {"name": "Clínica", "description": "Tests.", "alert": None}
    assert rendered.untranslated == ("description",)
    assert rendered.available == ("en", "es")


def test_a_partners_translation_is_served_by_accept_language_and_lang(admin: Admin) -> None:
    service = publish(admin)
    added = translate(admin, service["id"], "es", SPANISH)
    assert added.status_code == 201, added.get_json()
    assert added.headers["Location"].endswith(f"/translations/service/{service['id']}/es")

    english = public(admin, f"/services/{service['id']}")
    spanish = public(admin, f"/services/{service['id']}", **{"Accept-Language": "de;q=0.9, es;q=0.5"})
    by_parameter = public(admin, f"/services/{service['id']}?lang=es", **{"Accept-Language": "en"})
    assert english.get_json()["name"] == "Evening drop-in clinic"
    body = spanish.get_json()
    assert body["name"] == SPANISH["name"] and body["description"] == SPANISH["description"]
    assert by_parameter.get_json()["name"] == SPANISH["name"]
    # Its organisation and location have no Spanish text: both languages are in the answer.
    assert spanish.headers["Content-Language"] == "en, es"
    assert english.headers["Content-Language"] == "en"
    assert "Accept-Language" in spanish.headers["Vary"]
    assert spanish.headers["ETag"] != english.headers["ETag"]
    assert body["text_language"]["language"] == "es"
    assert body["text_language"]["original"] == "en"
    assert body["text_language"]["available"] == ["en", "es"]
    assert "/phones/0/description" not in body["text_language"]["untranslated"]  # no original text
    assert body["translations"] == {"es": SPANISH}  # the full document carries every translation
    again = public(
        admin,
        f"/services/{service['id']}",
        **{"Accept-Language": "de;q=0.9, es;q=0.5", "If-None-Match": spanish.headers["ETag"]},
    )
    assert again.status_code == 304

    listed = public(admin, "/services?per_page=100", **{"Accept-Language": "es"}).get_json()["contents"]
    mine = next(item for item in listed if item["id"] == service["id"])
    assert mine["name"] == SPANISH["name"] and mine["text_language"]["language"] == "es"
    others = [item for item in listed if item["id"] != service["id"]]
    assert all(item["text_language"]["language"] in item["text_language"]["available"] for item in others)


def test_a_field_without_translation_falls_back_and_says_so(admin: Admin) -> None:
    service = publish(admin)
    assert translate(admin, service["id"], "pt-br", {"name": "Clínica noturna"}).status_code == 201
    body = public(admin, f"/services/{service['id']}?lang=pt").get_json()
    assert body["name"] == "Clínica noturna"
    assert body["description"] == "Sexual health checks without an appointment."
    assert body["text_language"] == {
        "language": "pt-BR",
        "original": "en",
        "available": ["en", "pt-BR"],
        "untranslated": ["/description"],
    }


def test_keyword_search_finds_text_in_every_language(admin: Admin) -> None:
    service = publish(admin)
    assert translate(admin, service["id"], "es", SPANISH).status_code == 201
    found = public(admin, "/services?search=pruebas%20previa").get_json()["contents"]
    assert [item["id"] for item in found] == [service["id"]]
    assert public(admin, "/services?search=clinica%20tarde").get_json()["total_items"] == 1


def test_bad_translations_are_refused_naming_the_field(admin: Admin) -> None:
    service = publish(admin)
    cases = [
        ({"language": "xx-nope", "text": {"name": "A"}}, "/language"),
        ({"language": "en", "text": {"name": "A"}}, "/language"),
        ({"language": "es", "text": {"url": "https://example.org"}}, "/text/url"),
        ({"language": "es", "text": {"name": "  "}}, "/text/name"),
        ({"language": "es", "text": {"name": "x" * 256}}, "/text/name"),
        ({"language": "es", "text": {"alert": "Cerrado"}}, "/text/alert"),  # no original alert
        ({"language": "es", "text": {"name": 3}}, "/text/name"),
        ({"language": "es", "text": "Clínica"}, "/text"),
    ]
    for body, field in cases:
        response = admin.as_partner("POST", f"/translations/service/{service['id']}", json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["errors"], (body, response.get_json())
    bad_lang = public(admin, f"/services/{service['id']}?lang=nope-nope-nope")
    assert bad_lang.status_code == 400 and "lang" in bad_lang.get_json()["errors"]


def test_a_partner_cannot_translate_another_partners_records(admin: Admin) -> None:
    service = publish(admin)
    response = admin.as_other(
        "POST", f"/translations/service/{service['id']}", json={"language": "es", "text": {"name": "X"}}
    )
    assert response.status_code == 404
    assert admin.as_other("GET", f"/translations/service/{service['id']}").status_code == 404
    phone = public(admin, f"/services/{service['id']}").get_json()["phones"][0]
    assert admin.as_other("GET", f"/translations/phone/{phone['id']}").status_code == 404


def test_replace_and_remove_need_if_match_and_are_audited(admin: Admin) -> None:
    service = publish(admin)
    added = translate(admin, service["id"], "es", SPANISH)
    path = f"/translations/service/{service['id']}/es"
    assert admin.as_partner("PUT", path, json={"text": {"name": "Otra"}}).status_code == 428
    stale = admin.as_partner("PUT", path, json={"text": {"name": "Otra"}}, headers={"If-Match": '"t0"'})
    assert stale.status_code == 412
    replaced = admin.as_partner(
        "PUT", path, json={"text": {"name": "Otra clínica"}}, headers={"If-Match": added.headers["ETag"]}
    )
    assert replaced.status_code == 200, replaced.get_json()
    assert replaced.get_json()["translations"] == {"es": {"name": "Otra clínica"}}
    assert public(admin, f"/services/{service['id']}?lang=es").get_json()["description"] == (
        "Sexual health checks without an appointment."
    )
    removed = admin.as_partner("DELETE", path, headers={"If-Match": replaced.headers["ETag"]})
    assert removed.status_code == 200 and removed.get_json()["translations"] == {}
    assert public(admin, f"/services/{service['id']}?lang=es").get_json()["name"] == "Evening drop-in clinic"
    events = admin.as_operator("GET", f"/audit?entity_id={service['id']}&per_page=100").get_json()["contents"]
    translated = [event for event in events if event["action"] == "translate"]
    assert len(translated) == 3
    assert any(
        event["changes"].get("es/name") == {"before": SPANISH["name"], "after": "Otra clínica"}
        for event in translated
    )


def test_a_retried_post_with_the_same_idempotency_key_adds_once(admin: Admin) -> None:
    service = publish(admin)
    first = translate(admin, service["id"], "fr", {"name": "Clinique du soir"}, **{"Idempotency-Key": "k1"})
    again = translate(admin, service["id"], "fr", {"name": "Clinique du soir"}, **{"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert translate(admin, service["id"], "fr", {"name": "Clinique"}).status_code == 409


def test_nested_records_and_the_original_language(admin: Admin) -> None:
    service = publish(
        admin, new_service(phones=[{"number": "+44 20 7946 0000", "description": "Text first"}])
    )
    phone = public(admin, f"/services/{service['id']}").get_json()["phones"][0]
    response = admin.as_partner(
        "POST",
        f"/translations/phone/{phone['id']}",
        json={"language": "es", "text": {"description": "Escribe"}},
    )
    assert response.status_code == 201, response.get_json()
    body = public(admin, f"/services/{service['id']}", **{"Accept-Language": "es"}).get_json()
    assert body["phones"][0]["description"] == "Escribe"
    assert body["phones"][0]["translations"] == {"es": {"description": "Escribe"}}
    assert "/phones/0/description" not in body["text_language"]["untranslated"]
    assert "/name" in body["text_language"]["untranslated"]

    path = f"/translations/service/{service['id']}"
    current = admin.as_partner("GET", path)
    assert current.get_json()["language"] == "en"
    moved = admin.as_partner(
        "PATCH", path, json={"language": "fr"}, headers={"If-Match": current.headers["ETag"]}
    )
    assert moved.status_code == 200, moved.get_json()
    shown = public(admin, f"/services/{service['id']}").get_json()["text_language"]
    assert shown["original"] == "fr"
    assert "fr" in public(admin, f"/services/{service['id']}").headers["Content-Language"].split(", ")


def test_translations_of_who_may_come_wait_for_the_operator(admin: Admin) -> None:
    service = publish(admin, new_service(eligibility_description="Anyone; no ID needed."))
    held = translate(
        admin, service["id"], "es", {"name": "Clínica", "eligibility_description": "Cualquiera; sin papeles."}
    )
    assert held.status_code == 202, held.get_json()
    assert held.get_json()["pending_review"] == {
        "es": {"eligibility_description": "Cualquiera; sin papeles."}
    }
    shown = public(admin, f"/services/{service['id']}?lang=es").get_json()
    assert shown["name"] == "Clínica"
    assert shown["eligibility_description"] == "Anyone; no ID needed."
    assert "/eligibility_description" in shown["text_language"]["untranslated"]
    approved = admin.as_operator(
        "POST", f"/services/{service['id']}/approve", json={"criteria": _criteria(admin)}
    )
    assert approved.status_code == 200, approved.get_json()
    shown = public(admin, f"/services/{service['id']}?lang=es").get_json()
    assert shown["eligibility_description"] == "Cualquiera; sin papeles."
    assert (
        admin.as_partner("GET", f"/translations/service/{service['id']}").get_json()["pending_review"] == {}
    )


def test_sync_streams_and_deltas_carry_every_translation(admin: Admin) -> None:
    service = publish(admin)
    before = public(admin, f"/services/{service['id']}").get_json()["last_modified"]
    assert translate(admin, service["id"], "es", SPANISH).status_code == 201
    after = public(admin, f"/services/{service['id']}").get_json()["last_modified"]
    assert after > before
    delta = public(admin, f"/services?modified_after={quote(before)}&per_page=100").get_json()["contents"]
    mine = next(item for item in delta if item["id"] == service["id"])
    assert mine["translations"] == {"es": SPANISH} and mine["name"] == "Evening drop-in clinic"
    lines = public(admin, "/services?format=ndjson&full=true").get_data(as_text=True).splitlines()
    assert any(f'"id":"{service["id"]}"' in line and '"translations":{"es"' in line for line in lines)


def _criteria(admin: Admin) -> list[str]:
    items = admin.as_operator("GET", "/vetting_criteria").get_json()["contents"]
    return [item["code"] for item in items if item.get("mandatory")]


def _migrate(app: Flask, revision: str, *, down: bool = False) -> None:
    engine = app.extensions["db_engine"]
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_the_migration_downgrades_and_upgrades_again(admin: Admin) -> None:
    service = publish(admin)
    assert translate(admin, service["id"], "es", SPANISH).status_code == 201
    app = admin.client.application
    _migrate(app, "0019", down=True)
    assert "translation" not in inspect(app.extensions["db_engine"]).get_table_names()
    _migrate(app, "head")
    assert {"translation", "text_language"} <= set(inspect(app.extensions["db_engine"]).get_table_names())
    body = public(admin, f"/services/{service['id']}?lang=es").get_json()
    assert body["name"] == "Evening drop-in clinic" and body["text_language"]["available"] == ["en"]
