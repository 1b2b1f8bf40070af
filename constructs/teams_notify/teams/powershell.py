"""The PowerShell quoting for the access-policy script.

Values enter the script only as single-quoted PowerShell literals assigned to variables
at the top; the rest of the script uses the variables. Inside a single-quoted literal
PowerShell expands nothing (`$`, backtick, `$(...)` are plain text) and the only special
characters are its five single-quote characters: ' and the typographic U+2018, U+2019,
U+201A and U+201B, which the tokenizer treats exactly like '. Each is escaped by doubling
it. Control and format characters are refused outright: no legitimate name contains one.
"""

from __future__ import annotations

import unicodedata

from teams_notify.errors import BadInputError

# System.Management.Automation.Language.CharExtensions.IsSingleQuote
SINGLE_QUOTES = frozenset("'\u2018\u2019\u201a\u201b")
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def ps_quote(value: object) -> str:
    """`value` as one single-quoted PowerShell literal that evaluates to exactly `value`."""
    if value is None:
        return "$null"
    if isinstance(value, bool):
        return "$true" if value else "$false"
    text = str(value)
    for ch in text:
        if unicodedata.category(ch) in FORBIDDEN_CATEGORIES:
            raise BadInputError(
                f"value {text!r} contains control/format character U+{ord(ch):04X}; "
                "it cannot go into the PowerShell script",
                "remove line breaks, tabs and invisible characters from the value",
            )
    return "'" + "".join(ch + ch if ch in SINGLE_QUOTES else ch for ch in text) + "'"
