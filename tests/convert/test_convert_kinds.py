"""``convert --kind reasoning|rl`` on AnesR1 (``qa reason`` output) and ``qa generate --style mcq`` sets."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anestools.common.anesbench import Item
from anestools.convert.core import convert
from anestools.errors import ConfigError, InputError, OutputExistsError
from anestools.eval.prompts import PromptBuilder
from anestools.qa.store import SCHEMA as QA_SCHEMA

from .conftest import (
    CHAIN_EN,
    CHAIN_EN_2,
    CHAIN_ZH,
    CHAINS,
    EN_OPTIONS,
    EN_Q,
    ITEMS,
    ZH_OPTIONS,
    ZH_Q,
    item,
    write_anesr1,
)


def read_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def eval_prompt(question: str, options: list[str], language: str) -> str:
    """What eval asks for the same item (its default chain-of-thought prompt), word for word."""
    it = Item("x", language, None, question, dict(zip("ABCDEFGHI", options)), "A")
    return PromptBuilder("cot").messages(it)[-1]["content"]


def test_reasoning_alpaca_puts_the_chain_in_a_think_block(anesr1_dir, tmp_path):
    out = tmp_path / "data"
    res = convert([str(anesr1_dir)], out, kind="reasoning")  # the folder: the items file is left out
    rows = read_jsonl(out / "AnesR1_all.jsonl")
    assert rows == [
        {"instruction": "", "input": eval_prompt(EN_Q, EN_OPTIONS, "en"),
         "output": f"<think>\n{CHAIN_EN}\n</think>\n\nAnswer: B"},
        {"instruction": "", "input": eval_prompt(EN_Q, EN_OPTIONS, "en"),
         "output": f"<think>\n{CHAIN_EN_2}\n</think>\n\nAnswer: B"},  # every verified chain is an example
        {"instruction": "", "input": eval_prompt(ZH_Q, ZH_OPTIONS, "zh"),
         "output": f"<think>\n{CHAIN_ZH}\n</think>\n\n答案：B"},
    ]
    assert "逐步思考" in rows[2]["input"] and "A. 新斯的明\nB. 舒更葡糖钠\nC. 阿托品" in rows[2]["input"]
    info = json.loads((out / "dataset_info.json").read_text())
    assert info == {"anesr1_all": {"file_name": "AnesR1_all.jsonl", "anestools_kind": "reasoning",
                                   "columns": {"prompt": "instruction", "query": "input", "response": "output"}}}
    assert res.skipped_inputs == [(str(anesr1_dir / "anesr1_items.parquet"),
                                   "lists items without chains (the chains are in anesr1.parquet)")]
    assert res.totals().written == 3


def test_reasoning_sharegpt_with_system_and_language_split(anesr1_dir, tmp_path):
    out = tmp_path / "data"
    convert([str(anesr1_dir / "anesr1.parquet")], out, kind="reasoning", split="zh", style="sharegpt",
            instruction="You are an anesthesiologist.")
    assert read_jsonl(out / "AnesR1_cn.jsonl") == [{
        "conversations": [{"from": "human", "value": eval_prompt(ZH_Q, ZH_OPTIONS, "zh")},
                          {"from": "gpt", "value": f"<think>\n{CHAIN_ZH}\n</think>\n\n答案：B"}],
        "system": "You are an anesthesiologist."}]
    entry = json.loads((out / "dataset_info.json").read_text())["anesr1_cn"]
    assert entry["formatting"] == "sharegpt" and entry["columns"] == {"messages": "conversations", "system": "system"}


def test_rl_rows_follow_the_contract_one_per_item(anesr1_dir, tmp_path):
    out = tmp_path / "data"
    res = convert([str(anesr1_dir)], out, kind="rl")  # the folder: anesr1_items.parquet, every item once
    rows = read_jsonl(out / "anesrl_all.jsonl")
    assert [r["id"] for r in rows] == ["q1", "z1", "u1"]
    assert rows[0] == {"id": "q1", "prompt": [{"role": "user", "content": eval_prompt(EN_Q, EN_OPTIONS, "en")}],
                       "answer": "B", "options": EN_OPTIONS, "language": "en", "level": 1}
    assert rows[1]["prompt"][0]["content"] == eval_prompt(ZH_Q, ZH_OPTIONS, "zh")
    assert rows[1]["level"] is None and rows[1]["language"] == "zh"
    info = json.loads((out / "dataset_info.json").read_text())
    assert info == {"anesrl_all": {"file_name": "anesrl_all.jsonl", "anestools_kind": "rl"}}
    assert [s for s, _ in res.skipped_inputs] == [str(anesr1_dir / "anesr1.parquet")]


def test_rl_from_chains_only_writes_each_item_once(anesr1_dir, tmp_path):
    out = tmp_path / "data"
    res = convert([str(anesr1_dir / "anesr1.parquet")], out, kind="rl", name="anesr1_rl")
    assert [r["id"] for r in read_jsonl(out / "anesr1_rl.jsonl")] == ["q1", "z1"]  # file named after --name
    c = res.counts[(str(anesr1_dir / "anesr1.parquet"), "en")]
    assert (c.read, c.written, c.duplicate) == (2, 1, 1)


def test_difficulty_filter_is_counted(anesr1_dir, tmp_path):
    out = tmp_path / "data"
    res = convert([str(anesr1_dir / "anesr1_items.parquet")], out, kind="rl", difficulty=["easy", "mixed"])
    assert [r["id"] for r in read_jsonl(out / "anesrl_all.jsonl")] == ["q1", "z1"]
    t = res.totals()
    assert (t.read, t.written, t.filtered) == (3, 2, 1)
    out2 = tmp_path / "data2"
    convert([str(anesr1_dir / "anesr1.parquet")], out2, kind="reasoning", difficulty=["mixed"])
    assert [r["output"] for r in read_jsonl(out2 / "AnesR1_all.jsonl")] == [f"<think>\n{CHAIN_ZH}\n</think>\n\n答案：B"]


def write_mcq_set(path: Path) -> Path:
    """A `qa generate --style mcq` set: the qa store's own schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    base = {c: None for c in QA_SCHEMA.names}
    rows = [
        {**base, "question": f"{EN_Q}\nA. Neostigmine\n...", "answer": "Sugammadex ... Answer: B", "language": "en",
         "pair_id": "p-1", "style": "mcq", "stem": EN_Q, "options": EN_OPTIONS, "target": "B", "level": 2},
        {**base, "question": "...", "answer": "...", "language": "zh", "pair_id": "p-2", "style": "mcq",
         "stem": ZH_Q, "options": ZH_OPTIONS, "target": "A", "level": 1},
    ]
    pq.write_table(pa.Table.from_pylist(rows, QA_SCHEMA), path)
    return path


