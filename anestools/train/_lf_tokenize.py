"""Run LLaMA-Factory's dataset preprocessing once and save it to ``tokenized_path``; load no model.

Why a standalone script: like ``_lf_check.py`` it runs in the training environment's Python
(``--launcher``), where ``anestools`` may not be installed, so it imports nothing from
``anestools``. It makes exactly the calls LLaMA-Factory's own ``run_pt`` / ``run_sft`` make
before loading the model (``get_train_args``, ``load_tokenizer``,
``get_template_and_fix_tokenizer``, ``get_dataset``); with a new ``tokenized_path``,
``get_dataset`` tokenizes and saves there. LLaMA-Factory 0.9.5 has no "tokenize and exit"
mode (``llamafactory-cli train`` would go on to load the model and train), hence this script.

Usage: ``python _lf_tokenize.py REQUEST.json``; request ``{"config": {...}, "answer": PATH}``;
the answer file gets ``{"rows": {split: n}, "data_args": {...}}``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile

# Keys that change what the tokenized data is not (speed, caching) or that we set ourselves.
NOT_FINGERPRINTED = ("tokenized_path", "preprocessing_num_workers", "preprocessing_batch_size", "overwrite_cache",
                     "buffer_size", "data_shared_file_system", "dataset_dir", "media_dir")
# Keys only needed by the training process; the parser would refuse them in one CPU process.
TRAINING_ONLY = ("deepspeed", "bf16", "fp16", "pure_bf16", "enable_liger_kernel", "quantization_bit",
                 "quantization_method", "resume_from_checkpoint")


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as fh:
        request = json.load(fh)
    from llamafactory.data import get_dataset, get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments, get_train_args
    from llamafactory.model import load_tokenizer

    cfg = {k: v for k, v in request["config"].items() if k not in TRAINING_ONLY}
    cfg["use_cpu"] = True
    with tempfile.TemporaryDirectory(prefix="anestools-tokenize-") as scratch:
        cfg["output_dir"] = scratch
        model_args, data_args, training_args, _finetuning_args, _ = get_train_args(cfg)
        tokenizer_module = load_tokenizer(model_args)
        template = get_template_and_fix_tokenizer(tokenizer_module["tokenizer"], data_args)
        module = get_dataset(template, model_args, data_args, training_args, stage=cfg["stage"], **tokenizer_module)
    rows = {}
    for split, key in (("train", "train_dataset"), ("validation", "eval_dataset")):
        ds = module.get(key)
        if isinstance(ds, dict):
            rows.update({f"{split}_{name}": len(d) for name, d in ds.items()})
        elif ds is not None:
            rows[split] = len(ds)
    fields = [f.name for f in dataclasses.fields(DataArguments) if f.name not in NOT_FINGERPRINTED]
    answer = {"rows": rows, "data_args": {k: request["config"].get(k) for k in fields}}
    with open(request["answer"], "w", encoding="utf-8") as fh:
        json.dump(answer, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
