"""The layers of the Python code (docs/architecture.md, "Layers"): every import of
every module of `handoff/` and `orchestration/` — at the top of a file and inside
functions alike — goes to the module's own layer or one below, and no chain of
imports comes back to where it started. The layer of each module is read from the
table in docs/architecture.md, so the page and the code cannot drift apart."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PACKAGES = ("handoff", "orchestration")


def modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name → file, for every ``.py`` file of ``packages`` under ``root``."""
    out = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module of ``known`` that ``name`` (a module, or a name in one) lives in."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Module → the modules of ``packages`` it imports, wherever in the file."""
    known = modules(root, packages)
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                # `from a import b` imports module a.b when there is one, else a name of a
                names = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                found = _resolve(name, known)
                if found is not None and found != module:
                    targets.add(found)
        graph[module] = targets
    return graph


def documented_layers(page: Path) -> dict[str, int]:
    """Module pattern → layer, from the table of the page's "Layers" section: rows
    ``| <layer> | `module`, `package.*` … | … |``."""
    section = page.read_text().split("## Layers", 1)[1].split("\n## ", 1)[0]
    layers = {}
    for layer, cell in re.findall(r"^\| (\d+) \| ([^|]+) \|", section, flags=re.M):
        for pattern in re.findall(r"`([\w.*]+)`", cell):
            layers[pattern] = int(layer)
    return layers


def layer_of(module: str, layers: dict[str, int]) -> int | None:
    matches = [
        layer
        for pattern, layer in layers.items()
        if module == pattern.removesuffix(".*")
        or (pattern.endswith(".*") and module.startswith(pattern[:-1]))
    ]
    assert len(set(matches)) <= 1, f"{module} is placed in layers {sorted(set(matches))}"
    return matches[0] if matches else None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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


def problems(graph: dict[str, set[str]], layers: dict[str, int]) -> list[str]:
    """One sentence per module without a layer, per upward import and per cycle."""
    out = []
    placed = {module: layer_of(module, layers) for module in graph}
    out += [
        f"{m} has no layer in the table" for m, layer in sorted(placed.items()) if layer is None
    ]
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            low, high = placed[module], placed.get(target)
            if low is not None and high is not None and high > low:
                out.append(f"{module} (layer {low}) imports {target} (layer {high})")
    out += ["import cycle: " + " ↔ ".join(cycle) for cycle in _cycles(graph)]
    return out


def test_the_code_keeps_to_its_layers():
    graph = import_graph(PROJECT, PACKAGES)
    layers = documented_layers(PROJECT / "docs" / "architecture.md")
    assert problems(graph, layers) == []
    # the check has something to check: the modules, their imports, all four layers
    assert len(graph) >= 40 and sum(len(t) for t in graph.values()) >= 80
    assert {layer_of(m, layers) for m in graph} == {0, 1, 2, 3}
    assert "orchestration.definitions" in graph["handoff.pipeline"]
    importers = {m for m, targets in graph.items() if "orchestration.definitions" in targets}
    assert importers == {"handoff.pipeline"}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


SYNTHETIC_LAYERS = """
## Layers

| layer | modules | what |
|---|---|---|
| 0 | `pkg`, `pkg.base` | the bottom |
| 1 | `pkg.work.*` | the middle |
| 2 | `pkg.top` | the top |

## Next
"""


def test_the_checker_finds_a_planted_cycle_and_a_planted_upward_import(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            # upward, and hidden inside a function as the old cycles were
            "pkg/base.py": "def helper():\n    from pkg.top import main\n    return main\n",
            "pkg/work/__init__.py": "",
            # a cycle within one layer: a → b at the top of a, b → a by a relative
            # import inside a function
            "pkg/work/a.py": "from pkg.work.b import thing\n",
            "pkg/work/b.py": "thing = 1\n\n\ndef back():\n    from . import a\n    return a\n",
            "pkg/top.py": "import json\n\nimport pkg.work.b\n\n\ndef main():\n    return pkg.work.b\n",
            "pkg/loose.py": "",
        },
    )
    (tmp_path / "architecture.md").write_text(SYNTHETIC_LAYERS)
    graph = import_graph(tmp_path, ("pkg",))
    assert graph["pkg.work.b"] == {"pkg.work.a"}  # the relative import, resolved
    assert graph["pkg.top"] == {"pkg.work.b"}
    assert problems(graph, documented_layers(tmp_path / "architecture.md")) == [
        "pkg.loose has no layer in the table",
        "pkg.base (layer 0) imports pkg.top (layer 2)",
        "import cycle: pkg.work.a ↔ pkg.work.b",
    ]


def test_the_checker_passes_a_package_that_keeps_to_its_layers(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/base.py": "def helper():\n    return 1\n",
            "pkg/work/__init__.py": "",
            "pkg/work/a.py": "from pkg.base import helper\nfrom pkg.work.b import thing\n",
            "pkg/work/b.py": "import json\n\nthing = json.dumps(1)\n",
            "pkg/top.py": "def main():\n    from pkg.work import a\n    return a\n",
        },
    )
    (tmp_path / "architecture.md").write_text(SYNTHETIC_LAYERS)
    graph = import_graph(tmp_path, ("pkg",))
    assert graph["pkg.top"] == {"pkg.work.a"}
    assert problems(graph, documented_layers(tmp_path / "architecture.md")) == []