def test_rl_from_a_qa_mcq_set(tmp_path):
    mcq = write_mcq_set(tmp_path / "anesqa-mcq" / "anesqa.parquet")
    out = tmp_path / "data"
    convert([str(mcq)], out, kind="rl", split="en")
    assert read_jsonl(out / "anesrl_en.jsonl") == [
        {"id": "p-1", "prompt": [{"role": "user", "content": eval_prompt(EN_Q, EN_OPTIONS, "en")}],
         "answer": "B", "options": EN_OPTIONS, "language": "en", "level": 2}]
    with pytest.raises(InputError, match="has no reasoning chains: run `anestools qa reason`"):
        convert([str(mcq)], tmp_path / "d2", kind="reasoning")
    with pytest.raises(InputError, match="--difficulty needs a 'difficulty' column"):
        convert([str(mcq)], tmp_path / "d3", kind="rl", difficulty=["mixed"])


@pytest.mark.parametrize(("change", "kind", "message"), [
    ({"answer": "E"}, "rl", r"row 2: field 'answer' is 'E', expected one of the option letters A, B, C$"),
    ({"options": ["only one"]}, "rl", r"row 2: field 'options' has 1 options, expected 2 to 9"),
    ({"options": ["A1", " ", "C1"]}, "rl", r"row 2: field 'options': option B is empty"),
    ({"language": None}, "rl", r"row 2: field 'language' is None"),
    ({"reasoning": "<think>leaked</think> chain"}, "reasoning", r"row 2: field 'reasoning' holds a <think> tag"),
])
def test_a_bad_row_names_file_row_and_field_and_writes_nothing(tmp_path, change, kind, message):
    chains = [CHAINS[0], {**CHAINS[2], **change}]
    src = write_anesr1(tmp_path / "run", chains=chains, items=chains)
    out = tmp_path / "data"
    name = "anesr1.parquet"
    with pytest.raises(InputError, match=message) as err:
        convert([str(src / name)], out, kind=kind)
    assert str(src / name) in str(err.value)
    assert not out.exists() or sorted(p.name for p in out.iterdir() if not p.name.startswith(".anestools")) == []


