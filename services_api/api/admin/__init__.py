"""The admin API under /api/v1/admin: partners edit their own listings; the operator runs the directory."""

from services_api.api.admin import access, importing, listings, moderation, review, translations
from services_api.api.admin.common import ns

__all__ = ["access", "importing", "listings", "moderation", "ns", "review", "translations"]
