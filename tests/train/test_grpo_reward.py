"""The GRPO reward through the eval extractor: 1.0 exactly when eval would score the completion right."""

from __future__ import annotations

import pytest

from anestools.common.extract import extract
from anestools.train import reward

OPTIONS = ["Atropine", "Sugammadex", "Neostigmine", "Dantrolene"]


@pytest.mark.parametrize(
    ("completion", "gold", "expected"),
    [
        ("The answer is B.", "B", 1.0),  # committed answer, right
        ("Rocuronium is reversed by encapsulation. Answer: B", "B", 1.0),
        ("<think>Sugammadex binds rocuronium.</think>The answer is B.", "B", 1.0),
        ("The answer is C.", "B", 0.0),  # wrong letter
        ("I am not sure which of these it is.", "B", 0.0),  # no answer
        ("", "B", 0.0),
        ("<think>it could be B", "B", 0.0),  # unclosed reasoning: no answer
        ("It is A or B.", "B", 0.0),  # two letters: no answer, not a guess
        ("The answer is B.", "b", 1.0),  # gold letter case does not matter
    ],
)
def test_accuracy_string_completions(completion, gold, expected):
    assert reward.accuracy([completion], answer=[gold], options=[OPTIONS]) == [expected]
    # the same decision as the extractor eval scores with
    got = extract(completion, dict(zip("ABCD", OPTIONS))).letter
    assert (got == gold.upper()) == (expected == 1.0)


def test_conversational_completions_read_the_assistant_message():
    completions = [
        [{"role": "assistant", "content": "Answer: D"}],
        [{"role": "assistant", "content": "Answer: A"}],
        [{"role": "assistant", "content": "Hmm."}],
        [],
    ]
    assert reward.accuracy(completions, answer=["D", "D", "D", "D"], options=[OPTIONS] * 4) == [1.0, 0.0, 0.0, 0.0]


def test_extra_dataset_columns_are_accepted_like_trl_passes_them():
    got = reward.accuracy(["The answer is B."], answer=["B"], options=[OPTIONS], prompt=[[]], language=["en"],
                          trainer_state=None)
    assert got == [1.0]


def test_letter_outside_the_options_is_no_answer():
    assert reward.accuracy(["The answer is D."], answer=["D"], options=[OPTIONS[:3]]) == [0.0]


def test_format_term_pays_for_any_readable_answer_only():
    completions = ["The answer is C.", "The answer is B.", "no idea", "A or C"]
    assert reward.committed(completions, options=[OPTIONS] * 4, answer=["B"] * 4) == [1.0, 1.0, 0.0, 0.0]
