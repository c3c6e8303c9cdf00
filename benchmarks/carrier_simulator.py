"""A seeded carrier simulator: weeks of orders through the real code path, then the promise kept.

Training weeks: each order is quoted (`POST /v1/promise/quote`), registered with the standard
option's promise token, shipped, and its parcel is scanned and delivered by signed carrier
webhooks (`POST /v1/webhooks/generic`), all against in-process moto. The delivered-parcel facts
then pass through the stream projector (``settle`` plays the table's stream after each order),
so the lanes' histograms are the ones production would keep.

Evaluation weeks: each order is quoted twice, by a container with learned windows switched off
(the static rules) and by one with them on, and the parcel's simulated delivery day is checked
against both windows: the share delivered within the window and the mean window width (in the
destination's delivery days, a one-day window is 1), side by side.

The ground truth per lane: a transit distribution in delivery days after the handover, slower
after a Friday handover (the weekend backlog), in the peak season (from 20 November) and on some
lanes than on others, with a few per cent exceptions (never delivered) and lost handover scans.
Training lies in the last weeks before today, inside the learned horizon.

    python -m benchmarks.carrier_simulator [--seed 7]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks import in_process_environment

MERCHANT_KEY = "sim-merchant-key"
WEBHOOK_SECRET = "sim-webhook-secret"
BERLIN = ZoneInfo("Europe/Berlin")
TARGET_WITHIN = 0.97
TARGET_MEAN_WIDTH = 1.5
TABLE_ARGUMENTS = (
    "TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes",
)  # fmt: skip


@dataclass(frozen=True)
class LaneProfile:
    """One destination's ground truth for standard parcels from the Leipzig warehouse."""

    country: str
    postal_codes: tuple[str, ...]
    transit: tuple[tuple[int, float], ...]  # (delivery days after handover, probability)
    orders_per_week: int


@dataclass(frozen=True)
class Profile:
    lanes: tuple[LaneProfile, ...]
    training_weeks: int = 3
    evaluation_weeks: int = 1
    friday_delay: float = 0.05  # a Friday handover waits for Monday this often
    peak_delay: float = 0.05  # from 20 November, a parcel takes a day longer this often
    exceptions: float = 0.02  # never delivered
    lost_scans: float = 0.03  # no handover scan reaches us
    # Parcels a lane needs before it is learned. The product's default is 100; the simulator
    # asks for fewer so that a run stays within minutes on a small machine (in-process moto
    # copies the table into every transaction's rollback state and keeps growing).
    min_parcels: int = 40


DEFAULT_PROFILE = Profile(
    lanes=(
        # One postal region each (a lane): Berlin DE-10 and Hamburg DE-20 next day nearly
        # always; Munich DE-80 often two days (a slower lane); Vienna AT-1 two days, against
        # the rule's 2–4.
        LaneProfile("DE", ("10115", "10245", "10435", "10999"), ((1, 0.985), (2, 0.015)), 16),
        LaneProfile("DE", ("20095", "20357", "20535"), ((1, 0.98), (2, 0.02)), 16),
        LaneProfile("DE", ("80331", "80469", "80636"), ((1, 0.55), (2, 0.43), (3, 0.02)), 16),
        LaneProfile("AT", ("1010", "1070", "1150"), ((2, 0.93), (3, 0.06), (4, 0.01)), 16),
    )
)
SMOKE_PROFILE = Profile(
    lanes=(LaneProfile("DE", ("10115",), ((1, 1.0),), 6),),
    training_weeks=1,
    evaluation_weeks=1,
    friday_delay=0.0,
    peak_delay=0.0,
    exceptions=0.0,
    lost_scans=0.0,
    min_parcels=3,
)


@dataclass(frozen=True)
class Order:
    n: int
    lane: LaneProfile
    postal_code: str
    at: datetime
    seed: int  # this order's own dice: the same fate in training and in both evaluation runs

    def dice(self, purpose: int) -> random.Random:
        return random.Random(self.seed * 4 + purpose)


@dataclass
class Tally:
    parcels: int = 0
    within: int = 0
    width_days: int = 0

    def add(self, within: bool, width: int) -> None:
        self.parcels += 1
        self.within += within
        self.width_days += width

    def figures(self) -> dict[str, float]:
        n = max(self.parcels, 1)
        return {
            "parcels": self.parcels,
            "within_window": round(self.within / n, 4),
            "mean_window_days": round(self.width_days / n, 2),
        }


def orders(profile: Profile, first_day: date, weeks: int, rng: random.Random) -> Iterator[Order]:
    n = 0
    for week in range(weeks):
        for lane in profile.lanes:
            for _ in range(lane.orders_per_week):
                day = first_day + timedelta(days=7 * week + rng.randrange(5))  # Monday–Friday
                clock = time(rng.randrange(7, 22), rng.randrange(60))
                at = datetime.combine(day, clock, tzinfo=BERLIN)
                n += 1
                yield Order(n, lane, rng.choice(lane.postal_codes), at, rng.getrandbits(32))


