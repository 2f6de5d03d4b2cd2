"""#27 items 11 and 15: benchmark records are validated with their types at the boundary (file, row,
field named; stop or --skip-invalid), and a bank without language takes the one --lang asked for."""

from __future__ import annotations

import json

import pytest

from anestools.common.anesbench import MAX_OPTION_CHARS, MAX_QUESTION_CHARS, load_benchmark
from anestools.common.bench_mapping import BenchMapping

GOOD = {"id": "q1", "question": "Which drug reverses rocuronium?", "A": "Neostigmine", "B": "Sugammadex",
        "C": "Atropine", "D": "Naloxone", "choice_num": 4, "target": "B", "category": 1}
OTHER = {**GOOD, "id": "q2", "question": "Which agent treats malignant hyperthermia?", "A": "Dantrolene",
         "target": "A"}


def _bank(tmp_path, *records, name="bank_en.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.mark.parametrize(("change", "needle"), [
    ({"question": ["Which drug", "reverses rocuronium?"]}, "field 'question' is a list"),
    ({"C": 3}, "option 'C' is an integer (3), expected a string"),
    ({"choice_num": "4"}, "field 'choice_num' = '4' is not an integer (a string)"),
    ({"category": "2"}, "field 'category' = '2' is not a level"),
    ({"category": "pharmacology"}, "field 'category' = 'pharmacology' is not a level"),
    ({"C": "sugammadex "}, "'B' and 'C' have the same text"),
    ({"question": "x" * 1_000_000}, f"field 'question' is 1,000,000 characters, over the limit of {MAX_QUESTION_CHARS:,}"),
    ({"A": "y" * (MAX_OPTION_CHARS + 1)}, "option 'A' is 2,001 characters"),
    ({"target": 2}, "field 'target' = 2 is an integer, expected a letter"),
    ({"id": ["q1"]}, "field 'id' is a list"),
])
def test_wrong_types_are_named_by_file_row_and_field_and_stop_the_run(cli, tmp_path, change, needle):
    bank = _bank(tmp_path, OTHER, {**GOOD, **change})
    code, _, stderr = cli("eval", "--benchmark", str(bank), "--model", "m", "--engine", "openai",
                          "--base-url", "http://127.0.0.1:9/v1", "-o", str(tmp_path / "run"))
    line = next(ln for ln in stderr.splitlines() if ln.startswith("error:"))
    assert code == 2 and "Traceback" not in stderr
    assert f"{bank} row 2" in line and needle in line and "--skip-invalid" in line, line
    # --skip-invalid follows the same policy: the bad row goes, the good one stays.
    bench = load_benchmark(str(bank), ["en"], skip_invalid=True)
    assert [it.id for it in bench.items] == ["q2"] and len(bench.invalid) == 1 and needle in bench.invalid[0]


def test_lowercase_target_and_integral_float_choice_num_are_accepted(tmp_path):
    bench = load_benchmark(str(_bank(tmp_path, {**GOOD, "target": "b", "choice_num": 4.0})), ["en"])
    assert bench.items[0].answer == "B" and not bench.invalid


def test_custom_bank_records_are_typed_too(tmp_path):
    rows = [{"stem": "Which drug reverses rocuronium?", "choices": ["Neostigmine", "Sugammadex"], "ok": 1},
            {"stem": {"text": "?"}, "choices": ["a", "b"], "ok": 0},
            {"stem": "Dose?", "choices": [5, 10], "ok": 0},
            {"stem": "Which?", "choices": ["Same", "same"], "ok": 0}]
    bank = _bank(tmp_path, *rows)
    mapping = BenchMapping.load(pairs=["question=stem", "options=choices", "answer=ok"])
    bench = load_benchmark(str(bank), ["en"], skip_invalid=True, mapping=mapping)
    assert len(bench.items) == 1
    assert "row 2 (id row-2): field 'stem' is an object" in bench.invalid[0]
    assert "row 3 (id row-3): option 'choices[0]' is an integer (5), expected a string" in bench.invalid[1]
    assert "'choices[0]' and 'choices[1]' have the same text" in bench.invalid[2]


def test_bank_without_language_takes_the_one_lang_and_says_so(cli, tmp_path):
    bank = _bank(tmp_path, GOOD, OTHER, name="inhouse.jsonl")  # no language field, no _en token
    code, _, stderr = cli("eval", "--benchmark", str(bank), "--lang", "en", "--model", "m", "--engine", "openai",
                          "--base-url", "http://127.0.0.1:9/v1", "-o", str(tmp_path / "run"))
    said = [ln for ln in stderr.splitlines() if ln.startswith("language:")]
    assert said == ["language: en for the questions that state none (no language field or file-name token; "
                    "from --lang en)"], stderr
    assert code == 4 and "unreachable" in stderr  # got past the benchmark, stopped at the (absent) server
    assert {it.language for it in load_benchmark(str(bank), ["en"]).items} == {"en"}


def test_bank_without_language_and_both_languages_hints_at_the_language_not_skip(cli, tmp_path):
    bank = _bank(tmp_path, GOOD, OTHER, name="inhouse.jsonl")
    code, _, stderr = cli("eval", "--benchmark", str(bank), "--model", "m", "--engine", "openai",
                          "--base-url", "http://127.0.0.1:9/v1", "-o", str(tmp_path / "run"))
    line = next(ln for ln in stderr.splitlines() if ln.startswith("error:"))
    assert code == 2 and "2 record(s) state no language: pass --lang en" in line and "--skip-invalid" not in line
    mapped = _bank(tmp_path, {"stem": "Which?", "choices": ["a", "b"], "ok": 0}, name="mapped.jsonl")
    code, _, stderr = cli("eval", "--benchmark", str(mapped), "--bench-field", "question=stem", "--bench-field",
                          "options=choices", "--bench-field", "answer=ok", "--model", "m", "--engine", "openai",
                          "--base-url", "http://127.0.0.1:9/v1", "-o", str(tmp_path / "run2"))
    assert code == 2 and "--bench-field language=en" in stderr


def test_records_that_state_their_language_are_not_overridden_by_the_sole_lang(tmp_path):
    bank = _bank(tmp_path, {**GOOD, "language": "zh"}, OTHER, name="mixed.jsonl")
    bench = load_benchmark(str(bank), ["en"])
    assert {it.key for it in bench.items} == {"zh:q1", "en:q2"} and bench.assumed_language == "en"
