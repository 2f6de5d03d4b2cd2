"""Unit tests of each datatrove step, run through their real ``run()`` generators."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from anestools.corpus.steps.reader import AnesReader, resolve_input_files
from datatrove.data import Document

from anestools.corpus.anesbench import load_benchmark_texts
from anestools.corpus.lexicon import load_lexicon
from anestools.corpus.steps.decontam import DecontaminationFilter, NGramIndex
from anestools.corpus.steps.language import LanguageRouter, detect_language
from anestools.corpus.steps.quality import ChineseQualityFilter, QualityFilter
from anestools.corpus.steps.relevance import AnesRelevanceFilter
from anestools.corpus.steps.tokens import resolve_tokenizer, token_counter
from anestools.corpus.steps.writer import CONTRACT_FIELDS, AnesCorpusWriter
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


def test_relevance_step_after_the_readers_screen_decides_the_same():
    """prescreened=True (the reader already screened) only skips the second screen: same pages,
    metadata and reasons, even on pages the screen would have removed."""
    from anestools.corpus.build import sample_path

    texts = pq.read_table(sample_path(), columns=["text"]).column("text").to_pylist()
    texts += ["Each block of the blockchain has a hash.", "Spinal Tap played loud.", ""]
    lex = load_lexicon()
    results = []
    for prescreened in (False, True):
        step = AnesRelevanceFilter(lex, prescreened=prescreened)
        kept = run(step, [Document(t, str(i)) for i, t in enumerate(texts)])
        reasons = {k: v.total for k, v in step.stats.stats.items() if k.startswith("dropped")}
        results.append(([(d.id, d.metadata["matched_terms"], d.metadata["anes_score"]) for d in kept], reasons))
    assert results[0] == results[1]
    assert results[0][1]["dropped_no_strong_term"] > 0 and len(results[0][0]) > 50


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


def test_batched_langdetect_gives_langdetect_own_probabilities():
    """Our batched detector must reproduce langdetect's probabilities bit for bit, whatever the
    batch a text falls in (texts of all kinds mixed, trials of different lengths)."""
    from anestools.corpus.steps.langdetect_batch import BatchDetector
    from langdetect import DetectorFactory, detect_langs

    from anestools.corpus.build import sample_path

    texts = pq.read_table(sample_path(), columns=["text"]).column("text").to_pylist()[::2]
    texts += [EN_ANES, ZH_ANES, "ANESTHESIA ICU   mail me: a@b.org https://x.org/y Việt Nam gây mê", "12345 !!!",
              "", "A", "AB CD efg HIJk", "Привет, это тест анестезии", "これは麻酔の説明です", "안녕하세요 마취",
              "x " * 5, " leading and trailing ", "ǅemal ȘȚ ș ț", "Ελληνικά και English mixed text"]
    texts = [t[:1000] for t in texts]
    ref = []
    for text in texts:
        DetectorFactory.seed = 0
        try:
            ref.append([(p.lang, p.prob) for p in detect_langs(text)])
        except Exception:  # "No features in text": ours answers None
            ref.append(None)
    detector = BatchDetector()
    got = detector.probabilities(texts[:5]) + detector.probabilities(texts[5:])
    assert got == ref
    assert detector.detect(["12345 !!!"]) == [None]
    assert detector.probabilities(list(reversed(texts))) == list(reversed(ref))
    # detect() stops a text's trials once its leader cannot be overtaken: same answers
    assert detector.detect(texts) == [None if r is None else r[0][0] if r else "unknown" for r in ref]
    detector._stream = None  # the fallback: one random.Random per text, drawn in Python
    assert detector.probabilities(texts) == ref


def test_shared_stream_draws_what_random_draws():
    """Every text is seeded alike, so its draws come from one shared stream of raw outputs; the
    numpy draws must equal random.Random's gauss/choice sequence for any n-gram count,
    including counts just above a power of two (many rejections: the rare slow path)."""
    import numpy as np
    from anestools.corpus.steps.langdetect_batch import _GeneratorDraws, _Stream, _StreamDraws

    sizes = [1, 2, 3, 5, 17, 33, 65, 129, 257, 1025, 2049, 3000]
    stream, slow = _StreamDraws(_Stream(0), sizes), _GeneratorDraws(0, sizes)
    active = np.arange(len(sizes))
    rng = np.random.default_rng(1)
    for step in range(300):
        if step % 7 == 0:
            assert [stream.gauss(d) for d in active] == [slow.gauss(d) for d in active]
        first = rng.random(len(sizes)) < 0.2
        a, b = stream.picks(active, first), slow.picks(active, first)
        assert np.array_equal(a[:, ~first], b[:, ~first]) and np.array_equal(a[0], b[0])
        assert (a < np.array(sizes)).all()


def test_fast_gopher_repetition_matches_datatrove():
    """Same decision and reason as datatrove's GopherRepetitionFilter, repetitive pages included."""
    from datatrove.pipeline.filters import GopherRepetitionFilter

    from anestools.corpus.build import sample_path
    from anestools.corpus.steps.quality import FastEnglishTokenizer, FastGopherRepetitionFilter

    texts = pq.read_table(sample_path(), columns=["text"]).column("text").to_pylist()[::3]
    texts += [" ".join(t.split()[:k] * r + t.split()) for t, k, r in zip(texts[:40], range(2, 42), [2, 3, 5] * 14)]
    texts += ["\n".join(t.split(". ") * 2) for t in texts[:20]] + ["a", "a b", "b b b b b b b b b b b b"]
    tok = FastEnglishTokenizer()
    ref, fast = GopherRepetitionFilter(language=tok), FastGopherRepetitionFilter(language=tok)
    got = [fast.filter(Document(t, "x")) for t in texts]
    assert got == [ref.filter(Document(t, "x")) for t in texts]
    reasons = {r[1] for r in got if r is not True}
    assert len(reasons) >= 4 and any(r.startswith("duplicated_") for r in reasons)  # the paths are exercised


