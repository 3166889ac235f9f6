"""Command-line tools: `flask --app services_api <command>`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .access_cli import keys_group, partners_group
from .core.audit import Actor, record_event
from .core.seed import (
    directory_is_empty,
    seed_demo_directory,
    seed_gazetteer,
    seed_taxonomies,
)
from .core.synthetic import SeedAlreadyUsedError, create_synthetic_listings
from .db import get_engine, get_session, refresh_statistics
from .migrate import upgrade_to_head

OPENAPI_FILE = Path(__file__).resolve().parents[1] / "openapi" / "swagger.json"


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    upgrade_to_head(get_engine())
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
        Actor.command_line(),
        "seed",
        "directory",
        "demo",
        {"records": {"before": None, "after": counts}},
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
        Actor.command_line(),
        "seed",
        "directory",
        f"synthetic-{seed}",
        {"listings": {"before": None, "after": created}},
    )
    session.commit()
    refresh_statistics(session)
    session.commit()
    elapsed = time.perf_counter() - started
    click.echo(f"Created {created} synthetic listings (seed {seed}) in {elapsed:.1f} s.")


def write_openapi(path: Path = OPENAPI_FILE) -> str:
    """Write the app's OpenAPI (Swagger 2.0) document to `path` and return its text."""
    text = openapi_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def openapi_text() -> str:
    """Return the app's OpenAPI document as stable, sorted JSON."""
    api = current_app.extensions["restx_api"]
    with current_app.test_request_context():
        spec = api.__schema__
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@click.command("openapi")
@click.option("--output", type=click.Path(path_type=Path), default=OPENAPI_FILE, show_default=True)
@with_appcontext
def openapi_command(output: Path) -> None:
    """Write the OpenAPI document into openapi/."""
    write_openapi(output)
    click.echo(f"Wrote {output}")


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_group)
    app.cli.add_command(openapi_command)
    app.cli.add_command(partners_group)
    app.cli.add_command(keys_group)
