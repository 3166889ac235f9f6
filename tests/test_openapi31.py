"""The OpenAPI 3.1 document at `openapi_url`: valid, in step with openapi/, and in agreement with HSDS.

It is converted from the Swagger 2.0 document restx builds from the marshmallow schemas
(`api.openapi31`). For every path of the official HSDS API, each official parameter is there with
the same name, place and type, and in the official 200 response (the page envelope and its items,
or the record) each required property is there, and each property we document has a type the
official one allows (the tables we do not keep, such as funding, are left out).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from services_api.cli import OPENAPI31_FILE, openapi_text

HSDS_SCHEMAS = Path(__file__).resolve().parents[1] / "seed_data" / "hsds-3.0" / "schema"
HSDS_API = json.loads((HSDS_SCHEMAS / "openapi.json").read_text())
REMOTE_SCHEMAS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
# The official document's 200 of /service_at_locations/{id} names the compiled *service* schema (a
# slip: the path's description and every HSDS example return a service-at-location).
ERRATA = {"/service_at_locations/{id}": {"$ref": f"{REMOTE_SCHEMAS}compiled/service_at_location.json"}}
# Where we type a parameter more precisely than HSDS does (a client sending the HSDS type still works).
REFINED = {("/service_at_locations", "proximity"): ("number", "HSDS types it a string, but it is metres")}


@pytest.fixture
def document(empty_client: FlaskClient) -> dict[str, Any]:
    """The document a client finds from the root's `openapi_url`."""
    url = empty_client.get("/api/v1/").get_json()["openapi_url"]
    response = empty_client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    served: dict[str, Any] = response.get_json()
    return served


def test_the_document_at_openapi_url_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document["servers"] == [{"url": "/api/v1"}]


def test_committed_openapi_31_file_matches_the_app(app: Flask) -> None:
    with app.app_context():
        generated = openapi_text(version="3.1")
    committed = OPENAPI31_FILE.read_text(encoding="utf-8") if OPENAPI31_FILE.exists() else ""
    assert committed == generated, "openapi/openapi.json is out of date: run `make openapi` and commit it"


def _local(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _official(node: Any) -> Any:
    """Resolve the official document's references: its own, and those to the HSDS schema files."""
    node = _local(HSDS_API, node)
    if isinstance(node, dict) and str(node.get("$ref", "")).startswith(REMOTE_SCHEMAS):
        return json.loads((HSDS_SCHEMAS / node["$ref"].removeprefix(REMOTE_SCHEMAS)).read_text())
    if isinstance(node, dict) and "allOf" in node:
        merged = {key: value for key, value in node.items() if key != "allOf"}
        for part in node["allOf"]:
            resolved = _official(part)
            merged["properties"] = {**resolved.get("properties", {}), **merged.get("properties", {})}
        return merged
    return node


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("type")
    if kind is None:
        return {"string", "number", "integer", "boolean", "object", "array", "null"}
    return {kind} if isinstance(kind, str) else set(kind)


def _compatible(ours: dict[str, Any], official: dict[str, Any]) -> bool:
    """Whether a value of our type is always one of the official type (an integer is a number)."""
    mine, theirs = _types(ours), _types(official)
    return bool(mine & theirs) or (mine <= {"integer", "null"} and "number" in theirs)


def _disagreements(ours: Any, official: Any, where: str, document: dict[str, Any]) -> list[str]:
    ours, official = _local(document, ours), _official(official)
    problems = []
    if not _types(ours) & _types(official) and not (
        _types(ours) == {"integer"} and "number" in _types(official)
    ):
        problems.append(f"{where}: type {ours.get('type')} where HSDS has {official.get('type')}")
    for name, prop in official.get("properties", {}).items():
        if name not in ours.get("properties", {}):
            if name in official.get("required", []):
                problems.append(f"{where}.{name}: missing, and HSDS requires it")
            continue
        mine = _local(document, ours["properties"][name])
        if "items" in prop and "items" in mine:
            if official.get("properties", {}).get(name, {}).get("type") == "array" and name == "contents":
                problems += _disagreements(mine["items"], prop["items"], f"{where}.{name}[]", document)
        elif not _compatible(mine, _official(prop)):
            problems.append(f"{where}.{name}: type {mine.get('type')} where HSDS has {prop.get('type')}")
    return problems


@pytest.mark.parametrize("path", sorted(HSDS_API["paths"]))
def test_every_hsds_path_agrees_with_the_official_api(document: dict[str, Any], path: str) -> None:
    official = HSDS_API["paths"][path]
    ours = document["paths"][path]
    parameters = {
        (p["name"], p["in"]): p for p in ours["get"].get("parameters", []) + ours.get("parameters", [])
    }
    for entry in official["get"].get("parameters", []) + official.get("parameters", []):
        # Two entries of the official document are bare names; they are query parameters.
        wanted = _official(entry) if isinstance(entry, dict) else {"name": entry, "in": "query", "schema": {}}
        mine = parameters.get((wanted["name"], wanted["in"]))
        assert mine is not None, f"{path}: no {wanted['in']} parameter {wanted['name']}"
        expected = wanted["schema"].get("type")
        refined = REFINED.get((path, wanted["name"]))
        if expected and not refined:
            assert expected in _types(mine["schema"]), f"{path} {wanted['name']}: {mine['schema']}"
        elif refined:
            assert refined[0] in _types(mine["schema"])
    official_body = (
        ERRATA.get(path) or official["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    )
    our_body = ours["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert _disagreements(our_body, official_body, path, document) == []


def test_every_operation_documents_its_statuses_with_the_error_shape(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert any(code.startswith("2") for code in operation["responses"]), (path, method)
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, code)


def test_swagger_ui_shows_the_openapi_31_document(empty_client: FlaskClient) -> None:
    page = empty_client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for asset in ("/api/v1/docs/ui/swagger-ui.css", "/api/v1/docs/ui/swagger-ui-bundle.js"):
        assert asset in html
        with empty_client.get(asset) as response:
            assert response.status_code == 200
            text = response.get_data(as_text=True)
    assert "OpenAPI 3.1" in text or "3.1.0" in text, "the bundled Swagger UI reads OpenAPI 3.1"
    init = empty_client.get("/api/v1/docs/init.js").get_data(as_text=True)
    assert '"/api/v1/openapi.json"' in init
