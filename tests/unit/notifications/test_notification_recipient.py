"""The recipient: zone from the destination when not given, channels, no personal data in repr."""

from __future__ import annotations

import pytest

from chalicelib.domain.notifications import Recipient, time_zone_for


@pytest.mark.parametrize(
    ("country", "given", "expected"),
    [
        ("DE", None, "Europe/Berlin"),
        ("AT", None, "Europe/Vienna"),
        ("CH", None, "Europe/Zurich"),
        ("GB", None, "Europe/London"),
        ("US", None, "America/New_York"),
        ("de", None, "Europe/Berlin"),
        ("XX", None, "UTC"),
        (None, None, "UTC"),
        ("DE", "America/Chicago", "America/Chicago"),  # the customer's own zone wins
        ("AT", "Mars/Olympus_Mons", "Europe/Vienna"),  # not a zone: back to the country's
        ("AT", "", "Europe/Vienna"),
        (None, "../etc/passwd", "UTC"),
    ],
)
def test_time_zone_for(country: str | None, given: str | None, expected: str) -> None:
    assert time_zone_for(country, given) == expected


def test_of_fills_defaults_from_the_order() -> None:
    r = Recipient.of(name="Anna Schmidt", email="", phone=None, locale=None, country="AT")
    assert (r.email, r.locale, r.time_zone, r.channels) == (None, "en", "Europe/Vienna", ("email",))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["email", "sms"], ("email", "sms")),
        (["SMS", " Email "], ("email", "sms")),
        (["sms", "fax"], ("sms",)),
        ([], ()),
    ],
)
def test_of_keeps_only_known_channels(given: list[str], expected: tuple[str, ...]) -> None:
    assert Recipient.of(name="A", channels=given).channels == expected


def test_repr_carries_no_personal_data() -> None:
    r = Recipient.of(name="Anna Schmidt", email="anna@example.com", phone="+4915112345678")
    assert not {"Anna", "anna@example.com", "+4915112345678"} & set(
        repr(r).replace("'", " ").split()
    )
    assert "Anna" not in repr(r) and "example.com" not in repr(r) and "+49" not in repr(r)
