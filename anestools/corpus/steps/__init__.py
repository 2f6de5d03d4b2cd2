"""datatrove ``PipelineStep``s of ours that build AnesCorpus (each module documents its own step).

- ``inputs``                          resolve input shards; datatrove readers with a FineWeb adapter
- ``prescreen.AnesPrescreen``         hyperscan batch screen for strong lexicon terms (every page)
- ``relevance.AnesRelevanceFilter``   lexicon score -> ``matched_terms``, ``anes_score`` metadata
- ``language.LanguageRouter``         langdetect (seeded) -> ``language`` metadata (en / zh)
- ``quality``                         datatrove's C4/Gopher filters (en), ``ChineseQualityFilter`` (zh)
- ``decontam.DecontaminationFilter``  drops documents sharing long n-grams with AnesBench
- ``tokens``                          datatrove ``TokensCounter`` on a resolved local tokenizer
- ``dedup``                           configs for datatrove's exact / MinHash dedup stages
- ``writer.corpus_writer``            datatrove writer with the corpus-shard contract adapter
"""
