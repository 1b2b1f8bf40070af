"""The public construct API: the app of docs/constructs.md ("Your own app"), run as its own
process, puts our two stacks next to the user's; a TenantConfig built in Python synthesizes
what the tenant file does; the step constructs work from props alone; `import teams_notify`
and the CLI's help do not load the CDK engine."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import teams_notify
from helpers.constructs import BundleFactory, write_tenant
from teams_notify.certs import Thumbprints, load_certificate
from teams_notify.config import (
    DEFAULT_PROVIDER_SOURCE,
    CertificateConfig,
    EntraConfig,
    ServiceNowConfig,
    ServiceUserConfig,
    TenantConfig,
    load_tenant,
)
from teams_notify.stacks.compat import App, TerraformStack
from teams_notify.stacks.integration import EntraIntegration, ServiceNowIntegration, run_post_synth
from teams_notify.stacks.servicenow.fields import InstanceNames, x5t_placeholder
from teams_notify.stacks.servicenow.jwt import JwtProvider, JwtProviderProps
from teams_notify.stacks.servicenow.keystore import JwtKey, JwtKeyProps, Keystore, KeystoreProps
from teams_notify.stacks.servicenow.record import ServicenowProvider

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "constructs.md"
HEADING = "## Your own app"


def docs_app() -> str:
    """The first python block after the "Your own app" heading of docs/constructs.md."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index(HEADING) :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"no python block under {HEADING!r} in {DOCS}"
    return match.group(1)


