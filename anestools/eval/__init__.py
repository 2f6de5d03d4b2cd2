"""anestools.eval stage (library code; the CLI lives in cli.py)."""
