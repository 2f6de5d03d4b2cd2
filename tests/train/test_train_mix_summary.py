"""``--mix`` parsing/rendering (checked by LLaMA-Factory's parser) and the end-of-run summary maths."""

from __future__ import annotations

import json

import pytest
import yaml

from anestools.errors import ConfigError
from anestools.train import summary
from anestools.train.mix import mix_keys, parse_mix


def test_parse_mix_and_keys():
    mix = parse_mix("anescorpus_en:0.9, general_en:0.1")
    assert mix.datasets == ("anescorpus_en", "general_en") and mix.probs == (0.9, 0.1)
    assert mix_keys("a:0.33,b:0.33,c:0.34", "interleave_over") == {
        "dataset": "a,b,c", "mix_strategy": "interleave_over", "interleave_probs": "0.33,0.33,0.34"}
    assert mix_keys("a:0.5,b:0.5")["mix_strategy"] == "interleave_under"


@pytest.mark.parametrize(
    ("text", "message"),
    [("a:0.9,b:0.2", "sum to 1.1, they must sum to 1"), ("a:0.9", "at least two datasets"),
     ("a,b", "expected NAME:WEIGHT"), ("a:x,b:0.5", "'x' is not a number"), ("a:0,b:1", "must be in (0, 1]"),
     ("a:0.5,a:0.5", "named twice"), ("a:nan,b:0.5", "must be in (0, 1]")],
)
def test_bad_mix_is_a_config_error(text, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        parse_mix(text)


def test_bad_mix_strategy():
    with pytest.raises(ConfigError, match="--mix-strategy 'concat'"):
        mix_keys("a:0.5,b:0.5", "concat")


def _dry(cli, tiny_model, data, out, *extra):
    return cli("train", "cpt", "--recipe", "tiny-cpu", "--model", str(tiny_model), "--data-dir", str(data),
               "--output", str(out), "--dry-run", *extra)


def test_mix_renders_keys_that_llamafactory_accepts(cli, tiny_model, mix_data, tmp_path):
    code, stdout, stderr = _dry(cli, tiny_model, mix_data, tmp_path / "o", "--mix", "anescorpus_all:0.9,general_all:0.1",
                                "--mix-strategy", "interleave_over")
    assert code == 0, stderr
    cfg = yaml.safe_load(stdout.split("anestools_train.yaml\n", 1)[1])
    assert cfg["dataset"] == "anescorpus_all,general_all"
    assert cfg["mix_strategy"] == "interleave_over" and cfg["interleave_probs"] == "0.9,0.1"
    assert cfg["include_num_input_tokens_seen"] == "non_padding"
    assert "LLaMA-Factory 0.9.5 parser" in stderr and "datasets anescorpus_all, general_all found" in stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [(("--mix", "anescorpus_all:0.9,general_xx:0.1"), "dataset 'general_xx' is not in"),
     (("--mix", "anescorpus_all:0.9,general_all:0.2"), "weights sum to 1.1"),
     (("--mix", "anescorpus_all:0.9,general_all:0.1", "--dataset", "anescorpus_all"), "drop --dataset"),
     (("--mix-strategy", "interleave_over"), "--mix-strategy needs --mix"),
     # LLaMA-Factory's own parser refuses probabilities with concat; the key and its origin are named.
     (("--mix", "anescorpus_all:0.9,general_all:0.1", "--set", "mix_strategy=concat"),
      "is only valid for interleaved mixing")],
    ids=["unknown-dataset", "sum", "with-dataset", "strategy-alone", "lf-parser-concat"],
)
def test_bad_mix_on_the_command_line(cli, tiny_model, mix_data, tmp_path, extra, message):
    code, _, stderr = _dry(cli, tiny_model, mix_data, tmp_path / "o", *extra)
    errors = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
    assert code == 2 and len(errors) == 1 and message in errors[0], stderr


def _run_dir(tmp_path, tokens, runtime, log_params="trainable params: 100 || all params: 1,000 || trainable%: 10.0"):
    out = tmp_path / "run"
    out.mkdir()
    (out / "trainer_state.json").write_text(json.dumps({"num_input_tokens_seen": tokens, "global_step": 10}))
    (out / "train_results.json").write_text(json.dumps({"train_runtime": runtime}))
    (out / "config.json").write_text(json.dumps({"num_hidden_layers": 2, "hidden_size": 8}))
    log = out / "train.log"
    log.write_text(f"old run\ntrainable params: 1 || all params: 2 || trainable%: 50\n{log_params}\n")
    return out, log


def test_summary_tokens_throughput_and_mfu(tmp_path):
    out, log = _run_dir(tmp_path, tokens=8_000, runtime=2.0)
    s = summary.summarize(out, log, world_size=4, config={"cutoff_len": 16}, device="NVIDIA H100 80GB HBM3")
    assert s["tokens_seen"] == 8_000 and s["tokens_per_s"] == 4_000 and s["tokens_per_s_per_gpu"] == 1_000
    assert (s["params"], s["trainable_params"]) == (1_000, 100)  # the last line of the appended log
    fpt = 4 * 1_000 + 2 * 100 + 12 * 2 * 8 * 16
    assert s["flops_per_token"] == fpt and s["peak_tflops_per_gpu"] == 989.0
    assert s["mfu"] == pytest.approx(1_000 * fpt / 989e12)
    assert "MFU" in summary.describe(s) and "1,000 tokens/s per GPU x 4" in summary.describe(s)
    # --peak-tflops wins over the table; full training is 6N (+ attention).
    s = summary.summarize(out, log, 1, {}, device="Some Future GPU", peak_tflops=100.0)
    assert s["mfu"] == pytest.approx(4_000 * (4_000 + 200) / 100e12)
    assert summary.flops_per_token(10, 10, None, None) == 60


def test_summary_after_resume_counts_only_this_session(tmp_path):
    out, log = _run_dir(tmp_path, tokens=10_000, runtime=5.0)
    ckpt = out / "checkpoint-5"
    ckpt.mkdir()
    (ckpt / "trainer_state.json").write_text(json.dumps({"num_input_tokens_seen": 6_000}))
    s = summary.summarize(out, log, 1, {}, resume_from=ckpt, device="cpu")
    assert s["tokens_seen"] == 4_000 and s["tokens_seen_total"] == 10_000 and s["tokens_per_s"] == 800
    assert s["mfu"] is None and any("CPU" in n for n in s["notes"])


def test_summary_without_token_counts_says_why(tmp_path):
    out, log = _run_dir(tmp_path, tokens=0, runtime=1.0, log_params="")
    (out / "train.log").write_text("no parameter line\n")
    s = summary.summarize(out, log, 1, {}, device="NVIDIA H200")
    assert s["tokens_seen"] is None and s["mfu"] is None and len(s["notes"]) == 2
    assert summary.describe(s).startswith("throughput: unknown (no num_input_tokens_seen")


@pytest.mark.parametrize(("name", "tflops"), [("NVIDIA GH200 480GB", 989.0), ("NVIDIA H100 PCIe", 756.0),
                                              ("NVIDIA A100-SXM4-80GB", 312.0), ("NVIDIA L40S", 362.0),
                                              ("NVIDIA L4", 121.0), ("Tesla T4", None)])
def test_peak_tflops_by_gpu_name(name, tflops):
    assert summary.peak_tflops_for(name) == tflops
