"""Fixtures for the constructs tests: certificate bundles, tenant files, and synthesized output.

Synth starts node (jsii) once per process and takes about a second per app, so synthesized
output is shared through module/session-scoped fixtures.

    constructs_bundles   session fixture -> BundleFactory: `make(name) -> CertificateBundle` (cached)
    constructs_example   session fixture -> Synthesized: the example tenant (one cert), synthesized
    tenant_toml(...)     -> str: a valid tenant file; keyword overrides replace whole sections
    synth_tenants(dir, outdir) -> Synthesized
    SandboxDeployment(root, name, sandbox, plugin_dir): one tenant's ServiceNow stack synthesized
        (and re-synthesized in place, like `cdktf deploy` after a config change) and driven by the
        real terraform against a sandbox (tenant file with the sandbox's name overrides unless
        `overrides=` is given): `.synth(certs, **sections)`, `.terraform`,
        `.planned_changes() -> {address: PlannedChange}`
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from teams_notify.certs import new_self_signed
from teams_notify.config import load_tenants
from teams_notify.sandbox import Sandbox
from teams_notify.stacks.app import SynthResult, synth
from teams_notify.stacks.variable_names import keystore_password_variable

from helpers.sandbox import sandbox_overrides
from helpers.terraform import Terraform, sandbox_env

STORE_PASSWORD = "constructs-test-store-pw-7Qx"  # test-only, used to prove it never reaches cdktf.out


@dataclass(frozen=True)
class CertificateBundle:
    dir: Path
    name: str

    @property
    def crt(self) -> Path:
        return self.dir / f"{self.name}.crt"

    def copy_to(self, target: Path) -> CertificateBundle:
        """A private copy (tests that tamper with files must not touch the shared bundle)."""
        shutil.copytree(self.dir, target)
        return CertificateBundle(target, self.name)


class BundleFactory:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: dict[str, CertificateBundle] = {}

    def make(self, name: str, days: int = 365) -> CertificateBundle:
        if name not in self._made:
            folder = self.root / name
            new_self_signed(name, folder, cn=f"{name} test", days=days, store_password=STORE_PASSWORD)
            self._made[name] = CertificateBundle(folder, name)
        return self._made[name]


@dataclass
class Synthesized:
    outdir: Path
    result: SynthResult

    def stack(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.outdir / "stacks" / name / "cdk.tf.json").read_text())
        return data

    def summary(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.outdir / "stacks" / name / "teams-notify.json").read_text())
        return data


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(value)


def _section(header: str, body: dict[str, Any]) -> str:
    lines = [header]
    nested = []
    for key, value in body.items():
        if isinstance(value, dict):
            nested.append(_section(f"[{header.strip('[]')}.{key}]", value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines + nested) + "\n"


def tenant_toml(
    name: str,
    certs: list[tuple[str, CertificateBundle, bool]],
    certificate_options: dict[str, Any] | None = None,
    **sections: Any,
) -> str:
    """A tenant file. `certs` = [(key, bundle, active)], each entry with `certificate_options` added;
    `sections` override top-level keys/sections."""
    top: dict[str, Any] = {
        "name": name,
        "tenant_id": "0a1b2c3d-1111-4222-8333-444455556666",
        "domain": f"{name}.onmicrosoft.com",
    }
    body: dict[str, Any] = {
        "service_user": {"upn": f"sn-notify@{name}.onmicrosoft.com"},
        "servicenow": {"instance_url": f"https://{name}.service-now.com"},
        "entra": {
            "handoff": "variables",
            "client_id": "c11e47ad-0000-4000-8000-00000000c1d1",
            "service_user_object_id": "5e4f1ce0-0000-4000-8000-000000005e4f",
        },
        "backend": {"type": "local"},
    }
    for key, value in sections.items():
        (body if isinstance(value, dict) else top)[key] = value
    text = "".join(f"{k} = {_toml_value(v)}\n" for k, v in top.items())
    text += "".join(_section(f"[{k}]", v) for k, v in body.items())
    for key, bundle, active in certs:
        entry = {"key": key, "dir": str(bundle.dir), "name": bundle.name, "active": active}
        text += _section("[[certificates]]", entry | (certificate_options or {}))
    return text


def write_tenant(
    folder: Path, name: str, certs: list[tuple[str, CertificateBundle, bool]], **sections: Any
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(tenant_toml(name, certs, **sections))
    return path


def synth_tenants(tenants_dir: Path, outdir: Path, now: datetime | None = None) -> Synthesized:
    return Synthesized(outdir, synth(load_tenants(tenants_dir), outdir, now=now))


@dataclass(frozen=True)
class PlannedChange:
    """One resource change of a saved plan (`terraform show -json`): actions and the values."""

    actions: tuple[str, ...]
    before: dict[str, Any]
    after: dict[str, Any]


class SandboxDeployment:
    """A tenant's ServiceNow stack, synthesized into `root/cdktf.out` and applied to a sandbox.

    Every `synth` rewrites the tenant file and synthesizes into the same folder, so the stack's
    state, lock file and `.terraform` stay, as they do between two `cdktf deploy` runs.
    """

    CERT_KEYS = ("current", "next")

    def __init__(self, root: Path, name: str, sandbox: Sandbox, plugin_dir: Path) -> None:
        self.root, self.name, self.sandbox = root, name, sandbox
        self.stack_dir = root / "cdktf.out" / "stacks" / f"{name}-servicenow"
        passwords = {f"TF_VAR_{keystore_password_variable(k)}": STORE_PASSWORD for k in self.CERT_KEYS}
        self.plugin_dir = plugin_dir
        self.env = sandbox_env(sandbox) | passwords
        self._terraform: Terraform | None = None

    def synth(self, certs: list[tuple[str, CertificateBundle, bool]], **sections: Any) -> Synthesized:
        sections.setdefault("servicenow", {"instance_url": self.sandbox.url})
        sections.setdefault("overrides", sandbox_overrides())  # the sandbox's own names
        write_tenant(self.root / "tenants", self.name, certs, **sections)
        return synth_tenants(self.root / "tenants", self.root / "cdktf.out")

    @property
    def terraform(self) -> Terraform:
        """Terraform in the stack folder, initialised on first use (after the first synth)."""
        if self._terraform is None:
            self._terraform = Terraform(self.stack_dir, self.plugin_dir, env=self.env)
            self._terraform.init()
        return self._terraform

    def planned_changes(self) -> dict[str, PlannedChange]:
        """`terraform plan -out` + `show -json`: every resource's planned actions, by address."""
        self.terraform.run("plan", "-input=false", "-no-color", "-out=tn.plan")
        plan = json.loads(self.terraform.run("show", "-json", "tn.plan").stdout)
        return {
            rc["address"]: PlannedChange(
                tuple(rc["change"]["actions"]), rc["change"]["before"] or {}, rc["change"]["after"] or {}
            )
            for rc in plan.get("resource_changes", [])
        }


@pytest.fixture(scope="session")
def constructs_bundles(tmp_path_factory: pytest.TempPathFactory) -> BundleFactory:
    return BundleFactory(tmp_path_factory.mktemp("bundles"))


@pytest.fixture(scope="session")
def constructs_example(
    tmp_path_factory: pytest.TempPathFactory, constructs_bundles: BundleFactory
) -> Iterator[Synthesized]:
    root = tmp_path_factory.mktemp("example")
    write_tenant(root / "tenants", "example", [("current", constructs_bundles.make("example-cert"), True)])
    yield synth_tenants(root / "tenants", root / "cdktf.out")
