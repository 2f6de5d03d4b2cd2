"""anestools.train stage (library code; the CLI lives in cli.py)."""
