"""The delivery-promise engine: a quote is a pure function of the rules and one request.

Hot path: no pydantic, no parsing. Per method it picks the rule for the destination zone, sources
the items, and for each parcel reads the ship day and delivery days from cached calendar tables.
An option's dates are the latest of its parcels; its `order_by` the first parcel cut-off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.promise.explain import Step, parcel_steps, window_step
from chalicelib.domain.promise.rules import MethodRule, Money, PromiseConfig, Source
from chalicelib.domain.promise.sourcing import Items, Part, Stock, allocate, stock_of
from chalicelib.domain.promise.terms import UnavailableReason


@dataclass(frozen=True, slots=True)
class QuoteInput:
    country: str
    postal_code: str
    items: Items  # one line per SKU (see sourcing.merge_items)
    at: datetime  # aware
    inventory: Mapping[str, Stock] | None = None
    subtotal: Money | None = None  # else the catalogue value of the cart, when known
    explain: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Parcel:
    source: Source
    items: Items
    ship_day: date
    order_by: datetime  # cut-off of the ship day, in the location's zone
    earliest: date
    latest: date

    @property
    def location(self) -> str:
        return self.source.location.id


@dataclass(frozen=True, slots=True, eq=False)
class MethodPromise:
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
        return tuple(parcel.location for parcel in self.parcels)


@dataclass(frozen=True, slots=True)
class Unavailable:
    method: str
    reason: UnavailableReason


@dataclass(frozen=True, slots=True, eq=False)
class Quote:
    at: datetime
    options: tuple[MethodPromise, ...]  # by earliest delivery, then price
    unavailable: tuple[Unavailable, ...]  # in rule order


class _Moment:
    """The order instant, with its local day per zone computed once per quote."""

    __slots__ = ("at", "ts", "_days")

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("the order instant must be timezone-aware")
        self.at = at
        self.ts = at.timestamp()
        self._days: dict[ZoneInfo, int] = {}

    def local_ordinal(self, zone: ZoneInfo) -> int:
        day = self._days.get(zone)
        if day is None:
            day = self._days[zone] = self.at.astimezone(zone).toordinal()
        return day


def quote(config: PromiseConfig, request: QuoteInput) -> Quote:
    stocks = tuple([stock_of(config, request.inventory, sku) for sku, _ in request.items])
    subtotal = request.subtotal or config.catalogue.subtotal(request.items)
    moment = _Moment(request.at)
    served = request.country in config.rules.countries
    options: list[MethodPromise] = []
    unavailable: list[Unavailable] = []
    for method, rules in config.rules.methods:
        outcome = _quote_method(method, rules, request, stocks, moment, subtotal, served)
        if isinstance(outcome, MethodPromise):
            options.append(outcome)
        else:
            unavailable.append(outcome)
    # Stable sort: equal date and price keep the rule order.
    options.sort(key=lambda option: (option.earliest, option.price.amount))
    return Quote(request.at, tuple(options), tuple(unavailable))


def _quote_method(
    method: str,
    rules: Sequence[MethodRule],
    request: QuoteInput,
    stocks: Sequence[Stock],
    moment: _Moment,
    subtotal: Money | None,
    served: bool,
) -> MethodPromise | Unavailable:
    rule = _rule_for(rules, request.country, request.postal_code)
    if rule is None:
        return Unavailable(method, "outside_zone" if served else "destination_not_served")
    parts = allocate(rule.sources, request.items, stocks)
    if parts is None:
        return Unavailable(method, "out_of_stock")
    parcels = tuple([_parcel(rule, part, moment) for part in parts])
    if rule.same_day and not _all_today(parcels, moment):
        return Unavailable(method, "cutoff_passed")
    if len(parcels) == 1:
        first = parcels[0]
        earliest, latest, order_by = first.earliest, first.latest, first.order_by
    else:
        earliest = max(parcel.earliest for parcel in parcels)
        latest = max(parcel.latest for parcel in parcels)
        order_by = min((parcel.order_by for parcel in parcels), key=datetime.timestamp)
    steps = _explain(rule, parcels, moment, earliest, latest) if request.explain else ()
    return MethodPromise(
        rule, rule.price.for_subtotal(subtotal), earliest, latest, order_by, parcels, steps
    )


def _rule_for(rules: Sequence[MethodRule], country: str, postal_code: str) -> MethodRule | None:
    for rule in rules:
        if rule.zone.contains(country, postal_code):
            return rule
    return None


def _parcel(rule: MethodRule, part: Part, moment: _Moment) -> Parcel:
    clock = part.source.clock
    ship = clock.ship_day(moment.local_ordinal(clock.zone), moment.ts)
    order_by = clock.cutoff_instant(ship)[1]
    earliest = date.fromordinal(rule.delivery.nth_open_after(ship, rule.transit_min))
    latest = (
        earliest
        if rule.transit_max == rule.transit_min
        else date.fromordinal(rule.delivery.nth_open_after(ship, rule.transit_max))
    )
    return Parcel(part.source, part.items, date.fromordinal(ship), order_by, earliest, latest)


def _all_today(parcels: Sequence[Parcel], moment: _Moment) -> bool:
    """Same-day: every parcel leaves and arrives on the order's own local day."""
    for parcel in parcels:
        today = date.fromordinal(moment.local_ordinal(parcel.source.clock.zone))
        if parcel.ship_day != today or parcel.latest != today:
            return False
    return True


def _explain(
    rule: MethodRule,
    parcels: Sequence[Parcel],
    moment: _Moment,
    earliest: date,
    latest: date,
) -> tuple[Step, ...]:
    steps: list[Step] = []
    for parcel in parcels:
        steps += parcel_steps(rule, parcel.source, parcel.items, moment.at, parcel.ship_day)
    steps.append(window_step(earliest, latest, len(parcels)))
    return tuple(steps)
