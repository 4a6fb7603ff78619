"""Rooms import one way: the project package on top, the apps in the middle, the engines and
the shared vocabulary at the bottom. Read from the source (lazy imports inside functions
included; tests and migrations left out), so a new import that points upward fails here."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Bottom to top: a package may import only the packages before it.
LAYERS = ["vocabulary", "engines", "npcs", "players", "conversations", "grammar", "web", "virtulingo"]


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & set(LAYERS)


def import_graph() -> dict[str, dict[str, list[str]]]:
    """package -> imported package -> the files that import it."""
    graph: dict[str, dict[str, list[str]]] = {package: {} for package in LAYERS}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if {"tests", "migrations"} & set(relative.parts):
                continue
            for imported in imported_packages(path) - {package}:
                graph[package].setdefault(imported, []).append(str(relative))
    return graph


def test_every_package_imports_only_the_layers_below_it():
    upward = {
        f"{package} -> {imported}": files
        for package, imports in import_graph().items()
        for imported, files in imports.items()
        if LAYERS.index(imported) > LAYERS.index(package)
    }
    assert upward == {}


def test_the_engines_import_no_app_and_the_vocabulary_imports_nothing_of_ours():
    graph = import_graph()
    assert set(graph["engines"]) <= {"vocabulary"}
    assert graph["vocabulary"] == {}


def test_the_reading_sees_lazy_imports_inside_functions(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text(
        "def later():\n    from grammar.services import grammar_check_enqueue\n    import engines.registry\n"
    )
    assert imported_packages(module) == {"grammar", "engines"}
