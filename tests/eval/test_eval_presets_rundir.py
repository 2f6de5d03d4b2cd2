"""Presets ship with the package (``-c paper`` anywhere); one run directory holds one run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import anestools
from anestools.errors import ConfigError
from anestools.eval.presets import preset_names, resolve_preset

ROOT = Path(__file__).resolve().parents[2]


def test_presets_are_package_resources_resolved_by_name():
    assert {"paper", "cpu-smoke", "self-consistency"} <= set(preset_names())
    pkg = Path(anestools.__file__).parent / "resources" / "eval"
    for name in ("paper", "paper.yaml", "configs/eval/paper.yaml"):
        assert resolve_preset(name).resolve() == (pkg / "paper.yaml").resolve()
    with pytest.raises(ConfigError, match="not a shipped preset .*cpu-smoke"):
        resolve_preset("nope")
    # the repository's configs/eval is a link to the packaged copy, not a second one
    assert (ROOT / "configs" / "eval").resolve() == pkg.resolve()


def test_preset_by_name_from_a_directory_outside_the_checkout(cli, fake_server, tmp_path, monkeypatch):
    url = fake_server()
    monkeypatch.chdir(tmp_path)  # no configs/ here
    code, _, stderr = cli("eval", "-c", "cpu-smoke", "--model", "m", "--engine", "openai", "--base-url", url,
                          "--limit", "2", "-o", "run")
    assert code == 0, stderr
    cfg = json.loads((tmp_path / "run" / "summary.json").read_text())["config"]
    assert cfg["max_new_tokens"] == 64 and cfg["concurrency"] == 4  # from the preset
    assert cfg["limit"] == 2 and cfg["engine"] == "openai"  # the command line wins
    code, _, stderr = cli("eval", "-c", "papr", "--model", "m")
    assert code == 2 and "not a shipped preset" in stderr


def test_second_run_with_other_settings_is_refused_unless_overwrite(cli, fake_server, tmp_path):
    url = fake_server()
    out = tmp_path / "run"
    base = ["eval", "--model", "m", "--base-url", url, "--limit", "2", "-o", str(out)]
    assert cli(*base)[0] == 0
    bilingual = (out / "summary.json").read_text()
    assert json.loads(bilingual)["config"]["languages"] == ["en", "zh"]

    code, _, stderr = cli(*base, "--lang", "en")
    assert code == 3 and "other settings (languages: ['en', 'zh'] -> ['en'])" in stderr and "--overwrite" in stderr
    assert (out / "summary.json").read_text() == bilingual  # untouched
    code, _, stderr = cli(*base, "--levels", "1")
    assert code == 3 and "levels" in stderr
    code, _, stderr = cli(*base, "--seed", "7")  # another seed is another run (#14's provenance records it)
    assert code == 3 and "seed: 0 -> 7" in stderr

    assert cli(*base, "--limit", "3")[0] == 0  # a longer run of the same selection is a resume
    code, _, stderr = cli(*base, "--lang", "en", "--overwrite")
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["languages"] == ["en"] and set(summary["scores"]) >= {"language=en"}
    assert "language=zh" not in summary["scores"]
