"""What the domain refuses, and why: every error core raises is one of these kinds.

Each carries a sentence for people (`message`) and, where the fault is in named fields or parameters,
`problems`: a JSON pointer (or a query parameter's name) mapped to what is wrong there. The API layer
gives each kind its status code in one place (`api/errors.py`); core never speaks HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """A request the domain refuses."""

    def __init__(self, message: str, *, problems: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.problems: dict[str, Any] = dict(problems or {})


class NotFoundError(DomainError):
    """No record the caller may see has this id (also when it exists but is someone else's)."""


class BadParameterError(DomainError):
    """Query or path parameters that cannot be read, or name something that does not exist (a code)."""


class InvalidError(DomainError):
    """Fields or parameters that are wrong or not allowed, each named with what is wrong."""


class ForbiddenError(DomainError):
    """The caller is known but may not do this."""


class ConflictError(DomainError):
    """The request does not fit what is stored or the record's current state."""


class PreconditionError(DomainError):
    """The record changed since the caller read it."""


class TooLargeError(DomainError):
    """The request asks for more than one request may (a body, an archive, a file)."""


class InvalidFieldsError(InvalidError):
    """The document has fields that are wrong or not allowed, by JSON pointer."""

    def __init__(self, problems: Mapping[str, str]):
        super().__init__(f"The request has invalid fields: {', '.join(problems)}", problems=problems)

    def __str__(self) -> str:
        return "; ".join(f"{path}: {message}" for path, message in self.problems.items())


class NotAllowedError(ConflictError):
    """The action does not apply to the record in its current state."""


def bad_parameters(problems: Mapping[str, Any], *, where: str = "query") -> BadParameterError:
    """Return a BadParameterError whose message names each parameter in `problems` (sorted)."""
    return BadParameterError(f"Invalid {where} parameter: {', '.join(sorted(problems))}", problems=problems)


def invalid_fields(
    problems: Mapping[str, Any], *, lead: str = "The request has invalid fields"
) -> InvalidError:
    """Return an InvalidError whose message lists the fields named in `problems`, in their order."""
    return InvalidError(f"{lead}: {', '.join(problems)}", problems=problems)
