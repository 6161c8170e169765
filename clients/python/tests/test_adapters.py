"""The trainer adapters have the trainers' shapes and turn pairwise verdicts into the right rewards."""

import pytest
from test_results import dead_letter_record, reward_record

from rewardstream import DeadLetteredError, PairReward
from rewardstream.adapters import (
    TrlPairwiseJudge,
    grpo_reward_func,
    openrlhf_handle,
    openrlhf_reward_func,
    pairwise_group_rewards,
    verl_compute_score,
)
from rewardstream.types import DeadLetter


class FakeClient:
    """score_pairs by rule: a response containing 'right' beats one without; 'bad' is dead-lettered."""

    def __init__(self):
        self.calls = []

    def score_pairs(self, pairs, timeout=None, *, return_exceptions=False):
        self.calls.append(list(pairs))
        out = []
        for i, p in enumerate(pairs):
            if "bad" in p.response_a:
                out.append(
                    DeadLetteredError(
                        f"id-{i}", DeadLetter.from_avro(dead_letter_record(f"id-{i}"))
                    )
                )
                continue
            a, b = "right" in p.response_a, "right" in p.response_b
            prob = 0.9 if a and not b else 0.1 if b and not a else 0.5
            out.append(PairReward.from_avro(reward_record(f"id-{i}", p_a_better=prob)))
        assert return_exceptions
        return out


def test_trl_judge_returns_the_index_of_the_better_completion_whatever_the_shuffle():
    client = FakeClient()
    judge = TrlPairwiseJudge(client, seed=1)
    prompts = ["q1", "q2", "q3", "q4", "q5", "q6"]
    completions = [["right", "no"], ["no", "right"]] * 3
    assert judge.judge(prompts, completions) == [0, 1] * 3
    assert judge.judge(prompts, completions, shuffle_order=False) == [0, 1] * 3
    sent = [(p.response_a, p.response_b) for p in client.calls[0]]
    assert ("no", "right") in sent[::2], "with shuffle_order some pairs are sent swapped"


def test_trl_judge_scores_and_failures():
    judge = TrlPairwiseJudge(FakeClient(), seed=3)
    scores = judge.judge(["q", "q"], [["right", "no"], ["no", "right"]], return_scores=True)
    assert scores == pytest.approx([0.9, 0.1])
    assert judge.judge(["q"], [["bad", "x"]], shuffle_order=False) == [-1]


def test_trl_judge_accepts_conversational_completions():
    judge = TrlPairwiseJudge(FakeClient(), seed=0)
    completions = [
        [[{"role": "assistant", "content": "no"}], [{"role": "assistant", "content": "right"}]]
    ]
    assert judge.judge([[{"role": "user", "content": "q"}]], completions) == [1]


def test_round_robin_group_rewards_rank_the_right_completions_first_and_sum_to_zero():
    client = FakeClient()
    prompts = ["p1"] * 4 + ["p2"] * 2
    completions = ["right", "no", "right too", "nope", "x", "right"]
    rewards = pairwise_group_rewards(client, prompts, completions)
    assert len(client.calls) == 1 and len(client.calls[0]) == 6 + 1  # 4*3/2 + 2*1/2 pairs
    assert rewards[0] == rewards[2] > 0 > rewards[1] == rewards[3]
    assert sum(rewards[:4]) == pytest.approx(0) and rewards[4] == pytest.approx(-0.4)


def test_anchor_and_reference_strategies():
    client = FakeClient()
    assert (
        len(pairwise_group_rewards(client, ["p"] * 4, ["right", "a", "b", "c"], strategy="anchor"))
        == 4
    )
    assert len(client.calls[-1]) == 3
    rewards = pairwise_group_rewards(
        client, ["p", "p"], ["right", "no"], ["right answer"] * 2, strategy="reference"
    )
    assert rewards == pytest.approx([0.0, -0.4])


def test_a_lone_completion_needs_a_reference():
    with pytest.raises(ValueError, match="reference"):
        pairwise_group_rewards(FakeClient(), ["p"], ["a"])
    assert pairwise_group_rewards(FakeClient(), ["p"], ["right"], ["wrong"]) == pytest.approx([0.4])


def test_a_failed_comparison_gives_the_failure_reward():
    rewards = pairwise_group_rewards(FakeClient(), ["p"], ["bad"], ["x"], failure_reward=-1.0)
    assert rewards == [-1.0]


def test_grpo_reward_func_has_trls_shape():
    reward = grpo_reward_func(FakeClient())
    assert reward.__name__ == "rewardstream"  # TRL logs each reward function by its name
    out = reward(prompts=["q", "q"], completions=["right", "no"], completion_ids=[[1], [2]])
    assert out == pytest.approx([0.4, -0.4])
    conversational = [
        [{"role": "assistant", "content": "no"}],
        [{"role": "assistant", "content": "right"}],
    ]
    prompts = [[{"role": "user", "content": "q"}]] * 2
    assert reward(prompts, conversational) == pytest.approx([-0.4, 0.4])
    assert grpo_reward_func(FakeClient())(["q"], ["right"], reference=["nope"]) == pytest.approx(
        [0.4]
    )


def test_verl_compute_score_reads_prompts_from_extra_info():
    compute_score = verl_compute_score(FakeClient())
    out = compute_score(
        data_sources=["gsm8k"] * 2,
        solution_strs=["right", "no"],
        ground_truths=["4", "4"],
        extra_infos=[{"question": "2+2?"}, {"question": "2+2?"}],
    )
    assert [o["score"] for o in out] == pytest.approx([0.4, -0.4]) and out[0]["judged"] == 1.0
    with pytest.raises(ValueError, match="no prompt"):
        compute_score(["d"], ["x"], ["4"], [{}])


def test_openrlhf_request_and_response_shape():
    request = {
        "query": ["Q: 2+2? A: right", "Q: 2+2? A: no"],
        "prompts": ["Q: 2+2? A:"] * 2,
        "labels": ["", ""],
    }
    client = FakeClient()
    response = openrlhf_handle(client, request)
    assert set(response) == {"rewards", "scores", "extra_logs"}
    assert response["rewards"] == pytest.approx([0.4, -0.4]) and response[
        "scores"
    ] == pytest.approx([0.9, 0.1])
    assert {client.calls[0][0].response_a, client.calls[0][0].response_b} == {" right", " no"}
    single = openrlhf_reward_func(FakeClient())(["P right"], ["P"], ["wrong"])
    assert single["rewards"] == pytest.approx([0.4])
