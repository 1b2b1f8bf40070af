"""The main job, offline: `make demo` (= `.venv/bin/python demo.py`).

A full rollout of the bundled example tenant (tenants/example.toml) against local stand-ins,
then the proof that it works:

1. start the local ServiceNow (teams_notify.sandbox) and the local Entra (HTTPS, own CA);
2. point a copy of the example at the local ServiceNow and record the names that instance uses
   where they differ from the catalog (`teams-notify schema discover --write`, then
   `schema check`), as before a real rollout;
3. synthesize it;
4. `terraform init` + `apply` its ServiceNow stack for real (our provider, from this checkout);
5. load its Entra stack (app, certificate, the 5 Graph grants, service user) into the local
   Entra: the azuread provider cannot be downloaded offline (DESIGN pitfall 3);
6. run `teams-notify doctor` on it: every check green, shown as a table;
7. stop both; exit 0 only when the doctor found nothing wrong.

Only this script, the tests and the benchmarks import the sandboxes; the product never does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from teams_notify.config import TenantConfig, load_tenant, load_tenants
from teams_notify.sandbox import Sandbox
from teams_notify.sandbox.accounts import USERS
from teams_notify.sandbox.entra import EntraSandbox, load_entra_stack
from teams_notify.schema_check import run_check
from teams_notify.schema_discover import run_discover
from teams_notify.stacks.app import poc_password_file, synth
from teams_notify.stacks.variable_names import keystore_password_variable
from teams_notify.tenant_overrides import add_overrides
from terraform_provider_servicenow.install import DEFAULT_SOURCE, cli_config_text, install

ROOT = Path(__file__).resolve().parent
# Another tenant file to roll out instead of the example (tests run the demo on a copy).
EXAMPLE = Path(os.environ.get("TEAMS_NOTIFY_DEMO_TENANT") or ROOT / "tenants" / "example.toml").resolve()
TERRAFORM = os.environ.get("TERRAFORM_BINARY", "terraform")
STEPS = 7


class DemoFailed(Exception):
    """A step of the demo failed; the message says which and why."""


@contextmanager
def step(number: int, what: str) -> Iterator[None]:
    print(f"[{number}/{STEPS}] {what} ...", flush=True)
    start = time.perf_counter()
    yield
    print(f"      done in {time.perf_counter() - start:.1f} s", flush=True)


def local_tenant_file(folder: Path, instance_url: str) -> Path:
    """The example tenant, pointed at the local ServiceNow, its bundle path made absolute."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^instance_url = ".*"$', f'instance_url = "{instance_url}"', text)

    def absolute(match: re.Match[str]) -> str:
        return f'dir = "{(EXAMPLE.parent / match.group(1)).resolve()}"'

    text = re.sub(r'(?m)^dir = "(.*)"$', absolute, text)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EXAMPLE.name
    path.write_text(text, encoding="utf-8")
    return path


