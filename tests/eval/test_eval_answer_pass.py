"""The constrained answer pass against servers that implement SGLang's ``regex``, vLLM's
``guided_choice`` and OpenAI's ``logit_bias`` as documented (the loopback test server), and
against ``transformers serve`` on the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anestools.eval.answer_pass import letter_probability, pass_messages
from anestools.testing.fake_server import choose_letter


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def stats(base_url: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/stats", timeout=5) as resp:
        return json.loads(resp.read())


def _run(cli, url, out, *extra, model="m"):
    return cli("eval", "--model", model, "--engine", "openai", "--base-url", url, "--limit", "2", "-o", str(out),
               *extra)


@pytest.mark.parametrize(("server", "constraint"), [("sglang", "regex"), ("vllm", "guided_choice")])
def test_pass_decides_undecided_responses_with_the_servers_constraint(cli, fake_server, tmp_path, server,
                                                                      constraint):
    url = fake_server(vague=1, constrained=server)  # every response is one the rules cannot read
    out = tmp_path / "run"
    code, stdout, stderr = _run(cli, url, out)
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    cfg = summary["config"]["answer_pass"]
    assert (cfg["effective"], cfg["constraint"], cfg["route"], cfg["logprobs"]) == (
        "fallback", constraint, "continue_final_message", True)
    recs = lines(out / "predictions.jsonl")
    assert len(recs) == 4
    for r in recs:
        assert r["extract_status"] == "undecided" and r["rule_extracted"] is None
        assert r["extracted_by"] == "answer_pass" and r["answer_prob"] == pytest.approx(0.7)
        # the model finished its own response: "It is between X and …" -> X
        assert r["extracted"] == r["response"].split("between ")[1][0]
    ap = summary["answer_pass"]
    assert ap["asked"] == ap["decided"] == 4 and ap["accuracy_rules_only"] == 0.0
    assert ap["accuracy_with_pass"] == sum(r["correct"] for r in recs) / 4
    assert summary["extraction"]["answer_pass"] == 4 and stats(url)["answer_pass"] == 4 + 1  # + the probe
    assert "answer pass (fallback; " + constraint in (out / "report.md").read_text()


def test_fallback_does_not_ask_about_responses_the_rules_decide(cli, fake_server, tmp_path):
    url = fake_server(constrained="sglang")  # "Answer: X": the rules decide every response
    out = tmp_path / "run"
    code, _, stderr = _run(cli, url, out)
    assert code == 0, stderr
    assert stats(url)["answer_pass"] == 1  # the probe only
    recs = lines(out / "predictions.jsonl")
    assert all(r["extracted_by"] == "rule" and "answer_pass" not in r for r in recs)
    # --answer-pass always asks every response too, and measures agreement with the rules
    code, _, stderr = _run(cli, url, tmp_path / "always", "--answer-pass", "always")
    assert code == 0, stderr
    ap = json.loads((tmp_path / "always" / "summary.json").read_text())["answer_pass"]
    assert ap["asked"] == 4 and ap["decided"] == 0 and ap["agrees_with_rules"]["n"] == 4


def test_resume_keeps_the_probe_and_another_mode_is_another_run(cli, fake_server, tmp_path):
    url = fake_server(vague=1, constrained="sglang")
    out = tmp_path / "run"
    assert _run(cli, url, out)[0] == 0
    code, _, stderr = _run(cli, url, out)  # nothing left to ask: no probe, the finding is kept
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["answer_pass"]["constraint"] == "regex" and summary["answer_pass"]["decided"] == 4
    code, _, stderr = _run(cli, url, out, "--answer-pass", "off")
    assert code != 0 and "answer_pass_mode" in stderr and "Traceback" not in stderr


def test_logit_bias_on_an_openai_server_without_continuation(cli, fake_server, tiny_model, tmp_path):
    """A server that refuses continue_final_message (400) gets the follow-up turn; logit_bias goes on
    the letter tokens of the model's tokenizer.json."""
    url = fake_server(vague=1, constrained="openai", tokenizer=str(tiny_model))
    out = tmp_path / "run"
    code, _, stderr = _run(cli, url, out, model=str(tiny_model))
    assert code == 0, stderr
    cfg = json.loads((out / "summary.json").read_text())["config"]["answer_pass"]
    assert (cfg["constraint"], cfg["route"]) == ("logit_bias", "followup_turn")
    assert all(r["extracted_by"] == "answer_pass" for r in lines(out / "predictions.jsonl"))


