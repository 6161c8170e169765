"""RewardStream client: send RL rollouts to RewardStream over Kafka, get rewards back.

    from rewardstream import RewardClient, Pair

    with RewardClient("localhost:9092") as client:
        [reward] = client.score_pairs([Pair("2+2?", "4", "5")], timeout=60)
        print(reward.preferred, reward.reward_a)

See the package README for the full API, the trainer adapters and the re-send semantics.
"""

from .client import RewardClient
from .errors import (
    BatchError,
    DeadLetteredError,
    DeliveryError,
    GroupScoringUnavailable,
    PairError,
    RewardStreamError,
    ScoringFailedError,
    ScoringTimeout,
)
from .types import (
    Candidate,
    ChatMessage,
    DeadLetter,
    Group,
    GroupReward,
    Pair,
    PairReward,
    ResponseReward,
)

__version__ = "0.1.0"

__all__ = [
    "BatchError",
    "Candidate",
    "ChatMessage",
    "DeadLetter",
    "DeadLetteredError",
    "DeliveryError",
    "Group",
    "GroupReward",
    "GroupScoringUnavailable",
    "Pair",
    "PairError",
    "PairReward",
    "RewardClient",
    "ResponseReward",
    "RewardStreamError",
    "ScoringFailedError",
    "ScoringTimeout",
]