@contextmanager
def container(*, learned: bool, min_parcels: int) -> Iterator[None]:
    """A fresh container's settings and caches (the learned lanes are read on its first quote)."""
    from chalicelib import deps, settings

    os.environ["PK_LEARNED_WINDOWS"] = "true" if learned else "false"
    os.environ["PK_LEARNED_MIN_PARCELS"] = str(min_parcels)
    settings.reset_caches()
    deps.reset()
    yield


class Simulation:
    def __init__(self, client: Any, profile: Profile) -> None:
        from chalicelib import deps

        self.http = client.http
        self.profile = profile
        self.config = deps.promise_config()
        self.merchant = {
            "Authorization": f"Bearer {MERCHANT_KEY}",
            "Content-Type": "application/json",
        }

    # -- the real code path ------------------------------------------------------------------
    def quote(self, order: Order) -> dict[str, Any]:
        body = {
            "destination": {"country": order.lane.country, "postal_code": order.postal_code},
            "items": [{"sku": "TSHIRT-M", "quantity": 1}],
            "at": order.at.isoformat(),
            "inventory": {"TSHIRT-M": {"WH-LEIPZIG": 50}},
            "explain": True,
        }
        answer = self.http.post(
            "/v1/promise/quote", headers={"Content-Type": "application/json"}, body=json.dumps(body)
        )
        assert answer.status_code == 200, answer.body
        options = json.loads(answer.body)["options"]
        return next(option for option in options if option["method"] == "standard")

    def play(self, order: Order) -> None:
        """Quote, order, ship, and the carrier's signed events for one training order."""
        option = self.quote(order)
        order_id = f"SIM{order.n}"
        registration = {
            "order_id": order_id,
            "placed_at": order.at.isoformat(),
            "customer": {"name": "Sim", "email": "sim@example.com", "locale": "de-DE"},
            "destination": {"country": order.lane.country, "postal_code": order.postal_code},
            "items": [{"sku": "TSHIRT-M", "quantity": 1}],
            "promise_token": option["promise_token"],
        }
        self._post("/v1/orders", registration, 201)
        tracking = f"SIM{order.n:010d}"
        shipment = {
            "shipment_id": "S1",
            "carrier": "dhl",
            "tracking_number": tracking,
            "items": [{"sku": "TSHIRT-M", "quantity": 1}],
        }
        self._post(f"/v1/orders/{order_id}/shipments", shipment, 201)
        self._carrier_events(order, tracking, self.ship_day(option))

    def _post(self, path: str, body: dict[str, Any], status: int) -> None:
        answer = self.http.post(path, headers=self.merchant, body=json.dumps(body))
        assert answer.status_code == status, answer.body

    def _carrier_events(self, order: Order, tracking: str, ship_day: date) -> None:
        handed = datetime.combine(ship_day, time(18, 30), tzinfo=BERLIN)
        delivered = self.delivery_day(order, ship_day)
        events: list[tuple[str, datetime]] = []
        draw = order.dice(1)
        if draw.random() >= self.profile.lost_scans:
            events.append(("in_transit", handed))
        if delivered is None:
            events.append(("exception", handed + timedelta(days=2)))
        else:
            hour = time(draw.randrange(9, 19), draw.randrange(60))
            events.append(("delivered", datetime.combine(delivered, hour, tzinfo=BERLIN)))
        body = json.dumps(
            {
                "events": [
                    {
                        "event_id": f"{tracking}-{status}",
                        "carrier": "dhl",
                        "tracking_number": tracking,
                        "status": status,
                        "occurred_at": at.isoformat(),
                    }
                    for status, at in events
                ]
            }
        ).encode()
        answer = self.http.post("/v1/webhooks/generic", headers=_signed(body), body=body)
        assert answer.status_code == 200, answer.body

    # -- the ground truth --------------------------------------------------------------------
    def ship_day(self, option: dict[str, Any]) -> date:
        handling = next(step for step in option["explain"] if step["step"] == "handling")
        return date.fromisoformat(handling["date"])

    def delivery_day(self, order: Order, ship_day: date) -> date | None:
        """The simulated delivery day (None: an exception, never delivered). Draws the same
        numbers for the same order, so both evaluation runs see the same parcel."""
        draw = order.dice(0)
        if draw.random() < self.profile.exceptions:
            return None
        transit = _sample(order.lane.transit, draw.random())
        if ship_day.weekday() == 4 and draw.random() < self.profile.friday_delay:
            transit += 1
        if _peak(ship_day) and draw.random() < self.profile.peak_delay:
            transit += 1
        days = self.delivery_calendar(order)
        return date.fromordinal(days.nth_open_after(ship_day.toordinal(), transit))

    def delivery_calendar(self, order: Order) -> Any:
        country = order.lane.country
        rule = next(
            r
            for r in self.config.rules.rules
            if r.method == "standard" and r.zone.country == country
        )
        return rule.delivery.calendar(self.config.regions.subdivision(country, order.postal_code))

    def evaluate(self, order: Order, tally: Tally) -> None:
        option = self.quote(order)
        delivered = self.delivery_day(order, self.ship_day(option))
        if delivered is None:
            return  # not delivered: no promise to keep or break
        earliest = date.fromisoformat(option["delivery"]["earliest"])
        latest = date.fromisoformat(option["delivery"]["latest"])
        days = self.delivery_calendar(order)
        width = 1 + sum(
            1 for o in range(earliest.toordinal() + 1, latest.toordinal() + 1) if days.is_open(
                date.fromordinal(o)
            )
        )  # fmt: skip
        tally.add(earliest <= delivered <= latest, width)


