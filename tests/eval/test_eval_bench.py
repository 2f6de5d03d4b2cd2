"""Benchmark loading: both published schemas, every file format, validation, the embedded sample."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anestools.common.anesbench import language_from_name, load_benchmark, parse_level, sample_dev_file
from anestools.errors import InputError

SEED = {  # seed README schema: bilingual record, answer + level
    "id": "q1", "choice_num": 4, "answer": "B", "level": 2,
    "en_question": "Which drug reverses rocuronium?", "en_A": "Neostigmine", "en_B": "Sugammadex",
    "en_C": "Atropine", "en_D": "Naloxone",
    "zh_question": "逆转罗库溴铵的药物是？", "zh_A": "新斯的明", "zh_B": "舒更葡糖钠", "zh_C": "阿托品", "zh_D": "纳洛酮",
}


def hf_record(i: int, target: str = "C", category=1, n: int = 5) -> dict:
    rec = {"id": f"h{i}", "question": f"Question {i}?", "choice_num": n, "target": target, "category": category}
    for j, letter in enumerate("ABCDEFGHI"[:n]):
        rec[letter] = f"option {j}"
    return rec


def write_json(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_seed_schema_yields_one_item_per_language(tmp_path):
    bench = load_benchmark(str(write_json(tmp_path / "seed.json", [SEED])))
    by_lang = {it.language: it for it in bench.items}
    assert set(by_lang) == {"en", "zh"}
    assert by_lang["en"].options["B"] == "Sugammadex" and by_lang["zh"].options["B"] == "舒更葡糖钠"
    assert by_lang["en"].answer == by_lang["zh"].answer == "B"
    assert by_lang["zh"].level == 2 and by_lang["zh"].key == "zh:q1"


def test_seed_schema_cn_prefix_is_chinese(tmp_path):
    rec = {k.replace("zh_", "cn_"): v for k, v in SEED.items()}
    path = tmp_path / "seed.jsonl"
    path.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    bench = load_benchmark(str(path))
    assert {it.language for it in bench.items} == {"en", "zh"}
    zh = next(it for it in bench.items if it.language == "zh")
    assert zh.question.startswith("逆转") and zh.options["D"] == "纳洛酮"


def test_hf_schema_language_from_file_name_and_nine_options(tmp_path):
    recs = [hf_record(1, "I", 3, n=9), hf_record(2, "A", 2)]
    bench = load_benchmark(str(write_json(tmp_path / "anesbench_zh.json", recs)))
    assert [it.language for it in bench.items] == ["zh", "zh"]
    assert bench.items[0].answer == "I" and len(bench.items[0].options) == 9 and bench.items[0].level == 3


def test_hf_schema_parquet_and_jsonl_and_directory(tmp_path):
    d = tmp_path / "bench"
    d.mkdir()
    pq.write_table(pa.Table.from_pylist([hf_record(i) for i in range(3)]), d / "anesbench_en.parquet")
    (d / "anesbench_zh.jsonl").write_text("\n".join(json.dumps(hf_record(i)) for i in range(2)) + "\n")
    bench = load_benchmark(str(d))
    assert sorted((it.language, it.id) for it in bench.items) == [
        ("en", "h0"), ("en", "h1"), ("en", "h2"), ("zh", "h0"), ("zh", "h1")]


def test_json_object_holding_the_array(tmp_path):
    bench = load_benchmark(str(write_json(tmp_path / "x_en.json", {"test": [hf_record(1)]})))
    assert len(bench.items) == 1


def test_language_field_overrides_file_name(tmp_path):
    rec = dict(hf_record(1), language="chinese")
    assert load_benchmark(str(write_json(tmp_path / "bench.json", [rec]))).items[0].language == "zh"


def test_unknown_language_is_reported(tmp_path):
    with pytest.raises(InputError, match="language unknown"):
        load_benchmark(str(write_json(tmp_path / "bench.json", [hf_record(1)])))


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda r: r.update(target="F"), "'target' = 'F' is not one of ABCDE"),
    (lambda r: r.pop("C"), "option 'C' missing"),
    (lambda r: r.update(category=4), "'category' = 4 is not a level"),
    (lambda r: r.update(question="  "), "'question' missing or empty"),
    (lambda r: r.update(choice_num="x"), "'choice_num' = 'x' is not an integer"),
    (lambda r: r.update(choice_num=10), "outside 2..9"),
    (lambda r: r.pop("id"), "field 'id' missing"),
])
def test_invalid_records_are_named_and_stop_the_run(tmp_path, mutate, message):
    bad = hf_record(2)
    mutate(bad)
    path = write_json(tmp_path / "b_en.json", [hf_record(1), bad])
    with pytest.raises(InputError) as exc:
        load_benchmark(str(path))
    assert message in str(exc.value) and "row 2" in str(exc.value) and "--skip-invalid" in str(exc.value)


def test_skip_invalid_keeps_the_valid_ones(tmp_path):
    path = write_json(tmp_path / "b_en.json", [hf_record(1), hf_record(2, target="Z"), hf_record(3)])
    bench = load_benchmark(str(path), skip_invalid=True)
    assert [it.id for it in bench.items] == ["h1", "h3"] and len(bench.invalid) == 1
    assert "id h2" in bench.invalid[0]


def test_duplicate_ids_are_invalid(tmp_path):
    path = write_json(tmp_path / "b_en.json", [hf_record(1), hf_record(1)])
    with pytest.raises(InputError, match="duplicate id 'h1'"):
        load_benchmark(str(path))


def test_bad_json_names_the_file(tmp_path):
    p = tmp_path / "b_en.jsonl"
    p.write_text('{"id": 1}\n{oops\n')
    with pytest.raises(InputError, match=r"b_en.jsonl line 2: invalid JSON"):
        load_benchmark(str(p))


def test_missing_file():
    with pytest.raises(InputError, match="no such file"):
        load_benchmark("does/not/exist.json")


def test_levels_from_names():
    assert [parse_level(v) for v in (1, "2", 3.0, "System 1", "system 1.x", "System 2", 0, "x", None, True)] == [
        1, 2, 3, 1, 2, 3, None, None, None, None]


def test_language_from_name():
    assert language_from_name("anesbench_en.json") == "en"
    assert language_from_name("data/anesbench_zh.json") == "zh"
    assert language_from_name("general.json") is None  # tokens, never substrings
    assert language_from_name("often-train.jsonl") is None


def test_embedded_sample_covers_both_languages_and_all_levels():
    bench = load_benchmark(None)
    for lang in ("en", "zh"):
        items = [it for it in bench.items if it.language == lang]
        assert 30 <= len(items) <= 60
        assert {it.level for it in items} == {1, 2, 3}
    assert not bench.invalid
    dev = load_benchmark(str(sample_dev_file()))
    assert {it.language for it in dev.items} == {"en", "zh"} and all(it.explanation for it in dev.items)


def test_select_filters_and_limits_per_language():
    bench = load_benchmark(None)
    sel = bench.select(["en", "zh"], [3], limit=2)
    assert [(it.language, it.level) for it in sel] == [("en", 3), ("en", 3), ("zh", 3), ("zh", 3)]
    assert {it.language for it in bench.select(["zh"])} == {"zh"}


def test_hub_dataset_path_through_datasets_configs(tmp_path):
    """The Hub code path (``datasets.load_dataset(id, name=lang, split='test')``) on a local dataset repo
    laid out like MiliLab/AnesBench: configs en/zh, split test, one JSON file per language."""
    from anestools.common.anesbench import _hub_records, records_to_items

    repo = tmp_path / "AnesBench"
    repo.mkdir()
    write_json(repo / "anesbench_en.json", [hf_record(i, "B", 1 + i % 3, n=4) for i in range(3)])
    write_json(repo / "anesbench_zh.json", [hf_record(i, "A", "System 2", n=4) for i in range(2)])
    (repo / "README.md").write_text(
        "---\nconfigs:\n- config_name: en\n  data_files:\n  - split: test\n    path: anesbench_en.json\n"
        "- config_name: zh\n  data_files:\n  - split: test\n    path: anesbench_zh.json\n---\n")
    problems: list[str] = []
    items = [it for name, lang, recs in _hub_records(str(repo), ["en", "zh"])
             for it in records_to_items(recs, name, lang, problems)]
    assert not problems
    assert [(it.language, it.level) for it in items] == [("en", 1), ("en", 2), ("en", 3), ("zh", 3), ("zh", 3)]


def test_unreachable_hub_id_is_one_clear_error():
    with pytest.raises(InputError, match="cannot load config 'en' from the Hub"):
        load_benchmark("NoSuchOwner/no-such-bench-xyz", languages=["en"])
