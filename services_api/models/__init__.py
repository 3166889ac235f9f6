"""SQLAlchemy models, one module per aggregate; import from here."""

from services_api.models.access import ApiKey, Partner, Role
from services_api.models.audit import AuditEvent, IdempotentResponse
from services_api.models.base import Base, utcnow
from services_api.models.contact_points import Language, Phone, Schedule
from services_api.models.gazetteer import Place, PlaceName, Postcode
from services_api.models.location import Accessibility, Address, Location, ServiceAtLocation
from services_api.models.organization import Contact, Organization
from services_api.models.review import REPORT_KINDS, REPORT_STATUSES, ProposedChange, Report
from services_api.models.service import SERVICE_STATUSES, CostOption, Service, ServiceArea, VettingStatus
from services_api.models.taxonomy import Attribute, Taxonomy, TaxonomyTerm
from services_api.models.translation import LANGUAGE_HOLDERS, TRANSLATED_FIELDS, TextLanguage, Translation

__all__ = [
    "LANGUAGE_HOLDERS",
    "REPORT_KINDS",
    "REPORT_STATUSES",
    "SERVICE_STATUSES",
    "TRANSLATED_FIELDS",
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
    "TextLanguage",
    "Translation",
    "VettingStatus",
    "utcnow",
]
