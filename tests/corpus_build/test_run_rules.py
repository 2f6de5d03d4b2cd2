"""Rules both corpus commands share (``anestools.corpus.run``): resume identity, refusals, options."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from anestools.corpus.build import sample_path

SAMPLES = Path(__file__).resolve().parents[2] / "anestools" / "resources" / "samples"
PUBMED = str(SAMPLES / "pubmed_sample.xml")


def test_other_settings_are_not_refused_when_nothing_was_written(cli, tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    shutil.copy(sample_path(), data / "a.parquet")
    (data / "b.parquet").write_bytes(b"PAR1" + b"\0" * 16 + b"PAR1")
    out = tmp_path / "o"
    code, _, _ = cli("-q", "corpus", "build", str(data), "-o", str(out), "--tasks", "1")
    assert code == 4 and (out / "_logs" / "run.json").is_file()  # failed before any task completed
    code, _, err = cli("-q", "corpus", "build", "-o", str(out), "--dedup", "none")  # other settings
    assert code == 0, err


def test_torn_run_record_is_one_line(cli, tmp_path):
    out = tmp_path / "o"
    assert cli("-q", "corpus", "pubmed", PUBMED, "-o", str(out))[0] == 0
    (out / "_logs" / "run.json").write_text('{"command": "corpus pub')
    code, _, err = cli("corpus", "pubmed", PUBMED, "-o", str(out))
    assert code == 3 and "run.json: not valid JSON" in err and "Traceback" not in err
    assert cli("-q", "corpus", "pubmed", PUBMED, "-o", str(out), "--overwrite")[0] == 0


def test_pubmed_lists_edited_in_place_do_not_resume_silently(cli, tmp_path):
    journals = tmp_path / "journals.tsv"
    journals.write_text("Anesth Analg\tAnesthesia and analgesia\n")
    out = tmp_path / "o"
    args = ("-q", "corpus", "pubmed", PUBMED, "-o", str(out), "--journal-list", str(journals))
    assert cli(*args)[0] == 0
    assert cli(*args)[0] == 0  # same content: nothing to do
    journals.write_text("Anesth Analg\tAnesthesia and analgesia\nBr J Anaesth\tBritish journal of anaesthesia\n")
    code, _, err = cli(*args)
    assert code == 3 and "differs: journal_file" in err


def test_build_lexicon_edited_in_place_does_not_resume_silently(cli, tmp_path):
    from anestools.corpus.lexicon import shipped_lexicon_files

    lex = tmp_path / "lex.txt"
    shutil.copy(shipped_lexicon_files()[0], lex)
    out = tmp_path / "o"
    args = ("-q", "corpus", "build", "-o", str(out), "--lexicon", str(lex), "--languages", "en")
    assert cli(*args)[0] == 0
    lex.write_text(lex.read_text() + "\n[strong]\nxylocaine-extra\n")
    code, _, err = cli(*args)
    assert code == 3 and "differs: lexicon" in err


def test_inputs_positional_or_input_option_in_both_commands(cli, tmp_path):
    for cmd, src in (("build", str(sample_path())), ("pubmed", PUBMED)):
        a, b = tmp_path / f"{cmd}-pos", tmp_path / f"{cmd}-opt"
        assert cli("-q", "corpus", cmd, src, "-o", str(a), *(["--dedup", "none"] if cmd == "build" else []))[0] == 0
        assert cli("-q", "corpus", cmd, "--input", src, "-o", str(b),
                   *(["--dedup", "none"] if cmd == "build" else []))[0] == 0
        assert sorted(p.name for p in a.glob("*/*.parquet")) == sorted(p.name for p in b.glob("*/*.parquet"))
        a_rec, b_rec = (json.loads((d / "_logs" / "run.json").read_text()) for d in (a, b))
        assert a_rec == b_rec  # the same run, however the inputs were given


def test_executor_options_are_declared_once_for_both_commands(cli):
    for cmd in ("build", "pubmed"):
        code, out, _ = cli("corpus", cmd, "--help")
        assert code == 0
        for opt in ("--executor", "--tasks", "--workers", "--slurm-partition", "--slurm-time", "--slurm-arg",
                    "--slurm-env-command", "--ray-cpus-per-task", "--keep-excluded", "--input"):
            assert opt in out, (cmd, opt)


def test_keep_excluded_writes_each_steps_drops_with_the_reason(cli, tmp_path):
    dropped = tmp_path / "dropped"
    code, _, err = cli("-q", "corpus", "build", "-o", str(tmp_path / "o"), "--keep-excluded", str(dropped))
    assert code == 0, err
    steps = {p.name for p in dropped.iterdir()}
    assert {"relevance", "language", "c4-quality", "gopher-repetition", "duplicates"} <= steps
    recs = [json.loads(line) for f in (dropped / "language").glob("*.jsonl.gz")
            for line in gzip.decompress(f.read_bytes()).splitlines()]
    assert recs and all(r["metadata"]["filter_reason"] in ("other_language", "undetected", "not_selected") for r in recs)
    # the source file of each dropped page (datatrove's add_file_path, on only with --keep-excluded)
    assert all(r["metadata"]["file_path"].endswith("web_sample.parquet") for r in recs)


def _fake_scontrol(bin_dir: Path, state: str) -> None:
    """``scontrol -o show job ID`` answering one array task of job 4242 in ``state``."""
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "scontrol"
    script.write_text("#!/bin/sh\n"
                      f'echo "JobId=4243 ArrayJobId=4242 ArrayTaskId=1 JobName=anescorpus-filter JobState={state} '
                      'Reason=None ExitCode=0:0"\n')
    script.chmod(0o755)


def test_rerun_is_refused_while_an_earlier_runs_slurm_jobs_are_queued(cli, tmp_path, monkeypatch):
    """Gap of the one-node cluster: a rerun while the same output's jobs were still pending submitted
    the work twice. Now refused (exit 7) naming the jobs, also with --overwrite; allowed once they ended."""
    from anestools.common.slurm import JobRecorder
    from anestools.corpus.run import refuse_while_jobs_run

    out = tmp_path / "out"
    JobRecorder(str(out / "_logs" / "slurm_jobs.jsonl"), "anescorpus-filter", "run-1")("Submitted batch job 4242")
    _fake_scontrol(tmp_path / "bin", "PENDING")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{__import__('os').environ['PATH']}")
    for extra in ((), ("--overwrite",)):
        code, _, err = cli("corpus", "build", str(sample_path()), "--output", str(out), *extra)
        assert code == 7, err
        assert "1 Slurm job(s) of an earlier run" in err and "anescorpus-filter (job 4242_1) PENDING" in err
        assert "scancel 4242" in err
    assert sorted(p.name for p in out.iterdir()) == ["_logs"]  # nothing else written
    _fake_scontrol(tmp_path / "bin", "CANCELLED")
    refuse_while_jobs_run(out)  # finished or cancelled: a rerun may go on
