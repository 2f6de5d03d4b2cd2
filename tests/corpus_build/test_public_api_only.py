"""anestools uses datatrove, langdetect and loguru through their public API only.

The test reads every module of the package: no import of a private module or name from those
libraries, no ``._private`` attribute on anything imported from them, and none of the names
the earlier private-API layer used.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import anestools

LIBS = ("datatrove", "langdetect", "loguru")
FORBIDDEN = re.compile(r"_run_for_rank|_get_lib_dirs|detector_factory\._factory|\._launched|\._identity")
PACKAGE = Path(anestools.__file__).parent


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _violations(path: Path) -> list[str]:
    src = path.read_text(encoding="utf-8")
    found = [f"{path}: matches {m.group(0)!r}" for m in FORBIDDEN.finditer(src)]
    tree = ast.parse(src)
    lib_names: set[str] = set()  # local names bound to a library module or object
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in LIBS:
                    if any(_private(part) for part in a.name.split(".")):
                        found.append(f"{path}:{node.lineno}: import {a.name}")
                    lib_names.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in LIBS:
            if any(_private(part) for part in node.module.split(".")):
                found.append(f"{path}:{node.lineno}: from {node.module} import ...")
            for a in node.names:
                if _private(a.name):
                    found.append(f"{path}:{node.lineno}: from {node.module} import {a.name}")
                lib_names.add(a.asname or a.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in lib_names:
                found.append(f"{path}:{node.lineno}: {root.id}....{node.attr}")
    return found


def test_no_private_access_into_datatrove_langdetect_loguru():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20
    problems = [v for f in files for v in _violations(f)]
    assert problems == []


def test_the_check_catches_what_it_is_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from loguru._better_exceptions import ExceptionFormatter\n"
        "from datatrove.executor import LocalPipelineExecutor\n"
        "import langdetect.detector_factory as df\n"
        "x = LocalPipelineExecutor.run\n"
        "y = df._factory\n"
        "def f(self):\n    return self._run_for_rank(0)\n"
    )
    found = _violations(bad)
    assert any("loguru._better_exceptions" in v for v in found)
    assert any(v.endswith("df...._factory") for v in found)
    assert any("_run_for_rank" in v for v in found)
