"""every organisation has a description: a blank one becomes the organisation's name

HSDS requires an organisation's description, and the export's organizations.csv fails validation
without one. New organisations cannot be stored without it any more; one stored earlier with a blank
description gets its name as description, as a partner created from the command line does.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.execute(
        "UPDATE organization SET description = name WHERE description IS NULL OR trim(description) = ''"
    )


def downgrade() -> None:
    """Nothing to undo: which descriptions were blank is not kept, and a description is valid anyway."""
