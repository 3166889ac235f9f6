"""Who is writing: every write is made by an actor, recorded with it in the audit log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services_api.models import Role

CLI_ROLE = "cli"


@dataclass(frozen=True)
class Actor:
    """Who is writing: a key (with its role and partner) or the command line."""

    role: str
    key_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None
    request_id: str | None = None

    @property
    def is_operator(self) -> bool:
        """True for the operator's keys and for the command line."""
        return self.role in (Role.OPERATOR.value, CLI_ROLE)

    @classmethod
    def command_line(cls) -> Actor:
        """The actor for changes made with `flask --app services_api ...`."""
        return cls(role=CLI_ROLE)
