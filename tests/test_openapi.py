"""The OpenAPI document is generated from the schemas, served, and committed up to date."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from services_api.cli import OPENAPI_FILE, openapi_text
from tests.hsds_schemas import PAGE_KEYS


def test_committed_openapi_file_matches_the_app(app: Flask) -> None:
    with app.app_context():
        generated = openapi_text()
    committed = OPENAPI_FILE.read_text(encoding="utf-8") if OPENAPI_FILE.exists() else ""
    assert committed == generated, "openapi/swagger.json is out of date: run `make openapi` and commit it"


def test_openapi_command_writes_the_document(runner: FlaskCliRunner, tmp_path: Path) -> None:
    target = tmp_path / "swagger.json"
    result = runner.invoke(args=["openapi", "--output", str(target)])
    assert result.exit_code == 0, result.output
    spec = json.loads(target.read_text())
    assert spec["basePath"] == "/api/v1"


def test_spec_documents_every_public_endpoint_and_parameter(empty_client: FlaskClient) -> None:
    spec = empty_client.get("/api/v1/swagger.json").get_json()
    assert set(spec["paths"]) >= {
        "/",
        "/services",
        "/services/{id}",
        "/service_at_locations",
        "/service_at_locations/{id}",
        "/organizations",
        "/organizations/{id}",
        "/taxonomies",
        "/taxonomies/{id}",
        "/taxonomy_terms",
        "/taxonomy_terms/{id}",
    }
    service_params = {p["name"] for p in spec["paths"]["/services"]["get"]["parameters"]}
    assert service_params >= {
        "search",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "page",
        "per_page",
        "full",
        "minimal",
    }
    term_params = {p["name"] for p in spec["paths"]["/taxonomy_terms"]["get"]["parameters"]}
    assert {"parent_id", "top_only", "taxonomy_id"} <= term_params


def test_response_models_are_inlined_from_the_marshmallow_schemas(empty_client: FlaskClient) -> None:
    spec = empty_client.get("/api/v1/swagger.json").get_json()
    full_service = spec["definitions"]["FullService"]
    assert "$ref" not in json.dumps(full_service)
    location = full_service["properties"]["service_at_locations"]["items"]["properties"]["location"]
    assert "confidential" in location["properties"]
    page = spec["definitions"]["ServiceSearchPage"]["properties"]
    assert set(page) >= PAGE_KEYS


def test_swagger_ui_is_served(empty_client: FlaskClient) -> None:
    response = empty_client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"swagger" in response.data.lower()


def test_the_admin_api_is_documented_with_its_security_scheme() -> None:
    spec = json.loads(OPENAPI_FILE.read_text())
    assert spec["securityDefinitions"]["bearer"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": spec["securityDefinitions"]["bearer"]["description"],
    }
    admin_operations = [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    documented = {path for path, _method, _operation in admin_operations if path.startswith("/admin")}
    for path in ("/admin/services", "/admin/services/{id}/approve", "/admin/audit", "/admin/keys/{prefix}"):
        assert path in documented
    for path, method, operation in admin_operations:
        if path.startswith("/admin"):
            assert operation.get("security") == [{"bearer": []}], (path, method)
        else:
            assert "security" not in operation, (path, method)


BODYLESS_WRITES = {("/admin/services/{id}/confirm", "post"), ("/admin/import", "post")}


def test_every_write_documents_its_json_body_and_every_id_is_a_uuid() -> None:
    spec = json.loads(OPENAPI_FILE.read_text())
    for path, item in spec["paths"].items():
        path_params = [p for p in item.get("parameters", []) if p["in"] == "path" and p["name"] == "id"]
        assert all(p.get("format") == "uuid" for p in path_params), path
        for method, operation in item.items():
            if method not in {"post", "put", "patch"} or (path, method) in BODYLESS_WRITES:
                continue
            bodies = [p for p in operation.get("parameters", []) if p["in"] == "body"]
            assert len(bodies) == 1, (path, method)
            name = bodies[0]["schema"]["$ref"].rsplit("/", 1)[-1]
            assert spec["definitions"][name]["properties"], (path, method)
    required = {
        name: set(spec["definitions"][name].get("required", []))
        for name in ("ReportBody", "Approval", "NewPartner", "NewKey", "Moderation")
    }
    assert required == {
        "ReportBody": {"kind"},
        "Approval": {"criteria"},
        "NewPartner": {"name"},
        "NewKey": {"role"},
        "Moderation": {"status"},
    }


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_operation_documents_its_errors_in_the_one_error_shape() -> None:
    spec = json.loads(OPENAPI_FILE.read_text())
    assert set(spec["definitions"]["Error"]["required"]) == {"code", "status", "message", "errors"}
    for path, method, operation in _operations(spec):
        responses = operation["responses"]
        assert any(code.startswith("2") for code in responses), (path, method)
        for code, response in responses.items():
            if code.startswith("4"):
                assert response["schema"] == {"$ref": "#/definitions/Error"}, (path, method, code)
        if method == "get":
            assert "304" in responses, (path, method)
        if path.startswith("/admin"):
            assert {"401", "429"} <= set(responses), (path, method)
        if method in {"post", "put", "patch"}:
            assert {"413", "415", "422"} <= set(responses), (path, method)
        if "{" in path:
            assert "404" in responses, (path, method)
    operator_only = spec["paths"]["/admin/keys"]["get"]["responses"]
    assert "403" in operator_only and "403" not in spec["paths"]["/admin/services"]["get"]["responses"]
    for path in ("/admin/services/{id}", "/admin/partners/{id}", "/admin/reports/{id}"):
        patch = spec["paths"][path]["patch"]
        assert {"412", "428"} <= set(patch["responses"]), path
        assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"]), path


def test_streams_and_imports_document_their_media_types() -> None:
    spec = json.loads(OPENAPI_FILE.read_text())
    for path in ("/services", "/service_at_locations"):
        assert spec["paths"][path]["get"]["produces"] == ["application/json", "application/x-ndjson"]
    assert "application/zip" in spec["paths"]["/export"]["get"]["produces"]
    assert spec["paths"]["/admin/import"]["post"]["consumes"] == [
        "application/json",
        "application/x-ndjson",
        "application/zip",
    ]


def test_the_served_document_gives_the_configured_page_size_limit(app: Flask) -> None:
    app.config["MAX_PER_PAGE"] = 40
    spec = app.test_client().get("/api/v1/swagger.json").get_json()
    per_page = next(p for p in spec["paths"]["/services"]["get"]["parameters"] if p["name"] == "per_page")
    assert per_page["maximum"] == 40
