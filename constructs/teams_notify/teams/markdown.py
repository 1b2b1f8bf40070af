"""Markdown escaping for the runbook: every value is shown as an inline code span.

A code span shows its content literally (no emphasis, links or HTML), so the only way a
value can break out is a backtick run as long as the fence; the fence is therefore one
backtick longer than the longest run inside the value (CommonMark 6.1).
"""

from __future__ import annotations

import re


def md_code(value: object) -> str:
    """`value` as an inline code span that renders exactly `value`."""
    text = str(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # A span whose content starts or ends with a backtick needs a space of padding, which
    # CommonMark strips again (it strips one space on each side when both are present).
    edges = text[:1] + text[-1:]
    pad = " " if "`" in edges or (edges == "  " and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"
