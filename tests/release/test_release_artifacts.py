"""`teams-notify provider release`: file names and manifest as the registry protocol documents them,
SHA256SUMS, the detached GPG signature, reproducible zips, and one-line errors."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from helpers.certs import run_cli
from helpers.release import BUILD_CACHE, RELEASE_VERSION, GpgKey, gpg, new_gpg_home, stop_gpg_agent
from terraform_provider_servicenow.build import Build, ReleaseError
from terraform_provider_servicenow.release import Release, read_release, write_release

PROJECT = "terraform-provider-servicenow"


def test_file_names_follow_the_registry_protocol(release_dir: Release) -> None:
    names = sorted(p.name for p in release_dir.folder.iterdir())
    assert names == [
        f"{PROJECT}_{RELEASE_VERSION}_SHA256SUMS",
        f"{PROJECT}_{RELEASE_VERSION}_SHA256SUMS.sig",
        f"{PROJECT}_{RELEASE_VERSION}_linux_amd64.zip",
        f"{PROJECT}_{RELEASE_VERSION}_manifest.json",
    ]
    # The registry protocol's manifest: format version 1, plugin protocol 6.0 only.
    assert json.loads(release_dir.manifest.read_text()) == {
        "version": 1,
        "metadata": {"protocol_versions": ["6.0"]},
    }


def test_sha256sums_list_every_zip_and_the_manifest(release_dir: Release) -> None:
    lines = release_dir.sha256sums.read_text().splitlines()
    assert all(re.fullmatch(r"[0-9a-f]{64}  \S+", line) for line in lines), lines
    listed = {name: digest for digest, name in (line.split("  ") for line in lines)}
    for path in [*release_dir.zips.values(), release_dir.manifest]:
        assert listed.pop(path.name) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert listed == {}


def test_zip_holds_the_versioned_executable_and_its_folder(release_dir: Release) -> None:
    with zipfile.ZipFile(release_dir.zips["linux_amd64"]) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    executable = infos[f"{PROJECT}_v{RELEASE_VERSION}"]
    assert stat.S_IMODE(executable.external_attr >> 16) == 0o755
    assert stat.S_ISREG(executable.external_attr >> 16)
    others = [name for name in infos if name != executable.filename]
    assert others and all(name.startswith("_internal/") for name in others)
    assert any(re.search(r"libpython3\.\d+\.so", name) for name in others)  # the interpreter travels along
    assert "_internal/certifi/cacert.pem" in infos  # the HTTP pool's CA store for https:// instances
    # What the zip redistributes carries its licenses: Python's, and each frozen distribution's metadata.
    assert "_internal/licenses/python/LICENSE.txt" in infos
    assert any(re.match(r"_internal/grpcio-[\d.]+\.dist-info/licenses?/", name) for name in infos)
    assert not any(name.endswith(".pyi") or "/tests/" in name for name in others)  # trimmed


def test_signature_verifies_with_the_public_key_only(
    release_dir: Release, release_gpg: GpgKey, tmp_path: Path
) -> None:
    public = gpg(release_gpg.home, "--armor", "--export", release_gpg.fingerprint).stdout
    assert b"BEGIN PGP PUBLIC KEY BLOCK" in public
    verifier = new_gpg_home(tmp_path / "verifier")  # knows the public key, never saw the secret one
    try:
        assert gpg(verifier, "--import", stdin=public).returncode == 0
        assert gpg(verifier, "--list-secret-keys", "--with-colons").stdout == b""
        good = gpg(
            verifier, "--status-fd", "1", "--verify", str(release_dir.signature), str(release_dir.sha256sums)
        )
        assert good.returncode == 0, good.stderr.decode()
        assert f"VALIDSIG {release_gpg.fingerprint}".encode() in good.stdout
        assert release_dir.signature.read_bytes()[:1] != b"-"  # binary, not ASCII-armored

        tampered = tmp_path / release_dir.sha256sums.name
        tampered.write_text(release_dir.sha256sums.read_text().replace("linux_amd64", "linux_arm64"))
        bad = gpg(verifier, "--verify", str(release_dir.signature), str(tampered))
        assert bad.returncode != 0 and b"BAD signature" in bad.stderr
    finally:
        stop_gpg_agent(verifier)


def test_zips_are_reproducible(
    release_dir: Release,
    release_build: Build,
    release_gpg: GpgKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GNUPGHOME", str(release_gpg.home))
    again = write_release(tmp_path / "again", RELEASE_VERSION, [release_build], release_gpg.fingerprint)
    assert again.checksums() == release_dir.checksums()


def test_release_cli_writes_and_reads_back(
    release_gpg: GpgKey, release_build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in release_gpg.env().items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "rel"
    result = run_cli(
        "provider", "release", "--out", out, "--version", "1.2.3-rc.1", "--cache", BUILD_CACHE, "--json"
    )
    assert result.code == 0, result.err
    written = json.loads(result.out)
    assert written["version"] == "1.2.3-rc.1" and written["platforms"] == ["linux_amd64"]
    release = read_release(out)
    assert release.version == "1.2.3-rc.1"
    assert set(release.zips) == {"linux_amd64"}
    with zipfile.ZipFile(release.zips["linux_amd64"]) as archive:
        assert f"{PROJECT}_v1.2.3-rc.1" in archive.namelist()


def test_read_release_refuses_a_changed_zip(release_dir: Release, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(release_dir.folder, tmp_path / "copy"))
    zip_path = copy / release_dir.zips["linux_amd64"].name
    with zip_path.open("r+b") as handle:
        handle.seek(-10, 2)
        handle.write(b"0123456789")
    with pytest.raises(ReleaseError, match="does not match its SHA256SUMS entry"):
        read_release(copy)


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        ({"TEAMS_NOTIFY_GPG_KEY_ID": ""}, [], "TEAMS_NOTIFY_GPG_KEY_ID is not set"),
        ({"TEAMS_NOTIFY_GPG_KEY_ID": "0123456789ABCDEF"}, [], "no secret GPG key '0123456789ABCDEF'"),
        ({"PATH": "/nonexistent"}, [], "gpg is not installed"),
        ({}, ["--version", "v1.0"], "is not a semantic version"),
        ({}, ["--build", "linux_arm64"], "is not OS_ARCH=DIR"),
        ({}, ["--build", "linux_arm64=/nonexistent"], "no terraform-provider-servicenow executable"),
    ],
)
def test_release_errors_are_one_line(
    release_gpg: GpgKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: list[str],
    message: str,
) -> None:
    for key, value in (release_gpg.env() | env).items():
        monkeypatch.setenv(key, value)
    result = run_cli("provider", "release", "--out", tmp_path / "rel", "--cache", BUILD_CACHE, *args)
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err
    assert result.err.startswith("error: ") and len(result.err.strip().splitlines()) == 2  # cause + fix
    assert not (tmp_path / "rel").exists()  # checked before anything is built or written


def test_unwritable_out_is_one_line(
    release_gpg: GpgKey, release_build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in release_gpg.env().items():
        monkeypatch.setenv(key, value)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run_cli("provider", "release", "--out", blocker / "rel", "--cache", BUILD_CACHE)
    assert result.code == 2 and "cannot write to" in result.err and "--out" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("kind", ["fs", "network", "registry"])
def test_mirror_cli(
    kind: str, release_dir: Release, release_gpg: GpgKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in release_gpg.env().items():
        monkeypatch.setenv(key, value)
    result = run_cli(
        "provider", "mirror", "--from", release_dir.folder, "--out", tmp_path / "m", "--kind", kind
    )
    assert result.code == 0, result.err
    files = sorted(
        p.relative_to(tmp_path / "m").as_posix() for p in (tmp_path / "m").rglob("*") if p.is_file()
    )
    zip_name = f"{PROJECT}_{RELEASE_VERSION}_linux_amd64.zip"
    expected = {
        "fs": [f"terraform.local/teams-notify/servicenow/{zip_name}"],
        "network": [
            f"terraform.local/teams-notify/servicenow/{RELEASE_VERSION}.json",
            "terraform.local/teams-notify/servicenow/index.json",
            f"terraform.local/teams-notify/servicenow/{zip_name}",
        ],
        "registry": [
            ".well-known/terraform.json",
            f"v1/providers/teams-notify/servicenow/{RELEASE_VERSION}/download/linux/amd64",
            f"v1/providers/teams-notify/servicenow/{RELEASE_VERSION}/{PROJECT}_{RELEASE_VERSION}_SHA256SUMS",
            f"v1/providers/teams-notify/servicenow/{RELEASE_VERSION}/{PROJECT}_{RELEASE_VERSION}_SHA256SUMS.sig",
            f"v1/providers/teams-notify/servicenow/{RELEASE_VERSION}/{zip_name}",
            "v1/providers/teams-notify/servicenow/versions",
        ],
    }[kind]
    assert files == sorted(expected)
    if kind == "fs":
        assert "filesystem_mirror" in result.out and str(tmp_path / "m") in result.out


def test_mirror_cli_refuses_a_folder_without_a_release(tmp_path: Path) -> None:
    result = run_cli("provider", "mirror", "--from", tmp_path, "--out", tmp_path / "m")
    assert result.code == 2 and "no terraform-provider-servicenow_<version>_SHA256SUMS" in result.err


def test_release_of_builds_made_elsewhere_checks_their_platform(
    release_gpg: GpgKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in release_gpg.env().items():
        monkeypatch.setenv(key, value)
    built = run_cli("provider", "build", "--cache", BUILD_CACHE, "--out", tmp_path / "b", "--json")
    assert built.code == 0, built.err
    assert json.loads(built.out)["platform"] == "linux_amd64"
    again = run_cli("provider", "build", "--cache", BUILD_CACHE, "--out", tmp_path / "b")
    assert again.code == 2 and "is not empty" in again.err  # never overwrites a folder
    wrong = run_cli(
        "provider",
        "release",
        "--out",
        tmp_path / "r1",
        "--no-host-build",
        "--build",
        f"linux_arm64={tmp_path / 'b'}",
    )
    assert wrong.code == 2 and "is a linux_amd64 executable, not linux_arm64" in wrong.err
    right = run_cli(
        "provider",
        "release",
        "--out",
        tmp_path / "r2",
        "--no-host-build",
        "--build",
        f"linux_amd64={tmp_path / 'b'}",
    )
    assert right.code == 0, right.err
    assert set(read_release(tmp_path / "r2").zips) == {"linux_amd64"}


def test_key_with_passphrase_signs_with_the_passphrase_from_the_environment(
    release_build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = new_gpg_home(tmp_path / "gpg")
    try:
        generate = ["--quick-gen-key", "protected <p@example.invalid>", "rsa2048", "sign", "never"]
        made = gpg(home, "--pinentry-mode", "loopback", "--passphrase", "s3cret-Pass", *generate)
        assert made.returncode == 0, made.stderr.decode()
        monkeypatch.setenv("GNUPGHOME", str(home))
        key = "protected"
        monkeypatch.setenv("TEAMS_NOTIFY_GPG_PASSPHRASE", "wrong")
        with pytest.raises(ReleaseError, match="gpg could not sign with key 'protected'"):
            write_release(tmp_path / "bad", RELEASE_VERSION, [release_build], key)
        assert not list((tmp_path / "bad").glob("*SHA256SUMS*"))  # no unsigned checksums, no leftovers
        monkeypatch.setenv("TEAMS_NOTIFY_GPG_PASSPHRASE", "s3cret-Pass")
        release = write_release(tmp_path / "good", RELEASE_VERSION, [release_build], key)
        assert gpg(home, "--verify", str(release.signature), str(release.sha256sums)).returncode == 0
    finally:
        stop_gpg_agent(home)


def test_read_release_asks_for_a_version_when_there_are_several(
    release_dir: Release,
    release_build: Build,
    release_gpg: GpgKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GNUPGHOME", str(release_gpg.home))
    folder = Path(shutil.copytree(release_dir.folder, tmp_path / "two"))
    write_release(folder, "0.2.0", [release_build], release_gpg.fingerprint)
    with pytest.raises(ReleaseError, match=r"holds several versions \(0\.1\.0, 0\.2\.0\)"):
        read_release(folder)
    assert read_release(folder, "0.2.0").version == "0.2.0"
    with pytest.raises(ReleaseError, match=re.escape("no terraform-provider-servicenow_0.3.0_SHA256SUMS")):
        read_release(folder, "0.3.0")
