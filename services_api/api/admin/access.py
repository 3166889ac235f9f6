"""/admin/partners and /admin/keys: the operator manages who may edit."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, url_for

from services_api.api.admin.auth import current_actor, operator_only
from services_api.api.admin.common import AdminResource, ns, path_id
from services_api.api.admin.writes import (
    commit,
    idempotent,
    load_body,
    require_if_match,
    respond,
)
from services_api.api.errors import ApiError
from services_api.api.openapi import IDEMPOTENCY_KEY, IF_MATCH, list_model, schema_model
from services_api.api.responses import CONDITIONAL_GET, JSON_BODY, VERSIONED_WRITE, answers
from services_api.core.access import keys, partners
from services_api.db import get_session
from services_api.models import Partner, Role
from services_api.schemas.admin import ApiKeySchema, PartnerSchema
from services_api.schemas.bodies import NEW_KEY, NEW_PARTNER, PARTNER_CHANGE

PARTNER = PartnerSchema()
KEY = ApiKeySchema()


def _partner_or_404(id: str) -> Partner:
    partner = get_session().get(Partner, path_id(id))
    if partner is None:
        raise ApiError(404, "No partner has this id.")
    return partner


@ns.route("/partners")
class PartnerList(AdminResource):
    """Partner organisations (operator only)."""

    @operator_only
    @ns.response(200, "Every partner", list_model(ns, "PartnerList", PARTNER))
    @answers(*CONDITIONAL_GET)
    def get(self) -> dict[str, Any]:
        """List every partner."""
        items = partners.list_partners(get_session())
        return {"total_items": len(items), "contents": PARTNER.dump(items, many=True)}

    @ns.expect(schema_model(ns, "NewPartner", NEW_PARTNER), validate=False)
    @operator_only
    @ns.doc(params=IDEMPOTENCY_KEY)
    @ns.response(201, "Created", schema_model(ns, "Partner", PARTNER))
    @answers(*JSON_BODY, 409)
    def post(self) -> Response:
        """Create a partner organisation (or make an existing organisation a partner)."""
        body = load_body(NEW_PARTNER)
        session = get_session()

        def create() -> Response:
            partner = partners.create_partner(
                session,
                actor=current_actor(),
                name=body["name"],
                email=body.get("email"),
                organization_id=body.get("organization_id"),
            )
            location = url_for("api_v1.admin_partner", id=str(partner.id))
            return respond(PARTNER.dump(partner), 201, record=partner, location=location)

        return idempotent(create)


@ns.route("/partners/<string:id>", endpoint="admin_partner")
@ns.param("id", "The partner's id (its organisation's id)", format="uuid")
class PartnerItem(AdminResource):
    """One partner (operator only)."""

    @operator_only
    @ns.response(200, "The partner, with its ETag", schema_model(ns, "Partner", PARTNER))
    @answers(*CONDITIONAL_GET, 404)
    def get(self, id: str) -> Response:
        """Read one partner."""
        partner = _partner_or_404(id)
        return respond(PARTNER.dump(partner), record=partner)

    @ns.expect(schema_model(ns, "PartnerChange", PARTNER_CHANGE), validate=False)
    @operator_only
    @ns.doc(params=IF_MATCH)
    @ns.response(200, "Changed", schema_model(ns, "Partner", PARTNER))
    @answers(*JSON_BODY, *VERSIONED_WRITE)
    def patch(self, id: str) -> Response:
        """Rename, re-address, deactivate (keys stop; listings stay) or reactivate; needs If-Match."""
        partner = _partner_or_404(id)
        require_if_match(partner)
        partners.update_partner(
            get_session(), actor=current_actor(), partner=partner, changes=load_body(PARTNER_CHANGE)
        )
        commit(partner)
        return respond(PARTNER.dump(partner), record=partner)

    @operator_only
    @ns.doc(params=IF_MATCH)
    @ns.response(200, "Deactivated", schema_model(ns, "Partner", PARTNER))
    @answers(*VERSIONED_WRITE)
    def delete(self, id: str) -> Response:
        """Deactivate a partner (kept for the audit log; its listings stay); needs If-Match."""
        partner = _partner_or_404(id)
        require_if_match(partner)
        partners.update_partner(
            get_session(), actor=current_actor(), partner=partner, changes={"active": False}
        )
        commit(partner)
        return respond(PARTNER.dump(partner), record=partner)


@ns.route("/keys")
class KeyList(AdminResource):
    """API keys (operator only)."""

    @operator_only
    @ns.response(200, "Every key (never its secret)", list_model(ns, "ApiKeyList", KEY))
    @answers(*CONDITIONAL_GET)
    def get(self) -> dict[str, Any]:
        """List every key (never its secret)."""
        items = keys.list_keys(get_session())
        return {"total_items": len(items), "contents": KEY.dump(items, many=True)}

    @ns.expect(schema_model(ns, "NewKey", NEW_KEY), validate=False)
    @operator_only
    @ns.doc(params=IDEMPOTENCY_KEY)
    @ns.response(201, "Issued: the key is in `key`, shown this once")
    @answers(*JSON_BODY, 409)
    def post(self) -> Response:
        """Issue a key; the response shows it once, in `key`."""
        body = load_body(NEW_KEY)
        session = get_session()
        role = Role(body["role"])
        partner = keys.key_holder(session, role=role, partner_id=body.get("partner_id"))

        def issue() -> Response:
            issued = keys.issue_key(
                session,
                current_app.config["SECRET_KEY"],
                actor=current_actor(),
                role=role,
                partner=partner,
                label=body.get("label"),
            )
            location = url_for("api_v1.admin_key", prefix=issued.record.prefix)
            return respond({**KEY.dump(issued.record), "key": issued.token}, 201, location=location)

        return idempotent(issue)


@ns.route("/keys/<string:prefix>", endpoint="admin_key")
@ns.param("prefix", "The key's public prefix")
class KeyItem(AdminResource):
    """One API key, by its public prefix (operator only)."""

    @operator_only
    @ns.response(200, "The key (never its secret)", schema_model(ns, "ApiKey", KEY))
    @answers(*CONDITIONAL_GET, 404)
    def get(self, prefix: str) -> dict[str, Any]:
        """Read one key (never its secret)."""
        return KEY.dump(self._key(prefix))  # type: ignore[no-any-return]

    @operator_only
    @ns.response(200, "Revoked", schema_model(ns, "ApiKey", KEY))
    @answers(404, 409)
    def delete(self, prefix: str) -> dict[str, Any]:
        """Revoke a key: it stops working at once."""
        key = self._key(prefix)
        if not keys.revoke_key(get_session(), actor=current_actor(), key=key):
            raise ApiError(409, "This key is already revoked.")
        commit()
        return KEY.dump(key)  # type: ignore[no-any-return]

    @staticmethod
    def _key(prefix: str) -> Any:
        key = keys.find_key(get_session(), prefix)
        if key is None:
            raise ApiError(404, "No key has this prefix.")
        return key
