"""Whatever a client sends to the public API, the answer is never a 500."""

from __future__ import annotations

from urllib.parse import quote

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LISTS = ("services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms")
PARAMETERS = (
    "page",
    "per_page",
    "search",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "full",
    "minimal",
    "full_service",
    "parent_id",
    "top_only",
    "format",
)
values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["", "true", "false", "null", "%", "_", "2026-02-30", "00000000-0000-0000-0000-000000000000"]
    ),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    endpoint=st.sampled_from(LISTS),
    query=st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=4),
    path_id=st.one_of(st.none(), values),
    accept=st.sampled_from(["application/json", "text/html", "*/*", "application/xml", ""]),
)
def test_no_request_produces_a_server_error(
    client: FlaskClient, endpoint: str, query: dict[str, str], path_id: str | None, accept: str
) -> None:
    path = f"/api/v1/{endpoint}" + (f"/{quote(path_id, safe='')}" if path_id else "")
    query_string = "&".join(f"{name}={quote(value, safe='')}" for name, value in query.items())
    response = client.get(f"{path}?{query_string}", headers={"Accept": accept})
    assert response.status_code < 500, (path, query_string, response.get_data(as_text=True)[:300])
    assert response.is_json or response.status_code in (301, 308)
