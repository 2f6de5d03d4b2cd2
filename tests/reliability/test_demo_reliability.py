"""#19 item 5: ``demo --workdir`` only touches a directory it made (``.demo/`` marker), else refuses."""

from __future__ import annotations

from anestools.common.lock import output_lock
from anestools.demo import MARKERS, claim_workdir


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_users_directory_is_refused_and_left_alone(cli, tmp_path):
    work = tmp_path / "mine"
    (work / "tiny-model").mkdir(parents=True)
    (work / "tiny-model" / "weights.bin").write_bytes(b"precious")
    (work / "data").mkdir()
    (work / "data" / "dataset_info.json").write_text('{"my_dataset": {}}')
    code, _, stderr = cli("-q", "demo", "--workdir", str(work))
    assert code == 3 and "was not made by `anestools demo`" in _one_line(stderr)
    assert (work / "tiny-model" / "weights.bin").read_bytes() == b"precious"
    assert (work / "data" / "dataset_info.json").read_text() == '{"my_dataset": {}}'
    assert not (work / MARKERS).exists()


def test_a_new_or_empty_directory_is_claimed_and_then_reused(tmp_path):
    for work in (tmp_path / "new", tmp_path / "empty"):
        if work.name == "empty":
            work.mkdir()
        claim_workdir(work)
        assert (work / MARKERS).is_dir()
        (work / "data").mkdir()
        claim_workdir(work)  # its own files do not make it foreign


def test_a_second_demo_on_the_same_workdir_is_refused(cli, tmp_path):
    work = tmp_path / "demo"
    claim_workdir(work)
    with output_lock(work, "anestools demo (first run)"):
        code, _, stderr = cli("-q", "demo", "--workdir", str(work))
    assert code == 7 and "first run" in _one_line(stderr)
