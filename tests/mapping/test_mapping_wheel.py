"""The mapping files ship inside the built wheel, where ``mappings_dir()`` finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ("csv.toml", "sqlite.toml")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(out)],
        cwd=REPO, check=True, capture_output=True, text=True,
    )
    (built,) = out.glob("contactsync-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_holds_the_mapping_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in SHIPPED:
        assert f"contactsync/_mappings/{name}" in names
        source = (REPO / "mappings" / name).read_bytes()
        assert zipfile.ZipFile(wheel).read(f"contactsync/_mappings/{name}") == source


@pytest.mark.slow
def test_an_installed_wheel_loads_its_packaged_mappings(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "from contactsync.mapping import load_mapping, mappings_dir\n"
        "print(mappings_dir())\n"
        "print(load_mapping('csv').source)\n"
        "print(load_mapping('sqlite.toml').connector)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}  # ahead of the editable checkout
    shown = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, check=True,
        capture_output=True, text=True,
    ).stdout.splitlines()
    packaged = site / "contactsync" / "_mappings"
    assert shown == [str(packaged), str(packaged / "csv.toml"), "sqlite"]
