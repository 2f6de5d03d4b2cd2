#!/usr/bin/env python
"""Print which stage of ``anestools`` imports which: one line per (importer, imported) pair.

A stage is a top-level package of ``anestools`` (corpus, qa, convert, train, eval, runtime,
common, testing, ...); top-level modules (``cli``, ``demo``, ``errors``, ...) count as
``(top)``. Imports are read from the source (``ast``), lazy and ``TYPE_CHECKING`` imports
included, so a hidden edge still shows. Stages should meet only at file contracts and share code
through ``common`` and ``runtime`` (docs/architecture.md); the last line counts the edges between
the stages that must not import each other.

Usage: ``python scripts/stage_imports.py [PACKAGE_DIR]`` (default: ``anestools`` next to this script).
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

SHARED = {"common", "runtime", "(top)", "resources", "testing"}
# Public APIs one stage may import from another, by design (module -> why); counted apart.
ALLOWED: dict[tuple[str, str], str] = {}


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "anestools":
        return None
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in _packages) else "(top)"


def _imports(path: Path, package: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append(mod)
            out.extend(f"{mod}.{a.name}" for a in node.names if mod == "anestools")
    return out


def edges(root: Path, allowed: Counter[tuple[str, str]] | None = None) -> Counter[tuple[str, str]]:
    """Stage -> stage import counts; an import listed in :data:`ALLOWED` goes to ``allowed`` instead."""
    found: Counter[tuple[str, str]] = Counter()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        module = ".".join(rel.parts)
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        importer = stage_of(module.removesuffix(".__init__"))
        for target in _imports(path, package.removesuffix(".__init__")):
            imported = stage_of(target)
            if importer and imported and imported != importer:
                if allowed is not None and (importer, target) in ALLOWED:
                    allowed[(importer, imported)] += 1
                    continue
                found[(importer, imported)] += 1
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "anestools"
    global _packages
    _packages = {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}
    allowed: Counter[tuple[str, str]] = Counter()
    found = edges(root, allowed)
    for (a, b), n in sorted(found.items()):
        print(f"{a:10} -> {b:10} {n}")
    for (a, b), n in sorted(allowed.items()):
        print(f"{a:10} -> {b:10} {n} (allowed public API: " + ", ".join(
            m for (i, m) in ALLOWED if i == a and m.split(".")[1] == b) + ")")
    between = {k: v for k, v in found.items() if k[0] not in SHARED and k[1] not in SHARED}
    print(f"stage -> stage edges (neither side common/runtime/top-level): {sum(between.values())} "
          f"in {len(between)} pairs; qa<->eval: {found[('qa', 'eval')] + found[('eval', 'qa')]} "
          f"(+{sum(allowed.values())} allowed public-API imports)")
    return 0


_packages: set[str] = set()

if __name__ == "__main__":
    sys.exit(main(sys.argv))
