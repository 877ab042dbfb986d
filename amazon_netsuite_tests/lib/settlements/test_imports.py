"""The settlement modules import one another in one direction: no cycle, imports inside functions included."""

import ast
from pathlib import Path

import amazon_netsuite.lib.settlements as settlements

PACKAGE = "amazon_netsuite.lib.settlements"


def _settlement_imports(source: str) -> set[str]:
    """The settlement modules a source imports, from every import statement anywhere in it (functions included)."""
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        imported |= {t.removeprefix(f"{PACKAGE}.").split(".")[0] for t in targets if t.startswith(f"{PACKAGE}.")}
    return imported


def _imports_within_the_package(folder: Path = Path(settlements.__file__).parent) -> dict[str, set[str]]:
    """Module → the settlement modules it imports."""
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    return {name: _settlement_imports((folder / f"{name}.py").read_text()) & modules - {name} for name in modules}


def _a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                return [*path[path.index(imported):], imported] if imported in path else [*path, imported]
            if imported not in state and (cycle := visit(imported, [*path, imported])):
                return cycle
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module, [module])):
            return cycle
    return None


def test_no_settlement_module_imports_one_that_imports_it_back():
    graph = _imports_within_the_package()
    assert {"intake", "landing", "posting_run", "transactional"} <= set(graph)  # the walk sees the package
    assert _a_cycle(graph) is None, " → ".join(_a_cycle(graph))


def test_the_walk_counts_an_import_inside_a_function_and_finds_the_cycle_it_makes():
    """The check itself: intake.py once imported load.py inside a function while load.py imported intake.py."""
    intake = f"def land_due_reports():\n    from {PACKAGE}.load import document\n"
    load = f"from {PACKAGE} import intake\nfrom {PACKAGE}.intake import mark_landed\n"
    graph = {"intake": _settlement_imports(intake), "load": _settlement_imports(load)}
    assert graph == {"intake": {"load"}, "load": {"intake"}}
    assert _a_cycle(graph) == ["intake", "load", "intake"]
    assert _a_cycle({"landing": {"intake"}, "intake": set()}) is None
