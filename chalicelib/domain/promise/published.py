"""The promise as a statement: per method, the handling and transit days, cut-off and business
days that search engines (schema.org), Merchant Center and the product-page widget publish.

A quote answers dates for one cart at one instant; a statement answers how those dates come
about, so that a reader can work them out for any instant. Both come from the same rules,
calendars, cut-off clocks and learned windows: the statement asks the engine's own pieces
(``allocate``, the cut-off clock's day plan, the learned lanes by the quote's lane keys), so the
two cannot drift (tests/unit/promise/test_published_consistency.py quotes and compares).

How a statement reads (docs/api.md, "The promise for search engines"): an order is received on
the day it is placed, in the cut-off's zone, when that is a handling day and the order comes
before the cut-off, else on the next handling day; it leaves ``handling`` handling days after
receipt and arrives ``transit`` delivery days after it leaves. Handling days are the origin's
handling weekdays less its public holidays and closures; delivery days the carrier's delivery
weekdays less the destination's public holidays, as in the quote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.accuracy.lanes import SEPARATOR, Lane
from chalicelib.domain.accuracy.learned import LearnedLanes, LearnedWindow
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.promise import holiday_classes
from chalicelib.domain.promise.engine import Unavailable
from chalicelib.domain.promise.rules import MethodRule, Money, PostalRange, PromiseConfig, Source
from chalicelib.domain.promise.sourcing import NO_STOCK, allocate
from chalicelib.domain.promise.terms import UnavailableReason

# The quote hands a parcel over on the day the order is received (CutoffClock: before the
# cut-off on a handling day, that day; else the next handling day): no handling days between.
SAME_DAY_HANDLING = (0, 0)


@dataclass(frozen=True, slots=True)
class DayRange:
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class MethodTimes:
    """What one method's rule states for a destination: from where, at what price, how long."""

    rule: MethodRule
    source: Source  # the location an order of the product ships from
    price: Money
    handling: DayRange  # handling days from receipt to hand-over (0: the day of receipt)
    transit: DayRange  # delivery days from hand-over to delivery
    order_by: datetime  # the cut-off an order placed now makes (the quote's order_by)
    learned: tuple[LearnedWindow, ...]  # the learned windows behind `transit` (none: the rule)
    postal_ranges: tuple[PostalRange, ...]  # where the figures hold (empty: the whole country)
    postal_prefix: str | None = None  # the lane region the figures were worked out for

    @property
    def handling_weekdays(self) -> frozenset[int]:
        return self.source.location.days.weekdays

    @property
    def delivery_weekdays(self) -> frozenset[int]:
        return self.rule.delivery.weekdays


@dataclass(frozen=True, slots=True)
class DeliveryTimes:
    """The statement for one destination: each method that ships there, and those that do not.

    `region` is the subdivision whose holidays the delivery days skip; None with a postal code
    means the postal-code table does not know it and the country's national holidays apply, as
    in the quote. `ships` is False when no rule's zone holds the destination at all."""

    country: str
    postal_code: str | None
    region: str | None
    ships: bool
    methods: tuple[MethodTimes, ...]
    not_offered: tuple[Unavailable, ...]

    @property
    def calendar(self) -> str:
        """The holidays delivery days skip, named as the quote's explain does ("DE-BE", "DE")."""
        return self.country if self.region is None else f"{self.country}-{self.region}"

    @property
    def national_fallback(self) -> bool:
        """A postal code was given, and the subdivision table does not know it."""
        return self.postal_code is not None and self.region is None


def delivery_times(
    config: PromiseConfig,
    country: str,
    postal_code: str | None,
    sku: str | None,
    at: datetime,
    learned: LearnedLanes | None = None,
) -> DeliveryTimes:
    """Each method's statement for `country` (and `postal_code`, when known) at instant `at`.

    With a SKU, a method ships from the first of its locations that stocks one unit (configured
    stock, as the quote without `inventory`); without, from its first location. Without a postal
    code a method's transit covers its rule and every learned window of its lanes into the
    country; with one, the quote's own lane (learned window, else rule).
    """
    if at.tzinfo is None:
        raise ValueError("the instant must be timezone-aware")
    if postal_code is None:
        return _country_times(config, country, sku, at, learned)
    destination = config.destination(country, postal_code)
    methods: list[MethodTimes] = []
    not_offered: list[Unavailable] = []
    for route in destination.routes:
        rule = route.rule
        if rule is None:
            reason: UnavailableReason = (
                "outside_zone" if destination.served else "destination_not_served"
            )
            not_offered.append(Unavailable(route.method, reason))
            continue
        source = _source(config, rule, sku)
        if source is None:
            not_offered.append(Unavailable(route.method, "out_of_stock"))
            continue
        lane = route.lanes[source]
        window = _window(learned, rule, lane)
        methods.append(
            _times(
                config, rule, source, sku, at,
                transit=DayRange(window.low, window.high) if window else _rule_transit(rule),
                learned=(window,) if window else (),
                # Worked out for the postal code's lane region: other regions of the country
                # may have learned windows of their own.
                postal_prefix=Lane.from_key(lane).destination.split("-", 1)[1],
            )
        )  # fmt: skip
    ships = any(route.rule is not None for route in destination.routes)
    return DeliveryTimes(
        country, postal_code, destination.region, ships, tuple(methods), tuple(not_offered)
    )


