"""The search page at `/`: what a person sees and what stays private, through Flask's test client.

The browser's side (JavaScript, geolocation, quick exit, axe) is in test_search_page_browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_api.models import Report
from services_api.web.languages import LANGUAGES, text_direction

REFUGE_SERVICE = "Sample Safe Stay Refuge (Manchester)"


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3[^>]*><a href="[^"]+">([^<]+)</a></h3>', html)


def _search(client: FlaskClient, path: str = "/", **form: Any) -> tuple[int, str]:
    response = client.post(path, data=form)
    return response.status_code, response.get_data(as_text=True)


def test_the_empty_page_offers_every_filter(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    for field in ('name="near"', 'name="distance"', 'name="category"', 'name="attribute"', 'name="language"'):
        assert field in html
    assert 'name="open_now"' in html and 'name="keywords"' in html
    assert 'value="housing"' in html and 'value="refuge"' in html  # the category tree, parents and children
    assert 'value="no-immigration-checks"' in html and "No ID required" in html
    assert 'method="post"' in html and "Leave this site quickly" in html


def test_a_search_by_place_lists_what_a_person_can_act_on(client: FlaskClient) -> None:
    status, html = _search(client, near="Manchester", distance="10")
    assert status == 200
    titles = _titles(html)
    assert len(titles) == 10 and "Example Sexual Health Drop-in (Northern Quarter)" in titles
    assert "Near Manchester" in html and "km away" in html
    assert 'href="tel:+441614960210"' in html  # a phone number to tap
    assert "18 Example Street" in html  # a public address
    assert "Open now" in html or "Closed now" in html
    assert "Please check before you go" in html  # the stale listing (Moss Side) says so


def test_a_confidential_place_shows_only_its_area(client: FlaskClient) -> None:
    _status, html = _search(client, near="Manchester", distance="25", category="refuge")
    assert REFUGE_SERVICE in _titles(html)
    assert "The address is confidential" in html
    for secret in ("16 Template Avenue", "M19 3AB", "53.443617", "-2.193528"):
        assert secret not in html


def test_a_search_by_postcode_and_by_a_point(client: FlaskClient) -> None:
    _status, by_postcode = _search(client, near="M4 1LE", distance="2")
    assert "Example Sexual Health Drop-in (Northern Quarter)" in _titles(by_postcode)
    _status, by_point = _search(client, lat="53.484", lng="-2.236", distance="2")
    assert _titles(by_point)[:3] == _titles(by_postcode)[:3]
    assert "Near your location" in by_point and 'value="53.484"' in by_point


def test_a_typed_place_wins_over_the_device_location(client: FlaskClient) -> None:
    _status, html = _search(client, near="Camden", lat="53.484", lng="-2.236")
    assert "Near Camden, London, GB" in html


def test_a_misspelt_place_offers_the_places_it_may_mean(client: FlaskClient) -> None:
    status, html = _search(client, near="Camdne")
    assert status == 422
    assert "We could not find the place “Camdne”." in html
    assert 'name="place_choice" value="Camden, London, GB"' in html
    status, chosen = _search(client, near="Camdne", place_choice="Camden, London, GB")
    assert status == 200 and "Near Camden, London, GB" in chosen
    assert 'id="field-near" name="near" type="text" value="Camden, London, GB"' in chosen
    _status, ambiguous = _search(client, near="Camden")
    assert (
        'name="place_choice" value="Camden, New Jersey, US"' in ambiguous
    )  # the other Camden, one click away


def test_each_filter_narrows_the_results(client: FlaskClient) -> None:
    everything = _titles(_search(client, near="Manchester", distance="25")[1])
    filters: list[dict[str, Any]] = [
        {"category": "housing"},
        {"attribute": ["no-id-required", "trans-inclusive"]},
        {"language": "ro"},
        {"open_now": "1"},
        {"keywords": "legal"},
    ]
    for extra in filters:
        status, html = _search(client, near="Manchester", distance="25", **extra)
        assert status == 200, extra
        narrowed = _titles(html)
        assert set(narrowed) <= set(everything) and narrowed != everything, extra
    _status, housing = _search(client, near="Manchester", distance="25", category="housing")
    assert REFUGE_SERVICE in _titles(housing)  # a sub-category (refuge) is inside its parent


def test_bad_criteria_are_named_on_the_form(client: FlaskClient) -> None:
    for field, value, message in (
        ("distance", "9000", "Choose a distance from the list."),
        ("category", "no-such-code", "Choose a kind of help from the list."),
        ("keywords", "x" * 300, "Check the keywords"),
    ):
        status, html = _search(client, near="Manchester", **{field: value})
        assert status == 422, (field, status)
        assert message in html and "There is a problem" in html


def test_pages_follow_each_other(client: FlaskClient) -> None:
    first = _search(client, near="Camden", distance="25")[1]
    second = _search(client, near="Camden", distance="25", page="2")[1]
    assert "Page 1 of" in first and 'name="page" value="2"' in first
    assert "Page 2 of" in second and 'name="page" value="1"' in second
    assert not set(_titles(first)) & set(_titles(second))


def test_the_page_is_private(client: FlaskClient) -> None:
    for response in (client.get("/"), client.post("/", data={"near": "Manchester"})):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        policy = response.headers["Content-Security-Policy"]
        assert (
            "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
        )
        assert "Set-Cookie" not in response.headers
        html = response.get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html
        for url in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
            assert url.startswith("/")  # every script and stylesheet from the app itself
        assert "Manchester" not in response.request.url


def test_the_interface_speaks_the_browsers_language_or_the_chosen_one(client: FlaskClient) -> None:
    spanish = client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="es" dir="ltr">' in spanish and "Encuentre un servicio de confianza" in spanish
    thai = client.get("/th/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="th"' in thai and "ใช้ตำแหน่งของฉัน" in thai
    assert 'action="/th/#results"' in thai  # the chosen language stays through the search
    for prefix, word in (("/pt/", "Pesquisar"), ("/ro/", "Căutați"), ("/fr/", "Chercher")):
        assert word in client.get(prefix).get_data(as_text=True)
    unknown = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en"' in unknown


def test_listings_show_in_the_page_language_where_translated_and_say_where_not(client: FlaskClient) -> None:
    _status, spanish = _search(client, "/es/", near="W1D 3QU", distance="2")
    titles = _titles(spanish)
    assert "Example Clínica de Salud Sexual (Soho)" in titles  # the provider's own Spanish
    assert "Example Sexual Health Clinic (Soho)" not in titles
    assert '<h3 lang="es">' in spanish
    assert "Sin traducir: tal como lo escribió el servicio, en inglés." in spanish  # the others
    _status, romanian = _search(client, "/ro/", near="W1D 3QU", distance="2")
    assert "Example Sexual Health Clinic (Soho)" in _titles(romanian)
    assert "Netradus: așa cum l-a scris serviciul, în engleză." in romanian
    _status, english = _search(client, "/", near="W1D 3QU", distance="2")
    assert "Not translated" not in english and "Example Sexual Health Clinic (Soho)" in _titles(english)
    link = re.search(r'href="(/es/services/[0-9a-f-]{36})">Example Clínica', spanish)
    assert link is not None
    detail = client.get(link.group(1)).get_data(as_text=True)
    assert '<h1 lang="es">Example Clínica de Salud Sexual (Soho)</h1>' in detail


def test_a_service_page_shows_the_week_and_how_to_get_help(client: FlaskClient) -> None:
    html = _search(client, near="M4 1LE", distance="1")[1]
    link = re.search(r'href="(/services/[0-9a-f-]{36})">Example Sexual Health Drop-in', html)
    assert link is not None
    page = client.get(link.group(1))
    detail = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for expected in (
        "Opening hours this week",
        "times in Europe/London",
        "13:00\u201317:00",
        "Saturday",
        "Who it is for",
        "How to apply",
        "Costs",
        "Last confirmed by the service: 2026",
        "Report a problem with this listing",
        'id="referral-text"',
    ):
        assert expected in detail, expected


def test_a_report_goes_to_the_operator_without_personal_data(client: FlaskClient, db: Session) -> None:
    html = _search(client, near="M4 1LE", distance="1")[1]
    path = re.search(r'href="(/services/[0-9a-f-]{36})"', html)
    assert path is not None
    before = db.scalar(select(func.count()).select_from(Report)) or 0
    missing_kind = client.post(f"{path.group(1)}/report", data={"message": "Closed on Mondays now"})
    assert missing_kind.status_code == 422 and "Choose what is wrong." in missing_kind.get_data(as_text=True)
    sent = client.post(f"{path.group(1)}/report", data={"kind": "closed", "message": "Moved last week"})
    assert sent.status_code == 200 and "your report has been sent" in sent.get_data(as_text=True)
    in_spanish = f'href="/es{path.group(1)}"'
    assert in_spanish in sent.get_data(
        as_text=True
    )  # the switcher goes to the listing, not the form's address
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Report)) == before + 1
    report = db.scalars(select(Report).where(Report.message == "Moved last week")).first()
    assert report is not None and report.kind == "closed" and report.message == "Moved last week"


def test_an_unknown_service_is_a_page_not_json(client: FlaskClient) -> None:
    for path in ("/services/not-an-id", "/services/00000000-0000-0000-0000-000000000000", "/es/services/x"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html"
    assert (
        client.post(
            "/services/00000000-0000-0000-0000-000000000000/report", data={"kind": "closed"}
        ).status_code
        == 404
    )


def test_the_api_is_untouched(client: FlaskClient) -> None:
    response = client.get("/api/v1/services?near=Manchester")
    assert response.status_code == 200 and response.is_json
    assert "Content-Security-Policy" not in response.headers


def test_a_page_of_results_weighs_under_60_kb_with_everything_it_loads(client: FlaskClient) -> None:
    html = client.post("/", data={"near": "Camden", "distance": "10"}).data
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', html.decode())
    assert sorted(assets) == ["/assets/favicon.svg", "/assets/site.css", "/assets/site.js"]
    total = len(html)
    for path in assets:
        with client.get(path) as response:
            total += len(response.data)
    assert total < 60_000  # uncompressed, so the page is light whether or not a proxy compresses it


def test_odd_form_values_are_explained_never_a_server_error(client: FlaskClient) -> None:
    odd: list[dict[str, Any]] = [
        {"lat": "abc", "lng": "1"},
        {"lat": "91", "lng": "0"},
        {"lat": "1"},
        {"near": "x" * 500},
        {"near": "Camden", "distance": "abc"},
        {"attribute": "nope"},
        {"language": "xx1"},
        {"keywords": "a\x00b"},
        {"category": "<script>"},
        {"place_choice": "Nowhere at all"},
    ]
    for form in odd:
        status, html = _search(client, **form)
        assert status == 422 and "There is a problem" in html, form
        assert "<script>" not in html.split("<footer")[0].split("</form>")[-1]
    for form in ({"page": "999999"}, {"near": "Camden", "page": "-1"}, {"open_now": "yes"}, {"distance": ""}):
        assert _search(client, **form)[0] == 200, form


def test_every_catalogue_is_complete_and_compiled() -> None:
    translations = Path(__file__).resolve().parents[1] / "services_api" / "web" / "translations"
    with (translations / "messages.pot").open("rb") as file:
        wanted = {_text(message.id) for message in read_po(file) if message.id}
    for language in sorted(set(LANGUAGES) - {"en"}):
        folder = translations / language / "LC_MESSAGES"
        with (folder / "messages.po").open("rb") as file:
            catalogue = {_text(m.id): _text(m.string) for m in read_po(file) if m.id and not m.fuzzy}
        with (folder / "messages.mo").open("rb") as file:
            compiled = {_text(m.id): _text(m.string) for m in read_mo(file) if m.id}
        assert set(catalogue) == wanted, f"{language}: run `make translations` and translate what is new"
        assert all(all(text) for text in catalogue.values()), f"{language}: untranslated texts"
        assert compiled == catalogue, f"{language}: run `make translations` to compile the catalogue"


def _text(value: Any) -> tuple[str, ...]:
    """Return a catalogue's text as a tuple (a plural one has several forms)."""
    return (value,) if isinstance(value, str) else tuple(value)


def test_a_right_to_left_language_would_set_the_direction() -> None:
    assert text_direction("ar") == "rtl" and text_direction("he") == "rtl"
    assert text_direction("th") == "ltr" and text_direction("es") == "ltr"


def test_a_service_without_a_place_shows_its_own_week(client: FlaskClient) -> None:
    html = _search(client, near="Camden")[1]
    link = re.search(r'href="(/services/[0-9a-f-]{36})">Sample Sex Work Legal Advice Line', html)
    assert link is not None
    detail = client.get(link.group(1)).get_data(as_text=True)
    assert "Opening hours this week" in detail and "times in Europe/London" in detail
    assert "10:00\u201318:00" in detail
