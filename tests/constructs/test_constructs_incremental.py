"""Issue 12: incremental and parallel synth write exactly what a full serial synth writes.

After each kind of change (a tenant file, a rotated certificate, the package version, the CDK
engine) the incremental output is byte-identical to a full synth of the same inputs into the
same folder, manifest and index included; a deleted tenant disappears; unchanged tenants are
reused, changed ones synthesized again; a parallel synth equals a serial one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, CertificateBundle, write_tenant
from helpers.programs import tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from teams_notify.config import load_tenants
from teams_notify.stacks import synth_cache
from teams_notify.stacks.app import SynthResult, synth

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("alpha", "bravo", "charlie")


def incremental_equals_full(root: Path, out: Path, **kw: object) -> SynthResult:
    """Synthesize incrementally into `out`, then fully into the same path (moved aside and back):
    the two trees must be byte-identical. Returns the incremental run's result."""
    result = synth(load_tenants(root / "t"), out, **kw)  # type: ignore[arg-type]
    incremental = tree(out)
    shutil.move(out, root / "kept")
    synth(load_tenants(root / "t"), out, full=True)
    assert tree(out) == incremental
    shutil.rmtree(out)
    shutil.move(root / "kept", out)
    return result


@pytest.fixture
def fleet(tmp_path: Path, constructs_bundles: BundleFactory) -> Path:
    for name in NAMES:
        bundle = constructs_bundles.make(f"inc-{name}").copy_to(tmp_path / "bundles" / name)
        write_tenant(tmp_path / "t", name, [("current", bundle, True)])
    synth(load_tenants(tmp_path / "t"), tmp_path / "out")
    return tmp_path


def test_nothing_changed_reuses_every_tenant(fleet: Path) -> None:
    before = tree(fleet / "out")
    result = synth(load_tenants(fleet / "t"), fleet / "out")
    assert result.built == [] and result.reused == list(NAMES)
    assert tree(fleet / "out") == before
    assert [s.stack for s in result.summaries] == [f"{n}-{s}" for n in NAMES for s in ("entra", "servicenow")]


def test_edited_tenant_file(fleet: Path) -> None:
    bundle = CertificateBundle(fleet / "bundles" / "bravo", "inc-bravo")
    write_tenant(fleet / "t", "bravo", [("current", bundle, True)], app_display_name="Bravo Notify")
    result = incremental_equals_full(fleet, fleet / "out")
    assert result.built == ["bravo"] and result.reused == ["alpha", "charlie"]
    assert b"Bravo Notify" in (fleet / "out" / "stacks" / "bravo-entra" / "cdk.tf.json").read_bytes()


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def test_the_kept_folders_bring_back_no_file(fleet: Path) -> None:
    """A re-synth takes its folders from the output before the current one, kept beside it:
    every file and every other folder in them goes first, Terraform's working files come from
    the current output, and the result has exactly the files and folders of a full synth."""
    out = fleet / "out"
    bundle = CertificateBundle(fleet / "bundles" / "bravo", "inc-bravo")
    write_tenant(fleet / "t", "bravo", [("current", bundle, True)], app_display_name="Bravo Notify")
    synth(load_tenants(fleet / "t"), out)
    kept = fleet / ".out.recycle"  # the first output
    assert (kept / "stacks" / "alpha-entra" / "artifacts").is_dir()
    planted = ("stacks/alpha-entra/planted", "stacks/alpha-entra/artifacts/planted", "stacks/gone/x", "x")
    for path in planted:
        (kept / path).parent.mkdir(parents=True, exist_ok=True)
        (kept / path).write_text("stale")
    working = out / "stacks" / "alpha-servicenow" / ".terraform" / "providers"
    working.mkdir(parents=True)
    (working / "p").write_text("plugin")
    write_tenant(fleet / "t", "bravo", [("current", bundle, True)], app_display_name="Bravo Notify 2")
    result = synth(load_tenants(fleet / "t"), out)
    assert result.built == ["bravo"] and result.reused == ["alpha", "charlie"]
    assert (working / "p").read_text() == "plugin"
    shutil.rmtree(out / "stacks" / "alpha-servicenow" / ".terraform")
    incremental = (tree(out), folders(out))
    assert not [path for path in incremental[0] if "planted" in path or path.startswith("stacks/gone")]
    shutil.move(out, fleet / "incremental")
    synth(load_tenants(fleet / "t"), out, full=True)
    assert (tree(out), folders(out)) == incremental


def test_rotated_certificate(fleet: Path, constructs_bundles: BundleFactory) -> None:
    """Same file names, new bytes: never served from the cache."""
    folder = fleet / "bundles" / "charlie"
    new = constructs_bundles.make("inc-rotated")
    for suffix in (".crt", ".key", ".jks"):
        shutil.copy(new.dir / f"inc-rotated{suffix}", folder / f"inc-charlie{suffix}")
    result = incremental_equals_full(fleet, fleet / "out")
    assert result.built == ["charlie"]
    summary = (fleet / "out" / "stacks" / "charlie-servicenow" / "teams-notify.json").read_text()
    from teams_notify.certs import Thumbprints, load_certificate

    assert Thumbprints.of(load_certificate(new.crt)).x5t in summary


