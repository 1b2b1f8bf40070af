"""The access-policy script: content, and that no value can break out of its literal.

PowerShell is not installable here (see tests/helpers/teams.py), so the script is checked
with a lexer that follows PowerShell's tokenizer: each value must come back as exactly one
single-quoted literal with the same text, and the code around the literals must be the
same whatever the values are.
"""

# ruff: noqa: RUF001  (typographic quotes are the point: PowerShell treats them as quotes)
from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.teams import LexError, assignments, sample_values, skeleton, string_literals
from hypothesis import given, settings
from hypothesis import strategies as st
from teams_notify.errors import BadInputError
from teams_notify.teams import write_policy_script
from teams_notify.teams.policy import policy_description, policy_script
from teams_notify.teams.powershell import ps_quote

HOSTILE = [
    "O'Brien",
    "'; Remove-CsApplicationAccessPolicy -Identity Global; '",
    "$(Invoke-Expression 'calc')",
    "$env:USERPROFILE",
    "`$x`n",
    "a‘b’c‚d‛e",  # PowerShell's typographic single quotes
    "‘; Write-Host pwned; ’",
    '"; Write-Host pwned; "',
    "“smart” „double“",
    "#> <# comment",
    "@' here '@",
    "''",
    "'",
    "’",
    "back`",
    "semi;colon | pipe & amp",
]
# Free text that PowerShell could mistake for code: quotes, $, backticks, comment marks, ...
hostile_text = st.lists(
    st.sampled_from([*"'‘’‚‛\"“”„$`();|&#<>@{}-= aZé☎", "$(", "'@", "@'", "<#", "#>", "``"]),
    min_size=1,
    max_size=15,
).map(lambda parts: "".join(parts) if "".join(parts).strip() else "".join(parts) + "x")
any_text = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cf", "Zl", "Zp", "Cs")), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")


def _check_round_trip(policy_name: str, display_name: str, upn: str) -> None:
    values = sample_values(policy_name=policy_name, app_display_name=display_name, service_user_upn=upn)
    script = policy_script(values)
    assigned = assignments(script)
    assert assigned["PolicyName"].value == policy_name
    assert assigned["PolicyDescription"].value == policy_description(values)
    assert assigned["ServiceUserUpn"].value == upn
    # Each value is one literal: no other literal holds any part of a value.
    benign = policy_script(sample_values())
    assert len(string_literals(script)) == len(string_literals(benign))
    # And the code around the literals is untouched.
    assert skeleton(script) == skeleton(benign)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_stay_inside_one_literal(hostile: str) -> None:
    _check_round_trip(hostile, f"Notify {hostile}"[:100], hostile)


@settings(max_examples=150, deadline=None)
@given(policy_name=hostile_text, display_name=hostile_text, upn=hostile_text)
def test_generated_hostile_values_round_trip(policy_name: str, display_name: str, upn: str) -> None:
    _check_round_trip(policy_name, display_name, upn)


@settings(max_examples=100, deadline=None)
@given(value=any_text)
def test_any_printable_unicode_round_trips(value: str) -> None:
    _check_round_trip(value, value, value)


def test_lexer_decodes_like_powershell() -> None:
    """The oracle itself, on cases with known PowerShell results."""
    script = """$a = 'It''s'; $b = 'x‘’y'; $c = "q`"$(f 'in')"; # 'not a string'\n$d = `'"""
    literals = string_literals(script)
    assert [(lit.kind, lit.value) for lit in literals] == [
        ("single", "It's"),
        ("single", "x’y"),
        ("double", "q\"$(f 'in')"),
        ("single", "in"),
    ]
    with pytest.raises(LexError):
        string_literals("$a = 'unterminated")


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "tab\there", "nul\x00", "bidi\u202e", "nel\x85", "ls\u2028"])
def test_control_and_format_characters_are_refused(bad: str) -> None:
    with pytest.raises(BadInputError):
        ps_quote(bad)
    with pytest.raises(BadInputError):
        policy_script(sample_values(policy_name=bad))


def test_quote_escapes_every_powershell_single_quote() -> None:
    assert ps_quote("a'b‘c’d‚e‛f") == "'a''b‘‘c’’d‚‚e‛‛f'"
    assert ps_quote('$(x) `n "y"') == "'$(x) `n \"y\"'"
    assert ps_quote(True) == "$true"
    assert ps_quote(None) == "$null"


def test_script_has_the_ids_and_the_idempotent_cmdlets(tmp_path: Path) -> None:
    path = write_policy_script(sample_values(), tmp_path)
    assert path.name == "acme-access-policy.ps1"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Windows PowerShell 5.1 reads UTF-8 right
    script = raw.decode("utf-8-sig")
    assigned = assignments(script)
    assert assigned["AppId"].value == "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    assert assigned["TenantId"].value == "11111111-2222-4333-8444-555555555555"
    assert assigned["ServiceUserObjectId"].value == "99999999-8888-4777-8666-555555555555"
    assert assigned["PolicyName"].value == "servicenow-notify-acme"
    assert "[CmdletBinding(SupportsShouldProcess = $true)]" in script
    assert "#Requires -Modules MicrosoftTeams" in script
    assert "$GrantGlobal = $false" in script
    # The check comes before the create, the create before the grant, the verification last.
    order = [
        "$policy = Get-NotifyPolicy\nif ($null -eq $policy)",
        "New-CsApplicationAccessPolicy -Identity $PolicyName -AppIds $AppId",
        "Grant-CsApplicationAccessPolicy -PolicyName $PolicyName -Identity $ServiceUserObjectId",
        "Write-Host 'Verification:'",
    ]
    positions = [script.index(s, script.index("Connect-NotifyTenant\n")) for s in order]
    assert positions == sorted(positions)
    assert "Get-CsApplicationAccessPolicy | Where-Object" in script
    assert script.count("$PSCmdlet.ShouldProcess(") == 4
    assert "30 minutes" in script
    # Every cmdlet that changes the tenant sits inside a ShouldProcess branch (so -WhatIf works).
    for match in re.finditer(r"^\s*(New|Set|Grant)-Cs\w+", script, re.MULTILINE):
        before = script[: match.start()].rstrip().splitlines()[-1]
        assert "ShouldProcess" in before, match.group(0)


def test_global_grant_script(tmp_path: Path) -> None:
    script = policy_script(sample_values(grant_global=True, service_user_object_id=None))
    assert "$GrantGlobal = $true" in script
    assert "$ServiceUserObjectId = $null" in script
    assert "Grant-CsApplicationAccessPolicy -PolicyName $PolicyName -Global" in script
