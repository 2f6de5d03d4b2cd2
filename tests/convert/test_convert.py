"""End-to-end ``anestools convert`` on small parquet files: outputs, summary, bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anestools.convert.core import convert
from anestools.errors import ConfigError, InputError, OutputExistsError


def write_corpus(path: Path, rows: list[tuple[str | None, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table({
            "id": [f"d{i}" for i in range(len(rows))],
            "text": [t for t, _ in rows],
            "language": [lang for _, lang in rows],
            "source": ["fineweb"] * len(rows),
        }),
        path,
        row_group_size=2,  # several row groups / batches even for tiny files
    )
    return path


@pytest.fixture()
def corpus(tmp_path) -> Path:
    return write_corpus(tmp_path / "in" / "corpus.parquet", [
        ("Propofol is the most used induction agent.", "en"),
        ("Sevoflurane maintains general anaesthesia.", "en"),
        ("", "en"),
        (None, "en"),
        ("   ", "en"),
        ("丙泊酚是最常用的诱导药物。", "zh"),
        ("七氟烷用于维持全身麻醉。", "zh-cn"),
        ("Le propofol est un hypnotique.", "fr"),
    ])


@pytest.fixture()
def qa(tmp_path) -> Path:
    p = tmp_path / "in" / "AnesQA_train.parquet"  # 'train' contains 'en' as a substring, not a token
    p.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "question": ["Which drug reverses rocuronium?", "哪种药物拮抗罗库溴铵？", None],
        "answer": ["Sugammadex.", "舒更葡糖钠。", "orphan"],
        "language": ["en", "zh", "en"],
    }), p)
    return p


def read_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_corpus_split_en(corpus, tmp_path):
    out = tmp_path / "data"
    res = convert([str(corpus)], out, split="en")
    rows = read_jsonl(out / "AnesCorpus_en.jsonl")
    assert rows == [{"text": "Propofol is the most used induction agent."},
                    {"text": "Sevoflurane maintains general anaesthesia."}]
    info = json.loads((out / "dataset_info.json").read_text())
    assert info == {"anescorpus_en": {"file_name": "AnesCorpus_en.jsonl", "columns": {"prompt": "text"}}}
    c = res.counts[(str(corpus), "en")]
    assert (c.read, c.written, c.skipped_empty) == (5, 2, 3)
    assert res.counts[(str(corpus), "zh")].other_language == 2
    assert res.counts[(str(corpus), "fr")].other_language == 1


def test_corpus_split_cn_and_all(corpus, tmp_path):
    out = tmp_path / "data"
    convert([str(corpus)], out, split="cn")
    assert [r["text"] for r in read_jsonl(out / "AnesCorpus_cn.jsonl")] == [
        "丙泊酚是最常用的诱导药物。", "七氟烷用于维持全身麻醉。"]
    convert([str(corpus)], out, split="all")
    assert len(read_jsonl(out / "AnesCorpus_all.jsonl")) == 4  # fr dropped, empties skipped
    assert set(json.loads((out / "dataset_info.json").read_text())) == {"anescorpus_cn", "anescorpus_all"}


def test_split_by_file_name_tokens_without_language_column(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for name, text in [("AnesCorpus_en.parquet", "english doc"), ("AnesCorpus_zh.parquet", "中文文档"),
                       ("AnesCorpus_train.parquet", "unlabelled"), ("general.parquet", "unlabelled 2")]:
        pq.write_table(pa.table({"text": [text]}), d / name)
    out = tmp_path / "data"
    res = convert([str(d)], out, split="en")
    assert read_jsonl(out / "AnesCorpus_en.jsonl") == [{"text": "english doc"}]
    skipped = dict(res.skipped_inputs)
    assert str(d / "AnesCorpus_train.parquet") in skipped  # never a substring match
    assert str(d / "general.parquet") in skipped
    assert "not in split en" in skipped[str(d / "AnesCorpus_zh.parquet")]
    res = convert([str(d)], out, split="all")
    assert len(read_jsonl(out / "AnesCorpus_all.jsonl")) == 4


def test_qa_alpaca_sharegpt_and_json_array(qa, corpus, tmp_path):
    out = tmp_path / "data"
    res = convert([str(qa), str(corpus)], out, split="all", instruction="Answer as an anesthesiologist.")
    assert {o.dataset for o in res.outputs} == {"anescorpus_all", "anesqa_all"}
    assert read_jsonl(out / "AnesQA_all.jsonl") == [
        {"instruction": "Answer as an anesthesiologist.", "input": "Which drug reverses rocuronium?",
         "output": "Sugammadex."},
        {"instruction": "Answer as an anesthesiologist.", "input": "哪种药物拮抗罗库溴铵？", "output": "舒更葡糖钠。"},
    ]
    info = json.loads((out / "dataset_info.json").read_text())
    assert info["anesqa_all"]["columns"] == {"prompt": "instruction", "query": "input", "response": "output"}

    out2 = tmp_path / "data2"
    convert([str(qa)], out2, split="en", style="sharegpt", fmt="json", name="my_qa")
    arr = json.loads((out2 / "AnesQA_en.json").read_text())  # a valid JSON array
    assert arr == [{"conversations": [{"from": "human", "value": "Which drug reverses rocuronium?"},
                                      {"from": "gpt", "value": "Sugammadex."}]}]
    info2 = json.loads((out2 / "dataset_info.json").read_text())
    assert info2 == {"my_qa": {"file_name": "AnesQA_en.json", "formatting": "sharegpt",
                               "columns": {"messages": "conversations"}}}


def test_json_array_many_batches_is_valid(tmp_path):
    p = write_corpus(tmp_path / "c.parquet", [(f"doc {i}", "en") for i in range(10_000)])
    out = tmp_path / "data"
    convert([str(p)], out, fmt="json", split="en")
    arr = json.loads((out / "AnesCorpus_en.json").read_text())
    assert [r["text"] for r in arr] == [f"doc {i}" for i in range(10_000)]


def test_glob_and_directory_inputs(tmp_path):
    for i in range(3):
        write_corpus(tmp_path / "shards" / "en" / f"{i:05d}.parquet", [(f"doc {i}", "en")])
    (tmp_path / "shards" / "en" / ".00003.parquet.tmp").write_text("partial")  # ignored
    out = tmp_path / "data"
    convert([str(tmp_path / "shards")], out, split="en")
    assert len(read_jsonl(out / "AnesCorpus_en.jsonl")) == 3
    convert([str(tmp_path / "shards" / "en" / "0000[12].parquet")], out, split="en", overwrite=True)
    assert len(read_jsonl(out / "AnesCorpus_en.jsonl")) == 2


# ---------------------------------------------------------------- bad input


def test_corrupt_parquet(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match="bad.parquet: not a readable parquet file"):
        convert([str(bad)], tmp_path / "data")
    assert not (tmp_path / "data").exists()


def test_truncated_parquet_leaves_no_output(tmp_path):
    good = write_corpus(tmp_path / "good.parquet", [(f"doc {i}", "en") for i in range(50)])
    data = good.read_bytes()
    trunc = tmp_path / "trunc.parquet"
    trunc.write_bytes(data[: len(data) // 2] + data[-8:])  # valid magic, broken footer
    with pytest.raises(InputError, match="trunc.parquet"):
        convert([str(good), str(trunc)], tmp_path / "data")
    assert not (tmp_path / "data" / "AnesCorpus_all.jsonl").exists()


def test_missing_and_non_string_columns(tmp_path):
    p = tmp_path / "x.parquet"
    pq.write_table(pa.table({"body": ["a"]}), p)
    with pytest.raises(InputError, match=r"x.parquet: cannot tell corpus from QA: found columns \['body'\]"):
        convert([str(p)], tmp_path / "data")
    with pytest.raises(InputError, match="missing column 'question'"):
        convert([str(p)], tmp_path / "data", kind="qa")
    q = tmp_path / "num.parquet"
    pq.write_table(pa.table({"text": [1, 2]}), q)
    with pytest.raises(InputError, match="column 'text' has type int64, expected string"):
        convert([str(q)], tmp_path / "data")


def test_unknown_options_and_no_inputs(corpus, tmp_path):
    with pytest.raises(InputError, match="unknown split"):
        convert([str(corpus)], tmp_path / "d", split="de")
    with pytest.raises(ConfigError, match="--format"):
        convert([str(corpus)], tmp_path / "d", fmt="csv")
    with pytest.raises(InputError, match="no input"):
        convert([], tmp_path / "d")
    with pytest.raises(InputError, match="no such file"):
        convert([str(tmp_path / "nope.parquet")], tmp_path / "d")
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    with pytest.raises(InputError, match="contains no"):
        convert([str(empty)], tmp_path / "d")


def test_nothing_selected_is_an_error(tmp_path):
    p = write_corpus(tmp_path / "c.parquet", [("only chinese 中文", "zh")])
    with pytest.raises(InputError, match="no rows selected"):
        convert([str(p)], tmp_path / "data", split="en")
    assert not (tmp_path / "data" / "AnesCorpus_en.jsonl").exists()


def test_existing_output_and_conflicting_entry(corpus, tmp_path):
    out = tmp_path / "data"
    convert([str(corpus)], out, split="en")
    before = (out / "AnesCorpus_en.jsonl").read_bytes()
    with pytest.raises(OutputExistsError, match="already exists"):
        convert([str(corpus)], out, split="en")
    assert (out / "AnesCorpus_en.jsonl").read_bytes() == before
    # a user's own entry with our dataset name and a different definition is protected
    (out / "AnesCorpus_en.jsonl").unlink()
    (out / "dataset_info.json").write_text('{"anescorpus_en": {"file_name": "theirs.json"}}')
    with pytest.raises(InputError, match="entry 'anescorpus_en' exists with a different definition"):
        convert([str(corpus)], out, split="en")
    assert not (out / "AnesCorpus_en.jsonl").exists()
    convert([str(corpus)], out, split="en", overwrite=True)
    assert json.loads((out / "dataset_info.json").read_text())["anescorpus_en"]["file_name"] == "AnesCorpus_en.jsonl"


# ---------------------------------------------------------------- CLI


def test_cli_summary_and_errors(cli, corpus, tmp_path):
    code, out, err = cli("convert", str(corpus), "--output", str(tmp_path / "data"), "--split", "en")
    assert code == 0, err
    assert "AnesCorpus_en.jsonl" in out and "anescorpus_en" in out
    assert "total" in out
    code, out, err = cli("convert", str(corpus), "--output", str(tmp_path / "data"), "--split", "en")
    assert code != 0
    assert err.strip().splitlines()[-1].startswith("error:") and "--overwrite" in err
    code, _, err = cli("convert", str(corpus), "--output", str(tmp_path / "d2"), "--split", "xx")
    assert code != 0 and "unknown split 'xx'" in err
