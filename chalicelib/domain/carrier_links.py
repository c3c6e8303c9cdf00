"""The carriers' own public tracking pages, for the customer's tracking page.

Only carriers whose page takes the tracking number in its URL are listed; the others get no
link (the page still shows the number to copy).
"""

from __future__ import annotations

from urllib.parse import quote

# {number} is the tracking number (URL-quoted), {lang} the page's language ("de", "en").
TRACKING_PAGES: dict[str, str] = {
    "dhl": "https://www.dhl.de/{lang}/privatkunden/pakete-empfangen/verfolgen.html"
    "?piececode={number}",
    "dhl_express": "https://www.dhl.com/de-{lang}/home/tracking.html?tracking-id={number}",
    "dpd": "https://tracking.dpd.de/status/{lang}_DE/parcel/{number}",
    "gls": "https://gls-group.com/DE/{lang}/paketverfolgung?match={number}",
    "ups": "https://www.ups.com/track?loc={lang}_DE&tracknum={number}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    "post_at": "https://www.post.at/s/sendungsdetails?snr={number}",
}


def carrier_tracking_url(carrier: str, tracking_number: str, lang: str) -> str | None:
    """The carrier's page for this parcel, or None for a carrier not listed."""
    pattern = TRACKING_PAGES.get(carrier.lower())
    if pattern is None:
        return None
    return pattern.format(number=quote(tracking_number, safe=""), lang=quote(lang, safe=""))
