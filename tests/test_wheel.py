"""The wheel, installed without ``-e`` into a fresh virtual environment, works on its own.

The source tree (``src/``, with the browser bundles of ``make web-assets``, which ``make test``
builds first) is copied aside and built with ``python -m build --wheel``; a new venv gets the
wheel with ``pip install -c constraints.txt`` (so the dependencies are the pinned ones). From a
folder outside the source tree, so that the installed package and not ``src/`` is imported,
``veriga demo --no-serve --size tiny`` builds a demo case, then ``veriga serve`` serves it: a
demo user logs in, every page of the case is fetched in every language of the interface, and
every file under ``web/static`` (``upload.js``, the CSS, the bundles) is served as it is in the
source tree. The wheel must also hold every file of the package that is not Python code (the
package data of pyproject.toml): templates, catalogs, static files, migrations, presets, the
model overlay, the report templates and the examples.

Slow: about 80 s on two cores when pip's cache has the dependencies (most of it installing them
into the new venv); the first run on a machine downloads them, and builds PyICU.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "veriga"
STATIC = PACKAGE / "web" / "static"
# The bundles the pages load (make web-assets writes them, with their chunks and maps).
BUNDLES = ("htmx.min.js", "network.js", "timeline.js", "map.js", "money.js", "chain.js")
# "Log out" in the navigation of every page, in each language of the interface.
LOG_OUT = {"en": "Log out", "bg": "Изход", "lv": "Iziet", "et": "Logi välja",
           "fi": "Kirjaudu ulos"}
PAGES = ("/cases", "/cases/demo", "/cases/demo/findings?state=", "/cases/demo/entities?q=an",
         "/cases/demo/network", "/cases/demo/timeline", "/cases/demo/map", "/cases/demo/money",
         "/cases/demo/chain", "/cases/demo/files", "/cases/demo/report")


@dataclass
class Installed:
    wheel: Path
    venv: Path
    run: Path  # the working folder: outside the source tree
    env: dict[str, str]

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def _run(args: list[str], timeout: float, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False,
                          cwd=cwd, env=env)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _package_data(root: Path) -> set[str]:
    """Every file of the package that is not Python code, relative to ``src``."""
    return {str(p.relative_to(root.parent)) for p in root.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    missing = [b for b in BUNDLES if not (STATIC / "dist" / b).is_file()]
    if missing:
        pytest.fail(f"the browser bundles are not built ({', '.join(missing)}): "
                    "run `make web-assets` first")
    tmp = tmp_path_factory.mktemp("wheel")
    project = tmp / "project"  # a copy: the build writes build/ and *.egg-info beside it
    shutil.copytree(ROOT / "src", project / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp / "dist"),
          str(project)], timeout=600)
    [wheel] = (tmp / "dist").glob("veriga-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VERIGA_") and k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(VERIGA_HOME=str(tmp / "home"), COLUMNS="200", PYTHONDONTWRITEBYTECODE="1")
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
          "-c", str(ROOT / "constraints.txt"), str(wheel)], timeout=1800, env=env)
    run = tmp / "run"
    run.mkdir()
    return Installed(wheel, venv, run, env)


def test_the_wheel_holds_the_package_data(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    wanted = _package_data(PACKAGE)
    assert {"veriga/web/static/upload.js", "veriga/web/locale/lv/LC_MESSAGES/messages.po",
            "veriga/web/static/dist/network.js", "veriga/web/templates/base.html"} <= wanted
    assert sorted(wanted - names) == [], "add them to [tool.setuptools.package-data]"


def test_the_installed_package_is_imported(installed: Installed) -> None:
    done = _run([installed.bin("python"), "-c", "import veriga; print(veriga.__file__)"],
                timeout=60, cwd=installed.run, env=installed.env)
    where = Path(done.stdout.strip()).resolve()
    assert where.is_relative_to(installed.venv.resolve()), where
    assert not where.is_relative_to(ROOT)


@pytest.fixture(scope="module")
def demo(installed: Installed) -> Iterator[tuple[str, dict[str, str]]]:
    """The demo case built by the installed ``veriga``, served by it: (address, passwords)."""
    done = _run([installed.bin("veriga"), "demo", "--no-serve", "--size", "tiny"], timeout=600,
                cwd=installed.run, env=installed.env)
    assert "0 rejects" in done.stdout and "chain intact" in done.stdout, done.stdout
    passwords = dict(re.findall(r"^│ (\w+)\s+│ (\S+)\s+│", done.stdout, re.M))
    assert "liga" in passwords, done.stdout
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([installed.bin("veriga"), "serve", "--port", str(port)],
                              cwd=installed.run, env=installed.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if server.poll() is not None:
                pytest.fail(f"veriga serve ended: {server.stdout.read() if server.stdout else ''}")
            try:
                if httpx.get(f"{url}/login", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("veriga serve did not answer within 60 s")
        yield url, passwords
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


def _csrf(page: httpx.Response) -> str:
    return page.text.split('name="csrf" value="')[1].split('"')[0]


def _log_in(client: httpx.Client, user: str, password: str) -> None:
    done = client.post("/login", data={"username": user, "password": password,
                                       "csrf": _csrf(client.get("/login")), "next": "/cases"})
    assert done.status_code == 303, done.text
    done = client.post("/cases/demo/open", data={
        "purpose": "checking the installed wheel", "csrf": _csrf(client.get("/cases/demo/open"))})
    assert done.status_code == 303, done.text


def test_the_installed_demo_serves_every_page_in_every_language(
        demo: tuple[str, dict[str, str]]) -> None:
    url, passwords = demo
    with httpx.Client(base_url=url, timeout=120) as client:
        _log_in(client, "liga", passwords["liga"])
        for lang, log_out in LOG_OUT.items():
            client.cookies.set("veriga_lang", lang)
            for path in PAGES:
                page = client.get(path)
                assert page.status_code == 200, (lang, path, page.text[-2000:])
                assert f'<html lang="{lang}">' in page.text, (lang, path)
                assert f">{log_out}<" in page.text, (lang, path)
                if lang != "en":
                    assert ">Log out<" not in page.text, (lang, path)
        pdf = client.get("/cases/demo/report.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:500]


def test_the_installed_demo_serves_the_static_files_and_bundles(
        demo: tuple[str, dict[str, str]]) -> None:
    url, passwords = demo
    files = sorted(p for p in STATIC.rglob("*") if p.is_file())
    assert STATIC / "upload.js" in files and STATIC / "dist" / "network.js" in files
    with httpx.Client(base_url=url, timeout=60) as client:
        _log_in(client, "liga", passwords["liga"])
        assert "/static/upload.js" in client.get("/cases/demo/files").text
        for path in files:
            rel = path.relative_to(STATIC).as_posix()
            served = client.get(f"/static/{rel}")
            assert served.status_code == 200, rel
            assert served.content == path.read_bytes(), rel
