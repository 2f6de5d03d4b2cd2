"""anestools: from raw web/PubMed data to an evaluated anesthesiology LLM.

Stages (each a sub-package, meeting only at the file contracts in ARCHITECTURE.md):
``corpus`` (datatrove pipelines), ``convert`` (parquet -> LLaMA-Factory datasets),
``train`` (LLaMA-Factory launcher), ``eval`` (AnesBench through SGLang / OpenAI servers).
"""

__version__ = "0.1.0"
