"""Encoded queries, sysparm_fields and paging over real HTTP."""

from __future__ import annotations

import httpx
import pytest

ALIASES = "/api/now/table/sys_alias"


@pytest.fixture
def aliases(sandbox_admin: httpx.Client) -> httpx.Client:
    """Five aliases besides the seeded spoke alias; `name` a..e, `type` alternating, `id` empty for e."""
    for name, type_ in (("a", "connection"), ("b", "credential"), ("c", "connection"), ("d", "credential")):
        values = {"name": name, "type": type_, "id": f"x.{name}"}
        assert sandbox_admin.post(ALIASES, json=values).status_code == 201
    assert sandbox_admin.post(ALIASES, json={"name": "e", "type": "connection"}).status_code == 201
    return sandbox_admin


def _names(http: httpx.Client, query: str) -> list[str]:
    response = http.get(ALIASES, params={"sysparm_query": query, "sysparm_fields": "name"})
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()["result"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=b", ["b"]),
        ("type=connection^name!=a", ["c", "e"]),
        ("name=a^ORname=d", ["a", "d"]),
        ("type=credential^name=b^ORname=d", ["b", "d"]),  # OR binds tighter than AND
        ("name=a^NQname=e", ["a", "e"]),
        ("nameINa,c,zz", ["a", "c"]),
        ("nameNOT INa,b,c,d,e", ["MSTeamsCommunicationsSpoke"]),
        ("idSTARTSWITHx.", ["a", "b", "c", "d"]),
        ("idISEMPTY", ["e"]),
        ("idISNOTEMPTY^type=connection", ["a", "c"]),
        ("nameLIKEmsteams", ["MSTeamsCommunicationsSpoke"]),
        ("type=connection^ORDERBYDESCname", ["e", "c", "a"]),
        ("type=credential^ORDERBYname", ["MSTeamsCommunicationsSpoke", "b", "d"]),
    ],
)
def test_operators(aliases: httpx.Client, query: str, expected: list[str]) -> None:
    assert _names(aliases, query) == expected


def test_a_caret_in_a_value_splits_the_query_like_a_real_instance(aliases: httpx.Client) -> None:
    # There is no escaping: `name=a^ORname=b` is two conditions, whatever the caller meant.
    assert _names(aliases, "name=a^ORname=b") == ["a", "b"]
    assert aliases.post(ALIASES, json={"name": "x^y"}).status_code == 201
    assert _names(aliases, "name=x^y") == []  # `y` is not a condition: it matches nothing


def test_unknown_fields_and_unreadable_terms_match_nothing(aliases: httpx.Client) -> None:
    assert _names(aliases, "no_such_field=a") == []
    assert _names(aliases, "name=a^no_such_field=a") == []
    assert _names(aliases, "Name=a") == []
    assert _names(aliases, "name=a^ORno_such_field=a") == ["a"]


def test_sysparm_fields_limits_the_columns(aliases: httpx.Client) -> None:
    result = aliases.get(ALIASES, params={"sysparm_query": "name=a", "sysparm_fields": "sys_id,name"}).json()
    assert list(result["result"][0]) == ["sys_id", "name"]


def test_paging_with_total_count_and_link_headers(aliases: httpx.Client) -> None:
    params = {"sysparm_query": "ORDERBYname", "sysparm_limit": "2", "sysparm_fields": "name"}
    first = aliases.get(ALIASES, params=params)
    assert first.headers["X-Total-Count"] == "6"
    assert [row["name"] for row in first.json()["result"]] == ["MSTeamsCommunicationsSpoke", "a"]
    assert set(first.links) == {"first", "next", "last"}
    seen = []
    url: str | None = str(first.links["next"]["url"])
    while url:
        page = aliases.get(url)
        seen += [row["name"] for row in page.json()["result"]]
        url = page.links.get("next", {}).get("url")
    assert seen == ["b", "c", "d", "e"]
    assert "prev" in page.links
    assert "sysparm_offset=4" in page.links["last"]["url"]
