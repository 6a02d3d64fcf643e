"""eidgate is the installed wheel: from site-packages, typed, with its command and plugin."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import subprocess
import sys
import sysconfig
from pathlib import Path

import eidgate
import eidgate_adapters

SITE = Path(sysconfig.get_paths()["purelib"]).resolve()


def test_both_packages_come_from_site_packages_with_py_typed() -> None:
    for package in (eidgate, eidgate_adapters):
        folder = Path(package.__file__).resolve().parent
        assert folder.parent == SITE, folder
        assert (folder / "py.typed").is_file()
    # the source folder adapters/ is never a package of the wheel
    assert importlib.util.find_spec("adapters") is None


def test_version_is_the_metadata_and_the_command_says_it() -> None:
    assert eidgate.__version__ == importlib.metadata.version("eidgate")
    command = Path(sys.executable).with_name("eidgate")
    done = subprocess.run([str(command), "--version"], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout == f"eidgate {eidgate.__version__}\n"


def test_the_pytest_plugin_is_registered_by_its_entry_point(pytestconfig) -> None:
    points = importlib.metadata.entry_points(group="pytest11")
    assert [p.value for p in points if p.name == "eidgate"] == ["eidgate.pytest_plugin"]
    assert pytestconfig.pluginmanager.has_plugin("eidgate")


def test_the_licence_is_installed() -> None:
    files = importlib.metadata.files("eidgate") or []
    licences = [f for f in files if f.name == "LICENSE"]
    assert len(licences) == 1
    assert licences[0].read_text().startswith("MIT License")


def test_keys_generate_writes_private_files(tmp_path: Path) -> None:
    command = Path(sys.executable).with_name("eidgate")
    subprocess.run([str(command), "keys", "generate", "--out", str(tmp_path / "keys")],
                   capture_output=True, check=True, timeout=60)
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == [
        "encryption.jwk.json", "signing.jwk.json"]
    assert (tmp_path / "keys" / "signing.jwk.json").stat().st_mode & 0o077 == 0
