"""A seeded carrier simulator: weeks of orders through the real code path, then the promise kept.

Training weeks: each order is quoted (`POST /v1/promise/quote`), registered with the standard
option's promise token, shipped, and its parcel is scanned and delivered by signed carrier
webhooks (`POST /v1/webhooks/generic`), all against in-process moto. The delivered-parcel facts
then pass through the stream projector (``settle`` plays the table's stream after each order),
so the lanes' histograms are the ones production would keep.

Evaluation weeks: each order is quoted twice, by a container with learned windows switched off
(the static rules) and by one with them on, and the parcel's simulated delivery day is checked
against both windows: the share delivered within the window and the mean window width (in the
destination's delivery days, a one-day window is 1), side by side, per lane, with every miss
told apart by its cause, and the share the ground truth's distributions expect of each window.

The ground truth per lane: a transit distribution in delivery days after the handover, slower
after a Friday handover (the weekend backlog), in the peak season (from 20 November) and on some
lanes than on others, with a few per cent exceptions (never delivered) and lost handover scans.
The warehouse hands every parcel over on the day the quote planned. The calendar is fixed per
profile (the default evaluates an autumn week, ``peak`` the first week of the peak season), and
training fills the learned horizon before the evaluation week.

    python -m benchmarks.carrier_simulator [--seed 7] [--profile default|peak]
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
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter, process_time
from typing import Any
from unittest.mock import patch
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

    @property
    def region(self) -> str:
        from chalicelib.domain.accuracy.lanes import postal_region

        return postal_region(self.country, self.postal_codes[0])


@dataclass(frozen=True)
class Profile:
    lanes: tuple[LaneProfile, ...]
    # The Monday of the (first) evaluation week: a fixed calendar, so that a seed gives the same
    # figures on any day the run is made (the peak season and the holidays fall where they fell).
    evaluation_week: date = date(2026, 11, 9)
    # Training fills the learned horizon (8 weeks by default: the current week, the evaluation
    # week and six training weeks), so that every lane reaches the product's 100 parcels.
    training_weeks: int = 6
    evaluation_weeks: int = 1
    # The evaluation week is sampled this many times more densely than a training week: the
    # same world and the same week, a sample large enough that one parcel is a fraction of a
    # point (evaluation orders are only quoted, so they cost little).
    evaluation_scale: int = 20
    friday_delay: float = 0.05  # a Friday handover waits for Monday this often
    peak_delay: float = 0.05  # from 20 November, a parcel takes a day longer this often
    exceptions: float = 0.02  # never delivered
    lost_scans: float = 0.03  # no handover scan reaches us
    min_parcels: int = 100  # parcels a lane needs before it is learned (the product's default)


DEFAULT_PROFILE = Profile(
    lanes=(
        # One postal region each (a lane): Berlin DE-10 and Hamburg DE-20 next day nearly
        # always; Munich DE-80 often two days (a slower lane); Vienna AT-1 two days, against
        # the rule's 2–4.
        LaneProfile("DE", ("10115", "10245", "10435", "10999"), ((1, 0.985), (2, 0.015)), 20),
        LaneProfile("DE", ("20095", "20357", "20535"), ((1, 0.98), (2, 0.02)), 20),
        LaneProfile("DE", ("80331", "80469", "80636"), ((1, 0.55), (2, 0.43), (3, 0.02)), 20),
        LaneProfile("AT", ("1010", "1070", "1150"), ((2, 0.93), (3, 0.06), (4, 0.01)), 20),
    )
)
# The first week of the peak season, learned from the six weeks before it (one peak day).
PEAK_PROFILE = replace(DEFAULT_PROFILE, evaluation_week=date(2026, 11, 23))
PROFILES = {"default": DEFAULT_PROFILE, "peak": PEAK_PROFILE}
SMOKE_PROFILE = Profile(
    lanes=(LaneProfile("DE", ("10115",), ((1, 1.0),), 6),),
    training_weeks=1,
    evaluation_weeks=1,
    evaluation_scale=1,
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


@dataclass(frozen=True)
class Fate:
    """What the world does with one parcel after its handover."""

    delivered: date | None  # None: an exception, never delivered
    on_time: date | None = None  # the delivery day without the Friday and peak delays
    friday_delay: bool = False
    peak_delay: bool = False


@dataclass
class Tally:
    """Parcels scored against one kind of window: the whole, per lane, and every miss's cause."""

    parcels: int = 0
    within: int = 0
    width_days: int = 0
    chance: float = 0.0  # the ground truth's chances of arriving within, added up
    # per lane: parcels, within, width days, chance
    lanes: dict[str, list[float]] = field(default_factory=dict)
    misses: dict[str, int] = field(default_factory=dict)  # "DE-10 late: peak season" → parcels
    exceptions: int = 0  # never delivered: no promise kept or broken, not scored

    def add(self, lane: str, width: int, miss: str | None, chance: float) -> None:
        self.parcels += 1
        self.within += miss is None
        self.width_days += width
        self.chance += chance
        figures = self.lanes.setdefault(lane, [0, 0, 0, 0.0])
        for index, amount in enumerate((1, miss is None, width, chance)):
            figures[index] += amount
        if miss is not None:
            self.misses[f"{lane} {miss}"] = self.misses.get(f"{lane} {miss}", 0) + 1

    def figures(self) -> dict[str, Any]:
        return {
            **_shares(self.parcels, self.within, self.width_days, self.chance),
            "lanes": {lane: _shares(*figures) for lane, figures in sorted(self.lanes.items())},
            "misses": dict(sorted(self.misses.items())),
            "exceptions_not_scored": self.exceptions,
        }


