"""Whether the carrier a sender names is the carrier a parcel was registered with.

Merchants register parcels with short codes (``dhl``, ``ups``); aggregators name carriers their
own way: AfterShip slugs (``dhl-germany``, ``deutsch-post``), EasyPost names (``DHLExpress``,
``USPS``), Shippo tokens (``dhl_express``), 17TRACK numbers (``7041``). Names are compared as the
carrier group they belong to (DHL Paket, DHL Express and Deutsche Post are one group: their
tracking numbers do not collide and aggregators file them either way). A name outside the table
is compared as written, ignoring case and punctuation, one name a prefix of the other
(``acme`` and ``acme-express``). A 17TRACK number outside the table says nothing we could
compare: such an event is not refused for its carrier.
"""

from __future__ import annotations

import re

# Name prefixes (lower case, letters and digits only) → carrier group. Longest prefix wins.
_GROUPS: dict[str, str] = {
    "dhl": "dhl",
    "deutschepost": "dhl",
    "deutschpost": "dhl",  # AfterShip's slug
    "ups": "ups",
    "usps": "usps",
    "fedex": "fedex",
    "federalexpress": "fedex",
    "dpd": "dpd",
    "gls": "gls",
    "hermes": "hermes",
    "evri": "hermes",  # Hermes UK's name since 2022
    "postnl": "postnl",
    "royalmail": "royalmail",
    "laposte": "laposte",
    "colissimo": "laposte",
    "austrianpost": "postat",
    "osterreichischepost": "postat",
    "postat": "postat",
    "swisspost": "swisspost",
    "postch": "swisspost",
    "bpost": "bpost",
    "inpost": "inpost",
    "correos": "correos",
    "brt": "brt",
    "tnt": "tnt",
}
_PREFIXES = sorted(_GROUPS, key=len, reverse=True)

# 17TRACK's carrier numbers we can vouch for (its carrier list).
_SEVENTEEN_TRACK: dict[str, str] = {
    "7041": "dhl",  # DHL Paket
    "100001": "dhl",  # DHL Express
    "100002": "ups",
    "100003": "fedex",
    "21051": "usps",
}


def carrier_group(name: str) -> str | None:
    """The group ``name`` belongs to, the name itself (normalised) when the table does not
    know it, or None for a carrier number nobody here can read."""
    plain = re.sub(r"[^a-z0-9]", "", name.lower())
    if plain.isdigit():
        return _SEVENTEEN_TRACK.get(plain)
    return next((_GROUPS[p] for p in _PREFIXES if plain.startswith(p)), plain)


def same_carrier(registered: str, reported: str) -> bool:
    """Whether an event reported for carrier ``reported`` may move a parcel of ``registered``."""
    mine, theirs = carrier_group(registered), carrier_group(reported)
    if mine is None or theirs is None or not mine or not theirs:
        return True
    return mine.startswith(theirs) or theirs.startswith(mine)
