"""Rule and catalogue documents: loaded once, overridable, and every error names its field."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.config import loader
from chalicelib.config.loader import RuleConfigError, load_config
from chalicelib.domain.promise.build import build_config

Document = dict[str, Any]


def _packaged(name: str) -> Document:
    with (loader.CONFIG_DIR / name).open("rb") as file:
        return tomllib.load(file)


RULES = _packaged(loader.RULES_FILE)
CATALOGUE = _packaged(loader.CATALOGUE_FILE)


def _edit(document: Document, change: Callable[[Document], None]) -> Document:
    changed = copy.deepcopy(document)
    change(changed)
    return changed


def test_packaged_rules_load_once_per_container() -> None:
    assert load_config() is load_config()


def test_packaged_rules_match_the_issue_tables() -> None:
    rules = load_config().rules

    assert [name for name, _ in rules.methods] == ["same_day", "next_day", "standard", "economy"]
    assert set(rules.locations) == {"WH-LEIPZIG", "STORE-BERLIN"}
    by_key = {rule.key: rule for rule in rules.rules}
    assert [(k, r.transit_min, r.transit_max) for k, r in by_key.items()] == [
        ("same_day", 0, 0),
        ("next_day", 1, 1),
        ("standard-de", 1, 2),
        ("standard-at", 2, 4),
        ("economy", 3, 8),
    ]
    leipzig = rules.locations["WH-LEIPZIG"]
    assert str(leipzig.cutoff_for("dhl", "express")) == "15:00:00"
    assert str(leipzig.cutoff_for("dhl", "paket")) == "17:00:00"


def test_catalogue_has_a_dozen_skus_and_default_stock() -> None:
    config = load_config()

    assert len(config.catalogue.items) == 12
    assert config.catalogue.items["TSHIRT-M"].price.amount == Decimal("29.90")
    assert config.default_stock["TSHIRT-M"] == {"WH-LEIPZIG": 1000, "STORE-BERLIN": 1000}
    assert config.default_stock["HOODIE-L"] == {"WH-LEIPZIG": 1000}


def test_override_document_replaces_the_packaged_rules() -> None:
    rules = _edit(RULES, lambda d: d["methods"][1]["price"].update(amount="5.90"))

    config = load_config({"rules": rules})

    next_day = next(rule for rule in config.rules.rules if rule.key == "next_day")
    assert next_day.price.charge.amount == Decimal("5.90")
    assert config.catalogue.version == CATALOGUE["version"]  # packaged catalogue kept
    assert load_config({"rules": copy.deepcopy(rules)}) is config  # validated once


def test_override_document_may_replace_only_the_catalogue() -> None:
    catalogue = _edit(CATALOGUE, lambda d: d["skus"].update(NEW={"name": "Neu", "price": "1.00"}))

    config = load_config({"catalogue": catalogue})

    assert "NEW" in config.catalogue.items
    assert config.rules.version == RULES["version"]


def test_override_document_with_an_unknown_part_is_refused() -> None:
    with pytest.raises(RuleConfigError) as error:
        load_config({"rule": RULES})

    assert error.value.field == "rule"


def test_override_errors_name_the_override_document() -> None:
    rules = _edit(RULES, lambda d: d.update(currency="euro"))

    with pytest.raises(RuleConfigError, match=r"^override document: rules: currency: "):
        load_config({"rules": rules})


def _location(name: str, **values: Any) -> Callable[[Document], None]:
    return lambda d: d["locations"][name].update(values)


def _method(index: int, **values: Any) -> Callable[[Document], None]:
    return lambda d: d["methods"][index].update(values)


RULE_ERRORS = {
    "unknown time zone": (
        _location("WH-LEIPZIG", time_zone="Europe/Leipzig"),
        "locations.WH-LEIPZIG.time_zone",
    ),
    "unknown subdivision": (
        _location("WH-LEIPZIG", subdivision="XX"),
        "locations.WH-LEIPZIG.subdivision",
    ),
    "country without holidays": (
        _location("WH-LEIPZIG", country="QQ"),
        "locations.WH-LEIPZIG.country",
    ),
    "unknown weekday": (
        _location("WH-LEIPZIG", handling_weekdays=["mon", "funday"]),
        "locations.WH-LEIPZIG.handling_weekdays.1",
    ),
    "no handling day": (
        _location("WH-LEIPZIG", handling_weekdays=[]),
        "locations.WH-LEIPZIG.handling_weekdays",
    ),
    "impossible closure": (
        _location("WH-LEIPZIG", closed_every_year=["02-30"]),
        "locations.WH-LEIPZIG.closed_every_year",
    ),
    "bad one-off closure": (
        _location("STORE-BERLIN", closed_on=["2026-02-30"]),
        "locations.STORE-BERLIN.closed_on",
    ),
    "bad cut-off time": (
        _location("WH-LEIPZIG", cutoffs={"dhl": "25:00"}),
        "locations.WH-LEIPZIG.cutoffs.dhl",
    ),
    "cut-off missing for a method": (
        _method(1, carrier="ups"),
        "locations.WH-LEIPZIG.cutoffs",
    ),
    "unknown location": (
        _method(2, ships_from=["WH-LEIPZIG", "WH-NOWHERE"]),
        "methods.2.ships_from.1",
    ),
    "location listed twice": (
        _method(2, ships_from=["WH-LEIPZIG", "WH-LEIPZIG"]),
        "methods.2.ships_from",
    ),
    "transit min above max": (
        _method(1, transit_days={"min": 2, "max": 1}),
        "methods.1.transit_days",
    ),
    "transit as text": (
        _method(1, transit_days={"min": "1", "max": 1}),
        "methods.1.transit_days.min",
    ),
    "same_day with transit": (
        _method(0, transit_days={"min": 0, "max": 1}),
        "methods.0.transit_days.max",
    ),
    "price with one decimal": (_method(2, price={"amount": "4.9"}), "methods.2.price.amount"),
    "price as a number": (_method(2, price={"amount": 4.9}), "methods.2.price.amount"),
    "reversed postal range": (
        _method(0, zone={"country": "DE", "postal_codes": ["14199-10000"]}),
        "methods.0.zone.postal_codes",
    ),
    "zone country without holidays": (
        _method(2, zone={"country": "QQ"}),
        "methods.2.zone.country",
    ),
    "overlapping zones of one method": (_method(3, zone={"country": "DE"}), "methods.3.zone"),
    "duplicate key": (_method(4, key="next_day"), "methods.4.key"),
    "no label in the default language": (_method(1, labels={"de": "Express"}), "methods.1.labels"),
    # A label names the method; an option's own dates say when ("morgen" was said of options
    # due six days later)
    "a label that says tomorrow": (
        _method(1, labels={"en": "Express", "de": "Express – morgen bei dir"}),
        "methods.1.labels.de",
    ),
    "a label that names a weekday": (
        _method(1, labels={"en": "Express, with you by Friday"}),
        "methods.1.labels.en",
    ),
    "unknown field": (_method(0, colour="red"), "methods.0.colour"),
    "missing version": (lambda d: d.pop("version"), "version"),
}


@pytest.mark.parametrize(("change", "field"), RULE_ERRORS.values(), ids=RULE_ERRORS.keys())
def test_rule_errors_name_the_bad_field(change: Callable[[Document], None], field: str) -> None:
    with pytest.raises(RuleConfigError) as error:
        build_config(_edit(RULES, change), CATALOGUE)

    assert error.value.field == field
    assert error.value.source == "rules.toml"
    assert str(error.value).startswith(f"rules.toml: {field}: ")


CATALOGUE_ERRORS = {
    "price as a number": (
        lambda d: d["skus"]["TSHIRT-M"].update(price=29.9),
        "skus.TSHIRT-M.price",
    ),
    "empty name": (lambda d: d["skus"]["MUG-LOGO"].update(name=""), "skus.MUG-LOGO.name"),
    "negative default stock": (lambda d: d.update(default_quantity=-1), "default_quantity"),
    "other currency than the rules": (lambda d: d.update(currency="USD"), "currency"),
    "bad sku": (
        lambda d: d["skus"].update({"bad sku": {"name": "x", "price": "1.00"}}),
        "skus.bad sku.[key]",
    ),
}


@pytest.mark.parametrize(
    ("change", "field"), CATALOGUE_ERRORS.values(), ids=CATALOGUE_ERRORS.keys()
)
def test_catalogue_errors_name_the_bad_field(
    change: Callable[[Document], None], field: str
) -> None:
    with pytest.raises(RuleConfigError) as error:
        build_config(RULES, _edit(CATALOGUE, change))

    assert (error.value.source, error.value.field) == ("catalogue.toml", field)


def test_error_message_says_what_is_wrong() -> None:
    change = _method(2, ships_from=["WH-LEIPZIG", "WH-NOWHERE"])

    with pytest.raises(RuleConfigError, match="unknown location 'WH-NOWHERE'"):
        build_config(_edit(RULES, change), CATALOGUE)


def test_a_broken_packaged_file_names_the_file(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / loader.RULES_FILE).write_text('version = "1"\ncurrency = EUR\n')
    monkeypatch.setattr(loader, "CONFIG_DIR", tmp_path)
    loader._packaged.cache_clear()
    try:
        with pytest.raises(RuleConfigError) as error:
            loader._packaged(loader.RULES_FILE)
    finally:
        loader._packaged.cache_clear()

    assert (error.value.source, error.value.field) == ("rules.toml", "(syntax)")
