"""The import layering of kerastorch, checked with ``ast`` (function-local imports included).

Rules:

1. **No upward import between packages.** ``FLOORS`` below is the one table of floors
   (lowest first). A module may import packages on lower floors and its own package; a
   package never imports one on its own floor or above, at module level *or inside a
   function*. ``ALLOWED_UPWARD`` lists the few documented exceptions.
2. **No package-``__init__`` re-entry.** A module that ``P/__init__.py`` loads imports its
   siblings by full module path (``import kerastorch.layers.weight_layouts as weight_layouts``),
   never through ``P`` (``from kerastorch.layers import weight_layouts``), whose ``__init__``
   is half-executed at that moment (module-level imports; the root is rule 1's).
3. **Few function-local imports, each with its reason.** At most ``MAX_LOCAL_IMPORTS``
   function-local intra-package imports remain, and each carries a
   ``# local import: <reason>`` comment on its line or the line above.

``PENDING_*`` tables hold the violations that other work in progress is removing, each
with its area; an entry that no longer violates fails the test, so the tables only shrink.
"""
from __future__ import annotations

import ast
import pathlib
from dataclasses import dataclass

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "kerastorch"

# Lowest floor first. "<root>" is kerastorch/__init__.py (and `import kerastorch`).
FLOORS: list[tuple[str, ...]] = [
    ("_core", "_unsupported"),          # settings, naming, nests, identifier tables, converter
    ("graph",),                         # the functional graph: KerasTensor, Node, symbolic calls
    ("ops",),                           # keras.ops
    ("random",),                        # keras.random: seeded draws
    ("distribution",),                  # keras.distribution: the torch.distributed process group
    ("activations", "initializers", "regularizers", "constraints", "losses"),
    ("metrics", "optimizers"),
    ("backend", "mixed_precision", "callbacks"),  # K façade; policies; callbacks
    ("dtype_policies", "config", "tree"),  # public settings and nest namespaces
    ("utils",),
    ("datasets", "preprocessing"),
    ("layers",),
    ("trainer",),
    ("models",),
    ("saving",),
    ("seq2seq", "applications", "wrappers"),  # applications: pretrained models; wrappers: sklearn estimators
    ("tasks",),                   # keras.tasks: models built from the data (uses applications)
    ("<root>",),
]
FLOOR = {pkg: i for i, floor in enumerate(FLOORS) for pkg in floor}

# Documented exceptions to rule 1: (importing file, imported package) -> why.
ALLOWED_UPWARD = {
    ("kerastorch/callbacks/backup_and_restore.py", "saving"): "a callback that saves (atomic checkpoint files)",
    ("kerastorch/models/model.py", "saving"): "Model.save/save_weights/load_weights/to_json call through saving",
    ("kerastorch/models/__init__.py", "saving"): "keras.models.load_model/save_model/model_from_json live in saving",
    ("kerastorch/layers/core/lambda_layer.py", "<root>"): "a deserialized Lambda's code sees `keras` = the package",
    ("kerastorch/layers/preprocessing/feature_space.py", "saving"): "FeatureSpace.save writes a .keras archive",
}

# Rule 1 violations that work in progress is removing: (file, imported package) -> area and fix.
PENDING_UPWARD = {
}

# Rule 2 violations being removed: (file, package imported through its __init__) -> area.
PENDING_REENTRY: dict[tuple[str, str], str] = {
}

# Rule 3: files whose function-local imports still lack a reason (or should move up) -> area.
PENDING_LOCAL_FILES: dict[str, str] = {
}

MAX_LOCAL_IMPORTS = 30


@dataclass(frozen=True)
class Import:
    path: str           # "kerastorch/layers/layer.py"
    line: int
    source: str         # package of the importing module ("layers", "<root>")
    module: str         # the imported module, "kerastorch.models.functional"
    target: str         # its package, "models"
    local: bool         # inside a function body
    reason: bool        # a "# local import:" comment on its line or the line above


def _package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "<root>"


def _collect() -> list[Import]:
    out = []
    for file in sorted(PACKAGE.rglob("*.py")):
        rel = file.relative_to(PACKAGE.parent)
        parts = rel.with_suffix("").parts
        source = parts[1] if len(parts) > 2 else "<root>"
        text = file.read_text()
        lines = text.splitlines()

        def has_reason(lineno: int) -> bool:
            near = lines[max(lineno - 2, 0):lineno]
            return any("# local import:" in line for line in near)

        def visit(node: ast.AST, local: bool) -> None:
            for child in ast.iter_child_nodes(node):
                inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                modules = []
                if isinstance(child, ast.Import):
                    modules = [a.name for a in child.names if a.name.split(".")[0] == "kerastorch"]
                elif isinstance(child, ast.ImportFrom) and not child.level and child.module:
                    if child.module == "kerastorch":
                        # `from kerastorch import layers` imports package `layers`; other names are the root's.
                        modules = [f"kerastorch.{a.name}" if (PACKAGE / a.name).exists()
                                   or (PACKAGE / f"{a.name}.py").exists() else "kerastorch"
                                   for a in child.names]
                    elif child.module.startswith("kerastorch."):
                        modules = [child.module]
                for module in modules:
                    out.append(Import(str(rel), child.lineno, source, module, _package_of(module), local,
                                      has_reason(child.lineno)))
                visit(child, inner)

        visit(ast.parse(text), False)
    return out


