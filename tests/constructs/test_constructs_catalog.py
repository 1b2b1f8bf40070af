"""The catalog: every name carries its evidence, names discovery must find carry what it looks for,
and docs/config.md shows exactly the catalog's table."""

from __future__ import annotations

import re
from pathlib import Path

from teams_notify.catalog import SOURCES, TABLES, names_markdown

DOC = Path(__file__).parents[2] / "docs" / "config.md"


def test_docs_show_the_catalog_table() -> None:
    match = re.search(r"<!-- names:begin -->\n(.*)<!-- names:end -->", DOC.read_text(), re.DOTALL)
    assert match, "docs/config.md lost its <!-- names:begin/end --> markers"
    assert match.group(1) == names_markdown(), (
        "docs/config.md is out of date with the catalog: paste the output of `python -c "
        '"from teams_notify.catalog import names_markdown; print(names_markdown())"` between the markers'
    )


def test_every_name_has_evidence_and_what_discovery_needs() -> None:
    for key, table in TABLES.items():
        items = [(key, table.evidence)]
        for col_key, col in table.columns.items():
            items.append((f"{key}.{col_key}", col.evidence))
            assert col.label, f"{key}.{col_key} has no label to be found by"
            if col.type == "reference" or col.type == "glide_list":
                assert col.reference in TABLES, f"{key}.{col_key} references no catalog table"
            assert bool(col.choices) == (col.type == "choice"), f"{key}.{col_key}"
            items += [(f"{key}.{col_key}.{c.key}", c.evidence) for c in col.choices]
            assert all(c.label for c in col.choices), f"{key}.{col_key}"
        for where, evidence in items:
            assert set(evidence.sources) <= set(SOURCES), where
            # "confirmed" must say where from; "not found" cannot name a source that shows it.
            assert (
                bool(evidence.sources) == (evidence.confidence != "not found")
                or evidence.confidence == "label only"
            )
            assert evidence.verify == (evidence.confidence != "confirmed")


def test_names_settled_by_evidence() -> None:
    oidc = TABLES["oidc_config"]
    assert (oidc.columns["name"].name, oidc.columns["metadata_url"].name) == ("name", "oidc_url")
    grant = TABLES["oauth_entity"].columns["default_grant_type"].choice("jwt_bearer")
    assert grant.value == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    sent_as = TABLES["oauth_entity"].columns["send_client_credentials_as"]
    assert [c.value for c in sent_as.choices[:2]] == ["request_body_parameter", "basic_authorization_header"]
    unknown = {
        "teams_config": TABLES["teams_config"].evidence.confidence,
        "private_key_jwt": sent_as.choice("private_key_jwt").evidence.confidence,
        "jwt_claim.jwt_provider": TABLES["jwt_claim"].columns["jwt_provider"].evidence.confidence,
        "jwt_key.include_x5t": TABLES["jwt_key"].columns["include_x5t"].evidence.confidence,
    }
    assert unknown == {
        "teams_config": "not found",
        "private_key_jwt": "not found",
        "jwt_claim.jwt_provider": "not found",
        "jwt_key.include_x5t": "label only",
    }
