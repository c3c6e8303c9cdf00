"""What a message may say beyond the shop's own words: the new day a delay message names, and
the customer's name in an e-mail greeting.

The name is whatever the checkout was given: a guest may type a payment request, a link or a
page of text. SMS carry none of it (their templates are rendered without the name). An e-mail
greets by name only when the name is short and cannot become a link: mail clients turn
``www.…``, ``…@…``, ``https://…`` and bare domains into links on their own, so a name is used
only when it is made of letters, combining marks, spaces, hyphens, apostrophes and full stops
that end a word ("Dr. Anna-Lena O’Brien"). Otherwise the greeting has no name.
"""

from __future__ import annotations

import unicodedata
from datetime import date

GREETING_NAME_MAX = 40  # characters, after white space is collapsed
_JOINERS = frozenset("-'’ ")


def greeting_name(name: str | None) -> str | None:
    """The name an e-mail greets with, or None for a greeting without one (see above)."""
    words = " ".join((name or "").split())
    if not words or len(words) > GREETING_NAME_MAX:
        return None
    for index, char in enumerate(words):
        if char == ".":
            # A full stop ends a word ("Dr. …", "… Jr."); one inside a word makes a domain.
            if index + 1 < len(words) and words[index + 1] != " ":
                return None
        elif char not in _JOINERS and unicodedata.category(char)[0] not in "LM":
            return None
    return words


def later_delivery(estimate: date | None, promised_latest: date | None) -> date | None:
    """The new day a delay message may name: only one after the promised last day. An estimate
    within the promise is no new date; a message without one says it has none yet."""
    if estimate is None or promised_latest is None or estimate <= promised_latest:
        return None
    return estimate
