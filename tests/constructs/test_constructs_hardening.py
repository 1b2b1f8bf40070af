"""Issue 9: hostile inputs that once gave tracebacks, hangs, injected queries or shared records
now get one line and exit 2 (bad input) or 1 (a check failed), through the real CLI."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from helpers.certs import CliResult, make_bundle, run_cli, run_tool
from helpers.constructs import STORE_PASSWORD, BundleFactory, CertificateBundle, write_tenant


def synth_cli(tenants: Path, out: Path) -> CliResult:
    return run_cli("synth", "--tenants", tenants, "--out", out)


def one_line(result: CliResult, code: int, *words: str) -> None:
    """Exit `code`, `error: ...` + `  fix: ...` and nothing else on stderr, the words in the cause."""
    assert result.code == code, result.err
    lines = result.err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["error", "  fix"], result.err
    for word in words:
        assert word in lines[0], result.err


@pytest.fixture
def bundle(constructs_bundles: BundleFactory) -> CertificateBundle:
    return constructs_bundles.make("hostile-cert")


# ---------------------------------------------------------------- item 2: unreadable tenant files


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.write_bytes('name = "caf\xe9"\n'.encode("latin-1")), "is not UTF-8 text"),
        (lambda p: p.write_bytes(bytes(range(256)) * 4), "is not UTF-8 text"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n"), "nests arrays or tables"),
        (lambda p: os.mkfifo(p), "is not a regular file"),
        (lambda p: p.write_bytes(b"# " + b"x" * (5 * 1024 * 1024)), "is larger than"),
    ],
    ids=["latin-1", "binary", "directory", "nested-5000", "fifo", "huge"],
)
def test_unreadable_tenant_file_is_one_line(tmp_path: Path, make: object, words: str) -> None:
    tenants = tmp_path / "t"
    tenants.mkdir()
    make(tenants / "x.toml")  # type: ignore[operator]
    one_line(synth_cli(tenants, tmp_path / "out"), 2, "x.toml", words)
    assert not (tmp_path / "out").exists()


def test_fifo_as_runbook_tenant_is_one_line(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.toml")
    result = run_cli("teams", "runbook", "--tenant", tmp_path / "x.toml", "--cdktf-out", tmp_path / "o")
    one_line(result, 2, "is not a regular file")


def test_deeply_nested_outputs_json_is_one_line(tmp_path: Path, bundle: CertificateBundle) -> None:
    tenant = write_tenant(tmp_path / "t", "deep", [("current", bundle, True)])
    outputs = tmp_path / "outputs.json"
    outputs.write_text("[" * 100_000 + "]" * 100_000)
    result = run_cli("teams", "policy", "--tenant", tenant, "--outputs", outputs, "--out", tmp_path / "o")
    one_line(result, 2, "outputs.json", "nests arrays or tables")


# ------------------------------------------------------- items 3 and 4: shapes and numeric bounds


@pytest.mark.parametrize(
    ("sections", "words"),
    [
        ({"name": "abc\n"}, "name: not a tenant name"),
        ({"tenant_id": "0a1b2c3d-1111-4222-8333-444455556666\n"}, "tenant_id: not a GUID"),
        (
            {"servicenow": {"instance_url": "https://a.sn.com", "connection_url": "https://graph.microsoft.com\n"}},
            "servicenow.connection_url: not an https:// URL",
        ),
        (
            {"servicenow": {"instance_url": "https://a.service-now.com\n"}},
            "servicenow.instance_url: not an https:// URL",
        ),
        ({"overrides": {"tables": {"credential": "x_acme\n"}}}, "overrides.tables.credential: not a"),
        ({"domain": "contoso.com\n"}, "domain: not a domain name"),
        ({"expiry_horizon_days": 99999999999999}, "expiry_horizon_days"),
        ({"servicenow": {"instance_url": "https://a.sn.com", "selector": {"order": 2**40}}}, "order"),
        ({"servicenow": {"instance_url": "https://a.service-now.com:99999"}}, "is not 1-65535"),
        (
            {"backend": {"type": "cloud", "organization": "acme", "workspace_pattern": "tn-{stack}\n"}},
            "workspace_pattern",
        ),
    ],
    ids=[
        "name",
        "tenant-id",
        "connection-url",
        "instance-url",
        "table",
        "domain",
        "horizon",
        "order",
        "port",
        "workspace",
    ],
)
def test_trailing_newline_and_huge_numbers_are_refused(
    tmp_path: Path, bundle: CertificateBundle, sections: dict[str, object], words: str
) -> None:
    name = str(sections.pop("name", "acme"))
    path = write_tenant(tmp_path / "t", "acme", [("current", bundle, True)], **sections)
    path.write_text(path.read_text().replace('name = "acme"', f"name = {json.dumps(name)}"))
    one_line(synth_cli(tmp_path / "t", tmp_path / "out"), 2, "acme.toml", words)
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------- item 5: no query injection via config


def test_requester_with_query_syntax_is_refused(tmp_path: Path, bundle: CertificateBundle) -> None:
    servicenow = {
        "instance_url": "https://a.service-now.com",
        "requester": "No such credential^NQnameSTARTSWITHForeign",
    }
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)], servicenow=servicenow)
    result = synth_cli(tmp_path / "t", tmp_path / "out")
    one_line(result, 2, "servicenow.requester", "cannot be looked up exactly")


def test_requester_is_looked_up_exactly(tmp_path: Path, bundle: CertificateBundle) -> None:
    servicenow = {"instance_url": "https://a.service-now.com", "requester": "Teams Notify credential"}
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)], servicenow=servicenow)
    assert synth_cli(tmp_path / "t", tmp_path / "out").code == 0
    stack = json.loads((tmp_path / "out" / "stacks" / "acme-servicenow" / "cdk.tf.json").read_text())
    queries = [d["query"] for d in stack["data"]["servicenow_record"].values()]
    assert "name=Teams Notify credential" in queries


# -------------------------------------------------------- item 6: one ServiceNow instance per tenant


def test_two_tenants_on_one_instance_are_refused(tmp_path: Path, bundle: CertificateBundle) -> None:
    urls = {"example": "https://shared.service-now.com", "beta": "https://SHARED.service-now.com:443/"}
    for name, url in urls.items():
        write_tenant(tmp_path / "t", name, [("current", bundle, True)], servicenow={"instance_url": url})
    result = synth_cli(tmp_path / "t", tmp_path / "out")
    one_line(result, 2, "example.toml", "beta.toml", "Teams configuration")
    assert not (tmp_path / "out").exists()


# ------------------------------------------------ item 7: synth refuses what `cert check` refuses


def _ec_keystore(folder: Path) -> CertificateBundle:
    """A keytool-made JKS with an EC key, its certificate exported, no .key, no password set."""
    folder.mkdir()
    env = {"P": STORE_PASSWORD}
    jks = folder / "ec.jks"
    run_tool(
        "keytool", "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "ec",
        "-dname", "CN=ec", "-validity", "365", "-keystore", jks, "-storetype", "JKS",
        "-storepass:env", "P", "-keypass:env", "P", env=env,
    )  # fmt: skip
    run_tool(
        "keytool", "-exportcert", "-rfc", "-alias", "ec", "-keystore", jks, "-storepass:env", "P",
        "-file", folder / "ec.crt", env=env,
    )  # fmt: skip
    return CertificateBundle(folder, "ec")


def test_ec_keystore_is_refused_like_cert_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEAMS_NOTIFY_STORE_PASSWORD", raising=False)
    ec = _ec_keystore(tmp_path / "ec")
    write_tenant(tmp_path / "t", "acme", [("current", ec, True)])
    result = synth_cli(tmp_path / "t", tmp_path / "out")
    assert result.code == 1 and "tenant acme, certificate 'current'" in result.err
    monkeypatch.setenv("TEAMS_NOTIFY_STORE_PASSWORD", STORE_PASSWORD)
    check = run_cli("cert", "check", ec.crt, ec.dir / "ec.jks")
    assert check.code == 1, check.out + check.err
    assert not (tmp_path / "out").exists()


def test_rsa_1024_is_refused_like_cert_check(tmp_path: Path) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    make_bundle(tmp_path / "weak", weak, name="weak", store_password=STORE_PASSWORD)
    write_tenant(tmp_path / "t", "acme", [("current", CertificateBundle(tmp_path / "weak", "weak"), True)])
    result = synth_cli(tmp_path / "t", tmp_path / "out")
    assert result.code == 1, result.err
    assert "weak.crt has a 1024-bit RSA key" in result.err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------ item 9: local state private, outside the output


def test_local_state_is_private_and_outside_the_output(tmp_path: Path, bundle: CertificateBundle) -> None:
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)])
    out = tmp_path / "project" / "cdktf.out"
    assert synth_cli(tmp_path / "t", out).code == 0
    state_dir = tmp_path / "project" / ".teams-notify" / "state"
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    stack_dir = out / "stacks" / "acme-servicenow"
    stack = json.loads((stack_dir / "cdk.tf.json").read_text())
    state_file = (stack_dir / stack["terraform"]["backend"]["local"]["path"]).resolve()
    assert state_file == state_dir / "acme-servicenow.tfstate"
    assert out.resolve() not in state_file.parents

