"""The post-synth hook refuses certificates that would fail at Entra, with one clear line."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, synth_tenants, write_tenant
from teams_notify.certs import Thumbprints, load_certificate
from teams_notify.errors import CheckFailedError


def synth_one(root: Path, certs: list, **kw: object) -> None:
    write_tenant(root / "t", "acme", certs)
    synth_tenants(root / "t", root / "out", **kw)  # type: ignore[arg-type]


def test_swapped_keystore_fails(tmp_path: Path, constructs_bundles: BundleFactory) -> None:
    mine = constructs_bundles.make("hook-a").copy_to(tmp_path / "a")
    other = constructs_bundles.make("hook-b")
    shutil.copy(other.dir / "hook-b.jks", mine.dir / "hook-a.jks")
    with pytest.raises(CheckFailedError) as err:
        synth_one(tmp_path, [("current", mine, True)])
    assert "hook-a.jks (entry 'hook-b'" in err.value.cause
    assert "holds a different certificate than hook-a.crt" in err.value.cause
    assert "tenant acme, certificate 'current'" in err.value.cause
    assert not (tmp_path / "out" / "stacks" / "acme-servicenow" / "teams-notify.json").exists()


def test_mismatched_crt_fails(tmp_path: Path, constructs_bundles: BundleFactory) -> None:
    mine = constructs_bundles.make("hook-a").copy_to(tmp_path / "a")
    shutil.copy(constructs_bundles.make("hook-b").crt, mine.crt)
    with pytest.raises(CheckFailedError, match=r"holds a different certificate than hook-a\.crt"):
        synth_one(tmp_path, [("current", mine, True)])


def test_key_mismatch_fails(tmp_path: Path, constructs_bundles: BundleFactory) -> None:
    mine = constructs_bundles.make("hook-a").copy_to(tmp_path / "a")
    shutil.copy(constructs_bundles.make("hook-b").dir / "hook-b.key", mine.dir / "hook-a.key")
    with pytest.raises(CheckFailedError, match=r"hook-a.key does not belong to the certificate"):
        synth_one(tmp_path, [("current", mine, True)])


def test_expired_active_fails(tmp_path: Path, constructs_bundles: BundleFactory) -> None:
    bundle = constructs_bundles.make("hook-a")
    after = Thumbprints.of(load_certificate(bundle.crt)).not_after
    with pytest.raises(CheckFailedError, match=r"the active certificate expired on"):
        synth_one(tmp_path, [("current", bundle, True)], now=after + timedelta(days=1))


def test_expiring_within_horizon_fails_without_successor(
    tmp_path: Path, constructs_bundles: BundleFactory
) -> None:
    bundle = constructs_bundles.make("hook-a")
    after = Thumbprints.of(load_certificate(bundle.crt)).not_after
    with pytest.raises(CheckFailedError, match=r"within the 30-day horizon") as err:
        synth_one(tmp_path, [("current", bundle, True)], now=after - timedelta(days=10))
    assert "add a next certificate" in str(err.value.fix)


def test_expiring_with_successor_warns(tmp_path: Path, constructs_bundles: BundleFactory) -> None:
    old = constructs_bundles.make("hook-a")
    new = constructs_bundles.make("hook-long", days=800)
    after = Thumbprints.of(load_certificate(old.crt)).not_after
    write_tenant(tmp_path / "t", "acme", [("current", old, True), ("next", new, False)])
    result = synth_tenants(tmp_path / "t", tmp_path / "out", now=after - timedelta(days=10))
    warnings = result.summary("acme-servicenow")["warnings"]
    assert len(warnings) == 1 and "within the 30-day horizon" in warnings[0]
