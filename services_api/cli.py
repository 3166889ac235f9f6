"""Command-line tools: `flask --app services_api <command>`."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.orm import Session

from services_api.access_cli import keys_group, partners_group
from services_api.core.actors import Actor
from services_api.core.hsds.documents import HSDSImportError
from services_api.core.hsds.file_import import FileImportResult
from services_api.core.hsds.files import HSDSFileError, read_hsds
from services_api.core.hsds.partner_import import ImportConflictError, import_as
from services_api.core.listings.audit import record_event
from services_api.core.seeding.demo import (
    directory_is_empty,
    seed_demo_directory,
    seed_gazetteer,
    seed_taxonomies,
)
from services_api.core.seeding.synthetic import SeedAlreadyUsedError, create_synthetic_listings
from services_api.db import get_session, make_engine, refresh_statistics
from services_api.locators import address_locator
from services_api.migrate import upgrade_to_head
from services_api.models import Partner

OPENAPI_FILE = Path(__file__).resolve().parents[1] / "openapi" / "swagger.json"
OPENAPI31_FILE = OPENAPI_FILE.with_name("openapi.json")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (safe to run again); the one command that creates the file."""
    engine = make_engine(current_app.config["DATABASE_URL"])
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    click.echo("Database schema is up to date.")


@click.group("seed", cls=AppGroup, invoke_without_command=True)
@click.option("--if-empty", is_flag=True, help="Only seed when the directory holds no organisation yet.")
@click.pass_context
@with_appcontext
def seed_group(ctx: click.Context, if_empty: bool) -> None:
    """Load the taxonomies and the demo directory (running it again changes nothing)."""
    if ctx.invoked_subcommand is not None:
        return
    session = get_session()
    if if_empty and not directory_is_empty(session):
        click.echo("The directory already has data; nothing seeded.")
        return
    places = seed_gazetteer(session)
    taxonomies = seed_taxonomies(session)
    demo = seed_demo_directory(session)
    counts = {"created": taxonomies.created + demo.created, "changed": taxonomies.changed + demo.changed}
    record_event(
        session,
        actor=Actor.command_line(),
        action="seed",
        entity_type="directory",
        entity_id="demo",
        changes={"records": {"before": None, "after": counts}},
    )
    session.commit()
    refresh_statistics(session)
    session.commit()
    click.echo(
        f"Seeded: {taxonomies.created + demo.created} records created, "
        f"{taxonomies.changed + demo.changed} changed; {places} gazetteer rows loaded."
    )


@seed_group.command("synthetic")
@click.option(
    "--locations", "count", type=click.IntRange(min=1), required=True, help="How many listings to create."
)
@click.option(
    "--seed", "seed", type=int, default=0, show_default=True, help="Random seed (same seed, same rows)."
)
def seed_synthetic_command(count: int, seed: int) -> None:
    """Create vetted, public synthetic listings around gazetteer cities, for load tests."""
    session = get_session()
    started = time.perf_counter()
    try:
        created = create_synthetic_listings(
            session, count=count, seed=seed, after_batch=lambda _created: session.commit()
        )
    except SeedAlreadyUsedError as error:
        session.rollback()
        click.echo(str(error))
        return
    record_event(
        session,
        actor=Actor.command_line(),
        action="seed",
        entity_type="directory",
        entity_id=f"synthetic-{seed}",
        changes={"listings": {"before": None, "after": created}},
    )
    session.commit()
    refresh_statistics(session)
    session.commit()
    elapsed = time.perf_counter() - started
    click.echo(f"Created {created} synthetic listings (seed {seed}) in {elapsed:.1f} s.")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--vetted",
    is_flag=True,
    help="I have vetted these services: make them public now (otherwise new ones wait as pending).",
)
@click.option(
    "--partner",
    "partner_id",
    type=click.UUID,
    help="Import for this partner: only into its own organisation, new services pending.",
)
@click.option("--dry-run", is_flag=True, help="Check the whole file and report; write nothing.")
@with_appcontext
def import_command(path: Path, vetted: bool, partner_id: uuid.UUID | None, dry_run: bool) -> None:
    """Import an HSDS 3.0 file: JSON, ndjson, or a CSV data package (folder or zip).

    Without --partner, as the operator (keeping the organisations named in the file); with it, as
    that partner would through the admin API. All or nothing: every record is checked, and any
    problem stops the import with every problem named by its place in the file (exit code 1).
    """
    session = get_session()
    if partner_id is not None and vetted:
        raise click.UsageError("--vetted is the operator's attestation; it cannot go with --partner.")
    actor = Actor.command_line()
    if partner_id is not None:
        _require_active_partner(session, partner_id)
        actor = replace(actor, partner_id=partner_id)
    try:
        result = import_as(
            session,
            actor=actor,
            tables=read_hsds(path),
            locator=address_locator(),
            vetted=vetted,
            vetted_by=f"operator import of {path.name}",
            source=path.name,
            dry_run=dry_run,
            default_language=current_app.config["DEFAULT_LANGUAGE"],
        )
    except HSDSFileError as error:
        session.rollback()
        click.echo(f"Cannot read {path}: {error}", err=True)
        raise click.exceptions.Exit(2) from None
    except HSDSImportError as error:
        session.rollback()
        click.echo(f"Nothing imported: {error.count} in {path}:", err=True)
        for where, message in error.problems.items():
            click.echo(f"  {where}: {message}", err=True)
        raise click.exceptions.Exit(1) from None
    except ImportConflictError as error:
        session.rollback()
        click.echo(str(error), err=True)
        raise click.exceptions.Exit(1) from None
    if dry_run:
        session.rollback()
    else:
        session.commit()
    _report_import(result, vetted, dry_run=dry_run)


