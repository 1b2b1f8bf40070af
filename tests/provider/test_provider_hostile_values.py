"""Issue 9 item 3, provider side: a value that would end up in a URL or an encoded query is
checked with a diagnostic naming the attribute; nothing escapes as "Plugin error"."""

from __future__ import annotations

import pytest
from helpers.terraform import Terraform, init_with
from teams_notify.sandbox import Sandbox

pytestmark = pytest.mark.terraform

HOSTILE = {
    "table with a trailing newline": (
        'resource "servicenow_record" "r" {\n  table  = "sys_user\\n"\n  fields = { name = "x" }\n}\n',
        "invalid table name 'sys_user\\n'",
    ),
    "100,000-character match_on value": (
        'resource "servicenow_record" "r" {\n  table    = "sys_user"\n'
        f'  fields   = {{ name = "{"a" * 100_000}" }}\n  match_on = ["name"]\n}}\n',
        "match_on column 'name' has a value of 100000 characters",
    ),
    "data source query with a line break": (
        'data "servicenow_record" "d" {\n  table = "sys_user"\n  query = "name=x\\n^NQactive=true"\n}\n',
        "query contains a line break or control character",
    ),
    "attachment record_sys_id that is no sys_id": (
        'resource "servicenow_attachment" "a" {\n  table          = "sys_certificate"\n'
        '  record_sys_id  = "abc^NQname=x"\n  file_name      = "a.txt"\n  content_base64 = "YQ=="\n}\n',
        "record_sys_id is not a sys_id: 'abc^NQname=x'",
    ),
    "attachment content_type that is not ASCII (an HTTP header)": (
        'resource "servicenow_attachment" "a" {\n  table          = "sys_certificate"\n'
        '  record_sys_id  = "0123456789abcdef0123456789abcdef"\n  file_name      = "a.txt"\n'
        '  content_type   = "text/plain\u00e9"\n  content_base64 = "YQ=="\n}\n',
        "content_type must be ASCII: it is sent as an HTTP header",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_value_is_a_diagnostic_naming_the_attribute(
    case: str, terraform: Terraform, provider_sandbox: Sandbox
) -> None:
    config, expected = HOSTILE[case]
    init_with(terraform, provider_sandbox, config)
    run = terraform.run("plan", "-input=false", "-no-color", check=False)
    output = " ".join(run.output.split())
    assert run.returncode == 1, run.output
    assert "Plugin error" not in output and "Traceback" not in output
    assert expected in output
