"""Fixtures for the core tests: throwaway plugin distributions on ``sys.path``."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from contactsync.plugins import reset_host

FakeDist = Callable[..., Path]


@pytest.fixture(autouse=True)
def _fresh_default_host() -> Iterator[None]:
    """Tests that change the environment must not see a host built before the change."""
    reset_host()
    yield
    reset_host()


@pytest.fixture
def fake_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDist]:
    """Make an installed-looking distribution: a ``.dist-info`` folder and its modules.

    ``fake_dist("acme-crm", "1.2.3", {"acme": "acme_crm"}, {"acme_crm": "source"})``
    puts ``acme_crm.py`` and ``acme_crm-1.2.3.dist-info`` (with the ``contactsync`` entry
    point ``acme``) in a folder on ``sys.path``, as ``pip install`` would. The modules are
    forgotten again after the test.
    """
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    monkeypatch.syspath_prepend(str(site))
    made: list[str] = []

    def make(
        name: str,
        version: str,
        entry_points: dict[str, str],
        modules: dict[str, str],
    ) -> Path:
        info = site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = ["[contactsync]", *(f"{ep} = {target}" for ep, target in entry_points.items())]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for module, source in modules.items():
            (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
            made.append(module)
        importlib.invalidate_caches()
        return site

    yield make
    for module in made:
        sys.modules.pop(module, None)
