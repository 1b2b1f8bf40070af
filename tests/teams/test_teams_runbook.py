"""The runbook: 11 items with the right status, exact values, placeholders, safe Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.teams import sample_values
from markdown_it import MarkdownIt
from teams_notify.config import load_tenant
from teams_notify.stacks.postsynth import StackSummary
from teams_notify.teams import Status, values_from_tenant, write_runbook, write_teams_artifacts
from teams_notify.teams.runbook import runbook_text

EXAMPLE_TENANT = Path(__file__).parents[2] / "tenants" / "example.toml"
HEADING = re.compile(r"^### (P[1-3]|[1-8])\. (.+) — \*(.+)\*$", re.MULTILINE)
ENTRA = Status.ENTRA_STACK.value
SNOW = Status.SERVICENOW_STACK.value
SCRIPT = Status.SCRIPT.value
MANUAL = Status.MANUAL.value


def _statuses(markdown: str) -> dict[str, str]:
    return {key: status for key, _title, status in HEADING.findall(markdown)}


def test_example_tenant_runbook_lists_all_11_items_with_their_status(tmp_path: Path) -> None:
    values = values_from_tenant(load_tenant(EXAMPLE_TENANT))
    text = write_runbook(values, tmp_path).read_text(encoding="utf-8")
    assert _statuses(text) == {
        "P1": SNOW, "P2": SNOW, "P3": SNOW,
        "1": MANUAL, "2": ENTRA, "3": SCRIPT,
        "4": SNOW, "5": SNOW, "6": SNOW, "7": SNOW, "8": SNOW,
    }  # fmt: skip
    assert [key for key, _t, _s in HEADING.findall(text)] == ["P1", "P2", "P3", *"12345678"]
    # The example tenant states its ids in config: exact values, no placeholders.
    assert "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" in text
    assert "99999999-8888-4777-8666-555555555555" in text
    assert "https://login.microsoftonline.com/11111111-2222-4333-8444-555555555555/oauth2/v2.0/token" in text
    assert "unknown yet" not in text


def test_when_the_azure_team_and_servicenow_team_work_by_hand_everything_is_manual() -> None:
    text = runbook_text(sample_values(entra_stack=False, servicenow_stack=False))
    statuses = _statuses(text)
    assert statuses.pop("3") == SCRIPT
    assert set(statuses.values()) == {MANUAL}
    assert "/adminconsent?client_id=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" in text


def test_links_point_at_the_instance_tables() -> None:
    text = runbook_text(sample_values(tables={"teams_config": "x_custom_teams_config"}))
    assert (
        "(<https://acme.service-now.com/sys_certificate_list.do?sysparm_query=nameSTARTSWITHTeams%20Notify>)"
        in text
    )
    assert "(<https://acme.service-now.com/notify_group_selector_list.do>)" in text
    assert "(<https://acme.service-now.com/x_custom_teams_config_list.do>)" in text
    assert "sys_alias_list.do?sysparm_query=id%3Dsn_msteams_com_spk.MSTeamsCommunicationsSpoke" in text
    assert "ApplicationMenuBlade/~/CallAnAPI/appId/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" in text


def test_a_caret_in_the_name_prefix_never_widens_a_link() -> None:
    text = runbook_text(sample_values(name_prefix="Teams^ORname!=x"))
    assert "sys_certificate_list.do>)" in text
    assert "ORname" not in text


def test_unknown_ids_become_placeholders_saying_where_they_come_from(tmp_path: Path) -> None:
    values = sample_values(client_id=None, service_user_object_id=None)
    text = write_runbook(values, tmp_path).read_text(encoding="utf-8")
    assert len(_statuses(text)) == 11
    assert "None" not in text
    assert "output `client_id` of the `acme-entra` stack" in text
    assert "output `service_user_object_id` of the `acme-entra` stack" in text
    assert "*client id (unknown yet, see Values)*" in text
    assert "teams-notify teams package --tenant acme" in text  # how to get the missing artifacts


@pytest.mark.parametrize(
    "hostile",
    ["`tick` **bold** <script>alert(1)</script>", "``double``", "a | b [x](http://evil) _u_", "` edge `"],
)
def test_values_render_as_exactly_themselves_in_markdown(hostile: str) -> None:
    text = runbook_text(sample_values(policy_name=hostile, app_display_name=hostile))
    parser = MarkdownIt("commonmark").enable("table")
    codes = [
        child.content
        for token in parser.parse(text)
        if token.type == "inline"
        for child in token.children or []
        if child.type == "code_inline"
    ]
    assert codes.count(hostile) >= 3  # Values section (policy, app) and step 1/3 mentions
    html = parser.render(text)
    assert "<script>" not in html
    assert 'href="http://evil"' not in html


X5T = "q83vEjRWeJq83vEjRWeJq83vEjQ"


def stack_summary(side: str, x5t: str) -> StackSummary:
    """The summary the hook gets for a stack of the example (only side and x5t matter to it)."""
    return StackSummary(
        tenant="example",
        stack=f"example-{side}",
        side=side,
        tenant_config=None,
        certificate_path="example-notify.crt",
        x5t=x5t,
        sha1_hex="00" * 20,
        not_after="2027-01-01T00:00:00Z",
        active_certificate="current",
        certificates=[],
        warnings=[],
        resources={},
    )


def test_post_synth_hook_writes_all_three_for_the_entra_stack_only(tmp_path: Path) -> None:
    tenant = load_tenant(EXAMPLE_TENANT)
    entra_dir = tmp_path / "stacks" / "example-entra"
    written = write_teams_artifacts(tenant, entra_dir, stack_summary("entra", "q83vEjRWeJq83vEjRWeJq83vEjQ"))
    assert [p.name for p in written] == [
        "example-teams-app.zip",
        "example-access-policy.ps1",
        "example-runbook.md",
    ]
    assert all(p.parent == entra_dir / "artifacts" for p in written)
    assert "q83vEjRWeJq83vEjRWeJq83vEjQ" in written[2].read_text(encoding="utf-8")
    assert (
        write_teams_artifacts(
            tenant, tmp_path / "stacks" / "example-servicenow", stack_summary("servicenow", X5T)
        )
        == []
    )


def test_post_synth_hook_writes_only_the_runbook_when_ids_are_unknown(tmp_path: Path) -> None:
    source = EXAMPLE_TENANT.read_text(encoding="utf-8")
    source = re.sub(r"^(client_id|service_user_object_id) = .*$", "", source, flags=re.MULTILINE)
    tenant_file = tmp_path / "tenants" / "example.toml"
    tenant_file.parent.mkdir()
    tenant_file.write_text(source, encoding="utf-8")
    written = write_teams_artifacts(load_tenant(tenant_file), tmp_path / "entra", stack_summary("entra", X5T))
    assert [p.name for p in written] == ["example-runbook.md"]
    assert "unknown yet" in written[0].read_text(encoding="utf-8")


def test_stack_names_are_the_ones_config_gives_the_stacks() -> None:
    tenant = load_tenant(EXAMPLE_TENANT)
    values = values_from_tenant(tenant)
    assert values.entra_stack_name == tenant.entra_stack == "example-entra"
    assert values.servicenow_stack_name == tenant.servicenow_stack == "example-servicenow"
