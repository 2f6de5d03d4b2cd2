"""Unit tests of each datatrove step, run through their real ``run()`` generators."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from anestools.common.anesbench import load_benchmark_texts
from anestools.corpus.lexicon import load_lexicon
from anestools.corpus.steps.decontam import DecontaminationFilter, NGramIndex
from anestools.corpus.steps.inputs import check_text_key, resolve_input_files, web_readers
from anestools.corpus.steps.language import LanguageRouter, detect_language
from anestools.corpus.steps.quality import ChineseQualityFilter, quality_steps
from anestools.corpus.steps.relevance import AnesRelevanceFilter
from anestools.corpus.steps.tokens import resolve_tokenizer, token_counter
from anestools.corpus.steps.writer import CONTRACT_FIELDS, corpus_writer
from anestools.errors import InputError

EN_ANES = (
    "General anesthesia is a controlled state of unconsciousness for surgery. The anesthesiologist gives propofol "
    "through a cannula, and a breathing tube is placed after rocuronium. Sevoflurane keeps the patient asleep while "
    "monitors show the heart rate and the blood pressure. At the end of the operation sugammadex reverses the "
    "neuromuscular blockade. In the recovery room the nurses check pain and nausea. Most patients go home the same "
    "day after a minor operation, and they should not drive for a day."
)
ZH_ANES = (
    "全身麻醉是让患者在手术期间失去意识和痛觉的一种方法，由麻醉医生全程负责。手术前一天，麻醉医生会进行术前访视，了解您的病史和过敏史。"
    "麻醉诱导时，通常经静脉注射丙泊酚，同时给予芬太尼以减轻插管时的应激反应。术中麻醉医生会持续监测心电图、血压和呼气末二氧化碳。"
)


def run(step, docs, rank=0, world_size=1):
    return list(step(iter(docs), rank, world_size))


def test_relevance_step_sets_metadata_and_reasons():
    docs = [Document(EN_ANES, "a"), Document("Each block of the blockchain has a hash.", "b"), Document("Hello world.", "c")]
    step = AnesRelevanceFilter(load_lexicon())
    kept = run(step, docs)
    assert [d.id for d in kept] == ["a"]
    assert "propofol" in kept[0].metadata["matched_terms"]
    assert kept[0].metadata["anes_score"] >= 2.0
    assert step.stats["dropped_no_strong_term"].total == 2


def test_language_router_is_deterministic_and_guards_han_text():
    assert detect_language(ZH_ANES) == "zh-cn"  # langdetect alone says "ko" for this text
    assert all(detect_language(EN_ANES) == "en" for _ in range(3))
    docs = [Document(EN_ANES, "en"), Document(ZH_ANES, "zh"),
            Document("La anestesia general se induce con propofol y el paciente duerme durante la cirugía.", "es")]
    step = LanguageRouter()
    kept = run(step, docs)
    assert [(d.id, d.metadata["language"]) for d in kept] == [("en", "en"), ("zh", "zh")]
    assert step.stats["dropped_other_language"].total == 1
    only_zh = LanguageRouter(languages=("zh",))
    assert [d.id for d in run(only_zh, [Document(EN_ANES, "en"), Document(ZH_ANES, "zh")])] == ["zh"]
    assert only_zh.stats["dropped_not_selected"].total == 1


def test_quality_steps_per_language_are_datatrove_stock_filters(tmp_path):
    from datatrove.pipeline.filters import C4QualityFilter, GopherQualityFilter, GopherRepetitionFilter
    from datatrove.pipeline.writers import JsonlWriter

    en = quality_steps("en", lambda name: JsonlWriter(str(tmp_path / name)))
    assert [type(s) for s in en] == [C4QualityFilter, GopherRepetitionFilter, GopherQualityFilter]
    good_en = Document(EN_ANES, "good", metadata={"language": "en"})
    spam_en = Document("\n".join(["Best anesthesia propofol deals now"] * 30), "spam", metadata={"language": "en"})
    docs = [good_en, spam_en]
    for step in en:  # each its own step, each with its own stats
        docs = run(step, docs)
    assert [d.id for d in docs] == ["good"]
    assert sum(s.stats["dropped"].total for s in en) == 1
    excluded = [p for p in tmp_path.rglob("*.jsonl*") if p.stat().st_size]
    assert len(excluded) == 1  # the spam page, with its reason, via the exclusion writer
    (zh,) = quality_steps("zh")
    kept = run(zh, [Document(ZH_ANES, "zh", metadata={"language": "zh"}),
                    Document("全身麻醉用丙泊酚。", "zhshort", metadata={"language": "zh"})])
    assert [d.id for d in kept] == ["zh"] and zh.stats["dropped_too_short"].total == 1


def test_chinese_quality_rules():
    f = ChineseQualityFilter()
    assert f.filter(Document(ZH_ANES, "a")) is True
    assert f.filter(Document("\n".join([ZH_ANES[:40]] * 6), "b")) == (False, "dup_line_frac")
    assert f.filter(Document("propofol " * 80 + ZH_ANES[:90], "c")) == (False, "low_cjk_ratio")


def test_anesbench_both_schemas_and_decontamination(tmp_path):
    stem = "general anesthesia is a controlled state of unconsciousness for surgery the anesthesiologist gives propofol"
    hf = tmp_path / "anesbench_en.json"
    hf.write_text(json.dumps([{"id": 1, "question": "Which statement is true? " + stem.capitalize(),
                               "A": "Propofol", "B": "Ketamine", "C": "Etomidate", "D": "None", "target": "A",
                               "choice_num": 4, "category": 1}]), encoding="utf-8")
    seed = tmp_path / "seed.jsonl"
    seed.write_text(json.dumps({"id": "x", "en_question": "Unrelated question about a different topic?",
                                "cn_question": "麻醉诱导时，通常经静脉注射丙泊酚，同时给予芬太尼以减轻插管时的应激反应。以下哪项正确？",
                                "cn_A": "甲", "cn_B": "乙", "answer": "A", "level": 1}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    texts = load_benchmark_texts(hf) + load_benchmark_texts(seed)
    assert any(t.startswith("麻醉诱导时") for t in texts)
    index = NGramIndex.from_texts(texts)
    assert index.words and index.chars
    step = DecontaminationFilter(index)
    clean = Document("Sevoflurane is a volatile anaesthetic with low blood solubility used for induction in children.", "clean")
    kept = run(step, [Document(EN_ANES, "en"), Document(ZH_ANES, "zh"), clean])
    assert [d.id for d in kept] == ["clean"]
    assert step.stats["dropped_benchmark_overlap"].total == 2
    # a 12-word overlap is below the 13-gram threshold
    short = " ".join(stem.split()[:12])
    assert not index.overlaps("Intro text. " + short + ". Other words follow here.")


def test_anesbench_errors(tmp_path):
    bad = tmp_path / "bench.json"
    bad.write_text('[{"foo": 1}]', encoding="utf-8")
    with pytest.raises(InputError, match="no AnesBench questions found"):
        load_benchmark_texts(bad)
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.json( line \d+ column \d+)?: invalid JSON"):
        load_benchmark_texts(broken)


def test_writer_contract(tmp_path):
    docs = [
        Document(EN_ANES, "a", metadata={"language": "en", "url": "http://x/a", "matched_terms": ["propofol"],
                                         "anes_score": 3.5, "token_count": 42, "source": "fineweb"}),
        Document(ZH_ANES, "b", metadata={"language": "zh", "matched_terms": ["麻醉"], "anes_score": 5.0}),
        Document("PubMed abstract about sevoflurane.", "p", metadata={"language": "en", "pmid": 123}),
    ]
    out = tmp_path / "out"
    writer = corpus_writer(str(out), default_source="web")
    run(writer, docs, rank=3)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "en/00003.parquet", "zh/00003.parquet"]
    en = pq.read_table(out / "en" / "00003.parquet")
    assert en.schema.names == list(CONTRACT_FIELDS)
    assert en.schema.field("matched_terms").type == pa.list_(pa.string())
    rows = en.to_pylist()
    assert rows[0]["source"] == "fineweb" and rows[0]["token_count"] == 42 and rows[0]["url"] == "http://x/a"
    assert rows[1]["pmid"] == "123" and rows[1]["source"] == "web" and rows[1]["token_count"] is None


def test_writer_jsonl_and_missing_language(tmp_path):
    out = tmp_path / "j"
    run(corpus_writer(str(out), fmt="jsonl"), [Document(EN_ANES, "a", metadata={"language": "en"})])
    with gzip.open(out / "en" / "00000.jsonl.gz", "rt") as fh:
        rec = json.loads(fh.readline())
    assert rec["id"] == "a" and rec["language"] == "en" and rec["matched_terms"] == []
    with pytest.raises(KeyError, match="language"):  # datatrove's file name template needs it
        run(corpus_writer(str(tmp_path / "k")), [Document(EN_ANES, "x")])
    with pytest.raises(ValueError, match="document 'y'.*language"):
        run(corpus_writer(str(tmp_path / "k")), [Document(EN_ANES, "y", metadata={"language": "fr"})])


def _write_parquet(path, rows):
    pq.write_table(pa.Table.from_pylist(rows), path)


def test_readers_formats_adapter_and_sharding(tmp_path):
    _write_parquet(tmp_path / "a.parquet", [{"text": EN_ANES, "id": "p1", "url": "http://a", "dump": "x", "language": "fr",
                                             "token_count": 7},
                                            {"text": "Nothing relevant here at all.", "id": "p2", "url": "http://b", "dump": "x",
                                             "language": "fr", "token_count": 7}])
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"text": ZH_ANES, "id": "j1", "metadata": {"url": "http://c"}}, ensure_ascii=False) + "\n")
        fh.write(json.dumps({"text": "", "id": "empty"}) + "\n")
    files = resolve_input_files([str(tmp_path)])
    assert [f.rsplit("/", 1)[-1] for f in files] == ["a.parquet", "b.jsonl.gz"]

    def read(rank=0, world_size=1, limit=-1, add_file_path=False):
        docs = None
        for r in web_readers(files, tmp_path / "paths", source="fineweb", limit=limit, add_file_path=add_file_path):
            docs = r.run(docs, rank, world_size)
        return list(docs)

    with_paths = read(add_file_path=True)
    for d in with_paths:  # datatrove's provenance, asked for (corpus build: only with --keep-excluded)
        assert d.metadata.pop("file_path").endswith((".parquet", ".jsonl.gz"))
    docs = read()  # the default: no per-page path resolution, nothing else differs
    assert [(d.id, d.metadata) for d in docs] == [(d.id, d.metadata) for d in with_paths]
    assert [(d.id, d.metadata) for d in docs] == [  # FineWeb's own language/token_count do not leak
        ("p1", {"source": "fineweb", "url": "http://a"}), ("p2", {"source": "fineweb", "url": "http://b"}),
        ("j1", {"source": "fineweb", "url": "http://c"})]
    assert [d.id for d in read(rank=1, world_size=2)] == []  # one file per format: rank 0 reads both
    assert [d.id for d in read(limit=1)] == ["p1", "j1"]


def test_text_key_check_and_bad_inputs(tmp_path):
    notext = tmp_path / "notext.jsonl"
    notext.write_text(json.dumps({"content": "x", "id": "n"}) + "\n")
    with pytest.raises(InputError, match="no 'text' column/field .*pass --text-key content"):
        check_text_key(str(notext), "text")
    check_text_key(str(notext), "content")
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match="corrupt.parquet: unreadable input shard"):
        check_text_key(str(corrupt), "text")
    with pytest.raises(InputError, match="unsupported input format"):
        resolve_input_files([str(tmp_path / "x.csv")] if (tmp_path / "x.csv").write_text("a") else [])


def test_token_counter_with_local_tokenizer(tmp_path):
    from anestools.tiny import train_tokenizer

    tok = train_tokenizer([EN_ANES, ZH_ANES] * 5, vocab_size=300)
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    tok.save(str(model_dir / "tokenizer.json"))
    spec = resolve_tokenizer(str(model_dir))
    assert spec.endswith("tokenizer.json")
    docs = run(token_counter(spec), [Document(EN_ANES, "a"), Document(ZH_ANES, "b")])
    assert [d.metadata["token_count"] for d in docs] == [len(tok.encode(EN_ANES).ids), len(tok.encode(ZH_ANES).ids)]
    with pytest.raises(InputError, match="no tokenizer.json"):
        resolve_tokenizer(str(tmp_path))
    with pytest.raises(InputError, match="not found"):
        resolve_tokenizer(str(tmp_path / "missing" / "tokenizer.json"))


