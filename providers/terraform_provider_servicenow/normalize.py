"""Parsing, validation and value normalisation, kept apart from HTTP and Terraform plumbing.

ServiceNow returns every value as a string in its own spelling: booleans "true"/"false",
integers without leading zeros, date-times as UTC "YYYY-MM-DD HH:MM:SS", references as a
sys_id. Users write what HCL gives them (`true`, `5`, ISO 8601 with an offset). `canonical`
maps both spellings to one form so a refresh after apply shows no changes, while a real
out-of-band change still shows up.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from terraform_provider_servicenow.exceptions import ConfigError

SYS_ID = re.compile(r"^[0-9a-f]{32}\Z")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")  # table and column names
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?\Z")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\Z")
# Characters that end or extend a term of an encoded query: `^` separates terms (`^OR`, `^NQ`
# start new ones), line breaks are rejected by the Table API parser in odd ways.
_QUERY_BREAKERS = ("^", "\n", "\r")
# A value that goes into a URL's query string: longer ones make the HTTP client refuse the URL
# ("URL component 'query' too long"), which must be a diagnostic, not a crash. ServiceNow's
# string columns that identify records (name, id, sys_id) are far shorter.
MAX_QUERY_VALUE = 1000
MAX_QUERY = 4000
SYSTEM_COLUMN_PREFIX = "sys_"


def remote_value(raw: Any) -> str:
    """A value as ServiceNow returned it, as a plain string (references unwrapped, null -> "")."""
    if raw is None:
        return ""
    if isinstance(raw, dict):
        return str(raw.get("value", ""))
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def canonical(value: str) -> str:
    """One spelling per meaning, for comparison only (state keeps the user's spelling)."""
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered
    stripped = value.strip()
    if _NUMBER.match(stripped):
        return _canonical_number(stripped)
    if _DATE.match(stripped):
        return stripped
    if _DATETIME.match(stripped):
        return _canonical_datetime(stripped)
    return value


def _canonical_number(text: str) -> str:
    from decimal import Decimal, InvalidOperation  # here: `decimal` costs ~5 ms at provider start

    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        return text
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _canonical_datetime(text: str) -> str:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%d %H:%M:%S")


# A boolean column stores "1"/"0" as "true"/"false".
_BOOLEAN_DIGITS = {"1": "true", "0": "false"}


def same_value(ours: str, theirs: str) -> bool:
    """True when ServiceNow's value means what we wrote."""
    if ours == theirs:
        return True
    mine, its = canonical(ours), canonical(theirs)
    if its in ("true", "false"):
        mine = _BOOLEAN_DIGITS.get(mine, mine)
    return mine == its


def check_table(table: str) -> str:
    """A table name is a plain identifier (it becomes part of a URL path)."""
    return _identifier("table", table, "e.g. sys_certificate")


def check_column(name: str) -> str:
    """A column name is a plain identifier (no dot-walking, no query syntax)."""
    return _identifier("column", name, "not its label")


def _identifier(kind: str, value: str, hint: str) -> str:
    if not IDENTIFIER.match(value):
        raise ConfigError(
            f"invalid {kind} name {value[:80]!r}",
            f"Use the {kind}'s internal name (letters, digits, underscores), {hint}.",
        )
    return value


def check_match_value(column: str, value: str) -> str:
    """Refuse a match_on value that could widen the encoded query (pitfall: `^OR...`)."""
    for breaker in _QUERY_BREAKERS:
        if breaker in value:
            shown = "^" if breaker == "^" else "a line break"
            raise ConfigError(
                f"match_on column {column!r} has a value containing {shown}",
                "ServiceNow encoded queries use ^ to join conditions, so such a value could match other "
                "records. Match on a different column, or adopt the record by import instead.",
            )
    if len(value) > MAX_QUERY_VALUE:
        raise ConfigError(
            f"match_on column {column!r} has a value of {len(value)} characters",
            f"At most {MAX_QUERY_VALUE} characters can go into the lookup query. Match on a shorter "
            "identifying column (name, id), or adopt the record by import instead.",
        )
    return value


def check_sys_id(attribute: str, value: str) -> str:
    """A sys_id (32 lowercase hex digits): it goes into a URL path or a query."""
    if not SYS_ID.match(value):
        raise ConfigError(
            f"{attribute} is not a sys_id: {value[:80]!r}",
            "A sys_id is 32 lowercase hex digits; reference the record's sys_id attribute.",
        )
    return value


MAX_NAME = 255


def has_control(text: str) -> bool:
    """A line break or another control character: never in one URL parameter or header."""
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


def check_url_text(attribute: str, value: str) -> str:
    """A short single-line value sent as a URL parameter (file name, URL-encoded)."""
    if has_control(value) or len(value) > MAX_NAME:
        raise ConfigError(
            f"{attribute} must be one line of at most {MAX_NAME} characters",
            f"Remove line breaks and control characters from {attribute}, or shorten it.",
        )
    return value


def check_header_text(attribute: str, value: str) -> str:
    """A value sent as an HTTP header (content type): URL text, and ASCII (headers are bytes)."""
    check_url_text(attribute, value)
    if not value.isascii():
        raise ConfigError(
            f"{attribute} must be ASCII: it is sent as an HTTP header",
            f"Write {attribute} as a MIME type such as application/octet-stream.",
        )
    return value


def check_query(attribute: str, query: str) -> str:
    """An encoded query written by the user (data source `query`): one line of printable text
    short enough for a URL. What it matches is the user's to say; how many is checked at read."""
    if has_control(query):
        raise ConfigError(
            f"{attribute} contains a line break or control character",
            "Write the encoded query on one line, e.g. name=Teams^active=true.",
        )
    if len(query) > MAX_QUERY:
        raise ConfigError(
            f"{attribute} is {len(query)} characters long",
            f"At most {MAX_QUERY} characters fit into the request URL; narrow the query to fewer terms.",
        )
    return query


def exact_query(match: dict[str, str]) -> str:
    """Encoded query for `column = value` on every pair; values must have passed check_match_value."""
    terms = []
    for column, value in sorted(match.items()):
        check_column(column)
        check_match_value(column, value)
        terms.append(f"{column}ISEMPTY" if value == "" else f"{column}={value}")
    return "^".join(terms)


def matches_exactly(record: dict[str, Any], match: dict[str, str]) -> bool:
    """Client-side check that a returned record really has our values (ServiceNow's `=` is
    case-insensitive and we never trust the server's parse of a query we built)."""
    return all(
        column in record and same_value(value, remote_value(record[column]))
        for column, value in match.items()
    )


IMPORT_ID_FIX = (
    "Use <table>/<sys_id>, optionally followed by ?fields=<the keys of the resource's fields>, e.g. "
    "sys_certificate/0123456789abcdef0123456789abcdef?fields=name,type,active."
)


def parse_import_id(import_id: str) -> tuple[str, str, list[str] | None]:
    """`<table>/<sys_id>[?fields=a,b]` -> (table, sys_id, the listed columns or None)."""
    record, question, options = import_id.strip().partition("?")
    table, slash, sys_id = record.partition("/")
    key, equals, names = options.partition("=")
    columns = list(dict.fromkeys(name.strip() for name in names.split(",") if name.strip()))
    valid = bool(slash) and bool(IDENTIFIER.match(table)) and bool(SYS_ID.match(sys_id))
    if question and not (key == "fields" and equals and columns):
        valid = False
    if not valid:
        raise ConfigError(f"invalid import id {import_id!r}", IMPORT_ID_FIX)
    for column in columns:
        check_column(column)
    return table, sys_id, columns if question else None


def record_id(table: str, sys_id: str) -> str:
    """The Terraform id of a record: `<table>/<sys_id>`."""
    return f"{table}/{sys_id}"


def user_columns(record: dict[str, Any]) -> dict[str, str]:
    """Non-system, non-empty columns of a record as strings (what an import adopts into `fields`)."""
    values = {k: remote_value(v) for k, v in record.items() if not k.startswith(SYSTEM_COLUMN_PREFIX)}
    return {k: v for k, v in values.items() if v != ""}
