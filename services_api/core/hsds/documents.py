"""Load HSDS 3.0 JSON documents into the database, creating or updating records by id.

Importing the same document twice changes nothing: a record is only written when a value
differs, and children missing from a document are removed from their parent.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    Uuid,
    inspect,
)
from sqlalchemy.orm import Session

from services_api.core import field_rules
from services_api.core.errors import InvalidError
from services_api.core.geocoding.precision import EXACT
from services_api.core.hsds.phone_regions import PhoneRegions
from services_api.core.hsds.stored_records import stored_record
from services_api.core.listings.ownership import misplaced_parents
from services_api.core.plain_text import STRAY_CONTROL_RULE, has_stray_controls
from services_api.core.search.text import refresh_search_text
from services_api.geo.areas import AreaError
from services_api.models import (
    SERVICE_STATUSES,
    Accessibility,
    Address,
    Attribute,
    Base,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    VettingStatus,
    utcnow,
)
from services_api.models.base import UTCDateTime

# Columns the server derives or maintains: never in an admin document under their own name, so a
# value for one is refused, never written (a wrong `spatial_key` would corrupt SQLite's place index).
SET_BY_SERVER = frozenset(
    {
        "created",
        "modified",
        "row_version",
        "search_text",
        "spatial_key",
        "public_latitude",
        "public_longitude",
        "public_x",
        "public_y",
        "public_z",
        "min_latitude",
        "max_latitude",
        "min_longitude",
        "max_longitude",
    }
)
SET_BY_SERVER_RULE = "is set by the server; leave it out"


def server_set_given(doc: Mapping[str, Any]) -> list[str]:
    """Return the server-set columns `doc` gives a value for (null or empty counts as left out)."""
    return sorted(name for name in SET_BY_SERVER & doc.keys() if doc[name] is not None and doc[name] != "")


OPERATOR_ONLY = frozenset(
    {
        "vetting_status",
        "vetted_at",
        "vetted_by",
        "vetting_criteria",
        "vetting_notes",
        "next_review_due",
        "last_verified_at",
        "withdrawn_at",
    }
)


@dataclass(frozen=True)
class Node:
    """How one HSDS object maps onto a model: its child collections by JSON key, and a content check."""

    model: type[Base]
    children: Mapping[str, Node] = field(default_factory=dict)
    check: Callable[[Any], dict[str, str]] | None = None


def _extent_problems(service_area: ServiceArea) -> dict[str, str]:
    """Return what is wrong with a service area's extent, by field."""
    try:
        service_area.area()
    except AreaError as error:
        return {"extent": str(error)}
    return {}


def _service_problems(service: Service) -> dict[str, str]:
    """Return what is wrong with a service's status fields, by field."""
    problems = {}
    if service.status is not None and service.status not in SERVICE_STATUSES:
        problems["status"] = f"must be one of: {', '.join(SERVICE_STATUSES)}"
    if service.vetting_status is not None and service.vetting_status not in {
        status.value for status in VettingStatus
    }:
        problems["vetting_status"] = f"must be one of: {', '.join(status.value for status in VettingStatus)}"
    return problems


LANGUAGE_NODE = Node(Language)
PHONE_NODE = Node(Phone, {"languages": LANGUAGE_NODE})
CONTACT_NODE = Node(Contact, {"phones": PHONE_NODE})
SCHEDULE_NODE = Node(Schedule, check=field_rules.schedule_problems)
ATTRIBUTE_NODE = Node(Attribute)
LOCATION_NODE = Node(
    Location,
    children={
        "addresses": Node(Address),
        "accessibility": Node(Accessibility),
        "phones": PHONE_NODE,
        "schedules": SCHEDULE_NODE,
        "languages": LANGUAGE_NODE,
        "contacts": CONTACT_NODE,
        "attributes": ATTRIBUTE_NODE,
    },
)
SERVICE_AT_LOCATION_NODE = Node(
    ServiceAtLocation, {"phones": PHONE_NODE, "schedules": SCHEDULE_NODE, "contacts": CONTACT_NODE}
)
SERVICE_NODE = Node(
    Service,
    check=_service_problems,
    children={
        "phones": PHONE_NODE,
        "schedules": SCHEDULE_NODE,
        "languages": LANGUAGE_NODE,
        "contacts": CONTACT_NODE,
        "service_areas": Node(ServiceArea, check=_extent_problems),
        "cost_options": Node(CostOption),
        "attributes": ATTRIBUTE_NODE,
        "service_at_locations": SERVICE_AT_LOCATION_NODE,
    },
)
ORGANIZATION_NODE = Node(
    Organization,
    {"phones": PHONE_NODE, "contacts": CONTACT_NODE, "locations": LOCATION_NODE, "services": SERVICE_NODE},
)
STAND_IN_NODES = {
    "service": SERVICE_NODE,
    "location": LOCATION_NODE,
    "service_at_location": SERVICE_AT_LOCATION_NODE,
    "contact": CONTACT_NODE,
    "phone": PHONE_NODE,
}
TAXONOMY_NODE = Node(Taxonomy)
TAXONOMY_TERM_NODE = Node(TaxonomyTerm)


