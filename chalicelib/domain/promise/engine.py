"""The delivery-promise engine: a quote is a pure function of the rules and one request.

Hot path: no pydantic, no parsing. Per method it picks the rule for the destination zone, sources
the items, and for each parcel reads the ship day and delivery days from cached calendar tables.
An option's dates are the latest of its parcels; its `order_by` the first parcel cut-off.

The values one quote builds (its input, parcels, options) are named tuples: as immutable as
frozen dataclasses, and a fifth of their cost to build, which a quote does a dozen times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from chalicelib.domain.accuracy.learned import LearnedLanes, LearnedWindow
from chalicelib.domain.promise.calendar import DayCalendar
from chalicelib.domain.promise.explain import Step, calendar_step, parcel_steps, window_step
from chalicelib.domain.promise.rules import MethodRoute, MethodRule, Money, PromiseConfig, Source
from chalicelib.domain.promise.sourcing import Items, Part, Stock, allocate, stocks_of
from chalicelib.domain.promise.terms import UnavailableReason


class QuoteInput(NamedTuple):
    country: str
    postal_code: str
    items: Items  # one line per SKU (see sourcing.merge_items)
    at: datetime  # aware
    inventory: Mapping[str, Stock] | None = None
    subtotal: Money | None = None  # else the catalogue value of the cart, when known
    explain: bool = False
    learned: LearnedLanes | None = None  # windows learned per lane; None: the rules alone


class Parcel(NamedTuple):
    source: Source
    items: Items
    ship_day: date
    order_by: datetime  # cut-off of the ship day, in the location's zone
    earliest: date
    latest: date
    transit: tuple[int, int] = (0, 0)  # delivery days after the ship day: first, last
    learned: LearnedWindow | None = None  # where the transit came from; None: the rule

    @property
    def location(self) -> str:
        return self.source.location.id


class MethodPromise(NamedTuple):
    """What one shipping method promises for the cart: dates, price, cut-off, parcels."""

    rule: MethodRule
    price: Money
    earliest: date
    latest: date
    order_by: datetime
    parcels: tuple[Parcel, ...]
    steps: tuple[Step, ...] = ()

    @property
    def ships_from(self) -> tuple[str, ...]:
        parcels = self.parcels
        if len(parcels) == 1:  # most carts: no generator (a frame of its own in 3.11)
            return (parcels[0].source.location.id,)  # Parcel.location, written out
        return tuple(parcel.location for parcel in parcels)


class Unavailable(NamedTuple):
    method: str
    reason: UnavailableReason


class Quote(NamedTuple):
    at: datetime
    options: tuple[MethodPromise, ...]  # by earliest delivery, then price
    unavailable: tuple[Unavailable, ...]  # in rule order


# Parcels and options are built with tuple.__new__ and every field in order: a named tuple's
# own constructor is a Python function, one frame per value, and a quote builds a dozen.
_new = tuple.__new__


class _Moment:
    """The order instant, with its local day per zone computed once per quote, and the
    destination's subdivision (None: not in the postal-code table, national holidays apply)."""

    __slots__ = ("at", "ts", "region", "postal_code", "lanes", "covered", "days")

    def __init__(self, at: datetime, region: str | None, request: QuoteInput) -> None:
        if at.tzinfo is None:
            raise ValueError("the order instant must be timezone-aware")
        self.at = at
        self.ts = at.timestamp()
        self.region = region
        self.postal_code = request.postal_code
        self.lanes = request.learned
        self.covered: dict[str, bool] = {}  # location → has the whole cart (see allocate)
        self.days: dict[ZoneInfo, int] = {}  # local day (ordinal) per zone: local_ordinal

    def local_ordinal(self, zone: ZoneInfo) -> int:
        day = self.days.get(zone)
        if day is None:
            day = self.days[zone] = self.at.astimezone(zone).toordinal()
        return day


def quote(config: PromiseConfig, request: QuoteInput) -> Quote:
    stocks = stocks_of(config, request.inventory, request.items)
    subtotal = request.subtotal or config.catalogue.subtotal(request.items)
    destination = config.destination(request.country, request.postal_code)
    moment = _Moment(request.at, destination.region, request)
    options: list[MethodPromise] = []
    unavailable: list[Unavailable] = []
    for route in destination.routes:
        outcome = _quote_method(route, request, stocks, moment, subtotal, destination.served)
        if isinstance(outcome, MethodPromise):
            options.append(outcome)
        else:
            unavailable.append(outcome)
    # Stable sort: equal date and price keep the rule order.
    options.sort(key=_by_date_and_price)
    return Quote(request.at, tuple(options), tuple(unavailable))


