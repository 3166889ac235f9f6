"""Which country a record's phone numbers are read in: the listing's own, from its places' addresses.

A place's addresses decide for the place and everything in it; a service follows the places it is
delivered at, a service-at-location its place, an organisation the places it has. Where those name
no single country, a record takes its parent's; a record written on its own, its organisation's
(`of_organization`); failing all, the importer uses the directory's DEFAULT_COUNTRY.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from services_api.core.field_rules import phone_region
from services_api.core.hsds.stored_records import stored_record
from services_api.models import Base, Location, Organization, Service, ServiceAtLocation


class PhoneRegions:
    """Work out regions during one import, from its documents and the records it holds or reads."""

    def __init__(self, session: Session, records: Mapping[tuple[type[Base], uuid.UUID], Any], *, prune: bool):
        self.session = session
        self.records = records
        self.prune = prune

    def of(self, model: type[Base], doc: Mapping[str, Any], record: Any, inherited: str | None) -> str | None:
        """Return the region of one record (`record` is its stored version, None when new)."""
        countries: list[str | None] = []
        if model is Location:
            countries = self._address_countries(doc, record)
        elif model is ServiceAtLocation:
            countries = self._location_countries(
                doc.get("location_id") or getattr(record, "location_id", None)
            )
        elif model is Service:
            links = doc.get("service_at_locations")
            listed = links if isinstance(links, list) else []
            places = [link.get("location_id") for link in listed if isinstance(link, Mapping)]
            if record is not None:
                places += [link.location_id for link in record.service_at_locations]
            countries = [country for place in places for country in self._location_countries(place)]
        elif model is Organization:
            nested = doc.get("locations")
            for place in nested if isinstance(nested, list) else []:
                if isinstance(place, Mapping):
                    countries += self._address_countries(place, None)
            if record is not None:
                countries += [address.country for place in record.locations for address in place.addresses]
        return phone_region(countries) or inherited

    def of_organization(self, organization_id: Any) -> str | None:
        """Return the region of an organisation by id, from its places (None when unknown)."""
        organization = self._held_or_stored(Organization, organization_id)
        return self.of(Organization, {}, organization, None) if organization is not None else None

    def _address_countries(self, doc: Mapping[str, Any], record: Any) -> list[str | None]:
        """The countries of a place's addresses: those in the document, else (or too, for a file) stored."""
        addresses = doc.get("addresses")
        listed = addresses if isinstance(addresses, list) else []
        countries = [
            address.get("country")
            for address in listed
            if isinstance(address, Mapping) and isinstance(address.get("country"), str)
        ]
        if record is not None and (not isinstance(addresses, list) or not self.prune):
            countries += [address.country for address in record.addresses]
        return countries

    def _location_countries(self, location_id: Any) -> list[str | None]:
        location = self._held_or_stored(Location, location_id)
        return [address.country for address in location.addresses] if location is not None else []

    def _held_or_stored(self, model: type[Base], record_id: Any) -> Any:
        """Return a record the import holds or the database stores, by id (None for a bad id)."""
        try:
            key = record_id if isinstance(record_id, uuid.UUID) else uuid.UUID(str(record_id))
        except (TypeError, ValueError):
            return None
        return self.records.get((model, key)) or stored_record(self.session, model=model, record_id=key)
