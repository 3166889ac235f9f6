"""The shapes of the public export's tables, where they differ from the JSON API's."""

from __future__ import annotations

from typing import Any

from services_api.models import Location
from services_api.schemas.hsds import LocationSchema


class ExportLocationSchema(LocationSchema):
    """A location as the export writes it: a confidential one has no address row at all.

    HSDS requires `address_1` and `postal_code` in every address row, and both are what a
    confidential location withholds; a placeholder street would be shown as an address by HSDS
    clients, and imported back over the true one. Its area stays as coarse as in the JSON API: the
    grid point and its time zone.
    """

    def dump_addresses(self, location: Location) -> list[dict[str, Any]]:
        """Dump the addresses of a location that is not confidential; none of one that is."""
        return [] if location.confidential else super().dump_addresses(location)
