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


def _readme_command_lines() -> list[str]:
    """Every ``anestools ...`` line of the README's bash blocks (continuations joined, comments cut)."""
    text = (ROOT / "README.md").read_text()
    lines: list[str] = []
    for block in text.split("```bash\n")[1:]:
        body = block.split("```", 1)[0].replace("\\\n", " ")
        for line in body.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith("anestools "):
                lines.append(line)
    return lines


def test_readme_examples_use_real_commands_and_visible_options():
    """Each example names an existing command and only options that command shows in --help."""
    import shlex

    import typer
    from test_root_cli import _context

    from anestools.cli import app

    lines = _readme_command_lines()
    assert len(lines) >= 15
    root = typer.main.get_command(app)
    for line in lines:
        tokens = shlex.split(line)[1:]
        cmd, i = root, 0
        while i < len(tokens) and hasattr(cmd, "list_commands") and tokens[i] in cmd.list_commands(_context(cmd)):
            cmd = cmd.get_command(_context(cmd), tokens[i])
            i += 1
        assert cmd is not root and (cmd.params or not hasattr(cmd, "list_commands")), f"not a command: {line}"
        visible = {o for p in cmd.params if not getattr(p, "hidden", False)
                   for o in (*p.opts, *getattr(p, "secondary_opts", []))}
        visible |= {o for p in root.params for o in p.opts}  # -q/-v also after the command
        used = {t.split("=", 1)[0] for t in tokens[i:] if t.startswith("-") and t != "-"}
        assert used <= visible, f"{line}: unknown or hidden option(s) {sorted(used - visible)}"
