"""One jinja2 environment for the Teams templates, with the escaping filters they use.

Every value reaches a template through a filter that fits the target language
(`json`, `ps` for PowerShell, `code` for Markdown); no template prints a raw value.

Compiled templates are kept in the user's cache (`teams-notify/templates`, private): compiling
the three took 30-50 ms of every synth that builds a tenant, loading them takes 1 ms. jinja2
compiles a template again when its source changed (it keeps the source's checksum).
"""

from __future__ import annotations

import contextlib
import json
from functools import cache
from pathlib import Path

import jinja2

from teams_notify.teams.markdown import md_code
from teams_notify.teams.powershell import ps_quote
from teams_notify.user_cache import private_folder

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
        bytecode_cache=_compiled_templates(),
    )
    env.filters["json"] = _json
    env.filters["ps"] = ps_quote
    env.filters["code"] = md_code
    return env


class _KeptTemplates(jinja2.FileSystemBytecodeCache):
    """jinja2's cache of compiled templates in a folder, where a folder that cannot be read or
    written only means compiling again."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled_templates() -> jinja2.BytecodeCache | None:
    folder = private_folder("templates")
    return _KeptTemplates(str(folder)) if folder else None


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
