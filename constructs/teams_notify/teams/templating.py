"""One jinja2 environment for the Teams templates, with the escaping filters they use.

Every value reaches a template through a filter that fits the target language
(`json`, `ps` for PowerShell, `code` for Markdown); no template prints a raw value.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jinja2

from teams_notify.teams.markdown import md_code
from teams_notify.teams.powershell import ps_quote

TEMPLATES = Path(__file__).parent / "templates"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["json"] = _json
    env.filters["ps"] = ps_quote
    env.filters["code"] = md_code
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


def compile_all() -> None:
    """Compile every template now (the environment keeps them), not at its first render."""
    env = environment()
    for template in env.list_templates():
        env.get_template(template)