def test_a_server_that_ignores_the_constraint_is_detected(cli, fake_server, tmp_path):
    url = fake_server(vague=1)  # knows none of the fields: answers as usual
    code, _, stderr = _run(cli, url, tmp_path / "always", "--answer-pass", "always")
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert code == 4 and len(errors) == 1 and "cannot run the constrained answer pass" in errors[0]
    assert "Traceback" not in stderr
    out = tmp_path / "fallback"
    code, _, stderr = _run(cli, url, out)  # the default: runs without it and says why
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["answer_pass"]["effective"] == "off"
    assert "not the only allowed letter" in summary["config"]["answer_pass"]["reason"]
    assert all(r["extracted_by"] == "none" for r in lines(out / "predictions.jsonl"))
    code, _, _ = _run(cli, url, tmp_path / "off", "--answer-pass", "off")
    assert code == 0 and stats(url).get("answer_pass") is None


def test_judge_is_asked_only_after_rules_and_pass(cli, fake_server, tmp_path):
    url = fake_server(vague=1, constrained="sglang")
    out = tmp_path / "run"
    code, _, stderr = _run(cli, url, out, "--judge-model", "judge", "--judge-base-url", url)
    assert code == 0, stderr
    assert stats(url).get("judged") is None  # the pass decided every response
    assert all(r["extracted_by"] == "answer_pass" and "judge" not in r for r in lines(out / "predictions.jsonl"))
    plain = fake_server(vague=1)  # no pass here: the judge decides
    code, _, stderr = _run(cli, plain, tmp_path / "judged", "--judge-model", "judge", "--judge-base-url", plain)
    assert code == 0, stderr
    assert stats(plain)["judged"] == 4
    assert all(r["extracted_by"] == "judge" for r in lines(tmp_path / "judged" / "predictions.jsonl"))


def test_continuation_and_followup_messages():
    msgs = [{"role": "user", "content": "Q?"}]
    cont = pass_messages(msgs, "Because of X.", "zh", "continue_final_message")
    assert cont[-1] == {"role": "assistant", "content": "Because of X.\n\n所以答案是（"}
    follow = pass_messages(msgs, "Because of X.", "en", "followup_turn")
    assert follow[1]["role"] == "assistant" and follow[2]["role"] == "user"
    assert follow[2]["content"].endswith("Therefore, the answer is (")


def test_letter_probability_is_renormalised_over_valid_letters():
    import math

    top = {"A": math.log(0.2), "B": math.log(0.6), " (": math.log(0.2)}
    assert letter_probability("B", top, math.log(0.6), "AB") == pytest.approx(0.75)
    assert letter_probability("B", None, math.log(0.6), "AB") == pytest.approx(0.6)
    assert letter_probability("B", None, None, "AB") is None


def test_fake_server_letter_choice_is_deterministic():
    assert choose_letter("A. x\nB. y") == choose_letter("A. x\nB. y")


@pytest.mark.slow
def test_transformers_serve_always_records_unknown_probabilities(cli, tiny_model, tmp_path):
    """transformers serve rejects continue_final_message (422) and ignores logprobs, but honours
    logit_bias: the pass runs as a follow-up turn and every probability is recorded as unknown."""
    out = tmp_path / "run"
    code, _, stderr = cli("eval", "--model", str(tiny_model), "--engine", "transformers", "--limit", "1",
                          "--max-new-tokens", "8", "--answer-pass", "always", "--startup-timeout", "120",
                          "-o", str(out))
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    cfg = summary["config"]["answer_pass"]
    assert (cfg["supported"], cfg["constraint"], cfg["route"], cfg["logprobs"]) == (
        True, "logit_bias", "followup_turn", False)
    recs = lines(out / "predictions.jsonl")
    for r in recs:
        ap = r["answer_pass"]
        assert ap["error"] is None and ap["letter"] in "ABCDEFGHI" and ap["prob"] is None
    assert summary["answer_pass"]["probability_unknown"] == len(recs) == summary["answer_pass"]["asked"]
