"""The JSON bodies the API accepts besides HSDS records: 422 naming each bad field by JSON pointer."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from services_api.core.errors import invalid_fields
from services_api.core.field_rules import EMAIL_DOC, NAME_DOC, email_address, not_blank
from services_api.core.listings.reports import MAX_MESSAGE_LENGTH
from services_api.models import REPORT_KINDS, REPORT_STATUSES, Role
from services_api.schemas.params import follows, no_control_characters, plain_text


class RequestBody(Schema):
    """Base of the body schemas: a refused body becomes one InvalidError, fields named by pointer."""

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        """Refuse the body naming each bad field by its JSON pointer."""
        raise invalid_fields({f"/{name}": message for name, message in error.normalized_messages().items()})


class NewPartner(RequestBody):
    """Create a partner: a new organisation by name, or an existing one by id."""

    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=255), plain_text, follows(not_blank)],
        metadata=NAME_DOC,
    )
    email = fields.String(
        allow_none=True, validate=[validate.Length(max=320), follows(email_address)], metadata=EMAIL_DOC
    )
    organization_id = fields.UUID(allow_none=True)


class PartnerChange(RequestBody):
    """Change a partner: rename, re-address, deactivate or reactivate."""

    name = fields.String(
        validate=[validate.Length(min=1, max=255), plain_text, follows(not_blank)], metadata=NAME_DOC
    )
    email = fields.String(
        allow_none=True, validate=[validate.Length(max=320), follows(email_address)], metadata=EMAIL_DOC
    )
    active = fields.Boolean()


class NewKey(RequestBody):
    """Issue a key for the operator or for one partner."""

    role = fields.String(required=True, validate=validate.OneOf([role.value for role in Role]))
    partner_id = fields.UUID(allow_none=True)
    label = fields.String(validate=[validate.Length(max=255), plain_text], allow_none=True)


class DecisionBody(RequestBody):
    """The body of /reject and /suspend: a note for the record."""

    note = fields.String(validate=[validate.Length(max=5000), plain_text], allow_none=True)


class ApprovalBody(DecisionBody):
    """The body of /approve: a note and the codes of the criteria the operator attests."""

    criteria = fields.List(fields.String(validate=no_control_characters), required=True)


class Moderation(RequestBody):
    """The operator's decision on a report."""

    status = fields.String(required=True, validate=validate.OneOf(REPORT_STATUSES))
    resolution_note = fields.String(validate=[validate.Length(max=5000), plain_text], allow_none=True)


class ReportBody(RequestBody):
    """A report: what kind of problem, and what happened (no name, contact or account needed)."""

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        """Refuse the report naming each bad field (by name: a report is flat)."""
        messages = error.normalized_messages()
        raise invalid_fields({name: messages[name] for name in sorted(messages)}, lead=self.lead)

    lead = "The report has invalid fields"

    kind = fields.String(required=True, validate=validate.OneOf(REPORT_KINDS))
    message = fields.String(load_default="", validate=[validate.Length(max=MAX_MESSAGE_LENGTH), plain_text])


NEW_PARTNER = NewPartner()
PARTNER_CHANGE = PartnerChange()
NEW_KEY = NewKey()
DECISION_BODY = DecisionBody()
APPROVAL_BODY = ApprovalBody()
MODERATION = Moderation()
REPORT_BODY = ReportBody()
