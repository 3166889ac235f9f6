"""The offline gazetteer geocoder: a geopy Geocoder that never touches the network."""

from __future__ import annotations

import pytest
from geopy.geocoders.base import Geocoder
from sqlalchemy.orm import Session

from services_api.core.geocoding.gazetteer import GazetteerGeocoder, normalise_postcode, time_zone_near
from services_api.geo.sphere import Point


def test_is_a_geopy_geocoder(db: Session) -> None:
    assert isinstance(GazetteerGeocoder(db), Geocoder)


@pytest.mark.parametrize(
    ("query", "country", "latitude", "longitude"),
    [
        ("London", "GB", 51.509, -0.126),
        ("london", "GB", 51.509, -0.126),
        ("  LONDON ", "GB", 51.509, -0.126),
        ("London, CA", "CA", 42.98, -81.23),
        ("Londres", "GB", 51.509, -0.126),
        ("München", "DE", 48.14, 11.58),
        ("Munchen", "DE", 48.14, 11.58),
        ("São Paulo", "BR", -23.55, -46.64),
        ("Sao Paulo", "BR", -23.55, -46.64),
        ("กรุงเทพมหานคร", "TH", 13.75, 100.5),
    ],
)
def test_place_names_resolve_in_any_case_accent_or_script(
    db: Session, query: str, country: str, latitude: float, longitude: float
) -> None:
    found = GazetteerGeocoder(db).geocode(query)
    assert found is not None and found.raw["country_code"] == country
    assert found.latitude == pytest.approx(latitude, abs=0.05)
    assert found.longitude == pytest.approx(longitude, abs=0.05)


def test_the_most_populous_place_wins_unless_a_country_is_given(db: Session) -> None:
    everywhere = GazetteerGeocoder(db).geocode("Perth", exactly_one=False)
    assert everywhere[0].raw["country_code"] == "AU"
    assert GazetteerGeocoder(db).geocode("Perth, GB").raw["country_code"] == "GB"


def test_postcodes_resolve_whole_or_by_district(db: Session) -> None:
    whole = GazetteerGeocoder(db).geocode("w1d 3qu")
    district = GazetteerGeocoder(db).geocode("W1D")
    assert whole is not None and whole.raw["kind"] == "postcode"
    assert district is not None and district.raw["kind"] == "postcode"
    assert whole.latitude == pytest.approx(51.513, abs=0.01)
    unknown_full = GazetteerGeocoder(db).geocode("W1D 9ZZ")
    assert unknown_full is not None and unknown_full.address.startswith("W1D")


def test_unknown_places_give_none(db: Session) -> None:
    assert GazetteerGeocoder(db).geocode("Xyzzyville") is None
    assert GazetteerGeocoder(db).geocode("ZZ99 9ZZ") is None


def test_postcodes_are_normalised() -> None:
    assert normalise_postcode(" w1d-3qu ") == "W1D3QU"


def test_time_zone_of_a_point_comes_from_the_nearest_place(db: Session) -> None:
    assert time_zone_near(db, Point(51.5, -0.12)) == "Europe/London"
    assert time_zone_near(db, Point(-33.87, 151.2)) == "Australia/Sydney"
    assert time_zone_near(db, Point(-60.0, -120.0)) == "UTC"


@pytest.mark.parametrize(
    ("query", "precision"),
    [
        ("W1D 3QE", "postcode"),  # a whole UK unit postcode
        ("M5A 2T4, CA", "postcode"),  # a whole Canadian postcode
        ("W1D 9ZZ", "district"),  # unknown unit: only its district
        ("W1D", "district"),
        ("10005", "district"),  # a US ZIP code covers a district, not a handful of addresses
        ("2000, AU", "district"),
        ("London", "city"),
    ],
)
def test_each_answer_says_how_precise_it_is(db: Session, query: str, precision: str) -> None:
    found = GazetteerGeocoder(db).geocode(query)
    assert found is not None and found.raw["precision"] == precision
