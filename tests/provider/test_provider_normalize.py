"""Value normalisation and query safety, without HTTP (pure functions of normalize.py)."""

from __future__ import annotations

import pytest
from terraform_provider_servicenow.exceptions import ConfigError
from terraform_provider_servicenow.normalize import (
    canonical,
    exact_query,
    matches_exactly,
    parse_import_id,
    remote_value,
    same_value,
)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("true", "true"),
        ("True", "true"),
        ("1", "true"),
        ("0", "false"),
        ("5", "5"),
        ("05", "5"),
        ("5.0", "5"),
        ("2.50", "2.5"),
        ("2030-01-01T00:00:00Z", "2030-01-01 00:00:00"),
        ("2030-01-01T01:00:00+01:00", "2030-01-01 00:00:00"),
        ("2030-01-01 00:00", "2030-01-01 00:00:00"),
        ("2030-01-01", "2030-01-01"),
        ("rsa_256", "rsa_256"),
    ],
)
def test_normalize_same_meaning(ours: str, theirs: str) -> None:
    assert same_value(ours, theirs)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("true", "false"),
        ("5", "6"),
        ("Name", "name"),  # strings stay case-sensitive: a rename is drift
        ("a ", "a"),
        ("2030-01-01T00:00:00Z", "2030-01-01 01:00:00"),
        ("1", "2"),
        ("", "x"),
        # "1"/"0" mean true/false only where ServiceNow answers with a boolean: an integer column
        # holding 1 is not the boolean we wrote.
        ("true", "1"),
        ("false", "0"),
        ("1", "0"),
    ],
)
def test_normalize_different_meaning(ours: str, theirs: str) -> None:
    assert not same_value(ours, theirs)


def test_normalize_canonical_forms() -> None:
    assert canonical("TRUE") == "true"
    assert canonical("007") == "7"
    assert canonical("2030-06-01T12:00:00-02:00") == "2030-06-01 14:00:00"
    assert canonical("not a date 2030") == "not a date 2030"


def test_normalize_remote_value_unwraps_references() -> None:
    assert remote_value({"link": "https://x/api/now/table/t/abc", "value": "abc"}) == "abc"
    assert remote_value(None) == ""
    assert remote_value(True) == "true"


@pytest.mark.parametrize("value", ["a^ORname=b", "x^NQname=y", "a\nb", "^"])
def test_normalize_query_breakers_are_rejected(value: str) -> None:
    with pytest.raises(ConfigError, match="match_on column 'name'"):
        exact_query({"name": value})


def test_normalize_exact_query_shape() -> None:
    assert exact_query({"name": "a", "active": "true"}) == "active=true^name=a"
    assert exact_query({"name": ""}) == "nameISEMPTY"
    with pytest.raises(ConfigError, match="invalid column name"):
        exact_query({"name^ORsys_id": "x"})


def test_normalize_matches_exactly_is_case_sensitive_and_complete() -> None:
    record = {"sys_id": "1", "name": "Alpha", "active": "true"}
    assert matches_exactly(record, {"name": "Alpha", "active": "1"})
    assert not matches_exactly(record, {"name": "alpha"})
    assert not matches_exactly(record, {"missing": "x"})
    # Every column must agree, not just one of them.
    assert not matches_exactly(record, {"name": "Alpha", "active": "false"})
    assert not matches_exactly(record, {"name": "Beta", "active": "true"})


def test_normalize_import_id() -> None:
    sys_id = "0123456789abcdef0123456789abcdef"
    assert parse_import_id(f"sys_certificate/{sys_id}") == ("sys_certificate", sys_id, None)
    assert parse_import_id(f"sys_certificate/{sys_id}?fields=name, type,name") == (
        "sys_certificate",
        sys_id,
        ["name", "type"],
    )
    for bad in (
        "sys_certificate",
        "sys_certificate/xyz",
        f"a b/{sys_id}",
        f"sys_certificate/{sys_id}?",
        f"sys_certificate/{sys_id}?fields",
        f"sys_certificate/{sys_id}?fields=,",
        f"sys_certificate/{sys_id}?name=x",
    ):
        with pytest.raises(ConfigError, match="invalid import id"):
            parse_import_id(bad)
    with pytest.raises(ConfigError, match=r"invalid column name 'a\.b'"):
        parse_import_id(f"sys_certificate/{sys_id}?fields=a.b")
