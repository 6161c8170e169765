"""Errors. Each carries what the server said, so a trainer can log it or act on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

if TYPE_CHECKING:
    from .types import DeadLetter, PairReward


class RewardStreamError(Exception):
    """Base class of every error this package raises on purpose."""


class PairError(RewardStreamError):
    """One input that yielded no reward. ``rollout_id`` names it."""

    def __init__(self, rollout_id: str, message: str) -> None:
        super().__init__(message)
        self.rollout_id = rollout_id


class DeadLetteredError(PairError):
    """The server dead-lettered the input: ``reason_code`` (e.g. ``EMPTY_FIELD``) and ``reason``
    are the server's, ``dead_letter`` the whole record."""

    def __init__(self, rollout_id: str, dead_letter: "DeadLetter") -> None:
        super().__init__(
            rollout_id,
            f"rollout {rollout_id!r} was dead-lettered: {dead_letter.reason_code}:"
            f" {dead_letter.reason}",
        )
        self.dead_letter = dead_letter
        self.reason_code = dead_letter.reason_code
        self.reason = dead_letter.reason


class ScoringFailedError(PairError):
    """The judge failed on this input; the server wrote a FAILED result with ``reason``."""

    def __init__(self, rollout_id: str, result: "PairReward") -> None:
        super().__init__(
            rollout_id, f"scoring rollout {rollout_id!r} failed: {result.failure_reason}"
        )
        self.result = result
        self.reason_code = "SCORING_FAILED"
        self.reason = result.failure_reason or ""


class DeliveryError(PairError):
    """The input could not be written to Kafka (the broker refused it or the send timed out)."""


class ScoringTimeout(RewardStreamError, TimeoutError):
    """Not every input was answered in time. ``missing`` lists the rollout ids still awaited,
    ``results`` holds, in input order, what did come back (None where missing), and
    ``rollout_ids`` every input's id (generated ones included), so the same pairs can be asked for
    again: ``[dataclasses.replace(p, rollout_id=i) for p, i in zip(pairs, e.rollout_ids)]``.

    Calling ``score_pairs`` again with the same ids does not send them again if the first copies
    reached Kafka: the client keeps reading for them (see the client README, "Re-sending").
    """

    def __init__(
        self,
        missing: Sequence[str],
        results: list[Any],
        timeout: float,
        rollout_ids: Sequence[str] = (),
    ) -> None:
        shown = ", ".join(missing[:10]) + (
            f", ... ({len(missing)} in all)" if len(missing) > 10 else ""
        )
        super().__init__(
            f"no result within {timeout:g} s for {len(missing)} of {len(results)} input(s): {shown}"
        )
        self.missing = list(missing)
        self.results = results
        #: every input's id in input order, generated ones included: pass them to ask again
        self.rollout_ids = list(rollout_ids)


class BatchError(RewardStreamError):
    """Some inputs of a call failed (dead-lettered, FAILED, undeliverable). ``results`` holds every
    outcome in input order (a result or a :class:`PairError`); ``errors`` only the failures."""

    def __init__(self, results: list[Any]) -> None:
        self.results = results
        self.errors: list[PairError] = [r for r in results if isinstance(r, PairError)]
        first = self.errors[0] if self.errors else None
        super().__init__(
            f"{len(self.errors)} of {len(results)} input(s) got no reward"
            + (f"; first: {first}" if first else "")
        )


class GroupScoringUnavailable(RewardStreamError, NotImplementedError):
    """Group scoring needs a server that scores groups (its group result topic exists)."""


def describe(error: Optional[BaseException]) -> str:
    return "" if error is None else f"{type(error).__name__}: {error}"
