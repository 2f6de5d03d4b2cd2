"""anestools.corpus stage (library code; the CLI lives in cli.py)."""
