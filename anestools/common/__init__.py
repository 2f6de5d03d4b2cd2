"""Small helpers shared by every stage: atomic writes, input discovery, languages, console."""
