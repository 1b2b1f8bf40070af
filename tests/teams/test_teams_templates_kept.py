"""Compiled Teams templates are kept in the user's cache and loaded by the next process; a cache
folder others can write to is not used (what is kept there runs as our code)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from teams_notify.teams import templating


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    templating.environment.cache_clear()  # made once per process: as a new process would
    yield tmp_path / "teams-notify" / "templates"
    templating.environment.cache_clear()


def compile_all() -> None:
    env = templating.environment()
    for name in env.list_templates():
        env.get_template(name)


def kept(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_compiled_templates_are_kept_and_loaded_by_the_next_process(cache_home: Path) -> None:
    compile_all()
    first = kept(cache_home)
    assert len(first) == len(templating.environment().list_templates())
    assert cache_home.stat().st_mode & 0o777 == 0o700
    templating.environment.cache_clear()
    compile_all()
    assert kept(cache_home) == first  # loaded, not compiled and written again


def test_a_cache_folder_others_can_write_to_is_not_used(cache_home: Path) -> None:
    cache_home.mkdir(parents=True)
    cache_home.chmod(0o777)
    assert templating.environment().bytecode_cache is None
    compile_all()
    assert list(cache_home.iterdir()) == []
