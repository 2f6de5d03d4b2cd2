"""anestools.qa stage: AnesQA generation and translation with a teacher model (CLI in cli.py)."""