def test_package_version_or_code_change(fleet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synth_cache.code_fingerprint.cache_clear()
    monkeypatch.setattr(synth_cache, "_version", lambda name: "99.0.0")
    try:
        result = incremental_equals_full(fleet, fleet / "out")
    finally:
        synth_cache.code_fingerprint.cache_clear()
    assert result.built == list(NAMES) and result.reused == []


def test_expiry_horizon_change_is_not_served_from_the_cache(fleet: Path) -> None:
    bundle = CertificateBundle(fleet / "bundles" / "alpha", "inc-alpha")
    write_tenant(fleet / "t", "alpha", [("current", bundle, True)], expiry_horizon_days=31)
    result = incremental_equals_full(fleet, fleet / "out")
    assert result.built == ["alpha"]


def test_hand_edited_output_is_synthesized_again(fleet: Path) -> None:
    stack_json = fleet / "out" / "stacks" / "alpha-servicenow" / "cdk.tf.json"
    original = stack_json.read_bytes()
    stack_json.write_bytes(original.replace(b"servicenow_record", b"servicenow_recorx", 1))
    result = synth(load_tenants(fleet / "t"), fleet / "out")
    assert result.built == ["alpha"]
    assert stack_json.read_bytes() == original


def test_deleted_tenant_disappears(fleet: Path) -> None:
    (fleet / "t" / "bravo.toml").unlink()
    result = incremental_equals_full(fleet, fleet / "out")
    assert result.reused == ["alpha", "charlie"]
    assert sorted(p.name for p in (fleet / "out" / "stacks").iterdir()) == [
        "alpha-entra", "alpha-servicenow", "charlie-entra", "charlie-servicenow",
    ]  # fmt: skip
    assert b"bravo" not in (fleet / "out" / "manifest.json").read_bytes()
    assert b"bravo" not in (fleet / "out" / ".teams-notify-synth.json").read_bytes()


def test_parallel_output_equals_serial(fleet: Path) -> None:
    serial = tree(fleet / "out")
    shutil.move(fleet / "out", fleet / "serial")
    synth(load_tenants(fleet / "t"), fleet / "out", full=True, jobs=2)
    assert tree(fleet / "out") == serial


def _main_py(tenants: Path, out: Path, **env: str) -> str:
    environ = os.environ | {"TEAMS_NOTIFY_TENANTS": str(tenants), "CDKTF_OUTDIR": str(out)} | env
    run = subprocess.run([sys.executable, str(ROOT / "main.py")], env=environ, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_engine_switch_through_main_py(tmp_path: Path, constructs_bundles: BundleFactory) -> None:
    """`python main.py` (what `cdktf synth` runs): switching the engine synthesizes everything
    again, equal to a full synth with that engine; the full-synth variable forces a rebuild."""
    for name in NAMES[:2]:
        write_tenant(tmp_path / "t", name, [("current", constructs_bundles.make(f"inc-{name}"), True)])
    out = tmp_path / "out"
    assert "unchanged" not in _main_py(tmp_path / "t", out)
    assert "2 of 2 tenants unchanged" in _main_py(tmp_path / "t", out)
    switched = _main_py(tmp_path / "t", out, TEAMS_NOTIFY_CDK="cdktn")
    assert "unchanged" not in switched
    incremental = tree(out)
    assert b'"version": "0.24.0"' in incremental["manifest.json"]
    shutil.move(out, tmp_path / "kept")
    forced = _main_py(tmp_path / "t", out, TEAMS_NOTIFY_CDK="cdktn", TEAMS_NOTIFY_FULL_SYNTH="1")
    assert "unchanged" not in forced
    assert tree(out) == incremental


def test_manifest_rendering_matches_the_engine(fleet: Path) -> None:
    """Our merged manifest.json is the engine's byte for byte: rendered from the engine's own."""
    from teams_notify.stacks.app import build_app

    app, _ = build_app(load_tenants(fleet / "t"), fleet / "engine")
    app.synth()
    engine_text = (fleet / "engine" / "manifest.json").read_text()
    assert (fleet / "out" / "manifest.json").read_text() == engine_text


def test_json_report_and_no_progress_bar(fleet: Path) -> None:
    """`--json`: a machine-readable report on stdout and nothing else, no progress bar."""
    import json

    from helpers.certs import run_cli

    result = run_cli("synth", "--tenants", fleet / "t", "--out", fleet / "out", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["reused"] == list(NAMES) and report["synthesized"] == []
    assert report["stacks"] == [f"{n}-{s}" for n in NAMES for s in ("entra", "servicenow")]
    assert result.err == ""


EDITS = ("display_name", "delete", "add", "rotate", "horizon")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(EDITS), st.sampled_from(NAMES)), min_size=1, max_size=3))
def test_any_sequence_of_changes_equals_a_full_synth(
    tmp_path_factory: pytest.TempPathFactory,
    constructs_bundles: BundleFactory,
    steps: list[tuple[str, str]],
) -> None:
    """Property: after any sequence of edits, each followed by an incremental synth, the output
    equals a full synth of the final inputs, byte for byte."""
    root = tmp_path_factory.mktemp("sequence")
    bundles = {n: constructs_bundles.make(f"inc-{n}").copy_to(root / "bundles" / n) for n in NAMES}
    for name in NAMES:
        write_tenant(root / "t", name, [("current", bundles[name], True)])
    synth(load_tenants(root / "t"), root / "out")
    for edit, name in steps:
        path = root / "t" / f"{name}.toml"
        if edit == "delete":
            path.unlink(missing_ok=True)
        elif edit == "rotate":
            new = constructs_bundles.make("inc-rotated")
            for suffix in (".crt", ".key", ".jks"):
                shutil.copy(new.dir / f"inc-rotated{suffix}", bundles[name].dir / f"inc-{name}{suffix}")
        else:
            extra = {
                "display_name": {"app_display_name": f"{name} {len(steps)}"},
                "horizon": {"expiry_horizon_days": 7},
            }
            write_tenant(root / "t", name, [("current", bundles[name], True)], **extra.get(edit, {}))
        if not list((root / "t").glob("*.toml")):
            write_tenant(root / "t", "alpha", [("current", bundles["alpha"], True)])
        incremental_equals_full(root, root / "out")
