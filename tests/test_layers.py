"""The package's shape: layers import only the layers below, no cycle, no private name borrowed.

Walks every module of ``src/smassist`` with :mod:`ast` (imports inside
functions count: a cycle hidden in a function is still a cycle) and fails with
the offending lines, so a newcomer can trust the map in docs/architecture.md.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import smassist

PACKAGE = Path(smassist.__file__).resolve().parent

#: Lowest first. A module imports only modules of its own layer or below.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("smassist.settings", "smassist.paths", "smassist.texts", "smassist.metrics",
                    "smassist.records")),
    ("knowledge base", ("smassist.kb",)),
    ("language", ("smassist.language",)),
    ("trends", ("smassist.trends",)),
    ("answering", ("smassist.answering",)),
    ("admin", ("smassist.admin", "smassist.store", "smassist.reloader", "smassist.state")),
    ("channels", ("smassist.channels", "smassist.web")),
    ("command line", ("smassist.cli", "smassist.__main__")),
)
#: The package's front door lazily re-exports Assistant and Reply: above every layer.
FACADE = "smassist"


def layer_of(module: str) -> int | None:
    for index, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    return None


@dataclass(frozen=True, slots=True)
class Import:
    source: str      # the importing module
    target: str      # the imported module
    names: tuple[str, ...]
    line: int
    typing_only: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))
            if "knowledge" not in p.relative_to(PACKAGE).parts}


def _resolve(base: str, name: str, known: dict[str, Path]) -> str:
    """``from base import name``: the module ``base.name`` when it is one, else ``base``."""
    return f"{base}.{name}" if f"{base}.{name}" in known else base


def _typing_blocks(tree: ast.AST) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports(known: dict[str, Path]) -> Iterator[Import]:
    for source, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_lines = _typing_blocks(tree)
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("smassist"):
                        yield Import(source, alias.name, (), node.lineno, node.lineno in typing_lines)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                if not base.startswith("smassist"):
                    continue
                for alias in node.names:
                    yield Import(source, _resolve(base, alias.name, known), (alias.name,),
                                 node.lineno, node.lineno in typing_lines)


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in modules() if m != FACADE and layer_of(m) is None]
    assert not unplaced, f"add these modules to a layer in LAYERS (and docs/architecture.md): {unplaced}"


def test_no_module_imports_a_layer_above_its_own() -> None:
    known = modules()
    upward = []
    for found in imports(known):
        if found.source == FACADE or found.target == FACADE:
            continue
        here, there = layer_of(found.source), layer_of(found.target)
        if here is not None and there is not None and there > here:
            upward.append(f"{found.source}:{found.line} imports {found.target} "
                          f"({LAYERS[here][0]} -> {LAYERS[there][0]})")
    assert not upward, "\n".join(upward)


def test_no_import_cycle() -> None:
    known = modules()
    graph: dict[str, set[str]] = {m: set() for m in known}
    for found in imports(known):
        if not found.typing_only and found.target in graph and found.target != found.source:
            graph[found.source].add(found.target)
    cycles = strongly_connected(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(sorted(c)) for c in cycles)


def test_no_private_name_is_used_outside_its_module() -> None:
    known = modules()
    borrowed = [f"{f.source}:{f.line} imports {name} from {f.target}"
                for f in imports(known) for name in f.names
                if name.startswith("_") and not name.startswith("__")]
    for source, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported_modules = {alias.asname or alias.name.rpartition(".")[2]
                            for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                            and (node.module or "").startswith("smassist")
                            for alias in node.names
                            if _resolve(node.module or "", alias.name, known) != node.module}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in imported_modules and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                borrowed.append(f"{source}:{node.lineno} uses {node.value.id}.{node.attr}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) > 1
                    and not (isinstance(node.args[0], ast.Name) and node.args[0].id in ("self", "cls"))
                    and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
                    and node.args[1].value.startswith("_") and not node.args[1].value.startswith("__")):
                borrowed.append(f"{source}:{node.lineno} reaches {node.args[1].value!r} by name")
    assert not borrowed, "\n".join(borrowed)


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: every group of two or more modules importing each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for child in graph[node]:
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in on_stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in graph:
        if node not in index:
            visit(node)
    return groups


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"a"}, "c": set()}, [{"a", "b"}]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_cycle_finder_finds_cycles(graph: dict[str, set[str]], expected: list[set[str]]) -> None:
    assert strongly_connected(graph) == expected
