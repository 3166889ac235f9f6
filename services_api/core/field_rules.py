"""What a listing's fields must hold, on every path in: admin edits, imports (JSON, ndjson, CSV), the CLI.

One rule per kind of field: names that are not blank, e-mail addresses (email-validator, syntax only:
no DNS), web addresses (http and https only), phone numbers (phonenumbers, stored in E.164), opening
schedules (RFC 5545 as HSDS uses it), languages (ISO 639) and time zones (IANA). Each rule returns
the value as it is stored (normalised) or raises ValueError with the message a 422 shows. Each
documented rule also has its JSON-schema shape (`DOCS`), so the OpenAPI document says what the
server enforces, and never less.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

import langcodes
import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

# JSON schema's `\s` (ECMA-262) is Python's whitespace plus the byte-order mark: a name counts as blank
# by the same measure, so that the documented pattern and this rule agree on every string.
_JSON_SCHEMA_SPACE = frozenset({"\ufeff"})
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES = ("WEEKLY", "MONTHLY")  # HSDS 3.0's `schedule.freq`
MAX_MONTHLY_ORDINAL = 5  # "the 5th Monday" is the last a month can have
UTC_OFFSET_HOURS = (-12.0, 14.0)
# Where the directory's default country for phone numbers travels with each session (see db.init_app).
MAX_LANGUAGE_TAG = 35
DEFAULT_COUNTRY_KEY = "default_country"

_DAY = "(?:MO|TU|WE|TH|FR|SA|SU)"
_DAY_NUMBER = rf"(?:[+-]?[1-{MAX_MONTHLY_ORDINAL}])?{_DAY}"
_NUMBERS = r"^[+-]?[0-9]{1,3}(?:,[+-]?[0-9]{1,3})*$"


def not_blank(value: str) -> str:
    """A name: anything but empty or only spaces."""
    if all(char.isspace() or char in _JSON_SCHEMA_SPACE for char in value):
        raise ValueError("must not be blank")
    return value


def email_address(value: str) -> str:
    """An e-mail address, checked by its syntax only (no DNS look-up); returned normalised."""
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise ValueError(f"must be an e-mail address: {error}") from None


def web_address(value: str) -> str:
    """A web address: http:// or https:// with a host, no spaces (never javascript:, data: ...)."""
    problem = "must be a web address starting with http:// or https://, such as https://example.org"
    if not value.startswith(("http://", "https://")) or any(
        char.isspace() or char in _JSON_SCHEMA_SPACE for char in value
    ):
        raise ValueError(problem)
    try:
        parts = urlsplit(value)
        _port = parts.port  # a malformed port raises here
    except ValueError:
        raise ValueError(problem) from None
    if not parts.hostname:
        raise ValueError(problem)
    return value


def language_code(value: str) -> str:
    """An ISO 639 code: 639-1 (`en`) or three letters of 639-2/639-3 (`eng`, `yue`); stored lower-case."""
    code = value.lower()
    problem = "must be an ISO 639-1 or ISO 639-3 language code, such as en or yue"
    if not code.isascii() or not code.isalpha() or len(code) not in (2, 3):
        raise ValueError(problem)
    found = (
        pycountry.languages.get(alpha_2=code)
        if len(code) == 2
        else pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    )
    if found is None:
        raise ValueError(problem)
    return code


