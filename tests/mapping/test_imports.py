"""mapping/ stays pure: no I/O, no clock, no randomness, nothing of the project.

Every module under mapping/ is parsed and its imports walked; only the
standard library modules listed here (and mapping's own modules) may appear,
and no code may read the clock or open a file.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

MAPPING = Path(__file__).resolve().parents[2] / "mapping"
ALLOWED = {
    "__future__",
    "collections",
    "collections.abc",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "functools",
    "hashlib",  # digests of rules: computation only
    "itertools",
    "math",
    "operator",
    "re",
    "types",
    "typing",
    "unicodedata",
    "zoneinfo",
}
CLOCK_AND_IO_CALLS = {"now", "today", "utcnow", "open", "getenv", "system", "print"}
MODULES = sorted(MAPPING.rglob("*.py"))


def imported_names(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "use absolute imports (mapping.x)"
            names.append(node.module or "")
    return names


def called_names(tree: ast.AST) -> list[str]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            target = node.func
            if isinstance(target, ast.Attribute):
                calls.append(target.attr)
            elif isinstance(target, ast.Name):
                calls.append(target.id)
    return calls


def test_the_walk_finds_every_module():
    names = {path.stem for path in MODULES}
    assert {"compiler", "merge", "localtime", "validation", "presets"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.stem)
def test_module_imports_only_pure_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))

    foreign = [
        name
        for name in imported_names(tree)
        if name not in ALLOWED and name != "mapping" and not name.startswith("mapping.")
    ]

    assert foreign == [], f"{path.name} imports {foreign}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.stem)
def test_module_reads_no_clock_and_opens_nothing(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))

    assert set(called_names(tree)) & CLOCK_AND_IO_CALLS == set()


def test_importing_the_engine_loads_no_io_library():
    """In a fresh interpreter, importing every module pulls in nothing with I/O."""
    modules = ", ".join(
        f"mapping.{path.stem}" for path in MODULES if path.stem != "__init__"
    )
    forbidden = [
        "httpx", "sqlmodel", "sqlalchemy", "arq", "redis", "reflex", "socket",
        "random", "store", "sync", "runtime", "connector_app", "pydantic",
    ]  # fmt: skip
    script = (
        f"import sys, {modules}\nprint(sorted(set({forbidden!r}) & set(sys.modules)))"
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=MAPPING.parent,
    )

    assert result.stdout.strip() == "[]"