class HSDSImportError(InvalidError):
    """A document could not be imported; `problems` maps a JSON path to what is wrong there."""

    def __init__(self, problems: dict[str, str], *, total: int | None = None):
        self.total = len(problems) if total is None else total  # more than listed when capped
        self.count = f"{self.total:,} problem(s)"
        if self.total > len(problems):
            self.count += (
                f"; the first {len(problems):,} are listed, {self.total - len(problems):,} more are not"
            )
        super().__init__(f"Nothing imported: {self.count}.", problems=problems)

    def __str__(self) -> str:
        return "; ".join(f"{path}: {message}" for path, message in self.problems.items())


@dataclass
class ImportResult:
    """What an import did: ids of records created and of records whose content changed."""

    created: list[uuid.UUID] = field(default_factory=list)
    changed: list[uuid.UUID] = field(default_factory=list)
    services: dict[uuid.UUID, Service] = field(default_factory=dict, repr=False)


class _Importer:
    def __init__(
        self,
        session: Session,
        *,
        trusted: bool,
        prune: bool = True,
        origins: Mapping[tuple[str, str], str] | None = None,
    ):
        self.session = session
        self.trusted = trusted
        self.prune = prune
        self.origins = origins or {}
        self.separator = "/" if origins else "."
        self.problems: dict[str, str] = {}
        self.result = ImportResult()
        self.touched_services: dict[uuid.UUID, Service] = {}
        self.records: dict[tuple[type[Base], uuid.UUID], Any] = {}
        self.regions = PhoneRegions(session, self.records, prune=prune)

    def upsert(
        self,
        node: Node,
        doc: Any,
        path: str,
        fixed: Mapping[str, Any] | None = None,
        set_by_parent: frozenset[str] = frozenset(),
        parent: Any = None,
        region: str | None = None,
    ) -> tuple[Any, bool]:
        """Create or update one record and its children; return it and whether anything changed.

        `region` is the country its phone numbers are read in, unless it has addresses of its own.
        """
        if not isinstance(doc, Mapping):
            self.problems[path] = "must be an object"
            return None, False
        path = self.origins.get((node.model.__tablename__, str(doc.get("id"))), path)
        if parent is not None:
            misplaced = misplaced_parents(parent.__tablename__, parent.id, set_by_parent, doc)
            for name, problem in misplaced.items():
                self.problems[self._at(path, name)] = problem
        record_id = self._uuid(doc.get("id"), self._at(path, "id"))
        if record_id is None:
            return None, False
        seen = self.records.get((node.model, record_id))
        if seen is not None:
            region = self.regions.of(node.model, doc, seen, region)
            return seen, self._sync_all_children(node, seen, doc, path, region)
        record = stored_record(self.session, model=node.model, record_id=record_id)
        is_new = record is None
        if record is None:
            record = node.model(id=record_id)
            self.session.add(record)
        self.records[(node.model, record_id)] = record
        changed = is_new
        values = {**self._scalars(node.model, doc, path, stored=None if is_new else record), **(fixed or {})}
        stored = None if is_new else record
        region = self.regions.of(node.model, doc, stored, region)
        if region is None and parent is None:  # a record written on its own: its organisation's places
            organization_id = values.get("organization_id") or getattr(stored, "organization_id", None)
            region = self.regions.of_organization(organization_id)
        if node.model is Phone:
            self._read_phone(values, doc, path, region)
        if node.model is Location:
            _note_given_point(record, values, is_new=is_new)
        if is_new:
            self._check_required(node.model, values, set_by_parent, path)
        for name, value in values.items():
            if getattr(record, name) != value:
                setattr(record, name, value)
                changed = True
        for name, problem in (node.check(record) if node.check else {}).items():
            self.problems[self._at(path, name)] = problem
        changed |= self._sync_all_children(node, record, doc, path, region)
        if isinstance(record, Service) and changed:
            self.touched_services[record.id] = record
            if record.vetting_status == VettingStatus.VETTED.value and record.vetted_at is None:
                record.vetted_at = record.last_verified_at or utcnow()
        if is_new:
            self.result.created.append(record_id)
        elif changed:
            self.result.changed.append(record_id)
        return record, changed

    def finish(self) -> None:
        """Raise the problems found, or flush and mark every service whose content changed as modified now."""
        if self.problems:
            raise HSDSImportError(self.problems)
        self.session.flush()
        now = utcnow()
        for service in self.touched_services.values():
            service.modified = now

    def link_terms(self) -> None:
        """Point each attribute at its term object, so search text is right before anything is written."""
        for (model, _record_id), record in self.records.items():
            if model is not Attribute or record.taxonomy_term_id is None:
                continue
            term = self.records.get((TaxonomyTerm, record.taxonomy_term_id)) or stored_record(
                self.session, model=TaxonomyTerm, record_id=record.taxonomy_term_id
            )
            if term is not None and record.taxonomy_term is not term:
                record.taxonomy_term = term

    def renamed_services(self) -> dict[uuid.UUID, Service]:
        """Return the services whose search text holds a name this import changed.

        That is every service of an organisation that was renamed and, when a term was renamed,
        every service of the organisations imported.
        """

        def renamed(record: Any, *names: str) -> bool:
            return any(inspect(record).attrs[name].history.has_changes() for name in names)

        organizations = [record for (model, _id), record in self.records.items() if model is Organization]
        terms_renamed = any(
            renamed(record, "name") for (model, _id), record in self.records.items() if model is TaxonomyTerm
        )
        return {
            service.id: service
            for organization in organizations
            if terms_renamed or renamed(organization, "name", "alternate_name")
            for service in organization.services
        }

    def _at(self, path: str, name: str) -> str:
        return f"{path}{self.separator}{name}"

    def _sync_all_children(
        self, node: Node, record: Any, doc: Mapping[str, Any], path: str, region: str | None
    ) -> bool:
        changed = False
        for key, child in node.children.items():
            if key in doc:
                changed |= self._sync_children(record, key, child, doc[key], self._at(path, key), region)
        return changed

    def _sync_children(
        self, parent: Any, key: str, node: Node, docs: Any, path: str, region: str | None
    ) -> bool:
        if docs is None:
            docs = []
        if not isinstance(docs, list):
            self.problems[path] = "must be a list"
            return False
        relationship = inspect(type(parent)).relationships[key]
        set_by_parent = frozenset(column.key for column in relationship.remote_side)
        fixed = {"link_entity": parent.__tablename__} if node.model is Attribute else None
        changed = False
        children = []
        for index, doc in enumerate(docs):
            child, child_changed = self.upsert(
                node, doc, f"{path}[{index}]", fixed, set_by_parent, parent, region
            )
            if child is not None:
                children.append(child)
                changed |= child_changed
        current = list(getattr(parent, key))
        if not self.prune:
            listed = {child.id for child in children}
            children = [child for child in current if child.id not in listed] + children
        current_ids = [child.id for child in current]
        new_ids = [child.id for child in children]
        # Without pruning (a file import) only the members count: a new order alone changes nothing.
        if current_ids != new_ids and (self.prune or set(current_ids) != set(new_ids)):
            setattr(parent, key, children)
            changed |= set(current_ids) != set(new_ids)
        return changed

    def _read_phone(
        self, values: dict[str, Any], doc: Mapping[str, Any], path: str, region: str | None
    ) -> None:
        """Store the number in E.164, keep it as typed in `display_number`, in the listing's country."""
        number = values.get("number")
        if not isinstance(number, str):
            return
        try:
            phone = field_rules.read_phone(
                number,
                region=region or field_rules.default_country(self.session),
                display_number=values.get("display_number") if doc.get("display_number") else None,
                extension=values.get("extension"),
            )
        except field_rules.PhoneError as error:
            self.problems[self._at(path, error.field)] = str(error)
            return
        values.update(number=phone.number, display_number=phone.display_number)
        if phone.extension is not None:
            values["extension"] = phone.extension

    def _scalars(
        self, model: type[Base], doc: Mapping[str, Any], path: str, *, stored: Any
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in server_set_given(doc):
            if name in model.__table__.columns:
                self.problems[self._at(path, name)] = SET_BY_SERVER_RULE
        for column in model.__table__.columns:
            name = column.key
            if name not in doc or name == "id" or name in SET_BY_SERVER:
                continue
            if name in OPERATOR_ONLY and not self.trusted:
                continue
            try:
                value = field_rules.checked(model.__tablename__, name, _convert(column, doc[name]))
            except (TypeError, ValueError) as error:
                self.problems[self._at(path, name)] = str(error)
                continue
            if value is None and stored is not None and getattr(stored, name) == "":
                continue  # an empty CSV cell reads as null: a stored empty text stays as it is
            if value is None and not column.nullable:
                if stored is not None:  # a new record takes the column's default instead
                    self.problems[self._at(path, name)] = "must not be null"
                continue
            values[name] = value
        return values

    def _check_required(
        self, model: type[Base], values: Mapping[str, Any], set_by_parent: frozenset[str], path: str
    ) -> None:
        for column in model.__table__.columns:
            needed = not column.nullable and column.default is None and not column.primary_key
            if needed and column.key not in values and column.key not in set_by_parent:
                self.problems.setdefault(self._at(path, column.key), "is required")

    def _uuid(self, value: Any, path: str) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(value))
        except (TypeError, ValueError):
            self.problems[path] = "must be a UUID"
            return None


