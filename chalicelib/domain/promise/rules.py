"""The typed rule model the engine reads on every quote: built once per container, then frozen.

Values are frozen, slotted dataclasses. Locations and methods carry their pre-built calendars and
cut-off clocks, so quoting never parses a rule again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from chalicelib.domain.promise.calendar import CutoffClock, DayCalendar, RegionalDays
from chalicelib.domain.promise.regions import NO_REGIONS, PostalRegions

LocationKind = Literal["warehouse", "store"]


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
            return Money(Decimal("0.00"), self.charge.currency)
        return self.charge


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
    labels: Mapping[str, str]  # by locale ("de-AT") or language ("de")
    learned_share: float = 0.95  # of a lane's parcels its learned window covers

    def label(self, locale: str, fallback_language: str) -> str:
        return (
            self.labels.get(locale) or self.labels.get(locale[:2]) or self.labels[fallback_language]
        )


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
        total = Decimal("0.00")
        for sku, quantity in items:
            item = self.items.get(sku)
            if item is None:
                return None
            total += item.price.amount * quantity
        return Money(total, self.currency)


@dataclass(frozen=True, slots=True, eq=False)
class PromiseConfig:
    """Rules plus catalogue, the default stock derived from both (location kinds, in_store), and
    the postal-code table that finds a destination's subdivision (empty: national holidays)."""

    rules: RuleSet
    catalogue: Catalogue
    default_stock: Mapping[str, Mapping[str, int]]  # sku → location id → quantity
    regions: PostalRegions = NO_REGIONS
