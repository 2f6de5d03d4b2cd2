"""Proof that ``convert --kind reasoning`` puts the chain where LLaMA-Factory's reasoning templates train on it.

One real ``llamafactory-cli train`` (stage sft, template qwen3, 1 step, CPU, tiny local model) on
the converted AnesR1 fixture: the training example LLaMA-Factory logs holds the chain inside the
thinking block, in the labels. Then LLaMA-Factory's public template API on the converted record
shows what the other templates do with it (docs/convert.md, "Which templates").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
import yaml

from anestools.convert.core import convert
from anestools.convert.mcq import THINK_CLOSE, THINK_OPEN

from .conftest import CHAIN_EN, EN_Q, write_anesr1

pytest.importorskip("llamafactory")
pytestmark = pytest.mark.slow

# Templates docs/convert.md names as training on the stored thinking block as it is.
SAME_THOUGHT_WORDS = ("qwen3", "qwen3_5", "qwen3_6", "deepseekr1", "glm4_moe", "glmz1", "mimo", "minimax2", "youtu",
                      "qwen3_vl", "qwen3_omni", "glm4v", "glm4_5v", "mimo_vl", "keye_vl", "ernie_vl")


@pytest.fixture(scope="module")
def reasoning_data(tmp_path_factory) -> Path:
    src = write_anesr1(tmp_path_factory.mktemp("anesr1") / "run")
    out = tmp_path_factory.mktemp("lf-reasoning")
    convert([str(src / "anesr1.parquet")], out, kind="reasoning")
    return out


def _first_record(data: Path) -> dict:
    return orjson.loads((data / "AnesR1_all.jsonl").read_bytes().splitlines()[0])


def test_qwen3_sft_trains_on_the_chain_inside_the_thinking_block(tmp_path, tiny_model, reasoning_data):
    cfg = {
        "model_name_or_path": str(tiny_model), "stage": "sft", "do_train": True, "finetuning_type": "full",
        "dataset": "anesr1_all", "dataset_dir": str(reasoning_data), "template": "qwen3", "cutoff_len": 1024,
        "resize_vocab": True,  # qwen3's <|im_end|> is new to the tiny tokenizer
        "output_dir": str(tmp_path / "out"), "max_steps": 1, "per_device_train_batch_size": 1,
        "learning_rate": 1e-4, "logging_steps": 1, "report_to": "none", "use_cpu": True,
        "overwrite_output_dir": True,
    }
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    exe = Path(sys.executable).with_name("llamafactory-cli")
    env = {**os.environ, "DISABLE_VERSION_CHECK": "1", "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([str(exe), "train", str(tmp_path / "cfg.yaml")], capture_output=True, text=True,
                          timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert "Num examples = 3" in log
    inputs = log.split("inputs:", 1)[1].split("label_ids:", 1)[0]
    labels = log.split("labels:", 1)[1][:3000]
    block = f"{THINK_OPEN}{CHAIN_EN}{THINK_CLOSE}Answer: B"
    # the prompt (eval's question) is context, not learnt; the whole thinking block and answer are learnt
    assert EN_Q in inputs and EN_Q not in labels
    assert f"<|im_start|>assistant\n{block}<|im_end|>" in inputs
    assert labels.lstrip().startswith(block)


def test_templates_handle_the_stored_block_as_documented(tiny_model, reasoning_data):
    from llamafactory.data import TEMPLATES, get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments
    from transformers import AutoTokenizer

    for name in SAME_THOUGHT_WORDS:  # the stored form is exactly their thinking block
        assert TEMPLATES[name].thought_words == (THINK_OPEN, THINK_CLOSE), name
    rec = _first_record(reasoning_data)
    messages = [{"role": "user", "content": rec["input"]}, {"role": "assistant", "content": rec["output"]}]

    def encode(template: str, enable_thinking: bool = True) -> tuple[str, str]:
        tok = AutoTokenizer.from_pretrained(tiny_model)
        tpl = get_template_and_fix_tokenizer(tok, DataArguments(template=template, enable_thinking=enable_thinking))
        prompt, response = tpl.encode_oneturn(tok, messages)
        return tok.decode(prompt), tok.decode(response)

    block = f"{THINK_OPEN}{CHAIN_EN}{THINK_CLOSE}Answer: B"
    # reasoning templates (hy3: thought words without the newlines): no empty block added, the chain is learnt
    for name in ("qwen3", "deepseekr1", "hy3"):
        prompt, response = encode(name)
        assert response.startswith(block) and CHAIN_EN not in prompt, name
    # enable_thinking: false drops the chain: only the final answer is learnt
    prompt, response = encode("qwen3", enable_thinking=False)
    assert CHAIN_EN not in prompt + response and response.startswith("Answer: B")
    # a non-reasoning template trains on the tags as plain text in the answer
    prompt, response = encode("default")
    assert response.startswith(block) and CHAIN_EN not in prompt
    # other thought words (seed_oss): an empty block of its own is added in front of ours
    prompt, response = encode("seed_oss")
    assert response.startswith("<seed:think></seed:think>" + block)