def _country_times(
    config: PromiseConfig,
    country: str,
    sku: str | None,
    at: datetime,
    learned: LearnedLanes | None,
) -> DeliveryTimes:
    """Every rule into the country, regional ones with their postal ranges."""
    methods: list[MethodTimes] = []
    not_offered: list[Unavailable] = []
    served = country in config.rules.countries
    for method, rules in config.rules.methods:
        into = [rule for rule in rules if rule.zone.country == country]
        if not into:
            reason: UnavailableReason = "outside_zone" if served else "destination_not_served"
            not_offered.append(Unavailable(method, reason))
            continue
        for rule in into:
            source = _source(config, rule, sku)
            if source is None:
                not_offered.append(Unavailable(method, "out_of_stock"))
                continue
            windows = tuple(_country_windows(learned, rule, source, country))
            transit = DayRange(
                min([rule.transit_min, *(w.low for w in windows)]),
                max([rule.transit_max, *(w.high for w in windows)]),
            )
            methods.append(_times(config, rule, source, sku, at, transit=transit, learned=windows))
    return DeliveryTimes(country, None, None, served, tuple(methods), tuple(not_offered))


def _times(
    config: PromiseConfig,
    rule: MethodRule,
    source: Source,
    sku: str | None,
    at: datetime,
    *,
    transit: DayRange,
    learned: tuple[LearnedWindow, ...],
    postal_prefix: str | None = None,
) -> MethodTimes:
    # The price of one unit, as the quote of a one-line cart (no SKU: the rule's own charge).
    subtotal = config.catalogue.subtotal(((sku, 1),)) if sku is not None else None
    return MethodTimes(
        rule=rule,
        source=source,
        price=rule.price.for_subtotal(subtotal),
        handling=DayRange(*SAME_DAY_HANDLING),
        transit=transit,
        order_by=source.clock.order_by(at),
        learned=learned,
        postal_ranges=rule.zone.postal_ranges,
        postal_prefix=postal_prefix,
    )


def _source(config: PromiseConfig, rule: MethodRule, sku: str | None) -> Source | None:
    """Where one unit ships from: the engine's own allocation over the configured stock."""
    if sku is None:
        return rule.sources[0]
    stock = config.default_stock.get(sku, NO_STOCK)
    parts = allocate(rule.sources, ((sku, 1),), (stock,))
    return parts[0].source if parts else None


def _rule_transit(rule: MethodRule) -> DayRange:
    return DayRange(rule.transit_min, rule.transit_max)


def _window(learned: LearnedLanes | None, rule: MethodRule, lane: str) -> LearnedWindow | None:
    """The quote's choice for one lane: its learned window, or None for the rule."""
    if learned is None or rule.same_day:  # same-day lanes are never learned (engine._parcel)
        return None
    return learned.window(lane, rule.learned_share)


def _country_windows(
    learned: LearnedLanes | None, rule: MethodRule, source: Source, country: str
) -> Iterable[LearnedWindow]:
    """The learned windows of every lane from `source` into `country` for the rule's service."""
    if learned is None or rule.same_day:
        return
    prefix = SEPARATOR.join((rule.carrier, rule.service, source.location.id, f"{country}-"))
    for lane in sorted(learned.histograms):
        if lane.startswith(prefix):
            window = learned.window(lane, rule.learned_share)
            if window is not None:
                yield window


def check_country(config: PromiseConfig, country: str) -> None:
    """Refuse a code that names no country (InvalidInput, naming the countries the rules ship
    to); a real country the rules do not ship to is an answer, not an error."""
    if len(country) == 2 and holiday_classes.supported(country):
        return
    ships_to = ", ".join(sorted(config.rules.countries))
    message = f"Unknown country code {country!r}: the rules ship to {ships_to}"
    raise InvalidInput("1 field is invalid", [{"loc": ["country"], "msg": message}])


def check_sku(config: PromiseConfig, sku: str | None) -> None:
    """Refuse a SKU the catalogue does not have: without live stock it ships from nowhere."""
    if sku is not None and sku not in config.catalogue.items:
        message = "Unknown SKU: the catalogue does not list it"
        raise InvalidInput("1 field is invalid", [{"loc": ["sku"], "msg": message}])