def _note_given_point(location: Location, values: dict[str, Any], *, is_new: bool) -> None:
    """A point the document gives (a new one, or a moved one) is exact unless it says how it was placed."""
    if "geocode_precision" in values:
        return
    moved = any(
        name in values and (is_new or getattr(location, name) != values[name])
        for name in ("latitude", "longitude")
    )
    if moved:
        latitude, longitude = (
            values.get(name, getattr(location, name)) for name in ("latitude", "longitude")
        )
        values["geocode_precision"] = EXACT if latitude is not None and longitude is not None else None


# The largest value each integer column type holds on every database (PostgreSQL's sizes).
INTEGER_LIMITS = {SmallInteger: 2**15 - 1, Integer: 2**31 - 1, BigInteger: 2**63 - 1}


def _convert(column: Any, value: Any) -> Any:
    """Convert a JSON value to the Python type of a column, or raise ValueError saying why."""
    column_type = column.type
    if value is None or (value == "" and not isinstance(column_type, String | Text)):
        if not column.nullable and column.default is None:
            raise ValueError("is required")
        return None
    if isinstance(column_type, Uuid):
        return uuid.UUID(str(value))
    if isinstance(column_type, UTCDateTime):
        return _parse_datetime(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(str(value)[:10])
    if isinstance(column_type, Time):
        return _parse_time(value)
    if isinstance(column_type, Boolean):
        if isinstance(value, bool):
            return value
        raise ValueError("must be true or false")
    if isinstance(column_type, Integer):
        return _whole_number(value, INTEGER_LIMITS.get(type(column_type), INTEGER_LIMITS[Integer]))
    if isinstance(column_type, Float):
        return _number(value)
    if isinstance(column_type, String | Text):
        if not isinstance(value, str | int | float):
            raise ValueError("must be a string")
        text = str(value)
        if has_stray_controls(text):
            raise ValueError(STRAY_CONTROL_RULE)
        length = getattr(column_type, "length", None)
        if length and len(text) > length:
            raise ValueError(f"must be at most {length} characters")
        return text
    return value


def _whole_number(value: Any, limit: int) -> int:
    number = value if isinstance(value, int) and not isinstance(value, bool) else _number(value)
    if number != int(number):
        raise ValueError("must be a whole number")
    if not -limit - 1 <= number <= limit:
        raise ValueError(f"must be between {-limit - 1} and {limit}")
    return int(number)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("must be a number") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _parse_datetime(value: Any) -> datetime:
    text = str(value).strip()
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text or " " in text else None
    if parsed is None:
        parsed = datetime.combine(date.fromisoformat(text), time(0, 0))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_time(value: Any) -> time:
    text = str(value).strip()
    if len(text) == 4 and text[1] == ":":
        text = "0" + text
    try:
        return time.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise ValueError("must be a time of day like 09:30 or 09:30:00") from None


def import_organizations(session: Session, documents: Iterable[Any], *, trusted: bool) -> ImportResult:
    """Import HSDS organizations with their nested locations and services.

    `trusted` (the operator or the seed) also imports vetting and freshness fields; otherwise
    they are ignored. Raises HSDSImportError naming every bad field; nothing is flushed then.
    """
    importer = _Importer(session, trusted=trusted)
    organizations = []
    with session.no_autoflush:
        for index, doc in enumerate(documents):
            organization, _changed = importer.upsert(ORGANIZATION_NODE, doc, f"organizations[{index}]")
            organizations.append(organization)
    importer.finish()
    for organization in organizations:
        for service in organization.services:
            refresh_search_text(service)
    session.flush()
    return importer.result


def import_taxonomy(session: Session, *, taxonomy: Any, terms: Iterable[Any]) -> ImportResult:
    """Import an HSDS taxonomy and its terms (parents before children)."""
    importer = _Importer(session, trusted=True)
    with session.no_autoflush:
        importer.upsert(TAXONOMY_NODE, taxonomy, "taxonomy")
        for index, term in enumerate(terms):
            importer.upsert(TAXONOMY_TERM_NODE, term, f"terms[{index}]")
    if importer.problems:
        raise HSDSImportError(importer.problems)
    session.flush()
    return importer.result


def upsert_one(
    session: Session,
    *,
    node: Node,
    doc: Mapping[str, Any],
    fixed: Mapping[str, Any] | None = None,
    trusted: bool = False,
    path: str = "",
) -> tuple[Any, bool]:
    """Create or update one record with its nested children; return it and whether it changed.

    Raises HSDSImportError naming every bad field (paths are JSON pointers under `path`).
    """
    importer = _Importer(session, trusted=trusted)
    with session.no_autoflush:
        record, changed = importer.upsert(node, doc, path, fixed)
        problems = {**importer.problems, **_unknown_terms(session, node, doc, path)}
    if problems:
        raise HSDSImportError({_pointer(key): message for key, message in problems.items()})
    importer.finish()
    for service in importer.touched_services.values():
        refresh_search_text(service)
    session.flush()
    return record, changed


def children_problems(session: Session, *, node: Node, key: str, docs: Any) -> dict[str, str]:
    """Name (by JSON pointer) what would stop `docs` being written as a record's `key`, writing nothing.

    The same checks the write itself makes (types, lengths, required columns, known taxonomy
    terms), so a change held for the operator is refused when it is proposed, never at approval.
    Only for children without children of their own (a held change's attributes).
    """
    importer = _Importer(session, trusted=False)
    child = node.children[key]
    path = f".{key}"
    if docs is None:
        docs = []
    if not isinstance(docs, list):
        return {_pointer(path): "must be a list"}
    relationship = inspect(node.model).relationships[key]
    set_by_parent = frozenset(str(column.key) for column in relationship.remote_side)
    fixed = {"link_entity": node.model.__tablename__} if child.model is Attribute else {}
    for index, doc in enumerate(docs):
        where = f"{path}[{index}]"
        if not isinstance(doc, Mapping):
            importer.problems[where] = "must be an object"
            continue
        record_id = importer._uuid(doc.get("id"), importer._at(where, "id"))
        stored = (
            stored_record(session, model=child.model, record_id=record_id) if record_id is not None else None
        )
        values = {**importer._scalars(child.model, doc, where, stored=stored), **fixed}
        if stored is None:
            importer._check_required(child.model, values, set_by_parent, where)
    problems = {**importer.problems, **_unknown_terms(session, node, {key: docs}, "")}
    return {_pointer(where): message for where, message in problems.items()}


def server_set_fields(node: Node, doc: Mapping[str, Any], path: str = "") -> dict[str, str]:
    """Name (by JSON pointer) every column in `doc` or its nested records that only the server sets."""
    problems = {f"{path}/{name}": SET_BY_SERVER_RULE for name in server_set_given(doc)}
    for key, child in node.children.items():
        items = doc.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, Mapping):
                problems.update(server_set_fields(child, item, f"{path}/{key}/{index}"))
    return problems


