"""Sourcing: each line ships from the first eligible location that has enough of it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.promise.rules import PromiseConfig, Source
from chalicelib.domain.promise.sourcing import Items, Stock, allocate

LOCATIONS = ("WH-LEIPZIG", "STORE-BERLIN")
lines = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.integers(1, 5)),
    min_size=1,
    max_size=4,
    unique_by=lambda line: line[0],
)
stock = st.dictionaries(st.sampled_from(LOCATIONS), st.integers(0, 6))


def _line_by_line(
    sources: tuple[Source, ...], items: Items, stocks: list[Stock]
) -> list[tuple[str, Items]] | None:
    """The rule spelled out: every line to the first source with enough, parts in source order."""
    picked: dict[int, list[tuple[str, int]]] = {}
    for line, on_hand in zip(items, stocks, strict=True):
        eligible = [i for i, s in enumerate(sources) if on_hand.get(s.location.id, 0) >= line[1]]
        if not eligible:
            return None
        picked.setdefault(eligible[0], []).append(line)
    return [(sources[i].location.id, tuple(picked[i])) for i in sorted(picked)]


@settings(max_examples=300, derandomize=True)
@given(data=st.data(), cart=lines, two_sources=st.booleans())
def test_allocation_is_the_first_source_with_enough_per_line(
    config: PromiseConfig, data: st.DataObject, cart: list[tuple[str, int]], two_sources: bool
) -> None:
    # Given a method with one or two sources, a cart and stock per line
    method = "standard" if two_sources else "economy"
    rule = next(r for m, rules in config.rules.methods if m == method for r in rules)
    items = tuple(cart)
    stocks: list[Stock] = [data.draw(stock) for _ in items]

    # When the cart is allocated
    parts = allocate(rule.sources, items, stocks)

    # Then it is the line-by-line rule, the first source's part first
    expected = _line_by_line(rule.sources, items, stocks)
    got = None if parts is None else [(p.source.location.id, p.items) for p in parts]
    assert got == expected
