"""The typed rule model the engine reads on every quote: built once per container, then frozen.

Values are frozen, slotted dataclasses. Locations and methods carry their pre-built calendars and
cut-off clocks, so quoting never parses a rule again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from chalicelib.domain.accuracy.lanes import Lane, postal_region
from chalicelib.domain.promise.calendar import CutoffClock, DayCalendar, RegionalDays
from chalicelib.domain.promise.regions import NO_REGIONS, PostalRegions

LocationKind = Literal["warehouse", "store"]
ZERO = Decimal("0.00")  # made once: building a Decimal from text is most of adding a cart up
DESTINATIONS_KEPT = 4096  # destinations whose rules a container keeps; then it starts afresh


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class PostalRange:
    """Inclusive range of postal codes of one length (string order equals numeric order then)."""

    low: str
    high: str

    def contains(self, code: str) -> bool:
        return len(code) == len(self.low) and self.low <= code <= self.high

    def overlaps(self, other: PostalRange) -> bool:
        return len(self.low) == len(other.low) and self.low <= other.high and other.low <= self.high


@dataclass(frozen=True, slots=True)
class Zone:
    """A destination country, optionally narrowed to postal-code ranges (empty: whole country)."""

    country: str
    postal_ranges: tuple[PostalRange, ...] = ()

    def contains(self, country: str, postal_code: str) -> bool:
        if country != self.country:
            return False
        return not self.postal_ranges or any(r.contains(postal_code) for r in self.postal_ranges)

    def overlaps(self, other: Zone) -> bool:
        if self.country != other.country:
            return False
        if not self.postal_ranges or not other.postal_ranges:
            return True
        return any(a.overlaps(b) for a in self.postal_ranges for b in other.postal_ranges)


@dataclass(frozen=True, slots=True)
class Price:
    """A flat price, free from a cart subtotal (in the same currency) when `free_from` is set."""

    charge: Money
    free_from: Decimal | None = None

    def for_subtotal(self, subtotal: Money | None) -> Money:
        if (
            self.free_from is not None
            and subtotal is not None
            and subtotal.currency == self.charge.currency
            and subtotal.amount >= self.free_from
        ):
            return _free(self.charge.currency)
        return self.charge


@lru_cache(maxsize=8)
def _free(currency: str) -> Money:
    return Money(ZERO, currency)


@dataclass(frozen=True, slots=True, eq=False)
class Location:
    """A warehouse or store: where it is, when it hands parcels over, and to which carriers."""

    id: str
    kind: LocationKind
    zone: ZoneInfo
    days: DayCalendar
    cutoffs: Mapping[str, time]  # "carrier" or the more specific "carrier/service"

    def cutoff_for(self, carrier: str, service: str) -> time | None:
        return self.cutoffs.get(f"{carrier}/{service}") or self.cutoffs.get(carrier)


@dataclass(frozen=True, slots=True, eq=False)
class Source:
    """One eligible location of a method, with the cut-off clock of the method's carrier there."""

    location: Location
    clock: CutoffClock


@dataclass(frozen=True, slots=True, eq=False)
class MethodRule:
    """One shipping method for one destination zone (a method name may have a rule per zone)."""

    key: str
    method: str
    carrier: str
    service: str
    zone: Zone
    sources: tuple[Source, ...]  # in sourcing preference order
    transit_min: int
    transit_max: int
    delivery: RegionalDays  # carrier's delivery weekdays minus the destination's holidays
    price: Price
    same_day: bool
    # The method's name by locale ("de-AT") or language ("de"); an option's label adds when it
    # arrives, from its dates (promise.labels).
    labels: Mapping[str, str]
    learned_share: float = 0.95  # of a lane's parcels its learned window covers

    def label(self, locale: str, fallback_language: str) -> str:
        return self.named(locale, fallback_language)[1]

    def named(self, locale: str, fallback_language: str) -> tuple[str, str]:
        """The language and the method's name in it: the locale's, its language's, or else the
        fallback language's."""
        for key in (locale, locale[:2]):
            name = self.labels.get(key)
            if name:
                return key[:2], name
        return fallback_language, self.labels[fallback_language]


@dataclass(frozen=True, slots=True, eq=False)
class RuleSet:
    version: str
    currency: str
    default_language: str
    locations: Mapping[str, Location]
    methods: tuple[tuple[str, tuple[MethodRule, ...]], ...]  # method name → its zone rules
    countries: frozenset[str]  # every country some method serves

    @property
    def rules(self) -> Iterable[MethodRule]:
        return (rule for _, rules in self.methods for rule in rules)


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    sku: str
    name: str
    price: Money
    in_store: bool


@dataclass(frozen=True, slots=True, eq=False)
class Catalogue:
    version: str
    currency: str
    default_quantity: int
    items: Mapping[str, CatalogueItem]

    def subtotal(self, items: Iterable[tuple[str, int]]) -> Money | None:
        """Cart value at catalogue prices; None when a SKU is unknown (so is the value)."""
        total = ZERO
        for sku, quantity in items:
            item = self.items.get(sku)
            if item is None:
                return None
            total += item.price.amount * quantity
        return Money(total, self.currency)


@dataclass(frozen=True, slots=True, eq=False)
class MethodRoute:
    """One method for one destination: the zone rule that holds it (None: none does), that rule's
    delivery days in the destination's subdivision, and the learned-lane key of each source."""

    method: str
    rule: MethodRule | None
    days: DayCalendar | None
    lanes: Mapping[Source, str]


@dataclass(frozen=True, slots=True, eq=False)
class DestinationRules:
    """What the rules say about one destination before any cart or instant: its subdivision
    (None: national holidays apply), whether some method serves its country, and each method's
    route in rule order."""

    region: str | None
    served: bool
    routes: tuple[MethodRoute, ...]


@dataclass(frozen=True, slots=True, eq=False)
class PromiseConfig:
    """Rules plus catalogue, the default stock derived from both (location kinds, in_store), and
    the postal-code table that finds a destination's subdivision (empty: national holidays)."""

    rules: RuleSet
    catalogue: Catalogue
    default_stock: Mapping[str, Mapping[str, int]]  # sku → location id → quantity
    regions: PostalRegions = NO_REGIONS
    _destinations: dict[tuple[str, str], DestinationRules] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def destination(self, country: str, postal_code: str) -> DestinationRules:
        """The destination's rules, worked out on its first quote and kept: every quote asked
        them again (zone ranges, subdivision, calendar, lane keys) for the same answer."""
        key = (country, postal_code)
        found = self._destinations.get(key)
        if found is None:
            if len(self._destinations) >= DESTINATIONS_KEPT:
                self._destinations.clear()
            found = self._destinations[key] = self._work_out(country, postal_code)
        return found

    def _work_out(self, country: str, postal_code: str) -> DestinationRules:
        region = self.regions.subdivision(country, postal_code)
        lane_region = postal_region(country, postal_code)
        routes = []
        for method, rules in self.rules.methods:
            rule = next((r for r in rules if r.zone.contains(country, postal_code)), None)
            if rule is None:
                routes.append(MethodRoute(method, None, None, {}))
                continue
            lanes = {
                source: Lane(rule.carrier, rule.service, source.location.id, lane_region).key
                for source in rule.sources
            }
            routes.append(MethodRoute(method, rule, rule.delivery.calendar(region), lanes))
        return DestinationRules(region, country in self.rules.countries, tuple(routes))
