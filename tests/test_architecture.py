"""The layout's rules, read from the code: which app may import which (docs/ARCHITECTURE.md, "Direction of
imports"), no cycle between apps, and every template compiling (a moved template-tag library or template fails here
before any page does).

Every app's .py files (not migrations, not tests) are parsed with `ast`; every import counts, at module level or
inside a function, and so does `include("app.urls")`.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template.loader import get_template

# app → the apps it may import. Lower layers first: units (who) ← audit, notifications ← tasks (the core) ←
# annual, importing ← dashboards ← planner (the site: settings, root URLs, home) ← operations; demo (load_demo) writes
# through tasks and importing; tooling measures everything and nothing imports it.
MAY_IMPORT = {
    "units": set(),
    "audit": {"units"},
    "notifications": {"units"},
    "tasks": {"units", "audit", "notifications"},
    "annual": {"units", "audit", "notifications", "tasks"},
    "importing": {"units", "audit", "notifications", "tasks"},
    "assessment": {"units", "audit", "notifications", "tasks", "annual"},
    "dashboards": {"units", "audit", "notifications", "tasks", "annual"},
    "planner": {"units", "audit", "notifications", "tasks", "annual", "importing", "dashboards", "assessment"},
    "demo": {"units", "audit", "notifications", "tasks", "importing", "assessment"},
    "operations": {"units", "audit", "notifications", "tasks", "annual", "importing", "dashboards", "planner",
                   "assessment"},
    "tooling": {"units", "audit", "notifications", "tasks", "annual", "importing", "dashboards", "planner",
                "operations", "demo", "assessment"},
}


def project_apps():
    """{label: folder} of the project's own apps (top-level folders of BASE_DIR, from INSTALLED_APPS; not the
    packages of a virtual environment kept inside the project)."""
    base = Path(settings.BASE_DIR).resolve()
    return {
        config.name: Path(config.path).resolve()
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base
    }


def imported_modules(source):
    """(line, dotted module) of every absolute import in the source, wherever it stands, and of include("…")."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "include"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def app_graph():
    """{app: {imported app: ["file:line module", …]}} between the project's apps."""
    found = project_apps()
    base = Path(settings.BASE_DIR).resolve()
    graph = {app: {} for app in found}
    for app, folder in found.items():
        for path in sorted(folder.rglob("*.py")):
            if {"migrations", "tests"} & set(path.relative_to(folder).parts):
                continue
            for line, module in imported_modules(path.read_text(encoding="utf-8")):
                target = module.split(".")[0]
                if target in found and target != app:
                    graph[app].setdefault(target, []).append(f"{path.relative_to(base)}:{line} {module}")
    return graph


def find_cycle(edges):
    """One cycle [a, b, …, a] in {node: iterable of nodes}, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


@pytest.fixture(scope="module")
def graph():
    return app_graph()


def test_the_reader_sees_imports_inside_functions_and_url_includes():
    source = "import a.b\nfrom c import d\nfrom . import e\ndef f():\n    from g.h import i\nurls = include('j.urls')\n"
    assert [module for _line, module in imported_modules(source)] == ["a.b", "c", "g.h", "j.urls"]


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_every_app_has_its_place_in_the_layers(graph):
    assert set(graph) == set(MAY_IMPORT), "a new app: give it its row in MAY_IMPORT and in docs/ARCHITECTURE.md"


def test_no_cycle_between_apps(graph):
    cycle = find_cycle(graph)
    assert cycle is None, "a cycle between apps: " + " → ".join(cycle) + "\n" + "\n".join(
        f"{a} → {b}: {graph[a][b][:3]}" for a, b in zip(cycle, cycle[1:], strict=False)
    )


def test_each_app_imports_only_the_layers_below_it(graph):
    wrong = {
        f"{app} → {other}": where[:3]
        for app, imported in graph.items()
        for other, where in imported.items()
        if other not in MAY_IMPORT.get(app, set())
    }
    assert not wrong, f"imports against the direction of docs/ARCHITECTURE.md: {wrong}"


def test_the_documented_rules(graph):
    assert graph["units"] == {}, "units imports no other app"
    assert set(graph["notifications"]) <= {"units"}, "notifications knows only users"
    assert not set(graph["tasks"]) & {"planner", "dashboards", "annual", "importing", "tooling", "operations"}
    importers_of_tooling = [app for app, imported in graph.items() if "tooling" in imported]
    assert importers_of_tooling == [], "nothing imports tooling except its own commands"
    assert "operations" not in {other for app, imported in graph.items() if app != "tooling" for other in imported}


def test_the_layers_themselves_have_no_cycle():
    assert find_cycle(MAY_IMPORT) is None


def test_every_template_compiles():
    """Each template parses, so each {% load %} names a library that exists and each filter is in it."""
    folder = Path(settings.BASE_DIR) / "templates"
    names = sorted(str(path.relative_to(folder)) for path in folder.rglob("*.html"))
    assert len(names) > 40
    for name in names:
        get_template(name)
