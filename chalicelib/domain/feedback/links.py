"""The customer's link to the rating page; the page and the e-mail's ten links share it."""

from __future__ import annotations

from urllib.parse import quote

from chalicelib.domain.signing import customer_token


def rating_page_url(public_base_url: str, token_secret: str, order_id: str) -> str:
    """The page without a score; the e-mail appends ``&score=N`` for each of its ten links."""
    token = quote(customer_token(token_secret, order_id), safe="")
    return f"{public_base_url}/v1/pages/orders/{order_id}/rating?token={token}"
