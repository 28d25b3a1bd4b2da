"""The four layers: imports run one way, cli -> site -> board -> {text, formats}."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import heavy_modules_loaded

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "generator"
# What each layer may import besides itself. The package's own __init__ (the
# version), errors and resources sit under every layer and import nothing of ours.
BASE = {"generator", "generator.errors", "generator.resources"}
ALLOWED = {
    "formats": {"formats"},
    "text": {"text"},
    "board": {"board", "formats", "text"},
    "site": {"site", "board", "formats", "text"},
    "cli": {"cli", "site", "board", "formats", "text"},
    "plugins": {"site", "board", "formats", "text"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if module == "generator.__main__":  # `python -m generator` runs the command line
        return "cli"
    if parts[0] == "plugins":
        return "plugins"
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """The generator modules PATH imports (all of them, or those run at import time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.If) and top_level_only:
            continue  # `if TYPE_CHECKING:` imports run only for the type checker
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from generator.board import vault` imports generator.board.vault
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    ours = {name for name in found if name.split(".")[0] == "generator"}
    return {name for name in ours if _exists(name)}


def _exists(module: str) -> bool:
    path = REPO.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


SOURCES = sorted(PACKAGE.rglob("*.py")) + sorted((REPO / "plugins").rglob("*.py"))


def upward(module: str, path: Path) -> set[str]:
    """What MODULE (its source at PATH) imports against the direction of the layers."""
    layer = layer_of(module)
    if layer is None:  # the base imports nothing of ours but the base
        return imports(path) - BASE
    return {
        name for name in imports(path) if name not in BASE and layer_of(name) not in ALLOWED[layer]
    }


def test_every_module_lives_in_a_layer():
    loose = [
        module_name(path)
        for path in SOURCES
        if layer_of(module_name(path)) is None and module_name(path) not in BASE
    ]
    assert loose == [], f"modules outside formats/, text/, board/, site/ and cli/: {loose}"


@pytest.mark.parametrize("path", SOURCES, ids=module_name)
def test_imports_run_one_way(path):
    found = upward(module_name(path), path)
    assert found == set(), f"{module_name(path)} imports against the layers: {sorted(found)}"


def test_an_upward_import_inside_a_function_is_caught(tmp_path):
    """The walker sees deferred imports too: a board module importing the build fails."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from generator.site.build import build_board\n")
    assert upward("generator.board.probe", probe) == {"generator.site.build"}
    assert upward("generator.site.probe", probe) == set()


def test_no_module_imports_itself_round_a_loop():
    graph = {module_name(path): imports(path, top_level_only=True) for path in SOURCES}
    graph = {
        name: {dep for dep in deps if dep in graph and dep != name} for name, deps in graph.items()
    }
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, trail: list[str]) -> list[str] | None:
        seen[name] = 1
        for dep in sorted(graph[name]):
            if seen.get(dep) == 1:
                return [*trail[trail.index(dep) :], dep] if dep in trail else [name, dep]
            if dep not in seen:
                loop = visit(dep, [*trail, dep])
                if loop:
                    return loop
        seen[name] = 2
        return None

    for name in sorted(graph):
        if name not in seen:
            loop = visit(name, [name])
            assert loop is None, "import loop: " + " -> ".join(loop)


@pytest.mark.parametrize(
    "command", [["-m", "generator", "--help"], ["-m", "generator", "build", "--help"]]
)
def test_help_loads_none_of_the_heavy_libraries(command):
    result = heavy_modules_loaded(command[2:], cwd=REPO)
    assert "Usage:" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_the_build_loads_no_finder_of_identifying_details():
    """phonenumbers and python-stdnum serve the moderators' reports, never a build."""
    probe = (
        "import sys, generator.site.build, generator.site.render, generator.board.actions\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'phonenumbers', 'stdnum'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"