def test_quality_dispatches_per_language():
    good_en = Document(EN_ANES, "good", metadata={"language": "en"})
    spam_en = Document("\n".join(["Best anesthesia propofol deals now"] * 30), "spam", metadata={"language": "en"})
    good_zh = Document(ZH_ANES, "zh", metadata={"language": "zh"})
    short_zh = Document("全身麻醉用丙泊酚。", "zhshort", metadata={"language": "zh"})
    step = QualityFilter()
    kept = run(step, [good_en, spam_en, good_zh, short_zh])
    assert [d.id for d in kept] == ["good", "zh"]
    reasons = {k for k in step.stats.stats if k.startswith("dropped_")}
    assert any(r.startswith("dropped_en_") for r in reasons)
    assert "dropped_zh_too_short" in reasons


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
    with pytest.raises(InputError, match=r"broken\.json: invalid JSON"):
        load_benchmark_texts(broken)


def test_writer_contract_and_atomic_publish(tmp_path):
    docs = [
        Document(EN_ANES, "a", metadata={"language": "en", "url": "http://x/a", "matched_terms": ["propofol"],
                                         "anes_score": 3.5, "token_count": 42, "source": "fineweb"}),
        Document(ZH_ANES, "b", metadata={"language": "zh", "matched_terms": ["麻醉"], "anes_score": 5.0}),
        Document("PubMed abstract about sevoflurane.", "p", metadata={"language": "en", "pmid": 123}),
    ]
    out = tmp_path / "out"
    run(AnesCorpusWriter(str(out), default_source="web"), docs, rank=3)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "en/00003.parquet", "zh/00003.parquet"]
    en = pq.read_table(out / "en" / "00003.parquet")
    assert en.schema.names == list(CONTRACT_FIELDS)
    assert en.schema.field("matched_terms").type == pa.list_(pa.string())
    rows = en.to_pylist()
    assert rows[0]["source"] == "fineweb" and rows[0]["token_count"] == 42 and rows[0]["url"] == "http://x/a"
    assert rows[1]["pmid"] == "123" and rows[1]["source"] == "web" and rows[1]["token_count"] is None

    # a failure mid-task leaves no shard under a final (or any visible) name
    def failing():
        yield docs[0]
        raise RuntimeError("boom")

    out2 = tmp_path / "out2"
    with pytest.raises(RuntimeError):
        list(AnesCorpusWriter(str(out2))(failing(), 0, 1))
    assert [p for p in out2.rglob("*") if p.is_file()] == []


