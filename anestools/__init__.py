"""anestools: from raw web/PubMed data to an evaluated anesthesiology LLM.

Stages (each a sub-package, meeting only at the file contracts in docs/architecture.md):
``corpus`` (datatrove pipelines), ``qa`` (AnesQA from a teacher model), ``convert`` (parquet ->
LLaMA-Factory datasets), ``train`` (LLaMA-Factory launcher), ``eval`` (AnesBench through SGLang /
OpenAI servers). Shared code: ``common`` (files, locks, processes, the AnesBench reader) and
``runtime`` (everything that talks to a model server).
"""

__version__ = "0.1.0"