def _shares(parcels: float, within: float, width_days: float, chance: float) -> dict[str, Any]:
    n = max(parcels, 1)
    return {
        "parcels": int(parcels),
        "within_window": round(within / n, 4),
        # The share the ground truth's distributions give these windows: the figure without
        # the luck of this evaluation sample (the training sample's luck is in the windows).
        "expected_within": round(chance / n, 4),
        "mean_window_days": round(width_days / n, 2),
    }


def miss_cause(fate: Fate, earliest: date, latest: date) -> str | None:
    """None when the parcel arrived within the window, else why it did not: early, or late by
    the lane's own transit, or only by the Friday backlog or the peak season's extra day."""
    delivered = fate.delivered
    assert delivered is not None
    if earliest <= delivered <= latest:
        return None
    if delivered < earliest:
        return "early"
    if fate.on_time is not None and fate.on_time <= latest:
        delays = [("Friday handover", fate.friday_delay), ("peak season", fate.peak_delay)]
        return "late: " + " and ".join(name for name, delayed in delays if delayed)
    return "late: transit beyond the window"


def orders(
    profile: Profile, first_day: date, weeks: int, rng: random.Random, scale: int = 1
) -> Iterator[Order]:
    n = 0
    for week in range(weeks):
        for lane in profile.lanes:
            for _ in range(lane.orders_per_week * scale):
                day = first_day + timedelta(days=7 * week + rng.randrange(5))  # Monday–Friday
                clock = time(rng.randrange(7, 22), rng.randrange(60))
                at = datetime.combine(day, clock, tzinfo=BERLIN)
                n += 1
                yield Order(n, lane, rng.choice(lane.postal_codes), at, rng.getrandbits(32))


@contextmanager
def container(*, learned: bool, profile: Profile, today: date) -> Iterator[None]:
    """A fresh container's settings and caches (the learned lanes are read on its first quote).

    Its learned-lane cache is the product's, with the simulated calendar's today: the learned
    horizon counts back from the simulated week rather than from the day the run is made."""
    from chalicelib import deps, settings
    from chalicelib.services.learned_lanes import LearnedLaneCache

    os.environ["PK_LEARNED_WINDOWS"] = "true" if learned else "false"
    os.environ["PK_LEARNED_MIN_PARCELS"] = str(profile.min_parcels)
    settings.reset_caches()
    deps.reset()
    configured = settings.get_settings()
    cache = LearnedLaneCache(
        deps.counter_store(),
        horizon_weeks=configured.learned_horizon_weeks,
        min_parcels=configured.learned_min_parcels,
        refresh_seconds=configured.learned_refresh_seconds,
        today=lambda: today,
    )
    with patch.object(deps, "learned_lanes", lambda: cache):
        yield


