"""Glue between RL trainers and :class:`~rewardstream.client.RewardClient`.

Each adapter is a few lines over the client and imports nothing from the trainer, so it works
with whichever version is installed:

* :class:`TrlPairwiseJudge` -- TRL's pairwise judge shape,
  ``judge(prompts, completions, shuffle_order=True) -> list[int]``;
* :func:`grpo_reward_func` -- a TRL ``GRPOTrainer`` ``reward_funcs`` entry,
  ``(prompts, completions, **kwargs) -> list[float]``;
* :func:`verl_compute_score` -- verl's batch ``compute_score(data_sources, solution_strs,
  ground_truths, extra_infos, **kwargs) -> list[dict]``;
* :func:`openrlhf_reward_func` / :func:`openrlhf_handle` -- OpenRLHF's remote reward model:
  request ``{"query": [...], "prompts": [...], "labels": [...]}``, response
  ``{"rewards": [...], "scores": [...], "extra_logs": {...}}``.

Per-completion rewards come from :func:`pairwise_group_rewards`: with ``strategy="server"`` the
completions of one prompt go to the server as one group (``score_groups``: the server's group
strategy and Bradley–Terry rewards, needs ``groups.enabled=true``); the other strategies build the
pairs here and give each completion the mean of its pairwise rewards, ``p_win - 0.5``, which works
against any server.
"""

from __future__ import annotations

import logging
import random
from typing import Any, Mapping, Optional, Sequence

from .types import Group, GroupReward, Pair, PairReward

log = logging.getLogger(__name__)

STRATEGIES = ("round-robin", "anchor", "reference", "server")