def test_auto_refuses_to_guess_an_anesr1_file(anesr1_dir, tmp_path):
    with pytest.raises(InputError, match="pass --kind reasoning .* or --kind rl"):
        convert([str(anesr1_dir / "anesr1.parquet")], tmp_path / "data")


def test_option_combinations_are_refused_before_anything_is_written(anesr1_dir, tmp_path):
    out = tmp_path / "data"
    src = str(anesr1_dir / "anesr1_items.parquet")
    for kwargs, message in [
        ({"kind": "rl", "fmt": "json"}, "--kind rl writes JSONL"),
        ({"kind": "rl", "style": "sharegpt"}, "do not apply to --kind rl"),
        ({"kind": "rl", "name": "../x"}, "is also its file name"),
        ({"kind": "qa", "difficulty": ["easy"]}, "--difficulty applies to --kind reasoning and --kind rl only"),
        ({"kind": "rl", "difficulty": ["hard"]}, "unknown --difficulty hard"),
    ]:
        with pytest.raises(ConfigError, match=message):
            convert([src], out, **kwargs)
    assert not (out / "dataset_info.json").exists()


def test_existing_outputs_and_entries_are_never_replaced_silently(anesr1_dir, tmp_path):
    out = tmp_path / "data"
    src = str(anesr1_dir / "anesr1_items.parquet")
    convert([src], out, kind="rl")
    before = (out / "anesrl_all.jsonl").read_bytes()
    with pytest.raises(OutputExistsError):
        convert([src], out, kind="rl", difficulty=["mixed"])
    assert (out / "anesrl_all.jsonl").read_bytes() == before
    (out / "anesrl_all.jsonl").unlink()
    info = json.loads((out / "dataset_info.json").read_text())
    info["anesrl_all"] = {"file_name": "mine.jsonl"}
    (out / "dataset_info.json").write_text(json.dumps(info))
    with pytest.raises(InputError, match="entry 'anesrl_all' exists with a different definition"):
        convert([src], out, kind="rl")
    assert not (out / "anesrl_all.jsonl").exists()
    convert([src], out, kind="rl", overwrite=True)
    assert json.loads((out / "dataset_info.json").read_text())["anesrl_all"]["anestools_kind"] == "rl"


def test_cli_kinds_and_one_line_errors(cli, anesr1_dir, tmp_path):
    code, stdout, stderr = cli("convert", str(anesr1_dir), "--kind", "rl", "--difficulty", "easy,mixed",
                               "-o", str(tmp_path / "data"))
    assert code == 0, stderr
    assert "rl: 2 rows" in stdout and "anesrl_all" in stdout
    bad = write_anesr1(tmp_path / "bad", items=[*ITEMS[:2], item("u9", "Q?", ["a", "b"], "Z", "en", "mixed", 1)])
    code, _, stderr = cli("convert", str(bad / "anesr1_items.parquet"), "--kind", "rl", "-o", str(tmp_path / "d2"))
    assert code == 2
    assert "row 3: field 'answer' is 'Z'" in stderr and "Traceback" not in stderr


def test_jsonl_input_with_an_all_null_column_is_a_clear_error(tmp_path):
    src = tmp_path / "in" / "r1_en.jsonl"
    src.parent.mkdir()
    rows = [{"id": "q1", "question": EN_Q, "options": EN_OPTIONS, "answer": "B", "reasoning": None,
             "response": None, "language": "en"}]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with pytest.raises(InputError, match="column 'reasoning' holds no value in any row"):
        convert([str(src)], tmp_path / "data", kind="reasoning")
    convert([str(src)], tmp_path / "data", kind="rl")  # the chain is not needed for RL
    assert read_jsonl(tmp_path / "data" / "anesrl_all.jsonl")[0]["answer"] == "B"


def test_the_items_file_alone_has_no_chains_for_reasoning(anesr1_dir, tmp_path):
    with pytest.raises(InputError, match=r"no input left to convert .*anesr1_items.parquet: lists items without chains"):
        convert([str(anesr1_dir / "anesr1_items.parquet")], tmp_path / "data", kind="reasoning")


def test_the_fixture_and_file_names_match_what_qa_reason_writes():
    """The AnesR1 contract, both sides: the fixture's schema and the names convert knows are qa reason's."""
    from anestools.convert import mcq
    from anestools.qa import reason

    from .conftest import ANESR1_SCHEMA

    assert ANESR1_SCHEMA.equals(reason.SCHEMA)
    assert (mcq.ANESR1, mcq.ANESR1_ITEMS) == (reason.DATASET, reason.ITEMS)
