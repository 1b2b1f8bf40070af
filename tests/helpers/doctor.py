"""Fixtures for the doctor tests: one tenant applied for real, checked against both sandboxes.

doctor_stand  module fixture -> DoctorStand: a tenant synthesized, its ServiceNow stack applied
              by the real terraform to a local ServiceNow, its Entra stack loaded into a local
              Entra (HTTPS, own CA). The certificate's standard Base64 SHA-1 holds `+` or `/`.
              Tests break one link at a time and put it back (`patched`, `entra_edited`).
doctor        fixture -> DoctorCli: runs `teams-notify doctor` in this process with the
              stand's environment: `.run(*extra_args) -> DoctorRun` (exit code, stdout, stderr,
              `.checks` from --json, `.check(name)`, `.failed()`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from teams_notify.certs import Thumbprints, load_certificate
from teams_notify.cli import main
from teams_notify.config import TenantConfig, load_tenant
from teams_notify.sandbox import Sandbox
from teams_notify.sandbox.entra import EntraSandbox, EntraState, load_entra_stack
from teams_notify.stacks.variable_names import keystore_password_variable

from helpers.constructs import STORE_PASSWORD, BundleFactory, CertificateBundle, SandboxDeployment
from helpers.terraform import AdminApi, sandbox_env

TENANT = "doctortest"
MAX_BUNDLE_TRIES = 30


def slash_bundle(bundles: BundleFactory) -> CertificateBundle:
    """A bundle whose SHA-1 in standard Base64 has `+` or `/` (so it differs from base64url)."""
    for attempt in range(MAX_BUNDLE_TRIES):
        bundle = bundles.make(f"doctor-cert-{attempt}")
        if set(Thumbprints.of(load_certificate(bundle.crt)).sha1_base64) & {"+", "/"}:
            return bundle
    raise AssertionError(f"no certificate with + or / in its Base64 SHA-1 in {MAX_BUNDLE_TRIES} tries")


@dataclass
class DoctorStand:
    tenant_file: Path
    tenant: TenantConfig
    bundle: CertificateBundle
    sandbox: Sandbox
    entra: EntraSandbox
    entra_state_file: Path
    api: AdminApi
    stack_dir: Path

    @property
    def env(self) -> dict[str, str]:
        return sandbox_env(self.sandbox) | {
            f"TF_VAR_{keystore_password_variable('current')}": STORE_PASSWORD,
            "SSL_CERT_FILE": str(self.entra.ca_file),
        }

    @property
    def thumbprints(self) -> Thumbprints:
        return Thumbprints.of(load_certificate(self.bundle.crt))

    def table(self, table_key: str) -> str:
        return self.tenant.table(table_key)

    def column(self, table_key: str, column_key: str) -> str:
        return self.tenant.column(table_key, column_key)

    def one(self, table_key: str, **equal: str) -> dict[str, Any]:
        """The single record of a catalog table whose logical columns equal the given values."""
        query = "^".join(f"{self.column(table_key, k)}={v}" for k, v in equal.items())
        (row,) = self.api.rows(self.table(table_key), query)
        return row

    def claim(self, name: str) -> dict[str, Any]:
        return self.one("jwt_claim", name=name)

    @contextmanager
    def patched(self, table_key: str, sys_id: str, **values: str) -> Iterator[None]:
        """Change logical columns of one record through the Table API; put the old values back."""
        table = self.table(table_key)
        columns = {self.column(table_key, k): v for k, v in values.items()}
        before = self.api.get(table, sys_id)
        assert before is not None
        self.api.patch(table, sys_id, columns)
        try:
            yield
        finally:
            self.api.patch(table, sys_id, {c: before[c] for c in columns})

    @contextmanager
    def jks_replaced(self, content: bytes) -> Iterator[None]:
        """Swap the active keystore's JKS attachment (Attachment API) for `content`; swap it back."""
        store = self.one("certificate", active="true")
        (original,) = self.api.rows("sys_attachment", f"table_sys_id={store['sys_id']}")
        original_bytes = self.api.attachment_bytes(original["sys_id"])
        self.api.http.delete(f"/api/now/attachment/{original['sys_id']}").raise_for_status()
        swapped = self._attach(store["sys_id"], original["file_name"], content)
        try:
            yield
        finally:
            self.api.http.delete(f"/api/now/attachment/{swapped['sys_id']}").raise_for_status()
            self._attach(store["sys_id"], original["file_name"], original_bytes)

    def _attach(self, record_sys_id: str, file_name: str, content: bytes) -> dict[str, Any]:
        params = {
            "table_name": self.table("certificate"),
            "table_sys_id": record_sys_id,
            "file_name": file_name,
        }
        resp = self.api.http.post(
            "/api/now/attachment/file",
            params=params,
            content=content,
            headers={"Content-Type": "application/octet-stream"},
        )
        result: dict[str, Any] = resp.raise_for_status().json()["result"]
        return result

    @contextmanager
    def entra_edited(self, edit: Callable[[EntraState], None]) -> Iterator[None]:
        """Edit the local Entra's state file (the server re-reads it); restore it afterwards."""
        original = self.entra_state_file.read_text()
        state = EntraState.load(self.entra_state_file)
        edit(state)
        state.save(self.entra_state_file)
        self.entra.reload()
        try:
            yield
        finally:
            self.entra_state_file.write_text(original)
            self.entra.reload()


