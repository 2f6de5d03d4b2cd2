"""The README's set-up commands and command table stay true to the code."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_gives_the_two_setup_commands():
    text = (ROOT / "README.md").read_text()
    assert "make demo" in text and "make test" in text


def test_command_table_matches_the_cli():
    generate = runpy.run_path(str(ROOT / "scripts" / "cli_reference.py"))["table"]
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- cli-reference:start -->\n", 1)[1].split("<!-- cli-reference:end -->", 1)[0]
    assert block.strip() == generate().strip(), "README command table is stale: run scripts/cli_reference.py"
