"""Command-line tools for access: `flask --app services_api partners ...` and `keys ...`."""

from __future__ import annotations

import uuid
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from services_api.config import other_development_secret
from services_api.core.access import keys, partners
from services_api.core.actors import Actor
from services_api.core.errors import InvalidFieldsError
from services_api.db import get_session
from services_api.models import Partner, Role

partners_group = AppGroup("partners", help="Partner organisations that may edit their own listings.")
keys_group = AppGroup("keys", help="API keys for partners and the operator.")


@partners_group.command("create")
@click.argument("name")
@click.option("--email", default=None, help="Where the operator reaches the partner.")
def create_partner_command(name: str, email: str | None) -> None:
    """Create a partner organisation and print its id."""
    session = get_session()
    try:
        partner = partners.create_partner(session, actor=Actor.command_line(), name=name, email=email)
    except InvalidFieldsError as error:
        field, message = next(iter(error.problems.items()))
        raise click.BadParameter(message, param_hint="--email" if field == "/email" else "NAME") from None
    session.commit()
    click.echo(str(partner.id))


@partners_group.command("list")
def list_partners_command() -> None:
    """List partners: id, active or not, name."""
    for partner in partners.list_partners(get_session()):
        state = "active" if partner.active else "inactive"
        click.echo(f"{partner.id}\t{state}\t{partner.organization.name}")


@keys_group.command("issue")
@click.option("--partner", "partner_id", type=click.UUID, help="Issue a key for this partner.")
@click.option("--operator", is_flag=True, help="Issue an operator key.")
@click.option("--label", default=None, help="A note to recognise the key by.")
def issue_key_command(partner_id: uuid.UUID | None, operator: bool, label: str | None) -> None:
    """Print a new key once, alone on its line; only its hash is stored."""
    if operator == (partner_id is not None):
        raise click.UsageError("Give exactly one of --partner ID or --operator.")
    session = get_session()
    role = Role.OPERATOR if operator else Role.PARTNER
    try:
        partner = keys.key_holder(session, role=role, partner_id=partner_id)
    except InvalidFieldsError as error:
        message = error.problems.get("/partner_id", str(error))
        if session.get(Partner, partner_id) is None:
            message = f"no partner has id {partner_id}"
        raise click.BadParameter(message, param_hint="--partner") from None
    secret = current_app.config["SECRET_KEY"]
    other = other_development_secret(secret, Path(current_app.instance_path))
    if other is not None and current_app.config["ENVIRONMENT"] != "testing":
        raise click.ClickException(
            f"SECRET_KEY is not the development secret in {other}, which a server started by "
            "`make run` signs keys with: it would refuse this key. Use the server's own settings "
            "(for `make run`: APP_ENV=development and no SECRET_KEY), or remove that file if no "
            "server uses it."
        )
    issued = keys.issue_key(
        session, secret, actor=Actor.command_line(), role=role, partner=partner, label=label
    )
    session.commit()
    click.echo(issued.token)


@keys_group.command("list")
def list_keys_command() -> None:
    """List keys: prefix, role, partner, created, last used, revoked (never the secret)."""
    for key in keys.list_keys(get_session()):
        columns = [key.prefix, key.role, str(key.partner_id or "-"), key.created.isoformat()]
        columns.append(key.last_used_at.isoformat() if key.last_used_at else "never used")
        columns.append(f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "live")
        click.echo("\t".join(columns))


@keys_group.command("revoke")
@click.argument("prefix")
def revoke_key_command(prefix: str) -> None:
    """Revoke the key with this public prefix; it stops working at once."""
    session = get_session()
    key = keys.find_key(session, prefix)
    if key is None:
        raise click.BadParameter(f"no key has prefix {prefix}", param_hint="PREFIX")
    if not keys.revoke_key(session, actor=Actor.command_line(), key=key):
        click.echo(f"Key {prefix} was already revoked.")
        return
    session.commit()
    click.echo(f"Key {prefix} revoked.")
