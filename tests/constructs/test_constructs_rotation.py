"""Certificate rotation: current + next both registered and both keystores exist; switching
`active` changes only what the JWT provider signs with."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.constructs import BundleFactory, Synthesized, synth_tenants, write_tenant


@pytest.fixture(scope="module")
def rotation(
    tmp_path_factory: pytest.TempPathFactory, constructs_bundles: BundleFactory
) -> dict[str, Synthesized]:
    cur, nxt = constructs_bundles.make("rot-current"), constructs_bundles.make("rot-next")
    out = {}
    for phase, active_next in (("before", False), ("after", True)):
        root = tmp_path_factory.mktemp(phase)
        write_tenant(root / "t", "rot", [("current", cur, not active_next), ("next", nxt, active_next)])
        out[phase] = synth_tenants(root / "t", root / "out")
    return out


def resources(stack: dict[str, Any]) -> dict[str, Any]:
    return {
        f"{t}.{n}": {k: v for k, v in a.items() if k != "//"}
        for t, g in stack["resource"].items()
        for n, a in g.items()
    }


def test_both_certificates_registered_and_stored(rotation: dict[str, Synthesized]) -> None:
    entra = rotation["before"].stack("rot-entra")
    assert len(entra["resource"]["azuread_application_certificate"]) == 2
    sn = rotation["before"].stack("rot-servicenow")
    tables = [r["table"] for r in sn["resource"]["servicenow_record"].values()]
    assert tables.count("sys_certificate") == 2 and tables.count("jwt_keystore_aliases") == 2
    assert len(sn["resource"]["servicenow_attachment"]) == 2


def test_switching_active_changes_only_the_signing_choice(rotation: dict[str, Synthesized]) -> None:
    before = resources(rotation["before"].stack("rot-servicenow"))
    after = resources(rotation["after"].stack("rot-servicenow"))
    assert before.keys() == after.keys()
    changed = {k for k in before if before[k] != after[k]}
    provider = next(k for k in before if "jwt_provider_record" in k)
    x5t_claim = next(k for k in before if "claim_x5t" in k)
    assert changed == {provider, x5t_claim}
    assert before[provider]["fields"]["jwt_keystore_alias"].startswith("${servicenow_record.jwt_key_current_")
    assert after[provider]["fields"]["jwt_keystore_alias"].startswith("${servicenow_record.jwt_key_next_")
    assert after[x5t_claim]["fields"]["value"] == rotation["after"].summary("rot-servicenow")["x5t"]
    assert before[x5t_claim]["fields"]["value"] != after[x5t_claim]["fields"]["value"]
    assert resources(rotation["before"].stack("rot-entra")) == resources(rotation["after"].stack("rot-entra"))