@contextmanager
def quoting_at(instant: datetime) -> Iterator[None]:
    """The quote route's clock at the simulated instant: the storefront quotes its present, so
    the options carry promise tokens (signed only for a quote of the server's present). Each
    token lives as long after that instant as a real one after now: the order registers it in
    the real present, with the simulated instant as its placed_at."""
    from chalicelib import deps

    service = deps.quote_service()
    lasting = replace(service, token_ttl=service.token_ttl + (datetime.now(UTC) - instant))

    class AtTheInstant:
        def quote(self, request: Any, now: datetime) -> Any:
            return lasting.quote(request, instant)

    with patch.object(deps, "quote_service", AtTheInstant):
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
        with quoting_at(order.at):
            answer = self.http.post(
                "/v1/promise/quote",
                headers={"Content-Type": "application/json"},
                body=json.dumps(body),
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
        delivered = self.fate(order, ship_day).delivered
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

    def learned_lanes(self) -> dict[str, str]:
        """Each lane's parcels learned from and the window the quote uses (or the rule)."""
        from chalicelib import deps
        from chalicelib.domain.accuracy.lanes import Lane

        lanes = deps.learned_lanes().current()
        learned = {}
        for profile in self.profile.lanes:
            rule = self.standard_rule(profile.country)
            lane = Lane(rule.carrier, rule.service, "WH-LEIPZIG", profile.region).key
            histogram = lanes.histograms.get(lane, {}) if lanes else {}
            window = lanes.window(lane, rule.learned_share) if lanes else None
            if window is None:
                days = f"rule {rule.key}"
            elif window.low == window.high:
                days = f"{window.low} day" + ("s" if window.low != 1 else "")
            else:
                days = f"{window.low}–{window.high} days"
            learned[profile.region] = f"{sum(histogram.values())} parcels, {days}"
        return learned

    # -- the ground truth --------------------------------------------------------------------
    def ship_day(self, option: dict[str, Any]) -> date:
        handling = next(step for step in option["explain"] if step["step"] == "handling")
        return date.fromisoformat(handling["date"])

    def fate(self, order: Order, ship_day: date) -> Fate:
        """The parcel's simulated delivery. Draws the same numbers for the same order, so both
        evaluation runs see the same parcel."""
        draw = order.dice(0)
        if draw.random() < self.profile.exceptions:
            return Fate(None)
        transit = _sample(order.lane.transit, draw.random())
        friday = ship_day.weekday() == 4 and draw.random() < self.profile.friday_delay
        peak = _peak(ship_day) and draw.random() < self.profile.peak_delay
        days = self.delivery_calendar(order)
        ship = ship_day.toordinal()
        on_time = date.fromordinal(days.nth_open_after(ship, transit))
        delivered = date.fromordinal(days.nth_open_after(ship, transit + friday + peak))
        return Fate(delivered, on_time, friday, peak)

    def delivery_calendar(self, order: Order) -> Any:
        country = order.lane.country
        rule = self.standard_rule(country)
        return rule.delivery.calendar(self.config.regions.subdivision(country, order.postal_code))

    def standard_rule(self, country: str) -> Any:
        return next(
            rule
            for rule in self.config.rules.rules
            if rule.method == "standard" and rule.zone.country == country
        )

    def evaluate(self, order: Order, tally: Tally) -> None:
        option = self.quote(order)
        ship_day = self.ship_day(option)
        fate = self.fate(order, ship_day)
        if fate.delivered is None:
            tally.exceptions += 1
            return  # not delivered: no promise to keep or break
        earliest = date.fromisoformat(option["delivery"]["earliest"])
        latest = date.fromisoformat(option["delivery"]["latest"])
        days = self.delivery_calendar(order)
        width = 1 + sum(
            1 for o in range(earliest.toordinal() + 1, latest.toordinal() + 1) if days.is_open(
                date.fromordinal(o)
            )
        )  # fmt: skip
        chance = chance_within(self.profile, order.lane, ship_day, (earliest, latest), days)
        tally.add(order.lane.region, width, miss_cause(fate, earliest, latest), chance)


def chance_within(
    profile: Profile, lane: LaneProfile, ship_day: date, window: tuple[date, date], days: Any
) -> float:
    """The chance, by the ground truth's own distributions, that a delivered parcel handed over
    on ``ship_day`` arrives within the window (``days``: the destination's delivery days)."""
    friday = profile.friday_delay if ship_day.weekday() == 4 else 0.0
    peak = profile.peak_delay if _peak(ship_day) else 0.0
    neither, one = (1 - friday) * (1 - peak), friday + peak - 2 * friday * peak
    delays = ((0, neither), (1, one), (2, friday * peak))  # extra days, their chance
    ship, first, last = ship_day.toordinal(), window[0].toordinal(), window[1].toordinal()
    return sum(
        p * q
        for transit, p in lane.transit
        for extra, q in delays
        if first <= days.nth_open_after(ship, transit + extra) <= last
    )


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

    started, cpu_started = perf_counter(), process_time()
    rng = random.Random(seed)
    evaluation_start = profile.evaluation_week
    today = evaluation_start + timedelta(weeks=profile.evaluation_weeks)  # the quotes' today
    training_start = evaluation_start - timedelta(weeks=profile.training_weeks)
    training = list(orders(profile, training_start, profile.training_weeks, rng))
    evaluation = list(
        orders(profile, evaluation_start, profile.evaluation_weeks, rng, profile.evaluation_scale)
    )
    with mock_aws():
        create_table_without_stream(boto3.client("dynamodb"))
        create_queues(boto3.client("sqs"))
        if app is None:
            from app import app as deployed

            app = deployed

        with container(learned=False, profile=profile, today=today), GatewayClient(app) as c:
            simulation = Simulation(c, profile)
            facts = 0
            for order in training:
                simulation.play(order)
                facts += settle()
        results: dict[str, Any] = {}
        for name, learned in (("static_rules", False), ("learned_windows", True)):
            tally = Tally()
            with (
                container(learned=learned, profile=profile, today=today),
                GatewayClient(app) as c,
            ):
                simulation = Simulation(c, profile)
                for order in evaluation:
                    simulation.evaluate(order, tally)
                if learned:
                    results["learned_lanes"] = simulation.learned_lanes()
            results[name] = tally.figures()
    learned_figures = results["learned_windows"]
    return {
        "seed": seed,
        "evaluation_week": evaluation_start.isoformat(),
        "training_orders": len(training),
        "delivered_facts": facts,
        "evaluation_orders": len(evaluation),
        **results,
        "seconds": round(perf_counter() - started, 1),
        "cpu_seconds": round(process_time() - cpu_started, 1),  # the machine is shared
        "target": f"learned: ≥ {TARGET_WITHIN:.0%} within, mean width ≤ {TARGET_MEAN_WIDTH} days",
        "meets_target": learned_figures["within_window"] >= TARGET_WITHIN
        and learned_figures["mean_window_days"] <= TARGET_MEAN_WIDTH,
    }


def report(result: dict[str, Any]) -> str:
    """The run as docs/performance.md's tables: both kinds of window per lane, then every miss."""
    lines = [
        f"seed {result['seed']}, evaluation week of {result['evaluation_week']}, "
        f"{result['training_orders']} training orders, {result['seconds']} s "
        f"({result['cpu_seconds']} s CPU)",
        "| windows | lane | parcels | within the window | expected within "
        "| mean width (delivery days) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in ("static_rules", "learned_windows"):
        figures = result[name]
        rows = [("all", figures), *figures["lanes"].items()]
        for lane, row in rows:
            lines.append(
                f"| {name} | {lane} | {row['parcels']} | {row['within_window']:.1%} "
                f"| {row['expected_within']:.1%} | {row['mean_window_days']:.2f} |"
            )
    for name in ("static_rules", "learned_windows"):
        misses = ", ".join(f"{cause} {n}" for cause, n in result[name]["misses"].items())
        lines.append(f"{name} misses: {misses or 'none'}")
    lines.append(f"learned lanes: {result['learned_lanes']}")
    lines.append(f"meets target ({result['target']}): {result['meets_target']}")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="default")
    arguments = parser.parse_args()
    print(report(measure(arguments.seed, PROFILES[arguments.profile])))