def unknown_children(node: Node, doc: Mapping[str, Any], owner: Any) -> dict[str, str]:
    """Name (by JSON pointer) every nested id in `doc` that is not one of `owner`'s own nested records.

    A client leaves the id of a new nested record out (the server gives it one). Any other id gets
    the same answer whether no record has it or another record, perhaps another organisation's, has
    it, so that no one learns which ids exist.
    """
    problems: dict[str, str] = {}
    for key, child in node.children.items():
        docs = doc.get(key)
        if not isinstance(docs, list):
            continue
        own = {str(item.id): item for item in getattr(owner, key, [])} if owner is not None else {}
        for index, child_doc in enumerate(docs):
            if not isinstance(child_doc, Mapping):
                continue
            given = child_doc.get("id")
            if given in (None, ""):
                stored = None
            elif str(given).lower() in own:
                stored = own[str(given).lower()]
            else:
                problems[f"/{key}/{index}/id"] = (
                    f"is not the id of one of this record's {key}; leave it out to add a new one"
                )
                continue
            for sub_path, message in unknown_children(child, child_doc, stored).items():
                problems[f"/{key}/{index}{sub_path}"] = message
    return problems


def foreign_children(session: Session, *, node: Node, doc: Mapping[str, Any], owner: Any) -> dict[str, str]:
    """Return the nested records in `doc` that already exist but belong to a record other than `owner`."""
    problems: dict[str, str] = {}
    for key, child in node.children.items():
        docs = doc.get(key)
        if not isinstance(docs, list):
            continue
        own = {item.id for item in getattr(owner, key, [])} if owner is not None else set()
        for index, child_doc in enumerate(docs):
            if not isinstance(child_doc, Mapping):
                continue
            try:
                child_id = uuid.UUID(str(child_doc.get("id")))
            except ValueError:
                continue
            existing = session.get(child.model, child_id)
            if existing is not None and child_id not in own:
                problems[f"/{key}/{index}/id"] = "belongs to another record"
            else:
                for sub_path, message in foreign_children(
                    session, node=child, doc=child_doc, owner=existing
                ).items():
                    problems[f"/{key}/{index}{sub_path}"] = message
    return problems