@cache
def language_tag(value: str) -> str:
    """Return a BCP 47 language tag in its canonical form (`pt-br` -> `pt-BR`), or refuse an unknown one."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_LANGUAGE_TAG or not langcodes.tag_is_valid(text):
        raise ValueError("must be a known BCP 47 language tag, such as es, pt-BR or zh-Hant")
    tag = langcodes.standardize_tag(text)
    if tag in ("und", "zxx", "mul", "mis") or tag.startswith(("x-", "i-")):
        raise ValueError("must name one language, such as es, pt-BR or zh-Hant")
    return tag


def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone(value: str) -> str:
    """An IANA time zone name (the tz database that zoneinfo reads)."""
    if value not in _iana_zones():
        raise ValueError("must be an IANA time zone name, such as Europe/London")
    return value


def frequency(value: str) -> str:
    """RFC 5545 FREQ, as far as HSDS takes it."""
    if value not in FREQUENCIES:
        raise ValueError(f"must be one of: {', '.join(FREQUENCIES)}")
    return value


def weekday(value: str) -> str:
    """RFC 5545 WKST: a two-letter day."""
    if value not in WEEKDAYS:
        raise ValueError(f"must be one of: {', '.join(WEEKDAYS)}")
    return value


def by_day(value: str) -> str:
    """RFC 5545 BYDAY: days such as `MO,TU`, each perhaps with its place in the month (`1MO`, `-1FR`)."""
    for part in value.split(","):
        day, ordinal = part[-2:], part[:-2]
        if day not in WEEKDAYS or not _is_ordinal(ordinal):
            raise ValueError(
                f"must be days of the week separated by commas, such as MO,TU or 1MO (not {part!r}): "
                f"{', '.join(WEEKDAYS)}"
            )
    return value


def _is_ordinal(text: str) -> bool:
    if text == "":
        return True
    digits = text[1:] if text[0] in "+-" else text
    return len(digits) == 1 and "1" <= digits <= str(MAX_MONTHLY_ORDINAL)


def _numbers_between(limit: int, example: str) -> Callable[[str], str]:
    """A comma-separated list of whole numbers from 1 to `limit`, or -1 to -`limit` (from the end)."""

    def rule(value: str) -> str:
        for part in value.split(","):
            digits = part[1:] if part[:1] in ("+", "-") else part
            if not (digits.isascii() and digits.isdigit() and len(digits) <= 3 and 1 <= int(digits) <= limit):
                raise ValueError(
                    f"must be numbers from 1 to {limit} (or -1 to -{limit}) separated by commas, "
                    f"such as {example}"
                )
        return value

    return rule


def at_least_one(value: int) -> int:
    """A count or an interval: 1 or more."""
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


def utc_offset(value: float) -> float:
    """HSDS `schedule.timezone`: hours from UTC."""
    low, high = UTC_OFFSET_HOURS
    if not low <= value <= high:
        raise ValueError(f"must be an offset from UTC in hours, between {low:g} and {high:g}")
    return value


NAME_TABLES = ("organization", "service", "location", "contact", "language", "service_area")
WEB_ADDRESSES = (
    ("organization", "website"),
    ("organization", "logo"),
    ("organization", "uri"),
    ("service", "url"),
    ("location", "url"),
    ("accessibility", "url"),
    ("schedule", "schedule_link"),
    ("service_area", "uri"),
    ("taxonomy", "uri"),
    ("taxonomy_term", "term_uri"),
)
EMAIL_ADDRESSES = (
    ("organization", "email"),
    ("service", "email"),
    ("service", "assurer_email"),
    ("contact", "email"),
    ("partner", "email"),
)

# The rule of each (table, column); a value the rule does not name is only checked for its type.
RULES: dict[tuple[str, str], Callable[[Any], Any]] = {
    **{(table, "name"): not_blank for table in (*NAME_TABLES, "taxonomy", "taxonomy_term")},
    # HSDS requires an organisation's description: a blank one would make the export invalid.
    ("organization", "description"): not_blank,
    **dict.fromkeys(WEB_ADDRESSES, web_address),
    **dict.fromkeys(EMAIL_ADDRESSES, email_address),
    ("language", "code"): language_code,
    ("taxonomy_term", "language"): language_code,
    ("location", "time_zone"): time_zone,
    ("schedule", "freq"): frequency,
    ("schedule", "wkst"): weekday,
    ("schedule", "byday"): by_day,
    ("schedule", "bymonthday"): _numbers_between(31, "1,15 or -1"),
    ("schedule", "byweekno"): _numbers_between(53, "1,27"),
    ("schedule", "byyearday"): _numbers_between(366, "1,100 or -1"),
    ("schedule", "interval"): at_least_one,
    ("schedule", "count"): at_least_one,
    ("schedule", "timezone"): utc_offset,
}

# What the OpenAPI document says of each rule: as much as JSON schema can, never more than the rule.
NAME_DOC = {"minLength": 1, "pattern": r"\S", "description": "Must not be blank."}
EMAIL_DOC = {"format": "email", "description": "An e-mail address (its syntax is checked, not its domain)."}
WEB_DOC = {"pattern": r"^https?://\S+$", "description": "An http:// or https:// address."}
DOCS: dict[Callable[[Any], Any], dict[str, Any]] = {
    not_blank: NAME_DOC,
    email_address: EMAIL_DOC,
    web_address: WEB_DOC,
    language_code: {
        "pattern": "^[A-Za-z]{2,3}$",
        "description": "An ISO 639-1 or ISO 639-3 language code, such as en or yue.",
    },
    time_zone: {
        "pattern": "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$",
        "description": "An IANA time zone name, such as Europe/London.",
    },
    frequency: {"enum": list(FREQUENCIES), "description": "RFC 5545 FREQ."},
    weekday: {"enum": list(WEEKDAYS), "description": "RFC 5545 WKST."},
    by_day: {
        "pattern": rf"^{_DAY_NUMBER}(,{_DAY_NUMBER})*$",
        "description": "RFC 5545 BYDAY: MO,TU ...; a place in the month (1MO, -1FR) only with freq MONTHLY.",
    },
    at_least_one: {"minimum": 1},
    utc_offset: {"minimum": UTC_OFFSET_HOURS[0], "maximum": UTC_OFFSET_HOURS[1]},
}
_NUMBER_LIST_DOC = {
    "pattern": _NUMBERS,
    "description": "Comma-separated whole numbers (negative: from the end).",
}


def doc_of(table: str, column: str) -> dict[str, Any]:
    """Return the JSON-schema keywords that document the rule of a column (empty when it has none)."""
    rule = RULES.get((table, column))
    if rule is None:
        return {}
    if rule in DOCS:
        return dict(DOCS[rule])
    return dict(_NUMBER_LIST_DOC)


def checked(table: str, column: str, value: Any) -> Any:
    """Return `value` as it is stored, or raise ValueError saying what is wrong with it."""
    rule = RULES.get((table, column))
    if rule is None or value is None:
        return value
    return rule(value)


def schedule_problems(schedule: Any) -> dict[str, str]:
    """Return what is wrong with one schedule as a whole (RFC 5545 and its validity dates), by field.

    HSDS is laxer than RFC 5545 in places, and its own examples use that (`bymonthday` and `byweekno`
    with `WEEKLY`, both `count` and `until`): those are kept, since they change no opening time.
    """
    problems: dict[str, str] = {}
    recurrence = ("byday", "bymonthday", "byweekno", "byyearday", "interval", "count", "until", "wkst")
    if schedule.freq is None:
        given = [name for name in recurrence if getattr(schedule, name) is not None]
        if given:
            problems["freq"] = f"is required with {', '.join(given)} (RFC 5545): WEEKLY or MONTHLY"
    if schedule.freq != "MONTHLY" and schedule.byday and any(part[:-2] for part in schedule.byday.split(",")):
        problems["byday"] = "may number a day (1MO, -1FR) only when freq is MONTHLY"
    _in_order(problems, schedule.valid_from, schedule.valid_to, "valid_to", "valid_from")
    _in_order(problems, schedule.dtstart, schedule.until, "until", "dtstart")
    for present, missing in (("opens_at", "closes_at"), ("closes_at", "opens_at")):
        if getattr(schedule, present) is not None and getattr(schedule, missing) is None:
            problems[missing] = f"is required with {present} (give both the same time for all day)"
    return problems


def _in_order(problems: dict[str, str], first: date | None, last: date | None, name: str, after: str) -> None:
    if first is not None and last is not None and last < first:
        problems[name] = f"must not be before {after}"


@dataclass(frozen=True)
class Phone:
    """A phone number as stored: E.164 (or a short code's digits), with its extension and as typed."""

    number: str
    display_number: str
    extension: int | None


class PhoneError(ValueError):
    """A phone number that cannot be read; `field` is the field to name."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


MAX_EXTENSION = 2**31 - 1


def read_phone(
    number: str, *, region: str | None, display_number: str | None = None, extension: int | None = None
) -> Phone:
    """Read a phone number as typed, in the listing's country (`region`) unless it has a country code.

    A valid number is stored in E.164 (`+442079460000`); a short number valid in the region (a
    helpline such as 116 123) as its digits, since E.164 cannot hold it. An extension typed into
    the number (`ext. 12`) becomes `extension`. `display_number` is what people are shown: the
    number as typed, unless given, when it must be the same number.
    """
    stored, typed_extension = _parse_phone(number, region, field="number")
    if typed_extension is not None:
        if extension is not None and extension != typed_extension:
            raise PhoneError("extension", f"differs from the extension in number ({typed_extension})")
        extension = typed_extension
    if display_number is None:
        display_number = number.strip()
    else:
        shown, _ = _parse_phone(display_number, region, field="display_number")
        if shown != stored:
            raise PhoneError(
                "display_number",
                f"must be the same number as number ({stored}): change both, or leave it out",
            )
    return Phone(number=stored, display_number=display_number, extension=extension)


def _parse_phone(text: str, region: str | None, *, field: str) -> tuple[str, int | None]:
    example = f"such as {_example_number(region)}"
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        if region is None and not text.strip().startswith("+") and any(char.isdigit() for char in text):
            raise PhoneError(
                field,
                f"needs its country code ({example}): the listing's country is not known from its addresses",
            ) from None
        raise PhoneError(field, f"is not a phone number ({example})") from None
    extension = None
    if parsed.extension:
        if not parsed.extension.isdigit() or int(parsed.extension) > MAX_EXTENSION:
            raise PhoneError(field, "has an extension that is not a number")
        extension = int(parsed.extension)
    if phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), extension
    if region and phonenumbers.is_valid_short_number_for_region(parsed, region):
        return phonenumbers.national_significant_number(parsed), extension
    where = f" in {region}" if region and not text.strip().startswith("+") else ""
    raise PhoneError(field, f"is not a valid phone number{where} ({example})")


def _example_number(region: str | None) -> str:
    """A number of the region, as an example in messages (international format, so it reads anywhere)."""
    example = phonenumbers.example_number(region) if region else None
    if example is None:
        return "+44 20 7946 0000"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_region(countries: Iterable[str | None]) -> str | None:
    """Return the one country (ISO 3166-1 alpha-2) that these addresses share, if they share one."""
    regions = {country.strip().upper() for country in countries if country and country.strip()}
    supported = regions & phonenumbers.SUPPORTED_REGIONS
    return next(iter(supported)) if len(regions) == 1 and supported else None


def default_country(session: Session) -> str | None:
    """Return the directory's default country for phone numbers (DEFAULT_COUNTRY), if it has one."""
    value = session.info.get(DEFAULT_COUNTRY_KEY)
    return str(value) if value else None


def country_setting(value: str) -> str:
    """Check a DEFAULT_COUNTRY setting: a country code phone numbers can be read in."""
    region = value.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"must be an ISO 3166-1 alpha-2 country code such as GB, not {value!r}")
    return region
