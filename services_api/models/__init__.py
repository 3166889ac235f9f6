"""SQLAlchemy models, one module per aggregate; import from here."""

from .access import ApiKey, Partner, Role
from .audit import AuditEvent, IdempotentResponse
from .base import Base, utcnow
from .contact_points import Language, Phone, Schedule
from .gazetteer import Place, PlaceName, Postcode
from .location import Accessibility, Address, Location, ServiceAtLocation
from .organization import Contact, Organization
from .review import REPORT_KINDS, REPORT_STATUSES, ProposedChange, Report
from .service import SERVICE_STATUSES, CostOption, Service, ServiceArea, VettingStatus
from .taxonomy import Attribute, Taxonomy, TaxonomyTerm

__all__ = [
    "REPORT_KINDS",
    "REPORT_STATUSES",
    "SERVICE_STATUSES",
    "Accessibility",
    "Address",
    "ApiKey",
    "Attribute",
    "AuditEvent",
    "Base",
    "Contact",
    "CostOption",
    "IdempotentResponse",
    "Language",
    "Location",
    "Organization",
    "Partner",
    "Phone",
    "Place",
    "PlaceName",
    "Postcode",
    "ProposedChange",
    "Report",
    "Role",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "Taxonomy",
    "TaxonomyTerm",
    "VettingStatus",
    "utcnow",
]
