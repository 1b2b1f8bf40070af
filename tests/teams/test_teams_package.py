"""The Teams app package: zip layout, manifest schema validity, bot id, icons, determinism."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers.teams import sample_values
from PIL import Image
from teams_notify.errors import BadInputError
from teams_notify.teams import write_artifacts, write_package
from teams_notify.teams.manifest import SCHEMA_FILE

SCHEMA_COPY = Path(__file__).parent.parent / "data" / "teams" / "MicrosoftTeams.schema.v1.29.json"


def _open(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["manifest.json"]), files


def test_package_opens_and_manifest_validates_against_the_official_schema(tmp_path: Path) -> None:
    path = write_package(sample_values(), tmp_path)
    assert path == tmp_path / "acme-teams-app.zip"
    manifest, files = _open(path)
    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]
    schema = json.loads(SCHEMA_COPY.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(manifest)
    assert manifest["manifestVersion"] == "1.29"
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_shipped_schema_is_the_official_copy() -> None:
    assert SCHEMA_FILE.read_bytes() == SCHEMA_COPY.read_bytes()


def test_bot_is_the_entra_app_with_calling_video_and_all_scopes(tmp_path: Path) -> None:
    client_id = "0f1e2d3c-4b5a-4697-8877-665544332211"
    manifest, _ = _open(write_package(sample_values(client_id=client_id.upper()), tmp_path))
    (bot,) = manifest["bots"]
    assert bot["botId"] == client_id
    assert bot["supportsCalling"] is True
    assert bot["supportsVideo"] is True
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]


def test_developer_urls_names_and_valid_domains_come_from_values(tmp_path: Path) -> None:
    values = sample_values(
        developer_name="Acme IT",
        app_display_name='Acme "Notify" — <Teams> & ServiceNow calling bot',
        extra_valid_domains=("*.acme.example", "ACME.service-now.com"),
    )
    manifest, _ = _open(write_package(values, tmp_path))
    assert manifest["developer"] == {
        "name": "Acme IT",
        "websiteUrl": "https://acme.example/it",
        "privacyUrl": "https://acme.example/privacy",
        "termsOfUseUrl": "https://acme.example/terms",
    }
    assert manifest["name"] == {"short": "ServiceNow Notify", "full": values.app_display_name}
    # Instance host first; the duplicate (different case) is dropped.
    assert manifest["validDomains"] == ["acme.service-now.com", "*.acme.example"]


def test_app_id_is_stable_and_differs_per_client(tmp_path: Path) -> None:
    first, _ = _open(write_package(sample_values(), tmp_path / "a"))
    again, _ = _open(write_package(sample_values(), tmp_path / "b"))
    other_client = sample_values(client_id="bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee")
    other, _ = _open(write_package(other_client, tmp_path / "c"))
    assert first["id"] == again["id"] != other["id"]
    assert first["id"] != first["bots"][0]["botId"]


def test_icons_have_required_sizes_and_transparency(tmp_path: Path) -> None:
    _, files = _open(write_package(sample_values(accent_color="#123456"), tmp_path))
    color = Image.open(io.BytesIO(files["color.png"]))
    assert (color.format, color.size, color.mode) == ("PNG", (192, 192), "RGB")
    assert color.getpixel((0, 0)) == (0x12, 0x34, 0x56)
    assert (255, 255, 255) in {color.getpixel((96, y)) for y in range(192)}

    outline = Image.open(io.BytesIO(files["outline.png"]))
    assert (outline.format, outline.size, outline.mode) == ("PNG", (32, 32), "RGBA")
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    opaque = [p for p in pixels if p[3] != 0]
    assert outline.getpixel((0, 0))[3] == 0
    assert len(opaque) > 20  # something is drawn ...
    assert len(opaque) < len(pixels) // 2  # ... as an outline, on a transparent background
    assert all(p == (255, 255, 255, 255) for p in opaque)  # white only


def test_package_bytes_are_deterministic(tmp_path: Path) -> None:
    first = write_package(sample_values(), tmp_path / "a").read_bytes()
    second = write_package(sample_values(), tmp_path / "b").read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"client_id": "not-a-guid"}, "client_id"),
        ({"privacy_url": "http://acme.example/privacy"}, "privacy_url"),
        ({"app_short_name": "x" * 31}, "app_short_name"),
        ({"developer_name": "y" * 33}, "developer_name"),
        ({"accent_color": "red"}, "accent_color"),
        ({"app_version": "1.0"}, "app_version"),
        ({"app_display_name": "line\nbreak"}, "app_display_name"),
        ({"extra_valid_domains": ("acme.example/path",)}, "extra_valid_domains"),
        ({"instance_url": "https://acme.service-now.com/now/nav"}, "instance_url"),
    ],
)
def test_invalid_values_are_bad_input_and_write_nothing(
    tmp_path: Path, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(BadInputError) as err:
        write_artifacts(sample_values(**changes), tmp_path)
    assert field in err.value.cause
    assert err.value.exit_code == 2
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_missing_ids_say_where_they_come_from(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as err:
        write_package(sample_values(client_id=None, service_user_object_id=None), tmp_path)
    assert "client_id, service_user_object_id" in err.value.cause
    assert err.value.fix is not None and "acme-entra" in err.value.fix
    assert not (tmp_path / "acme-teams-app.zip").exists()


def test_global_grant_needs_no_service_user(tmp_path: Path) -> None:
    written = write_artifacts(sample_values(service_user_object_id=None, grant_global=True), tmp_path)
    assert [p.name for p in written] == ["acme-teams-app.zip", "acme-access-policy.ps1", "acme-runbook.md"]


def test_all_three_or_none_when_a_write_fails(tmp_path: Path) -> None:
    """The runbook's path is taken by a directory: the package and script are not left behind."""
    values = sample_values()
    out = tmp_path / "artifacts"
    (out / "acme-runbook.md").mkdir(parents=True)
    with pytest.raises(BadInputError, match=r"acme-runbook\.md: a directory of that name is in the way"):
        write_artifacts(values, out)
    assert [p.name for p in out.iterdir()] == ["acme-runbook.md"]
    shutil.rmtree(out / "acme-runbook.md")
    assert sorted(p.name for p in write_artifacts(values, out)) == sorted(p.name for p in out.iterdir())
    assert len(list(out.iterdir())) == 3
