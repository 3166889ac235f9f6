"""SQLAlchemy models, one module per aggregate; import from here."""

from .base import Base, utcnow
from .contact_points import Language, Phone, Schedule
from .gazetteer import Place, PlaceName, Postcode
from .location import Accessibility, Address, Location, ServiceAtLocation
from .organization import Contact, Organization
from .service import SERVICE_STATUSES, CostOption, Service, ServiceArea, VettingStatus
from .taxonomy import Attribute, Taxonomy, TaxonomyTerm

__all__ = [
    "SERVICE_STATUSES",
    "Accessibility",
    "Address",
    "Attribute",
    "Base",
    "Contact",
    "CostOption",
    "Language",
    "Location",
    "Organization",
    "Phone",
    "Place",
    "PlaceName",
    "Postcode",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "Taxonomy",
    "TaxonomyTerm",
    "VettingStatus",
    "utcnow",
]
