"""The customer's pages: what the tracking page, the return form and a return's status page show.

The customer's token is the only credential; its signature is checked before anything is read,
so a wrong token learns nothing about whether the order exists (``customer_access``). The pages read
through the same use cases as the JSON API (the order's view, the return policy and ledger, the
return request) and add what a page needs besides: the customer's language and time zone,
whether the order may be rated, and what may still go back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib.domain import errors
from chalicelib.domain.feedback.rating import CHANGE_WINDOW, DeliveredParcel, check_may_rate
from chalicelib.domain.returns import ReturnableSku
from chalicelib.models import orders as order_api
from chalicelib.models import returns as return_api
from chalicelib.services.customer_access import authorized_order
from chalicelib.services.orders import Context, order_view
from chalicelib.store.records import StoredOrder


@dataclass(frozen=True)
class Reader:
    """Who reads a page: the customer's language tag and the zone instants are shown in."""

    locale: str
    zone: ZoneInfo


@dataclass(frozen=True)
class TrackingPage:
    reader: Reader
    order: order_api.OrderView
    returnable: tuple[ReturnableSku, ...]
    may_rate: bool


@dataclass(frozen=True)
class ReturnForm:
    reader: Reader
    order_id: str
    names: dict[str, str | None]  # product names by SKU, as the shop registered them
    returnable: tuple[ReturnableSku, ...]


@dataclass(frozen=True)
class ReturnPage:
    reader: Reader
    view: return_api.ReturnView
    names: dict[str, str | None]


@dataclass(frozen=True)
class CustomerPages:
    """The pages' reads and the return form's request (``deps.customer_pages()``)."""

    ctx: Context

    def tracking(self, order_id: str, token: str | None) -> TrackingPage:
        stored = self._order(order_id, token)
        view = order_view(self.ctx, stored)
        return TrackingPage(
            reader=_reader(stored),
            order=view,
            returnable=self.ctx.returns.returnable(stored),
            may_rate=_may_rate(stored, view, self.ctx.now()),
        )

    def return_form(self, order_id: str, token: str | None) -> ReturnForm:
        stored = self._order(order_id, token)
        return ReturnForm(
            reader=_reader(stored),
            order_id=order_id,
            names=stored.record.item_names(),
            returnable=self.ctx.returns.returnable(stored),
        )

    def request_return(
        self, order_id: str, request: return_api.ReturnRequest, idempotency_key: str | None
    ) -> tuple[return_api.ReturnView, bool]:
        """The return request of POST /v1/orders/{order_id}/returns, with the token of the
        form's body: (view, created); ReturnNotAllowed when the policy refuses a line."""
        self._order(order_id, request.token)
        return self.ctx.returns.request(order_id, request, idempotency_key)

    def return_status(self, return_id: str, token: str | None) -> ReturnPage:
        if not token:  # before the read, as for an order: no token learns nothing
            raise errors.Unauthorized("the order's customer token is required")
        opened: list[StoredOrder] = []  # the order the token opened, read once
        view = self.ctx.returns.read_as_customer(
            return_id, lambda order_id: opened.append(self._order(order_id, token))
        )
        stored = opened[0]
        return ReturnPage(reader=_reader(stored), view=view, names=stored.record.item_names())

    def _order(self, order_id: str, token: str | None) -> StoredOrder:
        ctx = self.ctx
        return authorized_order(ctx.customer_tokens, ctx.repository.get, order_id, token, ctx.now())


def _reader(stored: StoredOrder) -> Reader:
    customer = stored.record.customer
    # The order's zone: the customer's own, or the destination country's main one.
    return Reader(customer.locale if customer else "", stored.order.zone)


def _may_rate(stored: StoredOrder, view: order_api.OrderView, now: datetime) -> bool:
    """Whether the rating page would take a rating now, by the rating rules themselves."""
    delivered = [
        DeliveredParcel(s.carrier, s.delivered_at, frozenset(i.sku for i in s.items))
        for s in stored.shipments
        if s.delivered_at is not None
    ]
    rated = view.feedback
    first_rated_at = rated.changeable_until - CHANGE_WINDOW if rated else None
    try:
        check_may_rate(delivered, first_rated_at, now)
    except (errors.NotDelivered, errors.AlreadyRated):
        return False
    return True