def test_writer_jsonl_and_missing_language(tmp_path):
    out = tmp_path / "j"
    run(AnesCorpusWriter(str(out), fmt="jsonl"), [Document(EN_ANES, "a", metadata={"language": "en"})])
    with gzip.open(out / "en" / "00000.jsonl.gz", "rt") as fh:
        rec = json.loads(fh.readline())
    assert rec["id"] == "a" and rec["language"] == "en" and rec["matched_terms"] == []
    with pytest.raises(ValueError, match="document 'x'.*language"):
        run(AnesCorpusWriter(str(tmp_path / "k")), [Document(EN_ANES, "x")])


def _write_parquet(path, rows):
    pq.write_table(pa.Table.from_pylist(rows), path)


def test_reader_formats_prescreen_and_sharding(tmp_path):
    _write_parquet(tmp_path / "a.parquet", [{"text": EN_ANES, "id": "p1", "url": "http://a", "dump": "x"},
                                             {"text": "Nothing relevant here at all.", "id": "p2", "url": "http://b", "dump": "x"}])
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"text": ZH_ANES, "id": "j1", "metadata": {"url": "http://c"}}, ensure_ascii=False) + "\n")
        fh.write(json.dumps({"text": "", "id": "empty"}) + "\n")
    files = resolve_input_files([str(tmp_path)])
    assert [f.rsplit("/", 1)[-1] for f in files] == ["a.parquet", "b.jsonl.gz"]
    reader = AnesReader(files, prescreen=load_lexicon(), source="fineweb")
    docs = run(reader, [])
    assert [(d.id, d.metadata["url"], d.metadata["source"]) for d in docs] == [
        ("p1", "http://a", "fineweb"), ("j1", "http://c", "fineweb")]
    assert reader.stats["dropped_prescreen_no_strong_term"].total == 1
    # rank 1 of 2 reads only the second file
    assert [d.id for d in run(AnesReader(files), [], rank=1, world_size=2)] == ["j1"]
    assert [d.id for d in run(AnesReader(files, limit=1), [])] == ["p1"]


def test_reader_bad_shards(tmp_path):
    good = tmp_path / "good.parquet"
    _write_parquet(good, [{"text": EN_ANES, "id": "g"}])
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 this is not parquet")
    notext = tmp_path / "notext.parquet"
    _write_parquet(notext, [{"body": "x", "id": "n"}])
    for bad, msg in ((corrupt, "unreadable input shard"), (notext, "missing column 'text'")):
        with pytest.raises(InputError) as exc:
            run(AnesReader([str(good), str(bad)]), [])
        assert str(bad) in str(exc.value) and msg in str(exc.value)
    report = tmp_path / "report"
    reader = AnesReader([str(corrupt), str(good), str(notext)], skip_bad=True, report_folder=str(report))
    assert [d.id for d in run(reader, [])] == ["g"]
    assert reader.stats["dropped_bad_file"].total == 2
    listed = (report / "00000.txt").read_text().splitlines()
    assert [line.split("\t")[0] for line in listed] == [str(corrupt), str(notext)]
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


def test_fast_and_spacy_quality_tokenizers_agree_on_the_sample():
    import copy

    from anestools.corpus.build import sample_path

    rows = pq.read_table(sample_path()).to_pylist()
    docs = [Document(r["text"], r["id"], metadata={"language": "en"}) for r in rows if r["language"] == "en"]
    fast, spacy = QualityFilter("fast"), QualityFilter("spacy")
    decisions_fast = [fast.filter(copy.deepcopy(d)) is True for d in docs]
    decisions_spacy = [spacy.filter(copy.deepcopy(d)) is True for d in docs]
    agree = sum(a == b for a, b in zip(decisions_fast, decisions_spacy))
    assert agree >= len(docs) - 2, f"only {agree}/{len(docs)} decisions agree"
    with pytest.raises(ValueError, match="unknown quality tokenizer"):
        QualityFilter("nltk")


def test_reader_progress_markers(tmp_path):
    from anestools.corpus.progress import files_done

    for i in range(3):
        _write_parquet(tmp_path / f"{i}.parquet", [{"text": EN_ANES, "id": str(i)}])
    files = [str(tmp_path / f"{i}.parquet") for i in range(3)]
    prog = tmp_path / "progress"
    run(AnesReader(files, progress_folder=str(prog)), [], rank=0, world_size=2)
    assert files_done(prog) == 2
    run(AnesReader(files, progress_folder=str(prog)), [], rank=1, world_size=2)
    assert files_done(prog) == 3
    run(AnesReader(files, progress_folder=str(prog)), [], rank=0, world_size=2)  # a rerun resets its count
    assert files_done(prog) == 3
