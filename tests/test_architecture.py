"""The house rules of docs/architecture.md that import-linter cannot check."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "storage", "bot", "webhooks", "leadrelay", "sandbox", "integrations")
MAX_LINES = 400
# Catalogs grow with every feature and migrations are history: neither is a module to split.
EXEMPT = ("storage/migrations/", "bot/locales/")


def production_modules() -> list[Path]:
    """Every Python module of the shipped packages, exemptions aside."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(EXEMPT):
                found.append(path)
    return found


def test_every_package_of_the_house_is_checked() -> None:
    assert {p.relative_to(ROOT).parts[0] for p in production_modules()} >= {
        "core", "storage", "bot", "webhooks", "leadrelay"}


@pytest.mark.parametrize("path", production_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_is_longer_than_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{lines} lines: split it by what its parts are about"


def _narrows_a_type(test: ast.expr) -> bool:
    """`x is not None` or `isinstance(x, T)`: an assert that only tells mypy a type."""
    if isinstance(test, ast.Compare):
        return (len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot)
                and isinstance(test.comparators[0], ast.Constant)
                and test.comparators[0].value is None)
    return (isinstance(test, ast.Call) and isinstance(test.func, ast.Name)
            and test.func.id == "isinstance")


@pytest.mark.parametrize("path", production_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_production_code_asserts_only_to_narrow_a_type(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    control = [node.lineno for node in ast.walk(tree)
               if isinstance(node, ast.Assert) and not _narrows_a_type(node.test)]
    assert control == [], "python -O drops asserts: check with `if … raise` instead"


@pytest.mark.parametrize("path", production_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_nothing_imports_a_private_module_of_python_telegram_bot(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom | ast.Import)
               for name in ([node.module or ""] if isinstance(node, ast.ImportFrom)
                            else [alias.name for alias in node.names])
               if name.startswith("telegram.") and any(part.startswith("_")
                                                        for part in name.split("."))]
    assert private == [], "a private module may change in any release of the library"


def test_a_module_over_the_limit_fails_the_check(tmp_path: Path) -> None:
    # The check itself must be able to fail.
    long = tmp_path / "long.py"
    long.write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    with pytest.raises(AssertionError):
        test_no_module_is_longer_than_400_lines(long)
    guarded = tmp_path / "guarded.py"
    guarded.write_text("def f(x):\n    assert x > 0\n", encoding="utf-8")
    with pytest.raises(AssertionError):
        test_production_code_asserts_only_to_narrow_a_type(guarded)


def _written_by_hand() -> list[Path]:
    """The repository's documents and code, as merges touch them."""
    found = [*ROOT.glob("*.md"), *ROOT.glob("*.yaml"), *(ROOT / "docs").rglob("*.md"),
             *(ROOT / "bench").rglob("*.md")]
    for folder in (*PACKAGES, "tests", "bench"):
        found += (ROOT / folder).rglob("*.py")
    return sorted(found)


def test_no_file_keeps_a_merge_conflict_marker() -> None:
    marked = [p.relative_to(ROOT).as_posix() for p in _written_by_hand()
              if any(line.startswith(("<<<<<<< ", ">>>>>>> "))
                     for line in p.read_text(encoding="utf-8").splitlines())]
    assert marked == []
