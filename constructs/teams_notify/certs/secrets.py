"""Passwords for keystores and input files: from environment variables or a hidden prompt,
never from the command line (argv is visible to every user of the machine via `ps`)."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from teams_notify.errors import BadInputError
from teams_notify.files import PRIVATE_MODE, PendingFile, read_input

STORE_PASSWORD_ENV = "TEAMS_NOTIFY_STORE_PASSWORD"
KEY_PASSWORD_ENV = "TEAMS_NOTIFY_KEY_PASSWORD"
# Password of a file the user hands us (a PFX or an encrypted PEM key), not of our output.
INPUT_PASSWORD_ENV = "TEAMS_NOTIFY_INPUT_PASSWORD"
# keytool refuses keystore passwords shorter than 6 characters.
MIN_PASSWORD_LENGTH = 6
GENERATED_PASSWORD_BYTES = 24  # 32 URL-safe characters, ~192 bits


def from_env_or_prompt(env: str, prompt: str, confirm: bool = False) -> str:
    """The secret in `env`, else asked for with a hidden prompt; BadInputError if neither works."""
    value = _env_or_prompt(env, prompt, confirm)
    if value is None:
        raise BadInputError(
            f"no {prompt.lower()} given", fix=f"set {env}, or run in a terminal to be asked for it"
        )
    return value


def optional_from_env_or_prompt(env: str, prompt: str) -> str | None:
    """Like `from_env_or_prompt`, but an empty answer or no terminal means "not given"."""
    return _env_or_prompt(env, f"{prompt} (empty to skip)", confirm=False, allow_empty=True)


def _env_or_prompt(env: str, prompt: str, confirm: bool, allow_empty: bool = False) -> str | None:
    value = os.environ.get(env)
    if value:
        return value
    # Only a person at a terminal can answer; scripts and CI must use the environment variable
    # (and must never hang waiting for input nobody will type).
    if not sys.stdin.isatty():
        return None
    try:
        answer: str = click.prompt(
            prompt,
            hide_input=True,
            confirmation_prompt=confirm,
            default="" if allow_empty else None,
            show_default=False,
            err=True,
        )
    except click.exceptions.Abort:
        return None
    return answer or None


@dataclass(frozen=True)
class NewKeystorePasswords:
    """The passwords for a keystore about to be written, and the generated password file (if
    asked for) to be written together with the bundle: a failed run leaves no orphan file."""

    store: str
    key: str
    files: tuple[PendingFile, ...] = ()


def passwords_for_new_keystore(generate_into: Path | None = None) -> NewKeystorePasswords:
    """Store password generated (for `generate_into`), else from TEAMS_NOTIFY_STORE_PASSWORD or a
    confirmed prompt; key password from TEAMS_NOTIFY_KEY_PASSWORD, else the store password
    (what ServiceNow's JWT key expects unless told otherwise)."""
    files: tuple[PendingFile, ...] = ()
    if generate_into is not None:
        store = generate_password()
        files = (password_file(generate_into, store),)
    else:
        store = from_env_or_prompt(STORE_PASSWORD_ENV, "Keystore password", confirm=True)
        require_strong_enough(store, STORE_PASSWORD_ENV)
    key = os.environ.get(KEY_PASSWORD_ENV) or store
    require_strong_enough(key, KEY_PASSWORD_ENV)
    return NewKeystorePasswords(store, key, files)


def require_strong_enough(password: str, env: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInputError(
            f"the password from {env} (or the prompt) is shorter than {MIN_PASSWORD_LENGTH} characters",
            fix="use a longer password, or --generate-password FILE",
        )


def generate_password() -> str:
    """A strong random password made of URL-safe characters (no quoting trouble in any UI)."""
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def password_file(path: Path, password: str, *, replace: bool = False) -> PendingFile:
    """A 0600 password file for `write_all`. Never overwrites unless `replace` (it may be the
    only copy of a password that opens an existing keystore)."""
    if path.exists() and not replace:
        raise BadInputError(f"password file {path} already exists", fix="choose a new file name")
    return PendingFile(path, (password + "\n").encode("utf-8"), PRIVATE_MODE, replace=replace)


def read_password_file(path: Path) -> str:
    """The password in a file written by `password_file` (first line, no newline)."""
    try:
        text = read_input(path, "password file").decode("utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise BadInputError(f"password file {path} is not UTF-8 text", fix="check the file") from err
    if not text or not text[0]:
        raise BadInputError(f"password file {path} has no password on its first line", fix="check the file")
    return text[0]
