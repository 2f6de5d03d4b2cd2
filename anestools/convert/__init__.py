"""anestools.convert stage (library code; the CLI lives in cli.py)."""