def _by_date_and_price(option: MethodPromise) -> tuple[date, Decimal]:
    # A function of the module: a lambda here was a new function object on every quote.
    return option.earliest, option.price.amount


def _quote_method(
    route: MethodRoute,
    request: QuoteInput,
    stocks: Sequence[Stock],
    moment: _Moment,
    subtotal: Money | None,
    served: bool,
) -> MethodPromise | Unavailable:
    rule, days = route.rule, route.days
    if rule is None or days is None:
        return Unavailable(route.method, "outside_zone" if served else "destination_not_served")
    parts = allocate(rule.sources, request.items, stocks, moment.covered)
    if parts is None:
        return Unavailable(route.method, "out_of_stock")
    if rule.same_day and not _leaves_today(parts, moment):
        return Unavailable(route.method, "cutoff_passed")  # known before any parcel is built
    if len(parts) == 1:  # most carts: no comprehension (a frame of its own in 3.11)
        parcels: tuple[Parcel, ...] = (_parcel(route, rule, days, parts[0], moment),)
    else:
        parcels = tuple([_parcel(route, rule, days, part, moment) for part in parts])
    if rule.same_day and not _all_today(parcels, moment):
        return Unavailable(route.method, "cutoff_passed")
    if len(parcels) == 1:
        first = parcels[0]
        earliest, latest, order_by = first.earliest, first.latest, first.order_by
    else:
        earliest = max(parcel.earliest for parcel in parcels)
        latest = max(parcel.latest for parcel in parcels)
        order_by = min((parcel.order_by for parcel in parcels), key=datetime.timestamp)
    steps = _explain(rule, days, parcels, moment, (earliest, latest)) if request.explain else ()
    price = rule.price.for_subtotal(subtotal)
    return _new(MethodPromise, (rule, price, earliest, latest, order_by, parcels, steps))


def _parcel(
    route: MethodRoute, rule: MethodRule, days: DayCalendar, part: Part, moment: _Moment
) -> Parcel:
    # Both tables are kept per day: a parcel is a comparison with the day's cut-off and two
    # look-ups, on every quote, for every method; the local day and the learned window are
    # looked up here rather than through a call each (ordinals start at 1: never falsy).
    source = part.source
    clock = source.clock
    today = moment.days.get(clock.zone) or moment.local_ordinal(clock.zone)
    cutoff, before, after = clock.day_plan(today)
    ship, ship_day, order_by = after if moment.ts >= cutoff else before
    lanes = moment.lanes  # None: the rules alone; same-day lanes are never learned
    learned = (
        None
        if lanes is None or rule.same_day
        else lanes.window(route.lanes[source], rule.learned_share)
    )
    low, high = (learned.low, learned.high) if learned else (rule.transit_min, rule.transit_max)
    earliest, latest = days.delivery_window(ship, low, high)
    window = (low, high)
    return _new(Parcel, (source, part.items, ship_day, order_by, earliest, latest, window, learned))


def _leaves_today(parts: Sequence[Part], moment: _Moment) -> bool:
    """Same-day, from the ship-day tables alone: every part leaves on the order's local day
    (the day hands over, and the order comes before its cut-off)."""
    for part in parts:
        clock = part.source.clock
        today = moment.local_ordinal(clock.zone)
        cutoff, before, _ = clock.day_plan(today)
        if before[0] != today or moment.ts >= cutoff:
            return False
    return True


def _all_today(parcels: Sequence[Parcel], moment: _Moment) -> bool:
    """Same-day: every parcel leaves and arrives on the order's own local day."""
    for parcel in parcels:
        today = date.fromordinal(moment.local_ordinal(parcel.source.clock.zone))
        if parcel.ship_day != today or parcel.latest != today:
            return False
    return True


def _explain(
    rule: MethodRule,
    days: DayCalendar,
    parcels: Sequence[Parcel],
    moment: _Moment,
    window: tuple[date, date],
) -> tuple[Step, ...]:
    steps: list[Step] = []
    for parcel in parcels:
        steps += parcel_steps(rule, days, parcel, moment.at)
    steps.append(calendar_step(days, moment.postal_code))
    steps.append(window_step(*window, len(parcels)))
    return tuple(steps)
