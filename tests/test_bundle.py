"""`xlplan bundle`: an offline Windows installer built here, whose wheelhouse resolves for win_amd64.

Building it downloads wheels from the package index (through this machine's pip configuration);
the wheelhouse is cached for the whole test run, so each Python version is fetched once.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from xlplan import __version__
from xlplan.builder.template import build_template_bytes
from xlplan.bundle import PLATFORM, PYTHONS, missing_requirements

from conftest import ROOT


@pytest.fixture(scope="session")
def bundles(tmp_path_factory) -> dict[str, Path]:
    from xlplan.bundle import build_bundle

    folder = tmp_path_factory.mktemp("bundles")
    return {python: build_bundle(folder / f"xlplan-{python}.zip", python, cache=folder / f"wheels-{python}").path
            for python in PYTHONS}


def unpack(bundle: Path, dest: Path) -> Path:
    with zipfile.ZipFile(bundle) as z:
        z.extractall(dest)
    (top,) = dest.iterdir()
    return top


@pytest.mark.parametrize("python", PYTHONS)
def test_the_wheelhouse_resolves_offline_for_windows(python, bundles, tmp_path):
    top = unpack(bundles[python], tmp_path)
    wheels = top / "wheels"
    # every requirement, with the markers of CPython `python` on 64-bit Windows, has a wheel that installs there
    assert missing_requirements(wheels, python, [f"xlplan=={__version__}", "pip"]) == ([], [])
    names = {re.sub(r"-\d.*$", "", w.name).lower().replace("_", "-") for w in wheels.glob("*.whl")}
    assert {"xlplan", "xlwings", "pywin32", "colorama", "pip", "pydantic-core", "lxml"} <= names
    assert "pandas" not in names and "numpy" not in names        # the click environment stays light
    # and pip agrees: nothing but the wheelhouse, win_amd64 wheels only, every package in it
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links", str(wheels),
               "--only-binary=:all:", "--platform", PLATFORM, "--python-version", python, "--implementation", "cp",
               "--target", str(tmp_path / "target"), "--disable-pip-version-check", "--quiet", "--report", "-",
               *sorted(names)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    installed = {i["metadata"]["name"].lower().replace("_", "-") for i in report["install"]}
    assert installed == names
    manifest = json.loads((top / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["python"] == python and manifest["xlplan"] == __version__


def test_the_bundle_holds_the_template_and_scripts_windows_can_read(bundles, tmp_path):
    top = unpack(bundles["3.12"], tmp_path)
    assert (top / "template" / "xlplan_template.xlsm").read_bytes() == build_template_bytes()
    ps1 = (top / "setup.ps1").read_bytes()
    assert ps1.startswith(b"\xef\xbb\xbf")                  # PowerShell 5.1 reads BOM-less files as ANSI
    assert b"\r\n" in ps1 and b"\n" not in ps1.replace(b"\r\n", b"")
    cmd = (top / "setup.cmd").read_bytes()
    assert cmd.isascii() and b"\n" not in cmd.replace(b"\r\n", b"")
    assert b'powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0setup.ps1"' in cmd
    assert (top / "README.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    text = ps1.decode("utf-8-sig")
    # installs offline from the bundle into the per-user place, then runs xlplan setup
    assert '$venv = Join-Path $root "venv"' in text and '$root = Join-Path $env:LOCALAPPDATA "xlplan"' in text
    assert "-m pip install --disable-pip-version-check --no-index --find-links $wheels --upgrade xlplan" in text
    assert "& $py -m xlplan setup --wheels $wheels" in text
    # the embeddable package: site enabled in ._pth, pip run from its wheel
    assert '"#import site") { "import site" }' in text and '(Join-Path $pipwheel.FullName "pip") install --no-index' in text


def test_the_setup_steps_are_the_documented_ones():
    script = (ROOT / "xlplan" / "data" / "bundle" / "setup.ps1").read_text(encoding="utf-8-sig")
    steps = re.findall(r"^# STEP (\d+): (.+)$", script, re.M)
    docs = (ROOT / "docs" / "excel-setup.md").read_text(encoding="utf-8")
    section = docs[docs.index("### setup.cmd がすること"):]
    documented = re.findall(r"^(\d+)\. (.+)$", section.split("\n\n", 2)[1], re.M)
    assert [n for n, _ in steps] == [str(i) for i in range(1, len(steps) + 1)]
    assert [(n, text.strip()) for n, text in steps] == documented


# ------------------------------------------------------------------ the marker walk, offline

def fake_wheel(folder: Path, name: str, version: str, tag: str, requires: list[str]) -> None:
    meta = "Metadata-Version: 2.1\nName: {}\nVersion: {}\n{}".format(
        name, version, "".join(f"Requires-Dist: {r}\n" for r in requires))
    with zipfile.ZipFile(folder / f"{name}-{version}-{tag}.whl", "w") as z:
        z.writestr(f"{name}-{version}.dist-info/METADATA", meta)


def test_windows_only_requirements_are_found_although_pip_runs_on_linux(tmp_path):
    fake_wheel(tmp_path, "xlplan", __version__, "py3-none-any", ["xlwings==0.37.8"])
    fake_wheel(tmp_path, "xlwings", "0.37.8", "cp312-cp312-win_amd64",
               ['pywin32>=224; platform_system == "Windows"', 'appscript>=1; platform_system == "Darwin"',
                'pandas; extra == "all"'])
    fake_wheel(tmp_path, "pip", "26.0", "py3-none-any", [])
    fetch, problems = missing_requirements(tmp_path, "3.12", [f"xlplan=={__version__}", "pip"])
    assert fetch == ["pywin32>=224"] and problems == []
    fake_wheel(tmp_path, "pywin32", "312", "cp312-cp312-manylinux_2_28_x86_64", [])
    assert missing_requirements(tmp_path, "3.12", ["xlplan"])[1] == [
        "pywin32-312-cp312-cp312-manylinux_2_28_x86_64.whl: Python 3.12 / win_amd64 では使えない wheel です"]
