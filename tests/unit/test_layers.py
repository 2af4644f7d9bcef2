"""Layer rules from the developers' guide, checked on the source (ast, so imports inside functions
and multi-line calls count too):

- ``desktop_app`` never imports PySide6 or ``ui`` — the domain must run headless (CLI, tests, CI).
- Only ``desktop_app/storage`` touches sqlite-utils tables or runs SQL: everything else calls a
  repository method, so the schema and its queries live in one place (and schema changes go
  through the Migrations there). ``ui`` is held to the same rule.
"""
from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "desktop_app"
STORAGE = DOMAIN / "storage"
UI = ROOT / "ui"

GUI_MODULES = {"PySide6", "shiboken6", "ui"}
DB_MODULES = {"sqlite_utils", "sqlite3"}
# x.db.<call>(...) / x.conn.<call>(...): running SQL or opening a table directly.
DB_CALLS = {"execute", "executemany", "executescript", "query", "table"}
CONN_CALLS = {"execute", "executemany", "executescript"}

# Known violations in files another helper owns; each names the storage method that replaces it.
# Remove an entry when its call site is fixed (test_pending_list_is_current fails until you do).
PENDING: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    what: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}: {self.code}"


def _top(module: str | None) -> str:
    return (module or "").split(".")[0]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, *, forbidden_imports: set[str], check_tables: bool):
        self.path = path
        self.forbidden = forbidden_imports
        self.check_tables = check_tables
        self.found: list[Violation] = []
        self._type_checking = 0

    def _add(self, node: ast.AST, what: str) -> None:
        self.found.append(Violation(self.path, node.lineno, what, ast.unparse(node)[:120]))

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            # Imports for annotations only never run, so they cannot reach a table or a widget.
            self._type_checking += 1
            for child in node.body:
                self.visit(child)
            self._type_checking -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def _check_module(self, node: ast.AST, module: str | None) -> None:
        if _top(module) in self.forbidden and not self._type_checking:
            self._add(node, f"imports {module}")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check_module(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0:
            self._check_module(node, node.module)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        # importlib.import_module("PySide6.QtCore") / __import__("sqlite3")
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            self._check_module(node, node.args[0].value)
        if self.check_tables and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute):
            owner = func.value.attr
            if (owner == "db" and func.attr in DB_CALLS) or (owner == "conn" and func.attr in CONN_CALLS):
                self.found.append(Violation(self.path, node.lineno, f"runs SQL outside storage (.{owner}.{func.attr})",
                                            ast.unparse(func)))
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self.check_tables and isinstance(node.value, ast.Attribute) and node.value.attr == "db":
            self._add(node, "indexes a table outside storage (.db[...])")
        self.generic_visit(node)


def scan_source(source: str, path: str, *, forbidden_imports: set[str], check_tables: bool) -> list[Violation]:
    scanner = _Scanner(path, forbidden_imports=forbidden_imports, check_tables=check_tables)
    scanner.visit(ast.parse(source, filename=path))
    return scanner.found


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@functools.cache
def _scan_tree() -> tuple[Violation, ...]:
    found: list[Violation] = []
    for path in _modules(DOMAIN):
        in_storage = path.is_relative_to(STORAGE)
        found += scan_source(path.read_text(encoding="utf-8"), _rel(path),
                             forbidden_imports=GUI_MODULES | (set() if in_storage else DB_MODULES),
                             check_tables=not in_storage)
    for path in _modules(UI):
        found += scan_source(path.read_text(encoding="utf-8"), _rel(path), forbidden_imports=DB_MODULES,
                             check_tables=True)
    return tuple(found)


def _is_pending(v: Violation) -> bool:
    return (v.path, v.code) in PENDING


def _report(found: list[Violation]) -> str:
    return "\n".join(str(v) for v in found)


# ---- the rules on the real tree -------------------------------------------------------------------
def test_domain_never_imports_qt_or_ui():
    found = [v for v in _scan_tree() if v.path.startswith("desktop_app/") and v.what.startswith("imports")
             and _top(v.what.split()[1]) in GUI_MODULES]
    assert not found, "desktop_app must not import PySide6 or ui:\n" + _report(found)