def _require_active_partner(session: Session, partner_id: uuid.UUID) -> None:
    partner = session.get(Partner, partner_id)
    if partner is None or not partner.active:
        raise click.BadParameter(f"no active partner has id {partner_id}", param_hint="--partner")


def _report_import(result: FileImportResult, vetted: bool, *, dry_run: bool) -> None:
    state = "vetted unless the file states their status" if vetted else "pending unless already vetted"
    services = f"; {result.services} service(s), {state}" if result.services else ""
    if dry_run:
        click.echo(
            f"Dry run, nothing written: {result.created} records would be created, "
            f"{result.changed} changed{services}."
        )
    else:
        click.echo(f"Imported: {result.created} records created, {result.changed} changed{services}.")
    for table, count in sorted(result.left_out_tables.items()):
        click.echo(f"Not kept (this directory does not store them): {count} {table} record(s).")
    if result.left_out_fields:
        fields = ", ".join(f"{table}.{name}" for table, name in sorted(result.left_out_fields))
        click.echo(f"Fields not kept: {fields}.")
    for where, message in result.warnings.items():
        click.echo(f"Warning: {where}: {message}")


def write_openapi(path: Path = OPENAPI_FILE) -> str:
    """Write the app's OpenAPI (Swagger 2.0) document to `path` and return its text."""
    text = openapi_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def openapi_text(*, version: str = "2.0") -> str:
    """Return the app's OpenAPI document (`2.0`, restx's Swagger, or `3.1`) as stable, sorted JSON."""
    api = current_app.extensions["restx_api"]
    with current_app.test_request_context():
        spec = api.openapi31 if version == "3.1" else api.__schema__
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_openapi31(path: Path = OPENAPI31_FILE) -> str:
    """Write the app's OpenAPI 3.1 document to `path` and return its text."""
    text = openapi_text(version="3.1")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


@click.command("openapi")
@click.option("--output", type=click.Path(path_type=Path), default=OPENAPI_FILE, show_default=True)
@with_appcontext
def openapi_command(output: Path) -> None:
    """Write the OpenAPI documents into openapi/: openapi.json (3.1) and swagger.json (2.0, Swagger UI's)."""
    write_openapi(output)
    write_openapi31(output.with_name("openapi.json"))
    click.echo(f"Wrote {output} and {output.with_name('openapi.json')}")


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_group)
    app.cli.add_command(openapi_command)
    app.cli.add_command(partners_group)
    app.cli.add_command(keys_group)
    app.cli.add_command(import_command)
