"""The package layout's rules (docs/design.md §2, "Where things live" in README), held by tests.

An import is a dependency whether it sits at the top of a module or inside a function
(a lazy import only hides a cycle), so the graph here takes both; only imports under
``if TYPE_CHECKING:`` are left out (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "verifier"
TOP_LEVEL = {"__init__", "runtime", "domain", "audit", "logs", "metrics", "supervisor"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, modules: dict[str, Path]) -> Iterator[str]:
    """Every verifier module this one imports when it runs (TYPE_CHECKING blocks excluded)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                if child in modules:  # "from verifier.x import module"
                    yield child
                elif node.module in modules:
                    yield node.module
        stack.extend(ast.iter_child_nodes(node))


def _with_parents(module: str, target: str, modules: dict[str, Path]) -> set[str]:
    """Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first: those are edges
    too, except into the importer's own packages (a package's __init__ may import its own
    children without that being a circle)."""
    found = {target}
    parts = target.split(".")
    for end in range(1, len(parts)):
        parent = ".".join(parts[:end])
        if parent in modules and not module.startswith(parent + "."):
            found.add(parent)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        targets: set[str] = set()
        for target in _imports(tree, name, modules):
            targets |= _with_parents(name, target, modules)
        graph[name] = targets - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_top_level_keeps_only_the_factory_and_infrastructure() -> None:
    assert {p.stem for p in PACKAGE.glob("*.py")} == TOP_LEVEL


def test_no_module_imports_itself_back_through_others() -> None:
    assert _cycles(_graph()) == []


def test_the_workflow_and_staff_packages_do_not_reach_into_the_http_layers() -> None:
    graph = _graph()
    layers = ("verifier.api", "verifier.web", "verifier.console", "verifier.cli")
    offending = sorted(
        (module, target)
        for module, targets in graph.items()
        if module.startswith(("verifier.verifications", "verifier.staff"))
        for target in targets
        if any(target == layer or target.startswith(layer + ".") for layer in layers)
    )
    assert offending == []


def test_the_visitor_pages_read_the_store_only_through_use_cases() -> None:
    """verifier.web renders; what it reads of a verification comes from verifications/."""
    graph = _graph()
    store = ("verifier.store.models", "verifier.store.db")
    offending = sorted(
        (module, target)
        for module, targets in graph.items()
        if module == "verifier.web" or module.startswith("verifier.web.")
        for target in targets
        if target in store
    )
    sql = sorted(
        str(path.relative_to(ROOT))
        for path in (PACKAGE / "web").rglob("*.py")
        if any(
            isinstance(node, ast.Import | ast.ImportFrom)
            and any(
                (getattr(node, "module", None) or alias.name).split(".")[0] == "sqlalchemy"
                for alias in node.names
            )
            for node in ast.walk(ast.parse(path.read_text()))
        )
    )
    assert (offending, sql) == ([], [])


def test_payer_adapters_do_not_import_the_runtime() -> None:
    graph = _graph()
    offending = sorted(
        module
        for module, targets in graph.items()
        if module.split(".")[:2] == ["verifier", "payers"] and "verifier.runtime" in targets
    )
    assert offending == []


def test_the_x12_code_tables_are_data_only() -> None:
    tree = ast.parse((PACKAGE / "x12" / "codes.py").read_text())
    functions = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
    ]
    assert functions == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The rule above could not fail if the finder found nothing on a real cycle."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
