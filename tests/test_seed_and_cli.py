"""The CLI creates the schema, seeds the demo directory, and running either again changes nothing."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from services_api.core.seeding.demo import load_json
from services_api.db import get_session
from services_api.models import (
    Address,
    AuditEvent,
    Location,
    Organization,
    Service,
    ServiceArea,
    TaxonomyTerm,
)


def _snapshot(app: Flask) -> dict[str, object]:
    with app.app_context():
        session = get_session()
        return {
            "services": sorted(
                (str(s.id), s.modified.isoformat(), s.search_text) for s in session.scalars(select(Service))
            ),
            "organizations": sorted(
                (str(o.id), o.modified.isoformat()) for o in session.scalars(select(Organization))
            ),
            "terms": session.scalar(select(func.count()).select_from(TaxonomyTerm)),
        }


def test_init_db_is_safe_to_run_again(runner: FlaskCliRunner) -> None:
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "up to date" in result.output


def test_seed_loads_the_demo_directory_and_a_second_run_changes_nothing(
    app: Flask, runner: FlaskCliRunner
) -> None:
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    before = _snapshot(app)
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "0 records created, 0 changed" in second.output
    assert _snapshot(app) == before


def test_seed_if_empty_leaves_existing_data_alone(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["seed", "--if-empty"]).exit_code == 0
    result = runner.invoke(args=["seed", "--if-empty"])
    assert "already has data" in result.output


def test_demo_directory_is_broad_enough_to_try_every_feature(seeded_app: Flask) -> None:
    with seeded_app.app_context():
        session = get_session()
        services = session.scalars(select(Service)).all()
        organizations = session.scalars(select(Organization)).all()
        addresses = session.scalars(select(Address)).all()
        assert len(services) >= 60
        assert len(organizations) >= 25
        assert len({a.city for a in addresses}) >= 6
        assert len({a.country for a in addresses}) >= 3
        tops: dict[str | None, int] = {}
        for service in services:
            for attribute in service.attributes:
                term = attribute.taxonomy_term
                top = term.parent.code if term.parent else term.code
                tops[top] = tops.get(top, 0) + 1
        assert {"health", "housing", "legal"} <= set(tops)
        assert session.scalars(select(func.count()).where(Location.confidential.is_(True))).one() >= 2
        assert session.scalars(select(func.count()).select_from(ServiceArea)).one() >= 2
        helplines = [s for s in services if s.phones and not s.service_at_locations and s.service_areas]
        assert helplines, "a phone-only helpline with a service area"
        schedules = [sc for s in services for link in s.service_at_locations for sc in link.schedules]
        schedules += [sc for s in services for sc in s.schedules]
        assert any(sc.closes_at < sc.opens_at for sc in schedules if sc.opens_at and sc.closes_at), (
            "overnight"
        )
        assert any(sc.closes_at == sc.opens_at for sc in schedules if sc.opens_at and sc.closes_at), (
            "24 hours"
        )
        assert all(location.time_zone for location in session.scalars(select(Location)))


def test_demo_directory_is_clearly_fictional() -> None:
    import re

    data = load_json("demo_directory.json")
    fictional_phone = re.compile(
        r"^\+(44 (20 7946 0|161 496 0|141 496 0|7700 900|808 157 0)\d{3}"
        r"|1 (416|212) 555 01\d\d"
        r"|61 ([23] 5550 \d{4}|1800 (160 401|975 70[7-9]|975 71[01])))$"
    )

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"url", "website"} and value:
                    assert re.match(r"^https?://([\w-]+\.)*example\.(org|com|net)(/|$)", value), value
                if key == "email" and value:
                    assert re.search(r"@([\w-]+\.)*example\.(org|com|net)$", value), value
                if key == "number":
                    assert fictional_phone.match(value), value
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)


def test_command_line_writes_are_in_the_audit_log(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert runner.invoke(args=["seed", "synthetic", "--locations", "5", "--seed", "7"]).exit_code == 0
    with app.app_context():
        events = list(get_session().scalars(select(AuditEvent).order_by(AuditEvent.id)))
    seeds = [(event.actor_role, event.action, event.entity_id) for event in events if event.action == "seed"]
    assert seeds == [("cli", "seed", "demo"), ("cli", "seed", "synthetic-7")]
    assert events[-1].changes["listings"]["after"] == 5
