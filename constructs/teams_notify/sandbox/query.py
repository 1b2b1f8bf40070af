"""ServiceNow encoded queries (`sysparm_query`): parse, then filter and order records.

Grammar, as a real instance reads it: terms separated by `^`; a term starting with `OR`
is or-ed with the term before it (so `a^b^ORc` is `a AND (b OR c)`); `^NQ` starts a new
query that is or-ed with the previous ones; `ORDERBY<field>` / `ORDERBYDESC<field>` sort.
There is no escaping: a value can never contain `^`, it is always split there.

A term we cannot read, or one naming a column the table does not have, matches nothing
(like an instance with `glide.invalid_query.returns_no_rows=true`), so a bad query never
widens a lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

# Longest operators first, so `ISNOTEMPTY` wins over `IN` and `!=` over `=`.
OPERATORS = (
    "ISNOTEMPTY",
    "ISEMPTY",
    "STARTSWITH",
    "ENDSWITH",
    "NOT LIKE",
    "NOT IN",
    "LIKE",
    "IN",
    "!=",
    ">=",
    "<=",
    "=",
    ">",
    "<",
)
_TERM = re.compile(r"([a-z0-9_.]+)(" + "|".join(re.escape(op) for op in OPERATORS) + r")(.*)", re.DOTALL)

# Reads one (possibly dot-walked) field of a record; None means "no such column".
FieldGetter = Callable[[dict[str, str], str], "str | None"]


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: str


# One term we could not read: it matches nothing.
INVALID = Condition("", "INVALID", "")


@dataclass
class Query:
    """Or-ed sub-queries, each an AND of OR-groups of conditions, plus the sort order."""

    alternatives: list[list[list[Condition]]] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)


def parse(text: str) -> Query:
    """Parse an encoded query; never raises (bad terms become conditions that match nothing)."""
    query = Query()
    for part in text.split("^NQ"):
        groups: list[list[Condition]] = []
        for term in part.split("^"):
            if term in ("", "EQ"):
                continue
            if term.startswith("ORDERBYDESC"):
                query.order_by.append((term[len("ORDERBYDESC") :], True))
            elif term.startswith("ORDERBY"):
                query.order_by.append((term[len("ORDERBY") :], False))
            elif term.startswith("OR") and groups:
                groups[-1].append(_condition(term[2:]))
            else:
                groups.append([_condition(term)])
        if groups:
            query.alternatives.append(groups)
    return query


def _condition(term: str) -> Condition:
    match = _TERM.fullmatch(term)
    if match is None:
        return INVALID
    name, operator, value = match.groups()
    if operator in ("ISEMPTY", "ISNOTEMPTY") and value:
        return INVALID
    return Condition(name, operator, value)


def matches(query: Query, record: dict[str, str], get: FieldGetter) -> bool:
    """True when the record satisfies the query (an empty query matches everything)."""
    if not query.alternatives:
        return True
    return any(
        all(any(_holds(cond, record, get) for cond in group) for group in groups)
        for groups in query.alternatives
    )


def _holds(cond: Condition, record: dict[str, str], get: FieldGetter) -> bool:
    if cond is INVALID:
        return False
    actual = get(record, cond.field)
    if actual is None:
        return False
    op, value = cond.operator, cond.value
    if op == "=":
        return actual == value
    if op == "!=":
        return actual != value
    if op == "ISEMPTY":
        return actual == ""
    if op == "ISNOTEMPTY":
        return actual != ""
    if op in ("IN", "NOT IN"):
        return (actual in value.split(",")) == (op == "IN")
    if op == "STARTSWITH":
        return actual.startswith(value)
    if op == "ENDSWITH":
        return actual.endswith(value)
    if op in ("LIKE", "NOT LIKE"):
        return (value.lower() in actual.lower()) == (op == "LIKE")
    return _compare(actual, op, value)


def _compare(actual: str, op: str, value: str) -> bool:
    left, right = _sort_key(actual), _sort_key(value)
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def run(query: Query, records: Sequence[dict[str, str]], get: FieldGetter) -> list[dict[str, str]]:
    """The matching records, sorted by the query's ORDERBY terms (stable, so ties keep insertion order)."""
    found = [record for record in records if matches(query, record, get)]
    for name, descending in reversed(query.order_by):
        found.sort(key=partial(_order_key, get, name), reverse=descending)
    return found


def _order_key(get: FieldGetter, name: str, record: dict[str, str]) -> tuple[int, float, str]:
    return _sort_key(get(record, name))


def _sort_key(value: str | None) -> tuple[int, float, str]:
    """Numbers sort (and compare) as numbers, before text."""
    try:
        return (0, float(value or ""), "")
    except ValueError:
        return (1, 0.0, value or "")