def stack_json(outdir: Path, stack: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((outdir / "stacks" / stack / "cdk.tf.json").read_text())
    return data


def claims(stack: dict[str, Any]) -> dict[str, str]:
    """{claim name: value} of the JWT claim records of a ServiceNow stack."""
    records = stack["resource"]["servicenow_record"].values()
    return {
        r["fields"]["name"]: r["fields"]["value"] for r in records if r["table"] == "jwt_claim_validation"
    }


def test_the_documented_app_synthesizes_ours_next_to_theirs(
    tmp_path: Path, constructs_bundles: BundleFactory
) -> None:
    bundle = constructs_bundles.make("contoso-cert")
    write_tenant(tmp_path / "tenants", "contoso", [("current", bundle, True)])
    (tmp_path / "main.py").write_text(docs_app(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("TEAMS_NOTIFY_CDK", "CDKTF_OUTDIR")}
    run = subprocess.run([sys.executable, "main.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    out = tmp_path / "cdktf.out"
    assert sorted(p.name for p in (out / "stacks").iterdir()) == [
        "contoso-entra",
        "contoso-servicenow",
        "inventory",
    ]
    theirs = stack_json(out, "inventory")
    assert theirs["resource"]["terraform_data"]["marker"]["input"] == {"owner": "platform-team"}
    assert not (out / "stacks" / "inventory" / "teams-notify.json").exists()  # their stack: untouched
    x5t = Thumbprints.of(load_certificate(bundle.crt)).x5t
    assert claims(stack_json(out, "contoso-servicenow"))["x5t"] == x5t
    assert "teams-notify:x5t:" not in (out / "stacks" / "contoso-servicenow" / "cdk.tf.json").read_text()
    summary = json.loads((out / "stacks" / "contoso-servicenow" / "teams-notify.json").read_text())
    assert (summary["stack"], summary["x5t"]) == ("contoso-servicenow", x5t)
    assert (out / "stacks" / "contoso-entra" / "artifacts" / "contoso-runbook.md").is_file()
    assert stack_json(out, "contoso-entra")["resource"]["azuread_application_certificate"]


def _synth(outdir: Path, tenant: TenantConfig) -> tuple[dict[str, str], list[Any]]:
    app = App(outdir=str(outdir))
    entra = EntraIntegration(app, tenant)
    servicenow = ServiceNowIntegration(app, tenant)
    # The tenant's certificates were checked once: the second stack took the first one's.
    assert servicenow.checked_certificates == entra.checked_certificates
    assert all(
        a is b for a, b in zip(servicenow.checked_certificates, entra.checked_certificates, strict=True)
    )
    app.synth()
    summaries = run_post_synth(app)
    texts = {s: (outdir / "stacks" / s / "cdk.tf.json").read_text() for s in ("py-entra", "py-servicenow")}
    return texts, summaries


def test_tenant_built_in_python_synthesizes_what_the_file_does(
    tmp_path: Path, constructs_bundles: BundleFactory
) -> None:
    bundle = constructs_bundles.make("py-cert")
    entra = {
        "handoff": "variables",
        "client_id": "c11e47ad-0000-4000-8000-00000000c1d1",
        "service_user_object_id": "5e4f1ce0-0000-4000-8000-000000005e4f",
    }
    from_file = load_tenant(write_tenant(tmp_path / "t", "py", [("current", bundle, True)]))
    in_python = TenantConfig(
        name="py",
        tenant_id="0a1b2c3d-1111-4222-8333-444455556666",
        domain="py.onmicrosoft.com",
        service_user=ServiceUserConfig(upn="sn-notify@py.onmicrosoft.com"),
        servicenow=ServiceNowConfig(instance_url="https://py.service-now.com"),
        entra=EntraConfig(**entra),
        certificates=[CertificateConfig(key="current", dir=bundle.dir, name=bundle.name, active=True)],
    )
    file_texts, _ = _synth(tmp_path / "file", from_file)
    python_texts, summaries = _synth(tmp_path / "python", in_python)
    assert python_texts == file_texts
    assert [s.stack for s in summaries] == ["py-entra", "py-servicenow"]
    assert summaries[1].x5t == Thumbprints.of(load_certificate(bundle.crt)).x5t


def test_step_constructs_from_props_alone(tmp_path: Path, constructs_bundles: BundleFactory) -> None:
    """Two keys, the provider on the second: its x5t claim is that key's, from `active_key`
    only; `names` decides the tables written; defaults are tenant config's."""
    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "props")
    ServicenowProvider(
        stack, "servicenow", instance_url="https://x.service-now.com", source=DEFAULT_PROVIDER_SOURCE
    )
    keys = {}
    for key in ("current", "next"):
        bundle = constructs_bundles.make(f"props-{key}")
        keystore = Keystore(
            stack,
            f"keystore_{key}",
            KeystoreProps(
                cert_key=key,
                jks=bundle.dir / f"{bundle.name}.jks",
                store_password="${var.p}",
                stack_dir=tmp_path,
            ),
        )
        keys[key] = JwtKey(
            stack, f"jwt_key_{key}", JwtKeyProps(cert_key=key, keystore=keystore, key_password="${var.k}")
        )
    names = InstanceNames.resolve(
        JwtProviderProps.TABLES,
        lambda table: {"jwt_claim": "x_claims"}.get(table, table),
        lambda table, column: "u_value" if (table, column) == ("jwt_claim", "value") else column,
    )
    JwtProvider(
        stack,
        "jwt",
        JwtProviderProps(active_key=keys["next"], client_id="cid", tenant_id="tid", names=names),
    )
    app.synth()
    records = stack_json(tmp_path, "props")["resource"]["servicenow_record"].values()
    claim_rows = {r["fields"]["name"]: r for r in records if r["table"] == "x_claims"}
    assert claim_rows["x5t"]["fields"]["u_value"] == x5t_placeholder("next")
    assert claim_rows["aud"]["fields"]["u_value"] == "https://login.microsoftonline.com/tid/oauth2/v2.0/token"
    (provider,) = [r for r in records if r["table"] == "jwt_provider"]
    defaults = ServiceNowConfig(instance_url="https://x.service-now.com")
    assert provider["fields"]["expiry_interval"] == str(defaults.jwt_expiry_seconds)
    assert provider["fields"]["name"] == f"{defaults.name_prefix} JWT provider"
    with pytest.raises(KeyError):
        names.table("certificate")  # props name exactly the tables a construct writes


def test_import_and_cli_help_do_not_load_the_cdk_engine() -> None:
    code = (
        "import sys, teams_notify\n"
        "assert set(teams_notify.__all__) == set(teams_notify._EXPORTS)\n"
        "loaded = {'cdktf', 'jsii', 'pydantic'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
        "from teams_notify.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = {'cdktf', 'cdktn', 'jsii'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
        "assert teams_notify.TenantConfig.__name__ == 'TenantConfig'\n"
        "assert 'jsii' not in sys.modules\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("ok")
    assert teams_notify.ServiceNowIntegration is ServiceNowIntegration
    with pytest.raises(AttributeError):
        teams_notify.NoSuchThing  # noqa: B018


def test_importing_the_construct_api_prints_nothing() -> None:
    """jsii prints a Node end-of-life banner unless told not to before its runtime starts: the
    public API starts it (through `constructs`), so the package sets the variables first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSII_")}
    done = subprocess.run(
        [sys.executable, "-c", "import teams_notify.stacks.integration"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == "" and done.stdout == ""
