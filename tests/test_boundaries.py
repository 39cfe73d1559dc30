"""The house's layers, as tests: what each part may import.

knock/core is the domain: ledger, money, rooms, reports. It knows nothing of
screens, printing or the command line, and it does not open homes (that is
knock.home's job, above it). The playbook is pure: rules over facts, no
database, no clock of its own, no screen. Money and rooms sit at the bottom:
they import nothing of Knock's, so everything may use them.

Each check runs in a fresh interpreter, so what another test imported cannot hide a violation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

UI_AND_IO = ("textual", "weasyprint", "click", "field_app", "jinja2", "qrcode", "sqlite_utils")


def _loaded_after_import(modules: list[str]) -> set[str]:
    """Top-level names and Knock modules in sys.modules after importing ``modules`` in a fresh interpreter."""
    code = (
        "import json, sys, importlib\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def _modules(package: str) -> list[str]:
    base = ROOT / package.replace(".", "/")
    return sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in base.rglob("*.py")
    )


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


@pytest.mark.parametrize("package", ["knock.core", "knock.playbook"])
def test_the_domain_imports_no_screen_printer_or_command_line(package: str) -> None:
    loaded = _loaded_after_import(_modules(package))
    assert not _top(loaded) & set(UI_AND_IO), sorted(_top(loaded) & set(UI_AND_IO))
    for layer in ("knock.cli", "knock.documents", "knock.importing", "knock.sample", "sync"):
        assert not {n for n in loaded if n == layer or n.startswith(layer + ".")}, f"{package} imports {layer}"


def test_core_does_not_open_homes() -> None:
    loaded = _loaded_after_import(_modules("knock.core"))
    assert "knock.home" not in loaded


def test_the_playbook_is_pure() -> None:
    loaded = _loaded_after_import(_modules("knock.playbook"))
    assert not {n for n in loaded if n.startswith("knock.core.") and n not in {"knock.core.money", "knock.core.rooms", "knock.core"}}, sorted(
        n for n in loaded if n.startswith("knock.core.")
    )
    assert "sqlite3" not in loaded and "knock.home" not in loaded


@pytest.mark.parametrize("module", ["knock.core.money", "knock.core.rooms"])
def test_money_and_rooms_sit_at_the_bottom(module: str) -> None:
    knock_modules = {n for n in _loaded_after_import([module]) if n.split(".")[0] == "knock"}
    assert knock_modules <= {"knock", "knock.core", module}, sorted(knock_modules)
