"""Issue 12: a program's engine runs jsii's kernel under our host, in one Node process instead
of jsii's two (launcher and kernel), and writes exactly what jsii's own launcher writes.

The host is driven with real Node: alone, with a small kernel that speaks on descriptor 3 and
prints, and in a real program synth, whose Node processes are read from /proc.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, write_tenant
from helpers.programs import children, command_line, ended, engine_process_of, main_py, tree
from teams_notify.stacks import jsii_host
from teams_notify.stacks.engine import bundled_node

HOST = Path(jsii_host.__file__).with_name(jsii_host.HOST_SCRIPT)
# A kernel in miniature: what jsii's kernel does with the host's descriptors and streams.
KERNEL = """
const fs = require("fs");
const request = Buffer.alloc(64);
const size = fs.readSync(3, request, 0, 64, null);
console.log("printed");
process.stderr.write("warned");
fs.writeSync(2, Buffer.from("a kernel error\\n"));
fs.writeSync(3, Buffer.from("answer to " + request.subarray(0, size).toString()));
"""


def frames(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{kind: base64.b64encode(text.encode()).decode()} for kind, text in pairs]


def test_the_host_carries_the_protocol_on_standard_input_and_output(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    shutil.copy(HOST, tmp_path / "lib" / "host.js")
    (tmp_path / "lib" / "program.js").write_text(KERNEL)
    run = subprocess.run(
        [bundled_node() or "node", str(tmp_path / "lib" / "host.js")],
        input=b"hello\n",
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert run.stdout == b"answer to hello\n"  # the protocol, and nothing printed, on stdout
    printed = [json.loads(line) for line in run.stderr.splitlines()]
    assert printed == frames(("stdout", "printed\n"), ("stderr", "warned"), ("stderr", "a kernel error\n"))


@pytest.fixture
def tenants(tmp_path: Path, constructs_bundles: BundleFactory) -> Path:
    bundle = constructs_bundles.make("jsii-host")
    for name in ("alpha", "bravo"):
        write_tenant(tmp_path / "t", name, [("current", bundle, True)])
    return tmp_path / "t"


def engine_node(run: subprocess.Popen[str]) -> tuple[list[str], bool]:
    """The command line of the engine's Node, and whether it started a Node of its own (looked
    for until the program ends)."""
    engine = engine_process_of(run)
    assert engine is not None
    node = next(pid for pid, name in children(engine) if name == "node")
    line = command_line(node)
    second = False
    while run.poll() is None and not second:
        second = any(name == "node" for _, name in children(node))
    return line, second


def test_a_program_runs_the_kernel_in_one_node_and_writes_what_jsii_launcher_writes(
    tenants: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = main_py(tenants, out)
    line, second = engine_node(run)
    assert ended(run) == 0
    assert line[-1].endswith("/lib/host.js") and "--preserve-symlinks" in line
    assert not second
    hosted = tree(out)
    shutil.rmtree(out)
    run = main_py(tenants, out, TEAMS_NOTIFY_JSII_HOST="0")
    line, second = engine_node(run)
    assert ended(run) == 0
    assert line[-1].endswith("jsii-runtime.js") and second  # jsii's launcher and its kernel
    assert tree(out) == hosted


@pytest.fixture
def fresh_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """This process's jsii variables restored after the test; the host folders under tmp."""
    monkeypatch.delenv("JSII_RUNTIME", raising=False)
    monkeypatch.setenv("JSII_NODE", bundled_node() or "node")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(jsii_host.HOST_ENV, raising=False)
    return tmp_path / "cache" / "teams-notify" / "jsii-host"


def test_install_makes_a_private_folder_once_and_points_jsii_at_it(fresh_env: Path) -> None:
    jsii_host.install()
    runtime = Path(os.environ["JSII_RUNTIME"])
    assert runtime.parent.parent.parent == fresh_env
    assert fresh_env.stat().st_mode & 0o777 == 0o700
    assert {p.name for p in runtime.parent.iterdir()} == {"host.js", "program.js", "runtime-index-worker.js"}
    assert Path(os.environ["JSII_NODE"]) == runtime.parent.parent / "node"
    made = runtime.stat().st_mtime_ns
    del os.environ["JSII_RUNTIME"]
    os.environ["JSII_NODE"] = bundled_node() or "node"
    jsii_host.install()  # the second program finds it made
    assert Path(os.environ["JSII_RUNTIME"]) == runtime and runtime.stat().st_mtime_ns == made


def test_a_folder_others_can_write_to_is_not_used(fresh_env: Path) -> None:
    fresh_env.mkdir(parents=True)
    fresh_env.chmod(0o777)
    jsii_host.install()
    assert "JSII_RUNTIME" not in os.environ  # jsii's own launcher


def test_a_runtime_the_user_chose_is_kept(fresh_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JSII_RUNTIME", "/opt/my-jsii-runtime.js")
    jsii_host.install()
    assert os.environ["JSII_RUNTIME"] == "/opt/my-jsii-runtime.js"
    assert not fresh_env.exists()


def test_the_switch_turns_it_off(fresh_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(jsii_host.HOST_ENV, "0")
    jsii_host.install()
    assert "JSII_RUNTIME" not in os.environ


def test_a_kernel_without_the_facts_the_host_relies_on_gets_no_host(tmp_path: Path) -> None:
    kernel = tmp_path / "kernel"
    kernel.mkdir()
    for name in jsii_host.KERNEL_FILES:
        (kernel / name).write_text("// a jsii release that talks on another descriptor\n")
    folder = tmp_path / "hosts" / "key"
    jsii_host._create(folder, kernel, "node")
    assert not folder.exists()
