"""The layout keeps its promises (README, "Where things live"): no import cycle
between the project's modules, modules small enough to read in one sitting,
one text folding, and a README tree that matches the repository."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("actions", "bench", "bot", "cnam", "rasa_ext", "stack", "tests")
MAX_LINES = 310  # "about 300"; data lives in YAML files, not in modules


def tracked(pattern: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", pattern],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    return [line for line in listed.splitlines() if (ROOT / line).exists()]


def modules() -> dict[str, Path]:
    found = {}
    for name in tracked("*.py"):
        path = Path(name)
        if path.parts[0] not in PACKAGES:
            continue
        parts = path.with_suffix("").parts
        dotted = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[dotted] = ROOT / path
    return found


def imported(path: Path, known: dict[str, Path]) -> set[str]:
    """Project modules ``path`` imports, wherever the import stands (type-only too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name in known}


def test_no_import_cycle() -> None:
    known = modules()
    graph = {name: imported(path, known) - {name} for name, path in known.items()}
    # A package's __init__ is imported by its submodules' imports: not an edge back.
    graph = {name: {d for d in deps if not name.startswith(d + ".")} for name, deps in graph.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep):], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_modules_read_in_one_sitting() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_one_text_folding() -> None:
    """Accents are folded in cnam/text.py only (it keeps offsets, the NLU needs it)."""
    folding = sorted(
        name for name, path in modules().items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "normalize"
        and isinstance(node.value, ast.Name) and node.value.id == "unicodedata"
    )
    assert folding == ["cnam.text"]


def readme_tree() -> set[str]:
    """The paths the README's "Where things live" tree names."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Where things live", 1)[1].split("```", 2)[1]
    paths: set[str] = set()
    folders: list[str] = []
    for line in block.splitlines()[1:]:
        match = re.match(r"^(\s*)(\S+)", line)
        if not match:
            continue
        depth, name = len(match.group(1)) // 2, match.group(2)
        folders = folders[:depth]
        if name.endswith("/"):
            folders.append(name.rstrip("/"))
            paths.add("/".join(folders) + "/")
        else:
            paths.add("/".join([*folders, name]))
    return paths


def test_readme_tree_matches_the_repository() -> None:
    named = readme_tree()
    files = set(tracked("*"))
    missing = sorted(p for p in named if not p.endswith("/") and p not in files)
    folders = sorted(p for p in named if p.endswith("/") and not any(f.startswith(p) for f in files))
    assert (missing, folders) == ([], [])
    # Every Python module of the code folders is in the tree (packages aside).
    code = {f for f in files if f.endswith(".py") and not f.endswith("__init__.py")
            and f.split("/")[0] in PACKAGES[:-1]}
    assert sorted(code - named) == []
