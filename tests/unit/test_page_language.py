"""Which language a customer's page speaks, and the carriers' own tracking links."""

from __future__ import annotations

import pytest

from chalicelib.domain.carrier_links import carrier_tracking_url
from chalicelib.domain.page_language import accepted_languages, page_language


@pytest.mark.parametrize(
    ("requested", "preferred", "spoken"),
    [
        ("en", ("de-DE",), "en"),  # ?lang= switches
        ("de", ("en-GB",), "de"),
        ("fr", ("de-AT",), "de"),  # a language the pages do not speak: the order's
        (None, ("de_CH",), "de"),
        (None, ("fr-FR", "de"), "de"),  # the first the pages speak
        (None, ("fr-FR",), "en"),
        (None, (), "en"),
        ("<b>", (None, ""), "en"),
    ],
)
def test_the_page_speaks_the_language_asked_for_else_the_orders_else_english(
    requested: str | None, preferred: tuple[str | None, ...], spoken: str
) -> None:
    assert page_language(requested, *preferred) == spoken


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", ["de-DE", "de", "en"]),
        ("en;q=0.2, de;q=0.7", ["de", "en"]),
        ("fr;q=0, de", ["de"]),  # q=0: not wanted
        ("de;q=x", []),
        (None, []),
        ("", []),
    ],
)
def test_a_browsers_languages_are_read_most_wanted_first(
    header: str | None, tags: list[str]
) -> None:
    assert accepted_languages(header) == tags


def test_a_known_carrier_links_its_own_page_for_the_parcel_and_others_none() -> None:
    assert carrier_tracking_url("dhl", "00340434161094042557", "en") == (
        "https://www.dhl.de/en/privatkunden/pakete-empfangen/verfolgen.html"
        "?piececode=00340434161094042557"
    )
    assert carrier_tracking_url("UPS", "1Z999", "de") == (
        "https://www.ups.com/track?loc=de_DE&tracknum=1Z999"
    )
    assert carrier_tracking_url("hermes", "H100", "de") is None
