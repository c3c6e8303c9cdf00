"""A destination's rules: worked out on its first quote, kept, and the same as asking each zone."""

from __future__ import annotations

import pytest

from chalicelib.domain.accuracy.lanes import Lane, postal_region
from chalicelib.domain.promise import rules as rules_module
from chalicelib.domain.promise.rules import PromiseConfig


@pytest.mark.parametrize(
    ("country", "postal_code"), [("DE", "10115"), ("DE", "80331"), ("AT", "1010"), ("FR", "75001")]
)
def test_each_route_is_the_first_zone_rule_that_holds_the_destination(
    config: PromiseConfig, country: str, postal_code: str
) -> None:
    # When the destination's rules are asked
    destination = config.destination(country, postal_code)

    # Then each method's route is the first rule whose zone holds it, in rule order
    assert [route.method for route in destination.routes] == [m for m, _ in config.rules.methods]
    for route, (_, rules) in zip(destination.routes, config.rules.methods, strict=True):
        expected = next((r for r in rules if r.zone.contains(country, postal_code)), None)
        assert route.rule is expected
        if expected is None:
            assert route.days is None and not route.lanes
            continue
        region = config.regions.subdivision(country, postal_code)
        assert route.days is expected.delivery.calendar(region)
        # and each source's learned lane goes to the destination's postal region
        assert route.lanes == {
            source: Lane(
                expected.carrier, expected.service, source.location.id,
                postal_region(country, postal_code),
            ).key
            for source in expected.sources
        }  # fmt: skip
    assert destination.served == (country in config.rules.countries)


def test_a_destination_is_worked_out_once_and_the_cache_stays_bounded(
    monkeypatch: pytest.MonkeyPatch, config: PromiseConfig
) -> None:
    # Given a fresh configuration that keeps two destinations
    fresh = copy_of(config)
    monkeypatch.setattr(rules_module, "DESTINATIONS_KEPT", 2)

    # When the same destination is asked twice, then others
    first = fresh.destination("DE", "10115")
    again = fresh.destination("DE", "10115")
    fresh.destination("DE", "80331")
    fresh.destination("DE", "01067")

    # Then the second answer is the first; the third destination made the cache start afresh
    assert again is first
    assert fresh.destination("DE", "10115") is not first


def copy_of(config: PromiseConfig) -> PromiseConfig:
    return PromiseConfig(config.rules, config.catalogue, config.default_stock, config.regions)
