"""Your own multiple-choice bank through a field mapping; ``--limit`` as a count or a fraction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anestools.common.anesbench import load_benchmark
from anestools.common.bench_mapping import BenchMapping
from anestools.errors import ConfigError, InputError

LIST_BANK = [  # options as a list, answer as a 0-based index, no level, no id
    {"stem": "Which drug reverses rocuronium?", "choices": ["Neostigmine", "Sugammadex", "Atropine"], "correct": 1},
    {"stem": "Antidote to malignant hyperthermia?", "choices": ["Dantrolene", "Naloxone"], "correct": 0},
]
FIELDS_BANK = [  # letter fields, answer as option text, level and language fields
    {"qid": "q1", "q": "MAC of sevoflurane (%)?", "opa": "0.5", "opb": "2", "opc": "6", "opd": "105",
     "ans": "2", "difficulty": "System 1", "lang": "en"},
    {"qid": "q1", "q": "七氟烷的MAC约为多少（%）？", "opa": "0.5", "opb": "2", "opc": "6", "opd": "105",
     "ans": "2", "difficulty": 1, "lang": "zh"},
    {"qid": "q2", "q": "First step in a cannot-intubate cannot-oxygenate crisis?", "opa": "Call for help",
     "opb": "Give more propofol", "opc": "Leave", "opd": "Extubate", "ans": "call for help",
     "difficulty": "System 2", "lang": "en"},
]


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def test_list_options_index_answer_without_level_or_id(tmp_path):
    bank = _write(tmp_path / "bank.jsonl", LIST_BANK)
    mapping = BenchMapping.load(pairs=["question=stem", "options=choices", "answer=correct", "answer_format=index",
                                       "language=en"])
    items = load_benchmark(str(bank), mapping=mapping).items
    assert [(it.id, it.answer, it.level, len(it.options)) for it in items] == [("row-1", "B", None, 3),
                                                                               ("row-2", "A", None, 2)]
    assert items[0].options == {"A": "Neostigmine", "B": "Sugammadex", "C": "Atropine"}


def test_letter_fields_text_answer_level_and_language_from_yaml_with_flag_override(tmp_path):
    bank = _write(tmp_path / "bank.jsonl", FIELDS_BANK)
    spec = tmp_path / "map.yaml"
    spec.write_text("question: q\noptions: [opa, opb, opc, opd]\nanswer: ans\nanswer_format: letter\n"
                    "level: difficulty\nlanguage_field: lang\nid: qid\n")
    mapping = BenchMapping.load(spec, ["answer_format=text"])  # the flag wins over the file
    items = load_benchmark(str(bank), mapping=mapping).items
    assert [(it.key, it.answer, it.level) for it in items] == [("en:q1", "B", 1), ("zh:q1", "B", 1),
                                                               ("en:q2", "A", 3)]


def test_auto_answer_format_and_one_based_index(tmp_path):
    recs = [{"question": "x?", "options": {"A": "yes", "B": "no"}, "answer": "(b)", "id": 1},
            {"question": "y?", "options": ["yes", "no"], "answer": 2, "id": 2}]
    bank = _write(tmp_path / "bank_en.jsonl", recs)  # language from the file name
    items = load_benchmark(str(bank), mapping=BenchMapping.build({"index_base": 1})).items
    assert [it.answer for it in items] == ["B", "B"] and {it.language for it in items} == {"en"}


def test_invalid_records_name_file_row_and_field(tmp_path):
    bad = [{"stem": "", "choices": ["a", "b"], "correct": 0},
           {"stem": "ok?", "choices": ["a"], "correct": 0},
           {"stem": "ok?", "choices": ["a", "b"], "correct": 5},
           {"stem": "ok?", "choices": ["a", "b"], "correct": "c"}]
    bank = _write(tmp_path / "bank.jsonl", bad)
    mapping = BenchMapping.load(pairs=["question=stem", "options=choices", "answer=correct", "language=en"])
    with pytest.raises(InputError) as exc:
        load_benchmark(str(bank), mapping=mapping)
    msg = str(exc.value)
    assert "4 invalid" in msg and "bank.jsonl row 1 (id row-1): field 'stem' missing or empty" in msg
    assert "row 2 (id row-2): 1 options" in msg and "row 3 (id row-3): field 'correct' = 5 is outside" in msg
    assert "row 4 (id row-4): field 'correct' = 'c' matches no option text" in msg
    with pytest.raises(ConfigError, match="unknown key 'stem'"):
        BenchMapping.load(pairs=["stem=question"])
    with pytest.raises(ConfigError, match="answer_format 'number'"):
        BenchMapping.load(pairs=["answer_format=number"])
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        BenchMapping.load(pairs=["question"])


def test_limit_count_or_fraction_per_language():
    bench = load_benchmark(None)  # 36 en + 30 zh
    assert len(bench.select(["en", "zh"], None, 3)) == 6
    frac = bench.select(["en", "zh"], None, 0.1)
    assert sum(it.language == "en" for it in frac) == 4 and sum(it.language == "zh" for it in frac) == 3
    assert len(bench.select(["en", "zh"], None, 1.0)) == 66


def test_custom_bank_end_to_end_with_same_prompts_and_report(cli, fake_server, tmp_path):
    url = fake_server()
    bank = _write(tmp_path / "bank.jsonl", LIST_BANK * 1)
    out = tmp_path / "run"
    code, _, stderr = cli("eval", "--model", "m", "--base-url", url, "--benchmark", str(bank),
                          "--bench-field", "question=stem", "--bench-field", "options=choices",
                          "--bench-field", "answer=correct", "--bench-field", "language=en",
                          "--limit", "0.5", "-o", str(out))
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["questions"] == 1 and summary["complete"]  # half of 2, rounded up
    assert summary["config"]["benchmark_mapping"]["options"] == "choices" and summary["config"]["limit"] == 0.5
    assert set(summary["scores"]) == {"overall", "language=en"}  # no level groups without levels
    rec = json.loads((out / "predictions.jsonl").read_text().splitlines()[0])
    assert rec["level"] is None and rec["gold"] == "B" and rec["extracted"] in "ABC"
    assert "| en | 1 |" in (out / "report.md").read_text()
    code, _, stderr = cli("eval", "--model", "m", "--base-url", url, "--limit", "1.5", "-o", str(tmp_path / "x"))
    assert code == 2 and "fraction must be in (0, 1]" in stderr
    code, _, stderr = cli("eval", "--model", "m", "--base-url", url, "--limit", "ten", "-o", str(tmp_path / "x"))
    assert code == 2 and "count (50) or a fraction (0.1)" in stderr
