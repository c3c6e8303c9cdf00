"""The customer's link to the rating page; the page and the e-mail's ten links share it."""

from __future__ import annotations

from urllib.parse import quote


def rating_page_url(public_base_url: str, token: str, order_id: str) -> str:
    """The page without a score; the e-mail appends ``&score=N`` for each of its ten links.
    ``token``: the order's customer token."""
    return f"{public_base_url}/v1/pages/orders/{order_id}/rating?token={quote(token, safe='')}"
