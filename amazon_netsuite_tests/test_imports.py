"""Dependencies point one way: a flow uses shared code, shared code never uses a flow, and nothing imports in a circle.

The graph is read from the source (AST), so an import inside a function or under `TYPE_CHECKING` counts as much as
one at the top of a module: each is a dependency a reader has to follow. A flow is a folder of `defs/`; its plain
Python is the `lib/` package of the same name, so a new flow is covered as soon as its `defs/` folder exists.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "amazon_netsuite"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE
LIB = f"{PACKAGE}.lib"
SANDBOX = f"{PACKAGE}.sandbox"
DEFS = f"{PACKAGE}.defs"


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (the package itself when a name comes from its `__init__`)
    line: int

    def __str__(self) -> str:
        path = ROOT.parent / (self.source.replace(".", "/") + ".py")
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
        return f"{self.source} imports {self.target} ({path.relative_to(ROOT.parent)}:{self.line})"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}
FLOWS: tuple[str, ...] = tuple(
    sorted(p.name for p in (ROOT / "defs").iterdir() if p.is_dir() and (p / "__init__.py").exists())
)


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _flow_of(module: str) -> str | None:
    return next((flow for flow in FLOWS if _in(module, f"{LIB}.{flow}")), None)


def _imports_of(module: str, path: Path) -> list[Import]:
    """Every import of a module of this package, anywhere in the file, resolved to the module it loads."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from a.b import c` loads the module a.b.c when there is one, else takes the name c from a.b.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            while target and target not in MODULES:  # `import a.b.c` where c is a name: the nearest module
                target = target.rpartition(".")[0]
            if target and _in(target, PACKAGE) and target != module:
                found.append(Import(module, target, node.lineno))
    return found


IMPORTS: list[Import] = [i for module, path in MODULES.items() for i in _imports_of(module, path)]


def _cycles() -> list[list[Import]]:
    """Every import that closes a circle, each with the shortest way back: one chain per distinct circle."""
    edges: dict[str, list[Import]] = {}
    for i in IMPORTS:
        edges.setdefault(i.source, []).append(i)
    chains: dict[frozenset[Import], list[Import]] = {}
    for edge in IMPORTS:
        back = _shortest_path(edge.target, edge.source, edges)
        if back is not None:
            chain = _rotate([edge, *back])
            chains.setdefault(frozenset(chain), chain)
    return sorted(chains.values(), key=lambda chain: (len(chain), [str(i) for i in chain]))


def _shortest_path(start: str, goal: str, edges: dict[str, list[Import]]) -> list[Import] | None:
    """The fewest imports leading from `start` to `goal` (breadth first), None when there is no way."""
    if start == goal:
        return []
    came_by: dict[str, Import] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for edge in edges.get(node, []):
                if edge.target == start or edge.target in came_by:
                    continue
                came_by[edge.target] = edge
                if edge.target == goal:
                    path = [edge]
                    while path[0].source != start:
                        path.insert(0, came_by[path[0].source])
                    return path
                following.append(edge.target)
        frontier = following
    return None


def _rotate(chain: list[Import]) -> list[Import]:
    """The same circle started at its alphabetically first module, so each circle is shown once."""
    first = min(range(len(chain)), key=lambda n: chain[n].source)
    return chain[first:] + chain[:first]


def _report(offending: list[Import]) -> str:
    return "\n".join(str(i) for i in offending)


def test_the_flows_are_read_from_the_defs_folders_and_each_has_its_plain_python_in_lib():
    assert FLOWS, "no flow folder under amazon_netsuite/defs/"
    assert all(f"{LIB}.{flow}" in MODULES for flow in FLOWS), FLOWS


def test_no_module_takes_part_in_an_import_cycle():
    cycles = _cycles()
    assert not cycles, f"{len(cycles)} import cycle(s), each as the chain of imports that goes round:\n" + "\n\n".join(
        _report(chain) for chain in cycles
    )


def test_the_walk_counts_an_import_inside_a_function_and_finds_the_circle_it_closes(tmp_path):
    """The check itself. intake.py once imported the landing code inside a function while that code imported
    intake.py at the top: the walk sees the hidden import and the way back through the real modules."""
    intake = f"{LIB}.settlements.intake"
    source = tmp_path / "intake.py"
    source.write_text(f"def land_due_reports():\n    from {LIB}.settlements.landing import land_amazon_report\n")
    (hidden,) = _imports_of(intake, source)
    assert (hidden.target, hidden.line) == (f"{LIB}.settlements.landing", 2)
    edges: dict[str, list[Import]] = {}
    for i in IMPORTS:
        edges.setdefault(i.source, []).append(i)
    back = _shortest_path(hidden.target, intake, edges)
    assert back is not None and [i.target for i in back][-1] == intake
    assert _shortest_path(intake, hidden.target, {}) is None  # no edges, no way


def test_lib_imports_nothing_of_the_package_outside_lib():
    """defs, definitions, sync, cli, the schema that composes every flow's tables, the sandbox: all build on lib."""
    offending = [i for i in IMPORTS if _in(i.source, LIB) and _in(i.target, PACKAGE) and not _in(i.target, LIB)]
    assert not offending, "lib must not import what is built on it:\n" + _report(offending)


def test_a_shared_lib_module_imports_no_flow():
    offending = [i for i in IMPORTS if _in(i.source, LIB) and _flow_of(i.source) is None and _flow_of(i.target)]
    assert not offending, "shared code must not import a flow (move what both need to a shared module):\n" + _report(
        offending
    )


@pytest.mark.parametrize("flow", FLOWS)
def test_a_flow_imports_no_other_flow(flow):
    offending = [i for i in IMPORTS if _flow_of(i.source) == flow and _flow_of(i.target) not in (None, flow)]
    assert not offending, f"lib.{flow} must not import another flow (move what both need to a shared module):\n" + (
        _report(offending)
    )


def test_the_sandbox_imports_shared_lib_only():
    """The sandbox plays Amazon and NetSuite: it may read the shared settings and Amazon's documented facts, never a
    flow's code (it would then agree with our parser by construction) nor Dagster definitions."""
    offending = [
        i
        for i in IMPORTS
        if _in(i.source, SANDBOX)
        and (_flow_of(i.target) or (_in(i.target, PACKAGE) and not _in(i.target, LIB) and not _in(i.target, SANDBOX)))
    ]
    assert not offending, "the sandbox must not import a flow or anything built on lib:\n" + _report(offending)
