"""Benchmark the self-contained provider build against the development provider.

1. Cold start, spawn to go-plugin handshake line, median of 5 interleaved runs after one warm-up each:
   the development provider (the `provider install` wrapper: sh, then this virtualenv's Python)
   against the PyInstaller `--onedir` executable unpacked from the release zip and started with
   no Python on PATH. The target is a ratio of at most 1.5x (issue 14). `python -c pass` with the
   same interpreter is printed as the floor.
2. Sizes: the zip, the unpacked folder.
3. With --fresh-build: the time of one PyInstaller build from scratch (into a temporary cache).

Run: .venv/bin/python bench/release_bench.py [--runs 5] [--fresh-build]
Results are recorded in docs/terraform-cloud.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers.release import BUILD_CACHE, handshake
from helpers.terraform import install_for_tests
from terraform_provider_servicenow.build import Build, cached_build, folder_size
from terraform_provider_servicenow.release import executable_name, write_zip


def medians(measures: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    """Median seconds of each measure; runs interleave so that load on a shared machine hits all."""
    for measure in measures.values():
        measure()  # warm-up: page cache, and the provider framework's TLS certificate cache in HOME
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}


def provider_start(argv: list[str], env: dict[str, str]) -> float:
    seconds, line, proc = handshake(argv, env)
    proc.kill()
    proc.wait()
    if not line.startswith("1|6|"):
        raise RuntimeError(f"{argv[0]}: unexpected handshake line {line!r}")
    return seconds


def python_start() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def unpack(build: Build, work: Path) -> tuple[Path, Path]:
    """The release zip of `build` and the folder Terraform would unpack it to."""
    zip_path = work / "provider.zip"
    write_zip(build, executable_name("0.0.0"), zip_path)
    folder = work / "unpacked"
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            Path(archive.extract(info, folder)).chmod((info.external_attr >> 16) & 0o777)
    return zip_path, folder / executable_name("0.0.0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh-build", action="store_true", help="also time one build from scratch")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.fresh_build:
            started = time.perf_counter()
            cached_build(work / "fresh-cache")
            print(f"PyInstaller --onedir build from scratch: {time.perf_counter() - started:.1f} s")
        build = cached_build(BUILD_CACHE)
        zip_path, standalone = unpack(build, work)
        development = next(install_for_tests(work / "plugins").rglob("terraform-provider-servicenow_v*"))
        home = work / "home"
        home.mkdir()
        env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
        bare = {"HOME": str(home), "PATH": str(standalone.parent)}  # no Python reachable at all

        result = medians(
            {
                "dev": lambda: provider_start([str(development)], env),
                "built": lambda: provider_start([str(standalone)], bare),
                "floor": python_start,
            },
            args.runs,
        )
        dev, built, floor = result["dev"], result["built"], result["floor"]
        zip_mb = zip_path.stat().st_size / 1e6

    print(f"provider cold start, spawn to handshake line, median of {args.runs}:")
    print(f"  development provider (venv wrapper)   {dev * 1000:6.0f} ms")
    print(
        f"  self-contained executable (--onedir)  {built * 1000:6.0f} ms   "
        f"ratio {built / dev:4.2f}x (target <= 1.5x)"
    )
    print(f"  floor: python -c pass                 {floor * 1000:6.0f} ms")
    print(f"sizes: zip {zip_mb:.1f} MB, unpacked {folder_size(build.folder) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