@dataclass(frozen=True)
class DoctorRun:
    code: int
    stdout: str
    stderr: str

    @property
    def checks(self) -> dict[str, dict[str, str]]:
        return {c["name"]: c for c in json.loads(self.stdout)["checks"]}

    def check(self, name: str) -> dict[str, str]:
        return self.checks[name]

    def failed(self) -> list[str]:
        return [name for name, c in self.checks.items() if c["status"] == "fail"]


class DoctorCli:
    def __init__(
        self, stand: DoctorStand, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ):
        self.stand, self.monkeypatch, self.capsys = stand, monkeypatch, capsys
        for name in ("TEAMS_NOTIFY_STORE_PASSWORD", "TEAMS_NOTIFY_KEY_PASSWORD", "REQUESTS_CA_BUNDLE"):
            monkeypatch.delenv(name, raising=False)
        for name, value in stand.env.items():
            monkeypatch.setenv(name, value)

    def run(
        self, *extra: str, json_output: bool = True, wait: str = "0", tenant_file: Path | None = None
    ) -> DoctorRun:
        entra = self.stand.entra.url
        tenant = tenant_file or self.stand.tenant_file
        argv = ["doctor", "--tenant", str(tenant), "--authority-host", entra]
        argv += ["--graph-url", entra, "--wait", wait, *(["--json"] if json_output else []), *extra]
        self.capsys.readouterr()
        code = main(argv)
        out = self.capsys.readouterr()
        return DoctorRun(code, out.out, out.err)


@pytest.fixture(scope="module")
def doctor_stand(
    tmp_path_factory: pytest.TempPathFactory, constructs_bundles: BundleFactory, terraform_plugin_dir: Path
) -> Iterator[DoctorStand]:
    root = tmp_path_factory.mktemp("doctor")
    bundle = slash_bundle(constructs_bundles)
    with Sandbox(db_path=root / "servicenow.sqlite") as servicenow:
        deployment = SandboxDeployment(root, TENANT, servicenow, terraform_plugin_dir)
        deployment.synth([("current", bundle, True)])
        deployment.terraform.apply()
        tenant_file = root / "tenants" / f"{TENANT}.toml"
        state_file = root / "entra-state.json"
        load_entra_stack(root / "cdktf.out" / "stacks" / f"{TENANT}-entra").save(state_file)
        with EntraSandbox(state_file=state_file, data_dir=root / "entra") as entra:
            yield DoctorStand(
                tenant_file=tenant_file,
                tenant=load_tenant(tenant_file),
                bundle=bundle,
                sandbox=servicenow,
                entra=entra,
                entra_state_file=state_file,
                api=AdminApi(servicenow),
                stack_dir=deployment.stack_dir,
            )


@pytest.fixture
def doctor(
    doctor_stand: DoctorStand, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> DoctorCli:
    return DoctorCli(doctor_stand, monkeypatch, capsys)
