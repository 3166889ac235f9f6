"""phone numbers stored in E.164, the number as typed kept for display

`phone.number` now holds E.164 (`+442079460000`), read with the phonenumbers library in the
listing's country, so that clients can dial and compare numbers; `display_number` keeps the number
as the partner typed it (`020 7946 0000`), for people. Stored numbers that carry their country code
and are valid are converted here; the others keep their text (it needs the listing's country, which
the next edit or import of the listing supplies) and are shown as they are.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import phonenumbers
import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PHONE = sa.table("phone", sa.column("id", sa.Uuid()), sa.column("number"), sa.column("display_number"))


def upgrade() -> None:
    """Apply this migration."""
    op.add_column("phone", sa.Column("display_number", sa.String(64), nullable=True))
    bind = op.get_bind()
    for phone_id, number in bind.execute(sa.select(PHONE.c.id, PHONE.c.number)).all():
        stored = _e164(number)
        bind.execute(
            PHONE.update()
            .where(PHONE.c.id == phone_id)
            .values(number=stored or number, display_number=number)
        )


def _e164(number: str) -> str | None:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    if parsed.extension or not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def downgrade() -> None:
    """Revert this migration: numbers go back to how they were typed."""
    op.execute(
        PHONE.update().where(PHONE.c.display_number.is_not(None)).values(number=PHONE.c.display_number)
    )
    op.drop_column("phone", "display_number")