IMPORTS = _collect()


def _upward() -> set[tuple[str, str]]:
    found = set()
    for imp in IMPORTS:
        if imp.source == imp.target:
            continue
        if imp.source not in FLOOR or imp.target not in FLOOR:
            continue  # reported by test_every_package_has_a_floor
        if FLOOR[imp.target] >= FLOOR[imp.source]:
            found.add((imp.path, imp.target))
    return found


def _module_name(path: str) -> str:
    parts = pathlib.PurePosixPath(path).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _reentries() -> set[tuple[str, str]]:
    """(file, package) where a module imports the package whose ``__init__`` loads that module."""
    init_imports: dict[str, set[str]] = {}
    for imp in IMPORTS:
        if imp.path.endswith("/__init__.py") and not imp.local:
            init_imports.setdefault(_module_name(imp.path), set()).add(imp.module)
    found = set()
    for imp in IMPORTS:
        me = _module_name(imp.path)
        package = imp.module
        if imp.local or package == "kerastorch" or (imp.path.endswith("/__init__.py") and package == me):
            continue  # function-local ones run after loading (rule 3); the root is rule 1's
        if not me.startswith(package + "."):
            continue  # not an import of one of this module's own packages
        loaded = init_imports.get(package, set())
        # The package's __init__ imports this module (or the subpackage holding it): it is half-executed here.
        if any(me == m or me.startswith(m + ".") for m in loaded if m != package):
            found.add((imp.path, imp.module))
    return found


def _unexplained_locals() -> list[Import]:
    return [imp for imp in IMPORTS if imp.local and not imp.reason]


def test_every_package_has_a_floor():
    packages = {imp.source for imp in IMPORTS} | {imp.target for imp in IMPORTS}
    missing = sorted(p for p in packages if p not in FLOOR)
    assert not missing, f"Give these packages a floor in FLOORS: {missing}"


def test_no_upward_imports():
    violations = _upward() - set(ALLOWED_UPWARD) - set(PENDING_UPWARD)
    details = sorted(f"{imp.path}:{imp.line} imports {imp.module} (floor {FLOOR[imp.target]} >= "
                     f"{FLOOR[imp.source]}){' [function-local]' if imp.local else ''}"
                     for imp in IMPORTS if (imp.path, imp.target) in violations)
    assert not violations, "Upward imports between packages:\n" + "\n".join(details)


def test_pending_upward_imports_are_still_violations():
    stale = sorted(set(PENDING_UPWARD) - _upward())
    assert not stale, f"Fixed, remove from PENDING_UPWARD: {stale}"


def test_allowed_upward_imports_are_used():
    unused = sorted(set(ALLOWED_UPWARD) - _upward())
    assert not unused, f"No longer needed, remove from ALLOWED_UPWARD: {unused}"


def test_no_package_init_reentry():
    violations = sorted(_reentries() - set(PENDING_REENTRY))
    assert not violations, ("Import siblings by their full module path, not through the package __init__: "
                            f"{violations}")


def test_pending_reentries_are_still_violations():
    stale = sorted(set(PENDING_REENTRY) - _reentries())
    assert not stale, f"Fixed, remove from PENDING_REENTRY: {stale}"


def test_function_local_imports_have_a_reason():
    unexplained = [imp for imp in _unexplained_locals() if imp.path not in PENDING_LOCAL_FILES]
    assert not unexplained, ("Move these imports to module level, or add `# local import: <reason>` on the "
                             "line or the line above:\n"
                             + "\n".join(f"{imp.path}:{imp.line} {imp.module}" for imp in unexplained))


def test_pending_local_import_files_still_have_unexplained_ones():
    files = {imp.path for imp in _unexplained_locals()}
    stale = sorted(set(PENDING_LOCAL_FILES) - files)
    assert not stale, f"No unexplained local import left, remove from PENDING_LOCAL_FILES: {stale}"


def test_few_function_local_imports():
    counted = [imp for imp in IMPORTS if imp.local and imp.path not in PENDING_LOCAL_FILES]
    assert len(counted) <= MAX_LOCAL_IMPORTS, (
        f"{len(counted)} function-local intra-package imports (at most {MAX_LOCAL_IMPORTS}):\n"
        + "\n".join(f"{imp.path}:{imp.line} {imp.module}" for imp in counted))


@pytest.mark.parametrize("package", ["graph", "_core"])
def test_low_floors_import_nothing_above_them(package):
    # The graph and the foundation are what everything else stands on: check them by name too.
    above = sorted({imp.module for imp in IMPORTS if imp.source == package and imp.target != package
                    and FLOOR[imp.target] >= FLOOR[package]})
    assert not above