def pairwise_group_rewards(
    client: Any,
    prompts: Sequence[str],
    completions: Sequence[str],
    references: Optional[Sequence[Optional[str]]] = None,
    *,
    strategy: str = "round-robin",
    timeout: float = 300.0,
    failure_reward: float = 0.0,
    policy_version: str = "unknown",
) -> list[float]:
    """One reward per completion, relative to the other completions of the same prompt.

    Completions are grouped by prompt text. In a group of N:

    * ``round-robin`` (default): every pair is judged, N(N-1)/2 pairs; a completion's reward is
      the mean over its N-1 comparisons of ``p_win - 0.5``, so rewards lie in [-0.5, 0.5] and sum
      to 0 in the group (the judge already judges both orders of every pair).
    * ``anchor``: every completion against the group's first one, N-1 pairs; cheaper, noisier.
    * ``reference``: every completion against its reference answer, N pairs; an absolute reward.
    * ``server``: each prompt's completions as one group scored by the server
      (:meth:`~rewardstream.client.RewardClient.score_groups`): rewards are the server's
      Bradley–Terry rewards, centred per group, with its ``group.strategy`` (swiss by default:
      O(N log N) comparisons). Needs a server with group scoring.

    A prompt with a single completion is always judged against its reference (one is needed).
    A completion whose comparisons were all dead-lettered or failed gets ``failure_reward`` (and a
    warning is logged). A timeout raises :class:`~rewardstream.errors.ScoringTimeout`.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy {strategy!r}: expected one of {STRATEGIES}")
    if len(prompts) != len(completions):
        raise ValueError(f"{len(prompts)} prompts but {len(completions)} completions")
    refs = list(references) if references is not None else [None] * len(prompts)
    groups: dict[str, list[int]] = {}
    for i, prompt in enumerate(prompts):
        groups.setdefault(prompt, []).append(i)
    if strategy == "server":
        return _server_group_rewards(
            client, groups, completions, refs, timeout, failure_reward, policy_version
        )
    pairs: list[Pair] = []
    sides: list[tuple[int, Optional[int]]] = []  # (completion as A, completion as B or None = ref)
    for prompt, idx in groups.items():
        for a, b in _comparisons(idx, strategy, refs):
            response_b = refs[a] if b is None else completions[b]
            pairs.append(Pair(prompt, completions[a], response_b, policy_version=policy_version))
            sides.append((a, b))
    results = client.score_pairs(pairs, timeout=timeout, return_exceptions=True) if pairs else []
    gains: list[list[float]] = [[] for _ in prompts]
    for (a, b), result in zip(sides, results):
        if isinstance(result, PairReward):
            gains[a].append(result.reward_a)
            if b is not None:
                gains[b].append(result.reward_b)
        else:
            log.warning("a comparison got no reward: %s", result)
    rewards = []
    for i, g in enumerate(gains):
        if not g:
            log.warning("completion %d of prompt %r has no judged comparison", i, prompts[i][:60])
        rewards.append(sum(g) / len(g) if g else failure_reward)
    return rewards


def _server_group_rewards(
    client: Any,
    groups: dict[str, list[int]],
    completions: Sequence[str],
    refs: list,
    timeout: float,
    failure_reward: float,
    policy_version: str,
) -> list[float]:
    """Rewards from the server's group scoring; a prompt with a single completion is judged
    against its reference answer as a pair (a group needs two responses)."""
    rewards = [failure_reward] * len(completions)
    multi = {p: idx for p, idx in groups.items() if len(idx) > 1}
    single = [idx[0] for idx in groups.values() if len(idx) == 1]
    if single:
        lone = pairwise_group_rewards(
            client,
            [next(p for p, idx in groups.items() if idx == [i]) for i in single],
            [completions[i] for i in single],
            [refs[i] for i in single],
            strategy="reference",
            timeout=timeout,
            failure_reward=failure_reward,
            policy_version=policy_version,
        )
        for i, r in zip(single, lone):
            rewards[i] = r
    if multi:
        request = [
            Group(p, tuple(completions[i] for i in idx), policy_version=policy_version)
            for p, idx in multi.items()
        ]
        results = client.score_groups(request, timeout=timeout, return_exceptions=True)
        for idx, result in zip(multi.values(), results):
            if isinstance(result, GroupReward):
                for i, r in zip(idx, result.rewards):
                    rewards[i] = r
            else:
                log.warning("a group got no rewards: %s", result)
    return rewards


def _comparisons(idx: list[int], strategy: str, refs: list) -> list[tuple[int, Optional[int]]]:
    if len(idx) == 1 or strategy == "reference":
        lacking = [i for i in idx if not refs[i]]
        if lacking:
            raise ValueError(
                f"completion(s) {lacking} need a reference answer: a prompt with one completion,"
                " or strategy='reference', is judged against it"
            )
        return [(i, None) for i in idx]
    if strategy == "anchor":
        return [(idx[0], j) for j in idx[1:]]
    return [(idx[x], idx[y]) for x in range(len(idx)) for y in range(x + 1, len(idx))]


def _text(value: Any) -> str:
    """Plain text of a prompt or completion: a string, or chat messages [{role, content}]."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return str(value.get("content", ""))
    if len(value) == 1 and isinstance(value[0], Mapping) and value[0].get("role") == "assistant":
        return str(value[0].get("content", ""))
    return "\n".join(f"{m.get('role', 'user')}: {m.get('content', '')}" for m in value)


class TrlPairwiseJudge:
    """TRL's pairwise judge (``trl.BasePairwiseJudge`` shape) backed by RewardStream.

    ``judge`` returns, per prompt, the index (0 or 1) of the better completion, or -1 where the
    pair was dead-lettered or failed (TRL's convention). ``shuffle_order`` swaps each pair's two
    completions at random before sending (the server also judges both orders, so this only adds
    the caller's own guard against position bias). ``return_scores=True`` returns the probability
    that the first completion is better instead.
    """

    def __init__(self, client: Any, *, timeout: float = 300.0, seed: Optional[int] = None) -> None:
        self.client = client
        self.timeout = timeout
        self._random = random.Random(seed)

    def judge(
        self,
        prompts: list[str],
        completions: list[list[str]],
        shuffle_order: bool = True,
        return_scores: bool = False,
    ) -> list:
        if len(prompts) != len(completions) or any(len(c) != 2 for c in completions):
            raise ValueError("need one pair of completions per prompt")
        flips = [shuffle_order and self._random.random() < 0.5 for _ in prompts]
        pairs = [
            Pair(_text(p), _text(c[1] if f else c[0]), _text(c[0] if f else c[1]))
            for p, c, f in zip(prompts, completions, flips)
        ]
        results = self.client.score_pairs(pairs, timeout=self.timeout, return_exceptions=True)
        out: list = []
        for result, flipped in zip(results, flips):
            if not isinstance(result, PairReward):
                out.append(-1)
                continue
            p_first = 1.0 - result.p_a_better if flipped else result.p_a_better
            out.append(p_first if return_scores else (0 if p_first >= 0.5 else 1))
        return out


