"""The geocoder partners' addresses go through: the offline gazetteer, or Nominatim when configured."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ...core.address_geocoding import nominatim


def configured_geocoder() -> Any | None:
    """Return the configured online geocoder, or None for the offline gazetteer (the default)."""
    config = current_app.config
    if config["GEOCODER"] != "nominatim":
        return None
    if "nominatim" not in current_app.extensions:
        current_app.extensions["nominatim"] = nominatim(
            config["NOMINATIM_DOMAIN"],
            config["NOMINATIM_USER_AGENT"],
            scheme=config["NOMINATIM_SCHEME"],
            min_delay_seconds=config["GEOCODER_MIN_DELAY_SECONDS"],
        )
    return current_app.extensions["nominatim"]
