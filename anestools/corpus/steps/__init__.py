"""datatrove ``PipelineStep``s that build AnesCorpus (each module documents its own step).

- ``reader.AnesReader``              parquet / JSONL(.gz/.zst), local or ``hf://``, bad-shard policy
- ``relevance.AnesRelevanceFilter``  lexicon score -> ``matched_terms``, ``anes_score`` metadata
- ``language.LanguageRouter``        langdetect (seeded) -> ``language`` metadata (en / zh)
- ``quality.QualityFilter``          Gopher/C4 heuristics (en), character rules (zh)
- ``decontam.DecontaminationFilter`` drops documents sharing long n-grams with AnesBench
- ``tokens.TokenCounter``            ``token_count`` metadata with a local ``tokenizers`` tokenizer
- ``writer.AnesCorpusWriter``        corpus-shard contract: ``OUTPUT/<lang>/<rank>.parquet|jsonl.gz``
"""