def terraform(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Run terraform, echoing its progress lines; DemoFailed with its output when it fails."""
    proc = subprocess.Popen(
        [TERRAFORM, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    output = []
    for line in proc.stdout:
        output.append(line)
        if re.search(r"(Creation|Modifications|Read|Apply) complete|successfully initialized", line):
            print(f"      {line.rstrip()}", flush=True)
    if proc.wait() != 0:
        raise DemoFailed(f"terraform {args[0]} failed:\n{''.join(output)}")


def teams_notify_cli() -> str:
    """The `teams-notify` of this checkout's virtualenv."""
    return str(Path(sys.executable).with_name("teams-notify"))


def discover_names(tenant_file: Path) -> None:
    """What `teams-notify schema discover --write` then `schema check` do, in this process (the
    CDK runtime they build the stack with is already running here): record the instance's own
    names in the tenant file, then prove every name the stack writes is on the instance."""
    discovery = run_discover(load_tenant(tenant_file))
    if discovery.unresolved:
        open_names = ", ".join(u.config_key for u in discovery.unresolved)
        raise DemoFailed(f"schema discover left names open: {open_names}")
    add_overrides(tenant_file, discovery.overrides())
    print(f"      schema discover --write: {len(discovery.found)} name(s) recorded in {tenant_file.name}")
    url, findings = run_check(load_tenant(tenant_file))
    missing = [f.expected.label for f in findings if not f.present]
    if missing:
        raise DemoFailed(f"schema check still misses {', '.join(missing)} after discover")
    print(f"      schema check: all {len(findings)} names the stack writes are on {url}", flush=True)


def terraform_env(work: Path, sandbox: Sandbox) -> dict[str, str]:
    """Offline terraform with our provider from this checkout; credentials only in the environment."""
    plugins = work / "plugins"
    install(plugins, DEFAULT_SOURCE, python=sys.executable)
    cli_config = work / "terraformrc"
    cli_config.write_text(cli_config_text(plugins))
    return os.environ | {
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "SERVICENOW_INSTANCE_URL": sandbox.url,
        "SERVICENOW_USERNAME": "admin",
        "SERVICENOW_PASSWORD": USERS["admin"].password,
    }


def export_for_synth(env: dict[str, str]) -> None:
    """Discover and synth run in this process: discover reads SERVICENOW_*, and synth locks the
    provider of the CLI config terraform will use (not whatever ~/.terraform.d holds)."""
    exported = {k: v for k, v in env.items() if k.startswith("SERVICENOW_") or k == "TF_CLI_CONFIG_FILE"}
    os.environ.update(exported)


def store_password_env(tenant: TenantConfig) -> dict[str, str]:
    """TF_VAR_keystore_password_<key> from the PoC bundle's password file."""
    cert = tenant.active_certificate
    password = poc_password_file(cert).read_text(encoding="utf-8").splitlines()[0]
    return {f"TF_VAR_{keystore_password_variable(cert.key)}": password}


def deploy(work: Path, tenant_file: Path, env: dict[str, str]) -> tuple[TenantConfig, dict[str, str]]:
    """Steps 2-4: names, synth, terraform apply; returns the tenant and the environment used."""
    with step(2, "finding the instance's names (schema discover --write, then schema check)"):
        discover_names(tenant_file)
    with step(3, "synthesizing the example tenant"):
        synth(load_tenants(tenant_file.parent), work / "cdktf.out")
    tenant = load_tenant(tenant_file)
    env = env | store_password_env(tenant)
    stack = work / "cdktf.out" / "stacks" / tenant.servicenow_stack
    with step(4, f"terraform init + apply of {tenant.servicenow_stack} on the local ServiceNow"):
        terraform(["init", "-input=false", "-no-color"], stack, env)
        terraform(["apply", "-auto-approve", "-input=false", "-no-color"], stack, env)
    return tenant, env


def run(work: Path) -> int:
    with step(1, "starting the local ServiceNow and the local Entra"):
        servicenow = Sandbox(db_path=work / "servicenow.sqlite", port=0).start()
        entra_state = work / "entra-state.json"
        print(f"      ServiceNow {servicenow.url} (admin/admin)", flush=True)
    try:
        tenant_file = local_tenant_file(work / "tenants", servicenow.url)
        env = terraform_env(work, servicenow)
        export_for_synth(env)
        tenant, env = deploy(work, tenant_file, env)
        with step(5, f"loading {tenant.entra_stack} into the local Entra"):
            state = load_entra_stack(
                work / "cdktf.out" / "stacks" / tenant.entra_stack,
                client_id=tenant.entra.client_id,
                service_user_object_id=tenant.entra.service_user_object_id,
            )
            state.save(entra_state)
        with EntraSandbox(state_file=entra_state, port=0) as entra:
            print(f"      Entra {entra.url}", flush=True)
            with step(6, "teams-notify doctor"):
                doctor_env = env | {
                    "SSL_CERT_FILE": str(entra.ca_file),
                    "REQUESTS_CA_BUNDLE": str(entra.ca_file),
                }
                argv = [teams_notify_cli(), "doctor", "--tenant", str(tenant_file)]
                argv += ["--authority-host", entra.url, "--graph-url", entra.url, "--wait", "10"]
                code = subprocess.run(argv, env=doctor_env, check=False).returncode
    finally:
        with step(7, "stopping the local ServiceNow and Entra"):
            servicenow.stop()
    return code


def main() -> int:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="teams-notify-demo-") as folder:
        try:
            code = run(Path(folder))
        except DemoFailed as err:
            print(f"demo failed: {err}", file=sys.stderr)
            return 1
    verdict = "the whole chain works" if code == 0 else "the doctor found a broken link"
    print(f"demo: {verdict} ({time.perf_counter() - start:.1f} s)", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
