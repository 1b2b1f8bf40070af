"""Terraform's dependency lock file (`.terraform.lock.hcl`) for locally installed providers.

`terraform init` and the CDK CLIs' `terraform providers lock` can only lock a provider they can
download, and ours usually has no origin host (`terraform.local/...` is served from a local
mirror). Writing the lock entry ourselves, with the hash Terraform itself computes for the
installed package, lets both run offline: Terraform checks the package against the hash and
goes on; the CLIs see the provider locked at a matching version and skip their own locking.

The hash is Terraform's `h1:` scheme ("package hash v1"): the Go module directory hash
(`golang.org/x/mod/sumdb/dirhash.Hash1`), i.e. base64 of the SHA-256 of the sorted lines
`<sha256 hex of the file>  <path relative to the package, with />\n`, one per file, over the
unpacked package folder, or over the file entries of a packed `.zip` (directory entries left
out: the same hash as the unpacked folder; checked against Terraform in the tests).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

LOCK_FILE = ".terraform.lock.hcl"
HEADER = (
    '# This file is maintained automatically by "terraform init".\n'
    "# Manual edits may be lost in future updates.\n"
)
_BLOCK_RE = re.compile(r'^provider "([^"]+)" \{\n.*?^\}\n', re.MULTILINE | re.DOTALL)


def _hash1(lines: Iterable[tuple[str, bytes]]) -> str:
    summary = hashlib.sha256()
    for name, digest in sorted(lines):
        if "\n" in name:
            raise ValueError(f"file name with a newline cannot be hashed: {name!r}")
        summary.update(f"{digest.hex()}  {name}\n".encode())
    return "h1:" + base64.b64encode(summary.digest()).decode("ascii")


def _stream_digest(handle: IO[bytes]) -> bytes:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.digest()


def file_sha256(path: Path) -> bytes:
    with path.open("rb") as handle:
        return _stream_digest(handle)


def _dir_entries(root: Path) -> Iterator[tuple[str, bytes]]:
    # Like Go's filepath.Walk: symlinked folders are not entered, symlinked files are read.
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            yield path.relative_to(root).as_posix(), file_sha256(path)


def _zip_entries(archive: Path) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            if info.is_dir():
                continue
            with zipped.open(info) as member:
                yield info.filename, _stream_digest(member)


def package_hash_v1(package: Path) -> str:
    """Terraform's `h1:` hash of a provider package: an unpacked folder or a `.zip`."""
    real = package.resolve()  # Terraform dereferences a symlinked package location first
    if real.is_dir():
        return _hash1(_dir_entries(real))
    return _hash1(_zip_entries(real))


@dataclass(frozen=True)
class LockedProvider:
    """One `provider "<source>" { ... }` block of the lock file."""

    source: str
    version: str
    constraints: str | None
    hashes: tuple[str, ...]

    def block(self) -> str:
        lines = [f'provider "{self.source}" {{', f'  version     = "{self.version}"']
        if self.constraints:
            lines.append(f'  constraints = "{self.constraints}"')
        lines.append("  hashes = [")
        lines.extend(f'    "{h}",' for h in sorted(set(self.hashes)))
        lines.append("  ]")
        return "\n".join(lines) + "\n}\n"


def _blocks(text: str) -> dict[str, str]:
    """`{source: provider block}` of a lock file's text."""
    return {match.group(1): match.group(0) for match in _BLOCK_RE.finditer(text)}


def _render(blocks: dict[str, str]) -> str:
    """A lock file of `blocks`, sorted by source, like Terraform writes it."""
    return HEADER + "".join(f"\n{blocks[source]}" for source in sorted(blocks))


def lock_file_text(providers: Iterable[LockedProvider], existing: str = "") -> str:
    """The lock file with `providers` in it: their blocks replace any of the same source in
    `existing` (a lock file's text); blocks of other providers are kept."""
    return _render(_blocks(existing) | {p.source: p.block() for p in providers})


def merged_lock_text(ours: str, theirs: str) -> str:
    """`ours` (a lock file just written) plus the blocks of `theirs` (e.g. the previous one,
    with providers `terraform init` locked) for providers `ours` does not list."""
    return _render(_blocks(theirs) | _blocks(ours))


def write_lock_file(folder: Path, providers: Iterable[LockedProvider]) -> Path:
    """Write (or update) `folder/.terraform.lock.hcl` with `providers`, atomically."""
    path = folder / LOCK_FILE
    existing = path.read_text(encoding="utf-8") if path.is_file() else ""
    text = lock_file_text(providers, existing)
    if text != existing:
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    return path
