"""The geocoder partners' addresses go through (app wiring): the offline gazetteer, or Nominatim."""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app

from services_api.core.geocoding.addresses import nominatim
from services_api.core.geocoding.gazetteer import GazetteerGeocoder
from services_api.db import get_session

_CREATING = threading.Lock()  # request threads of one worker must share the one paced geocoder


def configured_geocoder() -> Any | None:
    """Return the configured online geocoder (one per process, so its pace holds), or None."""
    config = current_app.config
    if config["GEOCODER"] != "nominatim":
        return None
    with _CREATING:
        if "nominatim" not in current_app.extensions:
            current_app.extensions["nominatim"] = nominatim(
                config["NOMINATIM_DOMAIN"],
                config["NOMINATIM_USER_AGENT"],
                scheme=config["NOMINATIM_SCHEME"],
                min_delay_seconds=config["GEOCODER_MIN_DELAY_SECONDS"],
            )
    return current_app.extensions["nominatim"]


def address_locator() -> Any:
    """Return what places partners' addresses: the configured online geocoder, or the gazetteer."""
    return configured_geocoder() or GazetteerGeocoder(get_session())
