"""`xlplan bundle OUT.zip`: an offline installer for Windows PCs, built on any OS.

The zip holds ``wheels/`` (xlplan and every dependency as win_amd64 wheels for
one CPython version, pywin32 included, plus pip for an embeddable Python),
``template/xlplan_template.xlsm``, ``setup.cmd`` + ``setup.ps1`` (Japanese;
the .ps1 is UTF-8 with BOM, as Windows PowerShell 5.1 needs; the .cmd is
ASCII and delegates to it), ``python/`` for an optional embeddable Python zip,
``README.txt`` and ``manifest.json``.

pip evaluates environment markers against the machine it runs on, even with
``--platform win_amd64``, so ``pip download`` on Linux leaves out Windows-only
dependencies (xlwings' pywin32, typer's colorama). ``missing_requirements``
walks every wheel's Requires-Dist with the markers of the target Windows
Python and the bundle downloads what is missing until nothing is.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from email.parser import Parser
from importlib import resources
from pathlib import Path

from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from xlplan import __version__
from xlplan.errors import XlplanUserError

PYTHONS = ("3.11", "3.12", "3.13")
PLATFORM = "win_amd64"
SCRIPTS = ("setup.cmd", "setup.ps1", "README.txt")
EXTRA_WHEELS = ("pip",)   # an embeddable Python has no pip; setup.ps1 runs pip from its wheel
PYTHON_README = ("この PC に Python が入っていない場合は、python.org の「Windows embeddable package (64-bit)」\r\n"
                 "（manifest.json の python と同じ版の python-X.Y.Z-embed-amd64.zip）をこのフォルダーに置いてから\r\n"
                 "setup.cmd を実行してください。展開・設定・pip の準備はセットアップが行います。\r\n")


@dataclass
class Bundle:
    path: Path
    python: str
    wheels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def windows_environment(python: str) -> dict[str, str]:
    """Marker values of CPython ``python`` on 64-bit Windows."""
    return {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
            "platform_release": "10", "platform_version": "10.0.19045", "python_version": python,
            "python_full_version": f"{python}.0", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "implementation_version": f"{python}.0", "extra": ""}


def target_tags(python: str) -> set[Tag]:
    version = tuple(int(p) for p in python.split("."))
    return set(cpython_tags(version, platforms=[PLATFORM])) | set(compatible_tags(version, platforms=[PLATFORM]))


def wheel_metadata(path: Path) -> tuple[str, str, list[str]]:
    """(canonical name, version, Requires-Dist lines) of a wheel file."""
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        meta = Parser().parsestr(z.read(name).decode("utf-8"))
    return canonicalize_name(meta["Name"]), meta["Version"], meta.get_all("Requires-Dist") or []


def missing_requirements(wheelhouse: Path, python: str, roots: list[str]) -> tuple[list[str], list[str]]:
    """What the wheelhouse lacks for CPython ``python`` on win_amd64: (requirements to fetch, problems).

    Problems are wheels that cannot install there (wrong tags) and versions that conflict."""
    env = windows_environment(python)
    tags = target_tags(python)
    have: dict[str, str] = {}
    problems: list[str] = []
    requires: list[tuple[str, Requirement]] = [("(bundle)", Requirement(r)) for r in roots]
    for wheel in sorted(wheelhouse.glob("*.whl")):
        _, _, _, wheel_tags = parse_wheel_filename(wheel.name)
        if not set(wheel_tags) & tags:
            problems.append(f"{wheel.name}: Python {python} / {PLATFORM} では使えない wheel です")
        name, version, reqs = wheel_metadata(wheel)
        have[name] = version
        requires += [(name, Requirement(r)) for r in reqs]
    fetch: list[str] = []
    for owner, req in requires:
        extras = [""] + sorted(req_extras_of(owner, roots))
        if req.marker is not None and not any(req.marker.evaluate({**env, "extra": e}) for e in extras):
            continue
        name = canonicalize_name(req.name)
        if name not in have:
            fetch.append(str(Requirement(f"{req.name}{req.specifier}")))
        elif have[name] not in req.specifier and req.specifier:
            problems.append(f"{owner} は {req} を求めますが、{name} {have[name]} しかありません")
    return sorted(set(fetch)), problems


def req_extras_of(owner: str, roots: list[str]) -> set[str]:
    """Extras requested for ``owner`` by the root requirements (e.g. none for xlplan: the click needs no pandas)."""
    extras: set[str] = set()
    for r in roots:
        req = Requirement(r)
        if canonicalize_name(req.name) == owner:
            extras |= set(req.extras)
    return extras


def pip_download(requirements: list[str], dest: Path, python: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--only-binary=:all:",
               "--platform", PLATFORM, "--python-version", python, "--implementation", "cp", "-d", str(dest),
               *requirements]
    return subprocess.run(command, capture_output=True, text=True, timeout=1800)


def xlplan_wheel(dest: Path) -> Path:
    """This xlplan as a wheel: built from the source checkout, else downloaded from the index."""
    root = Path(__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    dest.mkdir(parents=True, exist_ok=True)
    if pyproject.is_file() and 'name = "xlplan"' in pyproject.read_text(encoding="utf-8"):
        command = [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--no-deps", "-w", str(dest), str(root)]
    else:
        command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps", "--only-binary=:all:",
                   "-d", str(dest), f"xlplan=={__version__}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    found = sorted(dest.glob(f"xlplan-{__version__}-*.whl"))
    if done.returncode != 0 or not found:
        raise XlplanUserError(f"xlplan の wheel を作れませんでした: {_tail(done)}")
    return found[-1]


def fill_wheelhouse(wheelhouse: Path, python: str, own_wheel: Path, notes: list[str]) -> list[str]:
    """Download until every requirement (Windows markers) has a wheel; returns the problems left.

    A requirement with no wheel on the index at all (win-unicode-console, which pcodedmp ← oletools
    needs on Windows, is published as a source zip only) is built here into a wheel, and kept only
    if it is pure Python (``none-any``), so it installs offline on any Windows; ``notes`` says which."""
    roots = [f"xlplan=={__version__}", *EXTRA_WHEELS]
    wanted = [str(own_wheel), *EXTRA_WHEELS]
    for _ in range(10):
        if wanted:
            done = pip_download(wanted, wheelhouse, python)
            if done.returncode != 0:
                for requirement in wanted:
                    if pip_download([requirement], wheelhouse, python).returncode == 0:
                        continue
                    problem = pure_wheel_from_source(requirement, wheelhouse)
                    if problem:
                        return [problem]
                    notes.append(f"{requirement}: {PLATFORM} 用の wheel が公開されていないため、ソースから純 Python の wheel を作りました")
        wanted, problems = missing_requirements(wheelhouse, python, roots)
        if problems:
            return problems
        if not wanted:
            return []
    return [f"依存関係が決まりませんでした: {', '.join(wanted)}"]


def pure_wheel_from_source(requirement: str, wheelhouse: Path) -> str | None:
    """Build ``requirement`` from its source distribution; None when it gave a pure-Python wheel."""
    with tempfile.TemporaryDirectory(prefix="xlplan-sdist-") as tmp:
        command = [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--no-deps", "--no-binary", ":all:",
                   "-w", tmp, requirement]
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        built = sorted(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not built:
            return f"{requirement}: wheel もソースからの作成もできません（{_tail(done)}）"
        if not built[0].name.endswith("-none-any.whl"):
            return f"{requirement}: {PLATFORM} 用の wheel がなく、ソースから作るとこの OS 用になります（{built[0].name}）"
        (wheelhouse / built[0].name).write_bytes(built[0].read_bytes())
    return None


def build_bundle(out: Path, python: str = "3.12", *, cache: Path | None = None, overwrite: bool = True) -> Bundle:
    """Write the offline installer zip to ``out``; ``cache`` keeps the wheelhouse between builds."""
    from xlplan.builder.template import build_template_bytes
    from xlplan.fileio import atomic_write_bytes

    if python not in PYTHONS:
        raise XlplanUserError(f"--python は {' / '.join(PYTHONS)} のどれかにしてください（指定: {python}）。")
    with tempfile.TemporaryDirectory(prefix="xlplan-bundle-") as tmp:
        wheelhouse = Path(cache) if cache else Path(tmp) / "wheels"
        wheelhouse.mkdir(parents=True, exist_ok=True)
        for old in wheelhouse.glob("xlplan-*.whl"):
            old.unlink()   # always this checkout's xlplan
        own = xlplan_wheel(Path(tmp) / "own")
        (wheelhouse / own.name).write_bytes(own.read_bytes())
        notes: list[str] = []
        problems = fill_wheelhouse(wheelhouse, python, own, notes)
        if problems:
            raise XlplanUserError("win_amd64 / Python " + python + " 用の wheel がそろいません:\n" + "\n".join(problems))
        wheels = sorted(p.name for p in wheelhouse.glob("*.whl"))
        manifest = {"xlplan": __version__, "python": python, "platform": PLATFORM, "wheels": wheels, "notes": notes}
        buffer = io.BytesIO()
        folder = f"xlplan-{__version__}-win_amd64-py{python.replace('.', '')}"
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for script in SCRIPTS:
                z.writestr(f"{folder}/{script}", resources.files("xlplan.data").joinpath("bundle", script).read_bytes())
            z.writestr(f"{folder}/manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            z.writestr(f"{folder}/template/xlplan_template.xlsm", build_template_bytes())
            z.writestr(f"{folder}/python/README.txt", PYTHON_README.encode("utf-8-sig"))
            for name in wheels:
                z.write(wheelhouse / name, f"{folder}/wheels/{name}")
        atomic_write_bytes(Path(out), buffer.getvalue(), overwrite=overwrite)
    return Bundle(Path(out), python, wheels, notes)


def _tail(done: subprocess.CompletedProcess) -> str:
    lines = [line for line in f"{done.stdout}\n{done.stderr}".splitlines() if line.strip()]
    return "\n".join(lines[-3:]) if lines else f"終了コード {done.returncode}"
