"""Build the provider as a self-contained executable that runs without Python or our virtualenv.

Terraform Cloud remote runs and air-gapped agents download the provider from a registry or a
mirror onto machines that have no `.venv` of ours, so the development wrapper written by
`install.py` cannot work there. PyInstaller `--onedir` freezes the interpreter, our package and
its dependencies into one folder: the executable `terraform-provider-servicenow` beside an
`_internal/` folder it loads at start. `--onefile` was measured and rejected: it unpacks ~44 MB
into a temporary folder on every start, and Terraform starts a provider three times per plan
(DESIGN.md pitfall 11).

PyInstaller cannot cross-compile: a build is for the machine it runs on (OS, CPU architecture,
and any glibc at least as new as the build host's). `host_platform()` says which that is.

Builds are cached by a hash of everything that goes into them (our sources, the installed
versions of the frozen distributions, Python and PyInstaller), because one takes ~40 s.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import terraform_provider_servicenow
from terraform_provider_servicenow import __version__
from terraform_provider_servicenow.exceptions import ReportedError
from terraform_provider_servicenow.install import DEFAULT_SOURCE, executable_path, os_arch, parse_source

EXECUTABLE_NAME = "terraform-provider-servicenow"
CONTENTS_DIR = "_internal"  # PyInstaller's default; Terraform skips folders when it looks for the executable

# Distributions frozen into the executable: their versions are part of the cache key.
FROZEN_DISTRIBUTIONS = (
    *("tf", "grpcio", "protobuf", "cryptography", "cffi", "msgpack"),
    "certifi",
)

# Modules the provider never imports but PyInstaller would otherwise pull in through optional
# imports of our dependencies (or the whole stdlib test suite): each one only adds size.
EXCLUDED_MODULES = (
    "tkinter",
    # Only concurrent.futures' process pool (unused: tf serves from a thread pool) refers to it; in
    # the bundle it would also add PyInstaller's multiprocessing start-up hook (~40 ms per start).
    "multiprocessing",
    "click",
    "unittest",
    "pydoc",
    "pydoc_data",
    "doctest",
    "lib2to3",
    "distutils",
    "setuptools",
    "pkg_resources",
    "pip",
    "test",
    "tf.tests",
    "pytest",
    "_pytest",
    "hypothesis",
    "numpy",
    "PIL",
    "IPython",
    "teams_notify",
    "cdktf",
    "cdktn",
    "jsii",
    "rich",
    "pygments",
    "h2",
    "socksio",
    "brotli",
    "zstandard",
    "sqlite3",
    "curses",
    "readline",
    "xmlrpc",
)


PYTHON_LICENSE = (
    Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "LICENSE.txt"
)
KEEP_BUILDS = 3  # builds kept in the cache (other worktrees or versions may share it)
PACKAGE_DIR = Path(terraform_provider_servicenow.__file__).parent
# Our packaging modules: never imported by the running provider, so neither frozen nor hashed.
PACKAGING_MODULES = ("build", "release", "mirror")


class ReleaseError(ReportedError):
    """Building or packaging a release failed for a reason the user can fix (the CLI prints the
    summary and detail as cause and fix)."""


@dataclass(frozen=True)
class Build:
    """A finished `--onedir` build: `folder` holds `executable` and its `_internal/` folder."""

    folder: Path
    platform: str  # Terraform's os_arch, e.g. linux_amd64

    @property
    def executable(self) -> Path:
        return self.folder / EXECUTABLE_NAME


def host_platform() -> str:
    """The only platform a PyInstaller build made here can run on."""
    return os_arch()


def source_hash() -> str:
    """Hash of what a build contains: our provider sources and the frozen toolchain's versions."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if path.stem not in PACKAGING_MODULES:
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in (*FROZEN_DISTRIBUTIONS, "pyinstaller"):
        digest.update(f"{name}=={_version_of(name)}\0".encode())
    digest.update(f"{sys.version}\0{host_platform()}\0{pyinstaller_options()}".encode())
    return digest.hexdigest()[:16]


def cached_build(cache_dir: Path) -> Build:
    """The build for the current sources, from `cache_dir` or built into it (atomically)."""
    cache_dir = cache_dir.absolute()
    target = cache_dir / f"{EXECUTABLE_NAME}-{source_hash()}-{host_platform()}"
    build = Build(target, host_platform())
    if build.executable.is_file():
        return build
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReleaseError(
            f"cannot create the build cache {cache_dir}: {err.strerror}",
            "Point TEAMS_NOTIFY_BUILD_CACHE (or --cache) at a writable folder.",
        ) from None
    with (cache_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers wait for one build, not make two
        if not build.executable.is_file():
            with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".building-") as work:
                os.replace(build_executable(Path(work)).folder, target)
            _prune(cache_dir, keep=KEEP_BUILDS)
    return build


