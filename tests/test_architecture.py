"""The layering of DESIGN.md, checked on the source: no import cycles between the
packages, ``fs`` below ``sources``, a leaf ``_version``, ``__init__`` files that only
re-export, one place that knows where a target keeps its environment, and component
tables that ``all.py`` fills completely before anybody reads them."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import seawall

PACKAGE = Path(seawall.__file__).parent


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every ``seawall`` module a file imports (top level, in functions, TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "seawall")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module.split(".")[0] == "seawall":
                out.add(module)
    return out


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "seawall"


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in _modules():
        rel = path.relative_to(PACKAGE)
        here = "seawall" if rel.parts == ("__init__.py",) else rel.parts[0].removesuffix(".py")
        for module in _imports(path):
            there = _top(module)
            if there != here:
                graph[here].add(there)
    return graph


def test_no_import_cycle_between_packages() -> None:
    graph = _package_graph()
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack, node, nxt]))
            if nxt not in state:
                visit(nxt, [*stack, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_fs_imports_nothing_above_it() -> None:
    allowed = {"fs", "errors", "model", "_version"}
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(m for m in _imports(path) if _top(m) not in allowed)
        for path in (PACKAGE / "fs").rglob("*.py")
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_version_module_is_a_leaf() -> None:
    assert not _imports(PACKAGE / "_version.py")
    assert seawall.__version__ == __import__("seawall._version").__version__


def test_init_files_only_re_export() -> None:
    """A docstring, imports, ``__all__`` (and a module ``__getattr__`` that re-exports
    lazily): logic lives in named modules."""
    offenders = []
    for path in PACKAGE.rglob("__init__.py"):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for i, node in enumerate(body):
            docstring = i == 0 and isinstance(node, ast.Expr) and isinstance(
                node.value, ast.Constant) and isinstance(node.value.value, str)
            exported = isinstance(node, ast.Assign) and [
                getattr(t, "id", None) for t in node.targets] == ["__all__"]
            lazy_export = isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
            type_only = isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
            if not (docstring or exported or lazy_export or type_only
                    or isinstance(node, ast.Import | ast.ImportFrom)):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders


def test_only_the_environment_fact_switches_on_target_kind() -> None:
    """Analyzers read ``ctx.facts.environment``; none looks into image configs or
    container inspect documents by target type itself."""
    allowed = {PACKAGE / "analyzers" / "facts" / "environment.py"}
    offenders = []
    for path in (PACKAGE / "analyzers").rglob("*.py"):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "isinstance" and len(node.args) == 2):
                continue
            kinds = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
            if kinds & {"Image", "Container"}:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders


def test_every_registering_module_is_listed_in_its_all_module() -> None:
    """In a fresh interpreter: import each ``all`` module, then every module of its
    package; the tables must not grow (a module missing from ``all.py`` would only
    register when somebody happened to import it)."""
    script = textwrap.dedent("""
        import importlib, pkgutil
        import seawall

        TABLES = [
            ("seawall.analyzers.all", "seawall.analyzers.catalog", "ANALYZERS",
             "seawall.analyzers"),
            ("seawall.sources.all", "seawall.sources.source_registry", "SOURCES",
             "seawall.sources"),
            ("seawall.report.all", "seawall.report.interface", "RENDERERS", "seawall.report"),
            ("seawall.analyzers.misconfig.all", "seawall.analyzers.misconfig.registry",
             "CHECKS", "seawall.analyzers.misconfig"),
            ("seawall.analyzers.packages.all", "seawall.analyzers.packages.package_format",
             "FORMATS", "seawall.analyzers.packages"),
            ("seawall.analyzers.backdoor.all", "seawall.analyzers.backdoor.check_registry",
             "CHECKS", "seawall.analyzers.backdoor"),
            ("seawall.analyzers.weakpass.services.all",
             "seawall.analyzers.weakpass.service_parser", "SERVICE_PARSERS",
             "seawall.analyzers.weakpass"),
        ]
        before = {}
        for all_module, table_module, table, _ in TABLES:
            importlib.import_module(all_module)
            before[table_module + "." + table] = sorted(
                getattr(importlib.import_module(table_module), table))
        import seawall.cli.all
        from seawall.cli.app import app
        commands = sorted(app.commands)
        for pkg in {"seawall.analyzers", "seawall.sources", "seawall.report", "seawall.cli"}:
            root = importlib.import_module(pkg)
            for mod in pkgutil.walk_packages(root.__path__, pkg + "."):
                importlib.import_module(mod.name)
        grown = []
        for _, table_module, table, _ in TABLES:
            now = sorted(getattr(importlib.import_module(table_module), table))
            if now != before[table_module + "." + table]:
                grown.append((table, sorted(set(now) - set(before[table_module + "." + table]))))
        if sorted(app.commands) != commands:
            grown.append(("commands", sorted(set(app.commands) - set(commands))))
        # Built-in analyzers are registered by seawall.analyzers.all itself: every
        # Analyzer class of the package (fact extractors aside) must be in the table.
        from seawall.analyzers.catalog import ANALYZERS
        from seawall.analyzers.facts.inventory import InventoryExtractor
        from seawall.analyzers.interface import Analyzer

        def subclasses(cls):
            for sub in cls.__subclasses__():
                yield sub
                yield from subclasses(sub)

        for cls in subclasses(Analyzer):
            if cls.__module__.startswith("seawall.") and cls is not InventoryExtractor \
                    and getattr(cls, "name", None) \
                    and (cls.name not in ANALYZERS or ANALYZERS.get(cls.name) is not cls) \
                    and not cls.__abstractmethods__:
                grown.append(("unregistered analyzer", cls.__name__))
        print(grown)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", proc.stdout
