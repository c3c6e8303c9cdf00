"""Rule and catalogue documents → the typed rule model, with the checks that span fields.

Calendars and cut-off clocks are shared between rules that need the same one, so their cached
tables are built once per container.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.promise.calendar import CutoffClock, DayCalendar, RegionalDays
from chalicelib.domain.promise.labels import relative_word
from chalicelib.domain.promise.regions import NO_REGIONS, PostalRegions
from chalicelib.domain.promise.rules import (
    Catalogue,
    CatalogueItem,
    Location,
    MethodRule,
    Money,
    PostalRange,
    Price,
    PromiseConfig,
    RuleSet,
    Source,
    Zone,
)
from chalicelib.domain.promise.schema import (
    WEEKDAYS,
    CatalogueDoc,
    LocationDoc,
    MethodDoc,
    RuleConfigError,
    RulesDoc,
    Weekday,
    month_day,
    parse_document,
)
from chalicelib.domain.promise.sourcing import default_stock


class _Shared:
    """Calendars and clocks handed out once per distinct definition."""

    def __init__(self) -> None:
        self.delivery: dict[tuple[frozenset[int], str], RegionalDays] = {}
        self.clocks: dict[tuple[str, time], CutoffClock] = {}

    def delivery_days(self, weekdays: frozenset[int], country: str) -> RegionalDays:
        key = (weekdays, country)
        if key not in self.delivery:
            days = RegionalDays(weekdays=weekdays, country=country)
            days.calendar(None)  # built now, so that bad delivery weekdays fail at load time
            self.delivery[key] = days
        return self.delivery[key]

    def clock(self, location: Location, cutoff: time) -> CutoffClock:
        key = (location.id, cutoff)
        if key not in self.clocks:
            self.clocks[key] = CutoffClock(location.days, location.zone, cutoff)
        return self.clocks[key]


def build_config(
    rules_raw: Mapping[str, Any],
    catalogue_raw: Mapping[str, Any],
    *,
    rules_source: str = "rules.toml",
    catalogue_source: str = "catalogue.toml",
    regions: PostalRegions = NO_REGIONS,
) -> PromiseConfig:
    """Validate both documents and build the configuration; RuleConfigError names a bad field."""
    rules = build_rules(parse_document(RulesDoc, rules_raw, rules_source), rules_source)
    catalogue = build_catalogue(
        parse_document(CatalogueDoc, catalogue_raw, catalogue_source), catalogue_source
    )
    if catalogue.currency != rules.currency:
        problem = f"must be the rules' currency {rules.currency}, not {catalogue.currency}"
        raise RuleConfigError(catalogue_source, "currency", problem)
    stock = default_stock(catalogue, rules.locations.values())
    return PromiseConfig(rules, catalogue, stock, regions)


def build_rules(doc: RulesDoc, source: str) -> RuleSet:
    locations = {key: build_location(key, location) for key, location in doc.locations.items()}
    shared = _Shared()
    built = [
        _build_method(f"methods.{index}", method, doc, locations, shared, source)
        for index, method in enumerate(doc.methods)
    ]
    _check_unique_keys(built, source)
    _check_zones_disjoint(built, source)
    grouped: dict[str, list[MethodRule]] = {}
    for rule in built:
        grouped.setdefault(rule.method, []).append(rule)
    return RuleSet(
        version=doc.version,
        currency=doc.currency,
        default_language=doc.default_language,
        locations=MappingProxyType(locations),
        methods=tuple((name, tuple(rules)) for name, rules in grouped.items()),
        countries=frozenset(rule.zone.country for rule in built),
    )


def build_location(location_id: str, doc: LocationDoc) -> Location:
    days = DayCalendar(
        weekdays=weekday_numbers(doc.handling_weekdays),
        country=doc.country,
        subdivision=doc.subdivision,
        annual_closures=frozenset(month_day(value) for value in doc.closed_every_year),
        closures=frozenset(date.fromisoformat(value) for value in doc.closed_on),
    )
    cutoffs = {key: time.fromisoformat(value) for key, value in doc.cutoffs.items()}
    return Location(location_id, doc.kind, ZoneInfo(doc.time_zone), days, MappingProxyType(cutoffs))


def build_catalogue(doc: CatalogueDoc, source: str) -> Catalogue:
    items = {
        sku: CatalogueItem(sku, item.name, Money(Decimal(item.price), doc.currency), item.in_store)
        for sku, item in doc.skus.items()
    }
    return Catalogue(doc.version, doc.currency, doc.default_quantity, MappingProxyType(items))


def weekday_numbers(names: list[Weekday]) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(name) for name in names)


def _build_method(
    field: str,
    doc: MethodDoc,
    rules: RulesDoc,
    locations: Mapping[str, Location],
    shared: _Shared,
    source: str,
) -> MethodRule:
    _check_method(field, doc, rules, source)
    zone = Zone(
        doc.zone.country,
        tuple(PostalRange(*text.split("-")) for text in doc.zone.postal_codes),
    )
    free_from = Decimal(doc.price.free_from) if doc.price.free_from is not None else None
    return MethodRule(
        key=doc.key,
        method=doc.method,
        carrier=doc.carrier,
        service=doc.service,
        zone=zone,
        sources=_sources(field, doc, locations, shared, source),
        transit_min=doc.transit_days.min,
        transit_max=doc.transit_days.max,
        delivery=shared.delivery_days(weekday_numbers(doc.delivery_weekdays), doc.zone.country),
        price=Price(Money(Decimal(doc.price.amount), rules.currency), free_from),
        same_day=doc.same_day,
        labels=MappingProxyType(dict(doc.labels)),
        learned_share=doc.learned_share,
    )


def _check_method(field: str, doc: MethodDoc, rules: RulesDoc, source: str) -> None:
    if doc.transit_days.min > doc.transit_days.max:
        raise RuleConfigError(source, f"{field}.transit_days", "min must not exceed max")
    if doc.same_day and doc.transit_days.max != 0:
        problem = "must be 0: a same_day method delivers on the ship day"
        raise RuleConfigError(source, f"{field}.transit_days.max", problem)
    if rules.default_language not in doc.labels:
        problem = f"needs a label in the default language {rules.default_language!r}"
        raise RuleConfigError(source, f"{field}.labels", problem)
    if len(set(doc.ships_from)) != len(doc.ships_from):
        raise RuleConfigError(source, f"{field}.ships_from", "lists a location twice")
    _check_labels(field, doc, source)


def _check_labels(field: str, doc: MethodDoc, source: str) -> None:
    # A label names the method; when it arrives comes from each option's dates. A name that
    # says "morgen" would say it of an option due in six days.
    for key, name in doc.labels.items():
        word = relative_word(name)
        if word is not None:
            problem = f"names the method only; {word!r} comes from each option's dates"
            raise RuleConfigError(source, f"{field}.labels.{key}", problem)


def _sources(
    field: str,
    doc: MethodDoc,
    locations: Mapping[str, Location],
    shared: _Shared,
    source: str,
) -> tuple[Source, ...]:
    sources: list[Source] = []
    for index, location_id in enumerate(doc.ships_from):
        location = locations.get(location_id)
        if location is None:
            problem = f"unknown location {location_id!r}"
            raise RuleConfigError(source, f"{field}.ships_from.{index}", problem)
        cutoff = location.cutoff_for(doc.carrier, doc.service)
        if cutoff is None:
            problem = f"no cut-off for {doc.carrier}/{doc.service}, which {field} ships from here"
            raise RuleConfigError(source, f"locations.{location_id}.cutoffs", problem)
        sources.append(Source(location, shared.clock(location, cutoff)))
    return tuple(sources)


def _check_unique_keys(rules: list[MethodRule], source: str) -> None:
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.key in seen:
            raise RuleConfigError(source, f"methods.{index}.key", f"duplicate key {rule.key!r}")
        seen.add(rule.key)


def _check_zones_disjoint(rules: list[MethodRule], source: str) -> None:
    """A method name has at most one rule per destination, else the answer would be ambiguous."""
    for later, rule in enumerate(rules):
        for earlier, other in enumerate(rules[:later]):
            if other.method == rule.method and other.zone.overlaps(rule.zone):
                problem = f"overlaps the zone of methods.{earlier} (both are {rule.method!r})"
                raise RuleConfigError(source, f"methods.{later}.zone", problem)
