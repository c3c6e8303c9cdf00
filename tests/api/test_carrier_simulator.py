"""A tiny run of the carrier simulator: the proof in the README keeps working."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from benchmarks.carrier_simulator import SMOKE_PROFILE, measure
from chalicelib import deps, settings
from tests.api.conftest import app_under_test

# Every variable the simulator sets or removes (the autouse environment fixture restores PK_*/AWS_*
# it saw; these are recorded here too, so that the test leaves the process as it found it).
SIMULATOR_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
    "PK_MERCHANT_API_KEY", "PK_WEBHOOK_SECRET", "PK_LEARNED_WINDOWS", "PK_LEARNED_MIN_PARCELS",
    "POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_LOG_LEVEL",
)  # fmt: skip


@pytest.fixture
def simulator_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in SIMULATOR_VARIABLES:
        monkeypatch.setenv(key, os.environ.get(key, "set by the simulator"))
    yield
    settings.reset_caches()
    deps.reset()


def test_a_small_seeded_run_learns_a_one_day_lane(simulator_environment: None) -> None:
    result = measure(seed=3, profile=SMOKE_PROFILE, app=app_under_test())

    assert result["delivered_facts"] == result["training_orders"] == 6
    assert result["static_rules"] == {"parcels": 6, "within_window": 1.0, "mean_window_days": 2.0}
    assert result["learned_windows"] == {
        "parcels": 6,
        "within_window": 1.0,
        "mean_window_days": 1.0,
    }
    assert result["meets_target"] is True
