"""The playbook is core code: no screen, printer, CLI or database imports."""

from __future__ import annotations

import ast
from pathlib import Path

import knock.playbook

FORBIDDEN = {"textual", "weasyprint", "click", "sqlite3", "sqlite_utils"}


def test_playbook_imports_no_ui_printer_cli_or_database() -> None:
    package = Path(knock.playbook.__file__).parent
    offenders = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            offenders += [f"{path.name}: {r}" for r in roots & FORBIDDEN]
    assert not offenders
