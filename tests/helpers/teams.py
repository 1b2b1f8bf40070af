"""Test helpers for the Teams artifacts: sample values and a PowerShell string lexer.

`pwsh` cannot be installed on this machine (no Debian package; the npm `pwsh` package
downloads the binary from outside at install time), so the access-policy script is checked
with this lexer instead. It follows PowerShell's tokenizer (Tokenizer.cs in
PowerShell/PowerShell) for what decides where strings start and end:

- quote characters: single ' U+2018 U+2019 U+201A U+201B; double " U+201C U+201D U+201E;
- single-quoted: nothing is special except a single quote; two in a row (any mix of the
  five) stand for the second one;
- double-quoted: backtick escapes the next character, two double quotes stand for one,
  `$(` opens a subexpression lexed as code up to its matching `)`;
- code: backtick escapes the next character (so `` `' `` starts no string), `#` at a token
  start opens a line comment, `<#` a block comment up to `#>`;
- here-strings (`@'` / `@"` at a line end) are refused: the template has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from teams_notify.teams import TeamsValues

SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
DOUBLE_QUOTES = '"\u201c\u201d\u201e'
# Characters after which a `#` starts a comment (PowerShell: at the start of a token).
COMMENT_PRECEDERS = " \t\r\n;(){}|&=,"


def sample_values(**changes: object) -> TeamsValues:
    """A complete, valid TeamsValues for tenant `acme`; `changes` override fields."""
    base: dict[str, object] = {
        "tenant": "acme",
        "instance_url": "https://acme.service-now.com",
        "tenant_id": "11111111-2222-4333-8444-555555555555",
        "client_id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        "service_user_object_id": "99999999-8888-4777-8666-555555555555",
        "service_user_upn": "sn-notify-svc@acme.example",
        "website_url": "https://acme.example/it",
        "privacy_url": "https://acme.example/privacy",
        "terms_url": "https://acme.example/terms",
        "name_prefix": "Teams Notify",
    }
    base.update(changes)
    return TeamsValues(**base)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Literal:
    """One string literal: its kind, its text as written, and its value as PowerShell sees it."""

    kind: str  # "single" or "double"
    start: int
    end: int  # index just past the closing quote
    value: str


class LexError(ValueError):
    pass


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text.removeprefix("\ufeff")
        self.pos = 0
        self.literals: list[Literal] = []

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def code(self, stop_at_paren: bool) -> None:
        """Lex code up to the end (or the `)` closing a subexpression when `stop_at_paren`)."""
        depth = 0
        while self.pos < len(self.text):
            ch = self.peek()
            previous = self.text[self.pos - 1] if self.pos else "\n"
            if ch == "`":
                self.pos += 2
            elif ch in SINGLE_QUOTES:
                self.single()
            elif ch in DOUBLE_QUOTES:
                self.double()
            elif ch == "@" and self.peek(1) and self.peek(1) in SINGLE_QUOTES + DOUBLE_QUOTES:
                raise LexError(f"here-string at {self.pos}: not supported by this lexer")
            elif ch == "<" and self.peek(1) == "#":
                end = self.text.find("#>", self.pos + 2)
                if end < 0:
                    raise LexError(f"unterminated block comment at {self.pos}")
                self.pos = end + 2
            elif ch == "#" and previous in COMMENT_PRECEDERS:
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif ch == "(":
                depth += 1
                self.pos += 1
            elif ch == ")":
                self.pos += 1
                if stop_at_paren and depth == 0:
                    return
                depth -= 1
            else:
                self.pos += 1
        if stop_at_paren:
            raise LexError("unterminated subexpression")

    def single(self) -> None:
        self.quoted("single", SINGLE_QUOTES, expandable=False)

    def double(self) -> None:
        self.quoted("double", DOUBLE_QUOTES, expandable=True)

    def quoted(self, kind: str, quotes: str, expandable: bool) -> None:
        """A string up to its closing quote; two quotes in a row stand for the second one.

        In an expandable (double-quoted) string a backtick escapes the next character and
        `$(` opens a subexpression lexed as code.
        """
        start = self.pos
        self.pos += 1
        out: list[str] = []
        while True:
            ch = self.peek()
            if not ch:
                raise LexError(f"unterminated {kind}-quoted string at {start}")
            if ch in quotes:
                if not (self.peek(1) and self.peek(1) in quotes):
                    self.pos += 1
                    break
                out.append(self.peek(1))
                self.pos += 2
            elif expandable and ch == "`":
                out.append(self.peek(1))
                self.pos += 2
            elif expandable and ch == "$" and self.peek(1) == "(":
                sub_start = self.pos
                self.pos += 2
                self.code(stop_at_paren=True)
                out.append(self.text[sub_start : self.pos])
            else:
                out.append(ch)
                self.pos += 1
        self.literals.append(Literal(kind, start, self.pos, "".join(out)))


def string_literals(script: str) -> list[Literal]:
    """Every string literal of a PowerShell script, in source order (nested ones included)."""
    lexer = _Lexer(script)
    lexer.code(stop_at_paren=False)
    return sorted(lexer.literals, key=lambda lit: lit.start)


def skeleton(script: str) -> str:
    """The script with the body of every single-quoted literal replaced by `'…'`.

    Two scripts with the same skeleton have the same code: they differ only inside
    single-quoted literals, where PowerShell expands nothing.
    """
    text = script.removeprefix("\ufeff")
    parts: list[str] = []
    cursor = 0
    for literal in string_literals(script):
        if literal.kind != "single" or literal.start < cursor:
            continue
        parts.append(text[cursor : literal.start])
        parts.append("'…'")
        cursor = literal.end
    parts.append(text[cursor:])
    return "".join(parts)


def assignments(script: str) -> dict[str, Literal]:
    """`$Name = '<literal>'` lines -> the literal assigned (only single-quoted assignments)."""
    text = script.removeprefix("\ufeff")
    result: dict[str, Literal] = {}
    for literal in string_literals(script):
        if literal.kind != "single":
            continue
        line_start = text.rfind("\n", 0, literal.start) + 1
        head = text[line_start : literal.start]
        if head.startswith("$") and head.endswith(" = "):
            result[head[1:-3]] = literal
    return result
