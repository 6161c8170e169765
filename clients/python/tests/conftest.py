"""Shared fixtures. The tests import the package from this checkout (no install needed)."""

import importlib.util
import os
import pathlib
import sys

import pytest

TESTS = pathlib.Path(__file__).resolve().parent
CLIENT = TESTS.parent
REPO = CLIENT.parents[1]
sys.path.insert(0, str(CLIENT))
sys.path.insert(0, str(TESTS))

BACKENDS = ["fastavro", "avro"]


def has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Each Avro back end that is installed; the others are reported as skipped."""
    if not has_module(request.param):
        pytest.skip(f"{request.param} is not installed")
    return request.param


@pytest.fixture
def repo() -> pathlib.Path:
    return REPO


@pytest.fixture(scope="session")
def it_env() -> dict:
    """The cluster and topics the integration tests run against, from PythonClientIT."""
    bootstrap = os.environ.get("REWARDSTREAM_IT_BOOTSTRAP")
    if not bootstrap:
        pytest.skip("REWARDSTREAM_IT_BOOTSTRAP is not set (PythonClientIT sets it)")
    return {
        "bootstrap": bootstrap,
        "rollouts": os.environ.get("REWARDSTREAM_IT_ROLLOUTS", "rollouts"),
        "rewards": os.environ.get("REWARDSTREAM_IT_REWARDS", "rewards"),
        "dlq": os.environ.get("REWARDSTREAM_IT_DLQ", "rollouts-dlq"),
        "heldout": os.environ.get(
            "REWARDSTREAM_IT_HELDOUT", str(REPO / "models/judge-tiny/heldout.jsonl")
        ),
    }
