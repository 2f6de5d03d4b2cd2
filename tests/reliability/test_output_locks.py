"""#19 item 3 for corpus and qa: a second writer into a locked output folder is refused (exit 7).

The test process holds the folder's lock (``output_lock``), as a first run would; the CLI run
into the same folder must stop with one line naming the holder and write nothing.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from anestools.common.lock import LOCK_NAME, output_lock
from anestools.corpus.build import sample_path

SAMPLES = sample_path().parent


def _refused(code: int, stderr: str, out) -> None:
    assert code == 7, stderr
    assert "being written by pid" in stderr and "(holder)" in stderr
    assert "Traceback" not in stderr and stderr.count("error:") == 1, stderr
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # nothing written next to the lock


def test_corpus_build_second_writer_is_refused(cli, tmp_path):
    out = tmp_path / "corpus"
    with output_lock(out, "holder"):
        code, _, err = cli("-q", "corpus", "build", "--output", str(out), "--dedup", "none")
        _refused(code, err, out)
    code, _, err = cli("-q", "corpus", "build", "--output", str(out), "--dedup", "none")
    assert code == 0, err  # the lock is gone with its holder
    assert (out / "_SUCCESS").is_file() and not (out / LOCK_NAME).exists()


def test_corpus_pubmed_second_writer_is_refused(cli, tmp_path):
    out = tmp_path / "pm"
    with output_lock(out, "holder"):
        code, _, err = cli("-q", "corpus", "pubmed", str(SAMPLES / "pubmed_sample.xml"), "-o", str(out))
        _refused(code, err, out)


def _teacher_args(out) -> tuple[str, ...]:
    # the lock is taken before anything is asked: an unreachable teacher is never contacted
    return ("-o", str(out), "--model", "m", "--engine", "openai", "--base-url", "http://127.0.0.1:9/v1")


def test_qa_generate_second_writer_is_refused(cli, tmp_path):
    corpus = tmp_path / "corpus" / "en"
    corpus.mkdir(parents=True)
    pq.write_table(pa.table({"text": ["Sugammadex reverses rocuronium. " * 20], "id": ["1"], "language": ["en"],
                             "source": ["t"]}), corpus / "en.parquet")
    out = tmp_path / "qa"
    with output_lock(out, "holder"):
        code, _, err = cli("qa", "generate", str(tmp_path / "corpus"), *_teacher_args(out), "--min-tokens", "5")
        _refused(code, err, out)


def test_qa_translate_second_writer_is_refused(cli, tmp_path):
    src = tmp_path / "anesqa.parquet"
    pq.write_table(pa.table({"question": ["What reverses rocuronium?"], "answer": ["Sugammadex."],
                             "language": ["en"]}), src)
    out = tmp_path / "zh"
    with output_lock(out, "holder"):
        code, _, err = cli("qa", "translate", str(src), "--to", "zh", *_teacher_args(out))
        _refused(code, err, out)


def test_train_tokenize_second_writer_is_refused_then_publishes_into_the_folder(cli, tiny_model, tmp_path):
    from anestools.convert.core import convert

    src = tmp_path / "corpus.jsonl"
    src.write_text("".join(f'{{"text": "Spinal anaesthesia case {i}: bupivacaine, phenylephrine, no PDPH."}}\n'
                           for i in range(8)), encoding="utf-8")
    data = tmp_path / "data"
    convert([str(src)], data, kind="general")
    tok = tmp_path / "tok"
    args = ("train", "tokenize", "cpt", "--recipe", "tiny-cpu", "--model", str(tiny_model), "--data-dir", str(data),
            "--dataset", "general_all", "--tokenized-path", str(tok))
    with output_lock(tok, "holder"):
        code, _, err = cli(*args)
        _refused(code, err, tok)
    code, _, err = cli(*args)
    assert code == 0, err[-2000:]
    names = {p.name for p in tok.iterdir()}
    assert {"dataset_dict.json", "anestools_tokenize.json", "anestools_tokenize.log"} <= names
    assert LOCK_NAME not in names and not list(tmp_path.glob(".tok.partial*"))
    code, _, err = cli(*args, "--overwrite")  # replaced in place, under the lock
    assert code == 0, err[-2000:]
    assert (tok / "dataset_dict.json").is_file()
