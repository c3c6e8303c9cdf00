"""Sourcing: each item ships from the first eligible location that has enough of it in stock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from chalicelib.domain.promise.rules import Catalogue, Location, PromiseConfig, Source

Stock = Mapping[str, int]  # location id → quantity on hand
Items = tuple[tuple[str, int], ...]  # (sku, quantity), one line per SKU
NO_STOCK: Stock = MappingProxyType({})


class Part(NamedTuple):  # a named tuple, as the engine's other per-quote values
    """The items one location ships for an option: one parcel."""

    source: Source
    items: Items


def merge_items(items: Iterable[tuple[str, int]]) -> Items:
    """One line per SKU (quantities added), in the order SKUs first appear."""
    merged: dict[str, int] = {}
    for sku, quantity in items:
        merged[sku] = merged.get(sku, 0) + quantity
    return tuple(merged.items())


def default_stock(
    catalogue: Catalogue, locations: Iterable[Location]
) -> Mapping[str, Mapping[str, int]]:
    """Configured stock: every SKU at each warehouse, `in_store` SKUs also at each store."""
    located = tuple(locations)
    return MappingProxyType(
        {
            sku: MappingProxyType(
                {
                    loc.id: catalogue.default_quantity
                    for loc in located
                    if loc.kind == "warehouse" or item.in_store
                }
            )
            for sku, item in catalogue.items.items()
        }
    )


def stocks_of(
    config: PromiseConfig, inventory: Mapping[str, Stock] | None, items: Items
) -> tuple[Stock, ...]:
    """Each line's stock: the caller's live stock wins; an unknown SKU is stocked only where
    the caller says."""
    configured = config.default_stock
    if inventory is None:
        return tuple([configured.get(sku, NO_STOCK) for sku, _ in items])
    return tuple(
        [inventory[sku] if sku in inventory else configured.get(sku, NO_STOCK) for sku, _ in items]
    )


def allocate(
    sources: Sequence[Source],
    items: Items,
    stocks: Sequence[Stock],
    covered: dict[str, bool] | None = None,
) -> tuple[Part, ...] | None:
    """Parts in source order, or None when some item is short everywhere.

    `stocks[i]` is the stock of `items[i]`. `covered` keeps, per location, whether it has
    every item: a quote allocates the same cart for every method, and most methods ship from
    the same first location (the check was a seventh of the engine's steps).
    """
    first = sources[0].location.id
    whole = covered.get(first) if covered is not None else None
    if whole is None:
        whole = _covers(first, items, stocks)
        if covered is not None:
            covered[first] = whole
    if whole:
        # The common case (one source, or a first source with everything), kept free of
        # per-item bookkeeping: the loop below would put every line on the first source too.
        return (tuple.__new__(Part, (sources[0], items)),)  # no constructor frame: hot path
    if len(sources) == 1:
        return None
    picked: dict[int, list[tuple[str, int]]] = {}
    for line, stock in zip(items, stocks, strict=True):
        for index, source in enumerate(sources):
            if stock.get(source.location.id, 0) >= line[1]:
                picked.setdefault(index, []).append(line)
                break
        else:
            return None
    return tuple(Part(sources[index], tuple(picked[index])) for index in sorted(picked))


def _covers(location: str, items: Items, stocks: Sequence[Stock]) -> bool:
    # Indexed rather than zip(strict=True): half the cost, on every method of every quote
    # (allocate's callers pass one stock per item).
    for index, (_, quantity) in enumerate(items):
        if stocks[index].get(location, 0) < quantity:
            return False
    return True