def grpo_reward_func(client: Any, *, reference_key: str = "reference", **options: Any):
    """A TRL ``GRPOTrainer`` reward function: ``reward_funcs=[grpo_reward_func(client)]``.

    Called as ``f(prompts, completions, **kwargs)`` with the group's completions (plain text or
    conversational); groups them by prompt and returns :func:`pairwise_group_rewards`. A dataset
    column named ``reference_key`` (passed by TRL as a keyword) supplies reference answers.
    ``options`` go to :func:`pairwise_group_rewards` (strategy, timeout, failure_reward, ...).
    """

    def rewardstream(prompts: list, completions: list, **kwargs: Any) -> list[float]:
        refs = kwargs.get(reference_key)
        return pairwise_group_rewards(
            client, [_text(p) for p in prompts], [_text(c) for c in completions], refs, **options
        )

    return rewardstream


def verl_compute_score(
    client: Any, *, prompt_keys: Sequence[str] = ("prompt", "question"), **options: Any
):
    """verl's batch ``compute_score`` (``reward_model.reward_manager=batch``).

    verl passes no prompt to a batch scorer, so it is read from each ``extra_info`` under the
    first of ``prompt_keys`` present; a string ``ground_truth`` is the reference answer. Returns
    one dict per solution with ``score`` (the reward) and ``judged`` (1.0 if any comparison of it
    was scored), which verl logs as extra reward info.
    """

    def compute_score(data_sources, solution_strs, ground_truths, extra_infos=None, **kwargs):
        infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
        prompts = []
        for i, info in enumerate(infos):
            prompt = next((info[k] for k in prompt_keys if info and info.get(k)), None)
            if prompt is None:
                raise ValueError(
                    f"extra_info of solution {i} has no prompt under {list(prompt_keys)}"
                )
            prompts.append(_text(prompt))
        refs = [g if isinstance(g, str) else None for g in ground_truths]
        fail = options.get("failure_reward", 0.0)
        rewards = pairwise_group_rewards(client, prompts, list(solution_strs), refs, **options)
        return [{"score": r, "judged": float(r != fail)} for r in rewards]

    return compute_score


def openrlhf_reward_func(client: Any, **options: Any):
    """OpenRLHF's custom ``reward_func(queries, prompts, labels, **kwargs)`` (the ``.py`` form of
    ``--remote_rm_url``). Each query is prompt + response; the response is the query minus its
    prompt. Labels are the reference answers (one completion per prompt is judged against it).
    Returns ``{"rewards": [...], "scores": [...], "extra_logs": {...}}``: ``scores`` are
    ``rewards + 0.5`` (a win probability in 0..1, for dynamic filtering)."""

    def reward_func(queries, prompts, labels=None, **kwargs):
        responses = [q[len(p) :] if q.startswith(p) else q for q, p in zip(queries, prompts)]
        refs = [
            lab if isinstance(lab, str) and lab else None
            for lab in (labels or [None] * len(queries))
        ]
        rewards = pairwise_group_rewards(client, list(prompts), responses, refs, **options)
        return {
            "rewards": rewards,
            "scores": [r + 0.5 for r in rewards],
            "extra_logs": {"rewardstream_reward": rewards},
        }

    return reward_func


def openrlhf_handle(client: Any, request: Mapping[str, Any], **options: Any) -> dict:
    """One OpenRLHF remote-RM request (the JSON body POSTed to ``/get_reward``) to its response."""
    return openrlhf_reward_func(client, **options)(
        request["query"],
        request.get("prompts") or [""] * len(request["query"]),
        request.get("labels"),
    )
