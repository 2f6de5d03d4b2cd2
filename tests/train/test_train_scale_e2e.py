"""Real LLaMA-Factory on CPU: a CPT run on a replay mix with its summary, and pre-tokenization."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

pytestmark = pytest.mark.slow

MIX = "anescorpus_all:0.8,general_all:0.2"


def test_cpt_on_a_mix_writes_the_summary(cli, tiny_model, mix_data, tmp_path):
    out = tmp_path / "cpt-mix"
    code, stdout, stderr = cli("train", "cpt", "--recipe", "tiny-cpu", "--model", str(tiny_model), "--data-dir",
                               str(mix_data), "--mix", MIX, "--output", str(out))
    assert code == 0, stderr[-2000:]
    cfg = yaml.safe_load((out / "anestools_train.yaml").read_text())
    assert (cfg["mix_strategy"], cfg["interleave_probs"]) == ("interleave_under", "0.8,0.2")
    log = (out / "train.log").read_text()
    assert "Loading dataset AnesCorpus_all.jsonl" in log and "Loading dataset General_all.jsonl" in log
    stats = json.loads((out / "anestools_summary.json").read_text())
    state = json.loads((out / "trainer_state.json").read_text())
    assert stats["tokens_seen"] == state["num_input_tokens_seen"] > 0
    assert stats["tokens_per_s"] > 0 and stats["world_size"] == 1 and stats["device"] == "cpu"
    assert f"all params: {stats['params']:,}" in log and stats["trainable_params"] == stats["params"]
    assert stats["mfu"] is None and stats["global_step"] == 4
    assert f"tokens seen: {stats['tokens_seen']:,} (non_padding)" in stdout


def test_tokenize_once_then_train_without_tokenizing(cli, tiny_model, mix_data, tmp_path):
    tok = tmp_path / "tok"
    args = ("--recipe", "tiny-cpu", "--model", str(tiny_model), "--data-dir", str(mix_data), "--mix", MIX)
    code, stdout, stderr = cli("train", "tokenize", "cpt", *args, "--tokenized-path", str(tok))
    assert code == 0, stderr[-2000:]
    assert f"tokenized data: {tok}" in stdout and f"--tokenized-path {tok}" in stdout
    manifest = json.loads((tok / "anestools_tokenize.json").read_text())
    assert manifest["stage"] == "pt" and manifest["data_args"]["dataset"] == "anescorpus_all,general_all"
    assert manifest["rows"]["train"] > 0 and (tok / "dataset_dict.json").is_file()
    assert "Running tokenizer on dataset" in (tok / "anestools_tokenize.log").read_text()
    assert not list(tmp_path.glob(".tok.partial*"))

    # Same settings again: nothing to do (a requeued Slurm job); other settings: refused.
    code, stdout, _ = cli("train", "tokenize", "cpt", *args, "--tokenized-path", str(tok))
    assert code == 0 and "up to date" in stdout
    code, _, stderr = cli("train", "tokenize", "cpt", *args[:-1], "anescorpus_all:0.5,general_all:0.5",
                          "--tokenized-path", str(tok))
    assert code == 3 and "interleave_probs='0.8,0.2' vs '0.5,0.5'" in stderr

    # Training needs no data flags: it loads the tokenized data and tokenizes nothing.
    out = tmp_path / "run"
    code, stdout, stderr = cli("train", "cpt", "--recipe", "tiny-cpu", "--model", str(tiny_model),
                               "--tokenized-path", str(tok), "--output", str(out))
    assert code == 0, stderr[-2000:]
    log = (out / "train.log").read_text()
    assert f"Loaded tokenized dataset from {tok}" in log
    assert "Running tokenizer on dataset" not in log and "Loading dataset General_all.jsonl" not in log
    cfg = yaml.safe_load((out / "anestools_train.yaml").read_text())
    assert cfg["tokenized_path"] == str(tok) and cfg["dataset"] == "anescorpus_all,general_all"
    assert json.loads((out / "anestools_summary.json").read_text())["tokens_seen"] > 0

    # A flag that contradicts the tokenized data, or the wrong stage, is refused before launch.
    code, _, stderr = cli("train", "cpt", "--recipe", "tiny-cpu", "--model", str(tiny_model), "--tokenized-path",
                          str(tok), "--output", str(tmp_path / "r2"), "--set", "cutoff_len=128")
    assert code == 2 and "cutoff_len=128 (from --set) contradicts" in stderr
    code, _, stderr = cli("train", "sft", "--recipe", "tiny-cpu", "--model", str(tiny_model), "--tokenized-path",
                          str(tok), "--output", str(tmp_path / "r3"))
    assert code == 2 and "tokenized for stage pt" in stderr
    assert not (tmp_path / "r2").exists() and not (tmp_path / "r3").exists()


def test_failed_tokenization_publishes_nothing(cli, tiny_model, mix_data, tmp_path):
    broken = tmp_path / "no-tokenizer"
    broken.mkdir()
    shutil.copy(tiny_model / "config.json", broken / "config.json")
    tok = tmp_path / "tok"
    code, _, stderr = cli("train", "tokenize", "sft", "--recipe", "tiny-cpu", "--model", str(broken),
                          "--data-dir", str(mix_data), "--tokenized-path", str(tok))
    assert code != 0 and "LLaMA-Factory preprocessing exited with code" in stderr
    assert not tok.exists() and not (tmp_path / ".tok.partial").exists()