def _prune(cache_dir: Path, keep: int) -> None:
    """Remove all but the `keep` newest builds (each is ~55 MB); a build in use is never the oldest."""
    builds = sorted(cache_dir.glob(f"{EXECUTABLE_NAME}-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def build_executable(work_dir: Path) -> Build:
    """Run PyInstaller `--onedir` in `work_dir`; returns the build folder inside it."""
    if importlib.util.find_spec("PyInstaller") is None:
        raise ReleaseError(
            "PyInstaller is not installed in this Python",
            "Install the dev extra: pip install -e '.[dev]' (or pip install pyinstaller).",
        )
    work_dir = work_dir.absolute()
    entry = work_dir / "provider_entry.py"
    entry.write_text(
        "from terraform_provider_servicenow.__main__ import main\n\nif __name__ == '__main__':\n    main()\n"
    )
    argv = [
        sys.executable,
        "-m",
        "PyInstaller",
        *pyinstaller_options(),
        f"--distpath={work_dir / 'dist'}",
        f"--workpath={work_dir / 'work'}",
        f"--specpath={work_dir}",
        str(entry),
    ]
    proc = subprocess.run(argv, cwd=work_dir, capture_output=True, text=True, check=False)
    build = Build(work_dir / "dist" / EXECUTABLE_NAME, host_platform())
    if proc.returncode != 0 or not build.executable.is_file():
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReleaseError(
            f"PyInstaller failed (exit {proc.returncode}): {last}", "Run it again with the log."
        )
    _strip_unneeded(build.folder / CONTENTS_DIR)
    return build


def pyinstaller_options() -> list[str]:
    """Everything that decides what goes into a build (part of the cache key)."""
    return [
        "--onedir",
        "--noconfirm",
        "--clean",
        "--log-level=WARN",
        "--strip",  # libpython and extension modules carry debug symbols: half the size
        # Modules as .pyc files in _internal/ instead of one compressed archive read at every start:
        # measured faster to start (bench/release_bench.py).
        "--debug=noarchive",
        f"--name={EXECUTABLE_NAME}",
        f"--contents-directory={CONTENTS_DIR}",
        # An editable install hides the package from PyInstaller's import analysis: point at it.
        f"--paths={PACKAGE_DIR.parent}",
        # tf imports its generated gRPC modules lazily, inside run_provider.
        "--collect-submodules=tf.gen",
        # The HTTP pool verifies TLS against certifi's bundle (a data file) unless SSL_CERT_FILE or
        # SSL_CERT_DIR is set.
        "--collect-data=certifi",
        # grpc's compiled core imports pkgutil from C, where the import analysis cannot see it.
        "--hidden-import=pkgutil",
        # The release redistributes these: their metadata (license files included) and Python's
        # license travel with the executable.
        *(f"--copy-metadata={name}" for name in FROZEN_DISTRIBUTIONS if _version_of(name) != "absent"),
        f"--add-data={PYTHON_LICENSE}:licenses/python",
        *(f"--exclude-module={name}" for name in EXCLUDED_MODULES),
        *(f"--exclude-module=terraform_provider_servicenow.{name}" for name in PACKAGING_MODULES),
    ]


def _strip_unneeded(contents: Path) -> None:
    """Drop files the frozen provider never reads (type stubs, dist-info of excluded tools)."""
    for path in contents.rglob("*.pyi"):
        path.unlink()
    for path in list(contents.glob("*.dist-info")):
        if path.is_dir() and path.name.split("-")[0].lower() in ("pyinstaller", "setuptools", "pip", "wheel"):
            shutil.rmtree(path)


def install_build(
    build: Build, plugin_dir: Path, source: str = DEFAULT_SOURCE, version: str = __version__
) -> Path:
    """Put a build into Terraform's unpacked mirror layout (as `install.install` does with the venv
    wrapper): the executable renamed `terraform-provider-<type>_v<version>`, `_internal/` beside it.
    Its lock-file hash, unlike the wrapper's, does not depend on where the checkout is."""
    target = executable_path(plugin_dir, parse_source(source), version)
    check_build(build)
    if target.parent.exists():
        shutil.rmtree(target.parent)  # only our own version folder: a previous install of it
    shutil.copytree(build.folder / CONTENTS_DIR, target.parent / CONTENTS_DIR, symlinks=True)
    shutil.copy2(build.executable, target)
    return target


ELF_MACHINES = {0x3E: "amd64", 0xB7: "arm64"}
MACHO_CPUS = {0x01000007: "amd64", 0x0100000C: "arm64"}


def executable_platform(path: Path) -> str | None:
    """Terraform's os_arch of a native executable, from its header (None if not recognised)."""
    with path.open("rb") as handle:
        header = handle.read(20)
    if header[:4] == b"\x7fELF" and len(header) >= 20:
        arch = ELF_MACHINES.get(int.from_bytes(header[18:20], "little"))
        return f"linux_{arch}" if arch else None
    if header[:4] == b"\xcf\xfa\xed\xfe":  # 64-bit Mach-O, little-endian
        arch = MACHO_CPUS.get(int.from_bytes(header[4:8], "little"))
        return f"darwin_{arch}" if arch else None
    return None


def check_build(build: Build) -> Build:
    """The folder holds a provider executable for the platform it is released as."""
    if not build.executable.is_file():
        raise ReleaseError(
            f"no {EXECUTABLE_NAME} executable in {build.folder}",
            "Point --build at the --out folder of `teams-notify provider build` run on that platform.",
        )
    found = executable_platform(build.executable)
    if found != build.platform:
        raise ReleaseError(
            f"{build.executable} is a {found or 'unrecognised'} executable, not {build.platform}",
            "Build on a machine of that platform (PyInstaller cannot cross-compile) and name it right.",
        )
    return build


def folder_size(folder: Path) -> int:
    """Bytes of all files under `folder` (the unpacked size of a build)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"