def _sample(distribution: tuple[tuple[int, float], ...], u: float) -> int:
    cumulative = 0.0
    for days, probability in distribution:
        cumulative += probability
        if u < cumulative:
            return days
    return distribution[-1][0]


def _peak(day: date) -> bool:
    return (day.month, day.day) >= (11, 20) and day.month <= 12


def _signed(body: bytes) -> dict[str, str]:
    t = str(int(datetime.now(UTC).timestamp()))
    mac = hmac.new(WEBHOOK_SECRET.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Signature": f"t={t},v1={mac}"}


def settle() -> int:
    """The table's stream, played by hand after each order: its facts go to the projector, and
    every item but the counters is archived (deleted), because moto copies the whole table into
    each transaction's rollback state and a long run would grow quadratic. Returns facts counted.
    """
    import boto3

    from chalicelib import deps, settings
    from chalicelib.domain.accuracy.delivered import KIND as DELIVERED
    from chalicelib.services.projections import project

    client = boto3.client("dynamodb")
    table = settings.get_settings().table_name
    items = client.scan(TableName=table)["Items"]  # a handful: one order's items and counters
    # The delivered parcels' facts; the order's registration writes one too (the return rate),
    # which the simulator has no use for.
    facts = [
        item
        for item in items
        if item["PK"]["S"].startswith("FACT#") and item["kind"]["S"] == DELIVERED
    ]
    records = [
        {
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": {"PK": item["PK"], "SK": item["SK"]},
                "NewImage": item,
                "SequenceNumber": item["PK"]["S"],
            },
        }
        for item in facts
    ]
    counted = project(records, deps.counter_store(), datetime.now(UTC)).counted
    for item in items:
        if not item["PK"]["S"].startswith("COUNTER#"):
            client.delete_item(TableName=table, Key={"PK": item["PK"], "SK": item["SK"]})
    return counted


def create_table_without_stream(dynamodb: Any) -> None:
    """The table of infra/resources.json without its stream: the simulator reads the facts
    itself (project_facts), and moto copies every stream record it keeps into each
    transaction's rollback state, which makes a long run quadratic in time and memory."""
    from devstack.resources import resources_of

    for props in resources_of("AWS::DynamoDB::Table").values():
        args = {k: v for k, v in props.items() if k in TABLE_ARGUMENTS}
        dynamodb.create_table(**args)


def measure(
    seed: int = 7, profile: Profile = DEFAULT_PROFILE, app: Any | None = None
) -> dict[str, Any]:
    """Run the simulation; ``app`` defaults to the deployed app (``app.py``)."""
    in_process_environment(MERCHANT_KEY, WEBHOOK_SECRET, log_level="ERROR")
    import boto3
    from moto import mock_aws

    from devstack.gateway import GatewayClient
    from devstack.resources import create_queues

    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    evaluation_start = monday - timedelta(weeks=profile.evaluation_weeks)
    training_start = evaluation_start - timedelta(weeks=profile.training_weeks)
    training = list(orders(profile, training_start, profile.training_weeks, rng))
    evaluation = list(orders(profile, evaluation_start, profile.evaluation_weeks, rng))
    with mock_aws():
        create_table_without_stream(boto3.client("dynamodb"))
        create_queues(boto3.client("sqs"))
        if app is None:
            from app import app

        with container(learned=False, min_parcels=profile.min_parcels), GatewayClient(app) as c:
            simulation = Simulation(c, profile)
            facts = 0
            for order in training:
                simulation.play(order)
                facts += settle()
        results = {}
        for name, learned in (("static_rules", False), ("learned_windows", True)):
            tally = Tally()
            with (
                container(learned=learned, min_parcels=profile.min_parcels),
                GatewayClient(app) as c,
            ):
                simulation = Simulation(c, profile)
                for order in evaluation:
                    simulation.evaluate(order, tally)
            results[name] = tally.figures()
    learned_figures = results["learned_windows"]
    return {
        "seed": seed,
        "training_orders": len(training),
        "delivered_facts": facts,
        **results,
        "target": f"learned: ≥ {TARGET_WITHIN:.0%} within, mean width ≤ {TARGET_MEAN_WIDTH} days",
        "meets_target": learned_figures["within_window"] >= TARGET_WITHIN
        and learned_figures["mean_window_days"] <= TARGET_MEAN_WIDTH,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=7)
    print(measure(parser.parse_args().seed))