def _unknown_terms(session: Session, node: Node, doc: Any, path: str) -> dict[str, str]:
    """Return the attributes in `doc` (at any depth) whose taxonomy term does not exist."""
    problems: dict[str, str] = {}
    if not isinstance(doc, Mapping):
        return problems
    for key, child in node.children.items():
        docs = doc.get(key)
        if not isinstance(docs, list):
            continue
        for index, child_doc in enumerate(docs):
            child_path = f"{path}.{key}[{index}]"
            if child.model is Attribute and isinstance(child_doc, Mapping):
                try:
                    term_id = uuid.UUID(str(child_doc.get("taxonomy_term_id")))
                except ValueError:
                    continue
                if session.get(TaxonomyTerm, term_id) is None:
                    problems[f"{child_path}.taxonomy_term_id"] = "is not a known taxonomy term"
            else:
                problems.update(_unknown_terms(session, child, child_doc, child_path))
    return problems


def _pointer(path: str) -> str:
    """Turn an importer path like `.phones[0].number` into a JSON pointer like `/phones/0/number`."""
    pointer = path.replace("[", ".").replace("]", "")
    return "/" + "/".join(part for part in pointer.split(".") if part)


def import_records(
    session: Session,
    *,
    organizations: Iterable[Any] = (),
    locations: Iterable[Any] = (),
    taxonomies: Iterable[Any] = (),
    terms: Iterable[Any] = (),
    stand_ins: Iterable[tuple[str, Any]] = (),
    trusted: bool,
    prune: bool,
    origins: Mapping[tuple[str, str], str],
) -> ImportResult:
    """Prepare taxonomies, terms (parents first), organisations and locations that belong to none.

    `stand_ins` are (table, document) pairs of records already stored, holding new children of
    theirs (a phone of a stored service). Without `prune`, records already stored but missing from
    the documents are kept (the documents add and update, never remove). Problems are named by
    `origins`, the place in the source file of each record (by table and id). Raises
    HSDSImportError. Nothing is written: the records wait in the session, complete (modified times
    and search text set), for the caller's flush, which then only writes.
    """
    importer = _Importer(session, trusted=trusted, prune=prune, origins=origins)
    roots = [
        *((TAXONOMY_NODE, doc) for doc in taxonomies),
        *((TAXONOMY_TERM_NODE, doc) for doc in terms),
        *((ORGANIZATION_NODE, doc) for doc in organizations),
        *((LOCATION_NODE, doc) for doc in locations),
        *((STAND_IN_NODES[table], doc) for table, doc in stand_ins),
    ]
    with session.no_autoflush:
        for index, (node, doc) in enumerate(roots):
            importer.upsert(node, doc, f"/{index}")
        if importer.problems:
            raise HSDSImportError(importer.problems)
        importer.link_terms()
        now = utcnow()
        for service in importer.touched_services.values():
            service.modified = now
        for service in {
            **importer.touched_services,
            **importer.renamed_services(),
        }.values():
            refresh_search_text(service)
    importer.result.services = {
        record_id: record for (model, record_id), record in importer.records.items() if model is Service
    }
    return importer.result