def test_only_storage_touches_tables():
    found = [v for v in _scan_tree() if v.path.startswith("desktop_app/") and not _is_pending(v)
             and not (v.what.startswith("imports") and _top(v.what.split()[1]) in GUI_MODULES)]
    assert not found, ("move these into a repository method in desktop_app/storage/:\n" + _report(found))


def test_ui_never_touches_tables():
    found = [v for v in _scan_tree() if v.path.startswith("ui/")]
    assert not found, "ui/ must go through services, never the database:\n" + _report(found)


def test_pending_list_is_current():
    """An entry whose call site was fixed must leave PENDING, or it would excuse a new violation there."""
    seen = {(v.path, v.code) for v in _scan_tree()}
    stale = [f"{p}: {c} (use {fix})" for (p, c), fix in PENDING.items() if (p, c) not in seen]
    assert not stale, "fixed; remove from PENDING in tests/unit/test_layers.py:\n" + "\n".join(stale)


# ---- the scanner itself catches what it must (so the rules above can fail) ------------------------
DOMAIN_RULES = dict(forbidden_imports=GUI_MODULES | DB_MODULES, check_tables=True)


@pytest.mark.parametrize("source, what", [
    ("from PySide6.QtCore import QObject", "imports PySide6.QtCore"),
    ("def f():\n    import PySide6.QtWidgets as w\n    return w", "imports PySide6.QtWidgets"),
    ("from ui.main_window import MainWindow", "imports ui.main_window"),
    ("import ui", "imports ui"),
    ("import importlib\nimportlib.import_module('PySide6.QtGui')", "imports PySide6.QtGui"),
    ("import sqlite_utils", "imports sqlite_utils"),
    ("def f():\n    from sqlite3 import connect", "imports sqlite3"),
    ("self._db.db['station_returns'].insert({})", "indexes a table outside storage (.db[...])"),
    ("database.db[name].rows_where('x = ?', [1])", "indexes a table outside storage (.db[...])"),
    ("self._db.db.execute('SELECT 1')", "runs SQL outside storage (.db.execute)"),
    ("rows = ctx.database.db.query(\n    'SELECT 1')", "runs SQL outside storage (.db.query)"),
    ("self.repo.conn.execute('DELETE FROM hq_rows')", "runs SQL outside storage (.conn.execute)"),
    ("db.conn.executemany('INSERT INTO t VALUES (?)', [])", "runs SQL outside storage (.conn.executemany)"),
])
def test_scanner_flags(source, what):
    assert [v.what for v in scan_source(source, "x.py", **DOMAIN_RULES)] == [what]


@pytest.mark.parametrize("source", [
    "from __future__ import annotations\nfrom typing import TYPE_CHECKING\n"
    "if TYPE_CHECKING:\n    import sqlite_utils\n    from PySide6.QtCore import QObject",
    "import typing\nif typing.TYPE_CHECKING:\n    from sqlite3 import Connection",
    "from desktop_app.storage.database import Database",
    "rows = self._rows.many(rids)\nvalue = data['db']\nself.db_path.execute",
    "if self._db.db.conn.in_transaction:\n    pass",
])
def test_scanner_allows(source):
    assert scan_source(source, "x.py", **DOMAIN_RULES) == []


def test_type_checking_else_branch_still_counts():
    source = "if TYPE_CHECKING:\n    import sqlite3\nelse:\n    import sqlite_utils"
    assert [v.what for v in scan_source(source, "x.py", **DOMAIN_RULES)] == ["imports sqlite_utils"]


def test_storage_may_touch_tables_but_not_qt():
    storage_rules = dict(forbidden_imports=GUI_MODULES, check_tables=False)
    assert scan_source("import sqlite_utils\nself._db.db['t'].insert({})", "s.py", **storage_rules) == []
    assert [v.what for v in scan_source("from PySide6 import QtCore", "s.py", **storage_rules)] == ["imports PySide6"]
