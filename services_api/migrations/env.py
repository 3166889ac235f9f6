"""Alembic environment: runs migrations on the connection the app (or CLI) hands over."""

from alembic import context
from sqlalchemy import create_engine

from services_api.models import Base

config = context.config
target_metadata = Base.metadata


SPATIAL_OBJECTS_OUTSIDE_THE_MODELS = (
    "place_rtree",
    "place_index",
    "search_term_bit",
    "public_geography",
    "spatial_ref_sys",
)


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Leave the search indexes, the PostGIS column and PostGIS's tables to the hand-written migrations."""
    return not (reflected and name and name.startswith(SPATIAL_OBJECTS_OUTSIDE_THE_MODELS))


def run_migrations_online() -> None:
    """Run migrations on the given connection, or on `sqlalchemy.url` when called from alembic."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as own_connection:
        _run(own_connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
