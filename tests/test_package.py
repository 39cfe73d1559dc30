"""`pip install .` gives a working Knock: the wheel carries its data and runs without the checkout.

The wheel is built from this checkout without fetching anything (no build
isolation: setuptools is a dev dependency), installed into a fresh venv with
``--no-deps`` (the dependencies are this environment's, added read-only by a
.pth line, so no index is needed), and then run from a folder outside the
checkout: ``knock sample`` builds a community and ``knock receipt`` renders a
receipt PDF from it, which needs the templates, the vocabulary and the playbook.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.mark.slow
def test_the_built_wheel_installs_into_a_fresh_venv_and_prints_a_receipt(tmp_path: Path) -> None:
    # A copy of the source, so the build's own files (build/, *.egg-info) never land in the checkout.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", "tests", "bench", ".*cache"))
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", dist, source, cwd=tmp_path)
    (wheel,) = dist.glob("knock-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    for data in (
        "knock/templates/vocabulary.yaml",
        "knock/templates/playbook/debtor_types.yaml",
        "knock/templates/documents/receipt.html",
        "knock/templates/documents/fonts/KnockReceiptSansCJKSC-Regular.otf",  # the receipt face and its licence
        "knock/templates/documents/fonts/OFL.txt",
        "knock/templates/documents/call_list.html",
        "knock/templates/reminders/sms.yaml",
        "field_app/screens/calls.tcss",
        "field_app/app.tcss",
        "field_app/locale/en/LC_MESSAGES/field_app.po",
        "field_app/locale/zh/LC_MESSAGES/field_app.po",
    ):
        assert data in names, f"{data} is not in the wheel"
    assert "License-Expression: LicenseRef-Proprietary" in metadata
    assert "Requires-Dist: textual==" in metadata

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).stdout.strip())
    (site / "knock_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel, cwd=tmp_path)

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("KNOCK_HOME", "PYTHONPATH")}
    installed = _run(python, "-c", "import knock, field_app; print(knock.__file__); print(field_app.__file__)", cwd=outside, env=env).stdout
    assert all(line.startswith(str(venv)) for line in installed.split()), installed

    home = tmp_path / "home"
    knock = venv / "bin" / "knock"
    _run(knock, "sample", "--home", home, "--households", "60", "--staff", "4", cwd=outside, env=env)
    with sqlite3.connect(home / "knock.db") as db:
        (receipt_no,) = db.execute("SELECT receipt_no FROM payments ORDER BY receipt_seq LIMIT 1").fetchone()
    printed = _run(knock, "receipt", receipt_no, "--home", home, cwd=outside, env=env)
    pdfs = list((home / "output").rglob("*.pdf"))
    assert pdfs and pdfs[0].read_bytes().startswith(b"%PDF"), printed.stdout
