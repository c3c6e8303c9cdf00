"""Order use cases: register, add a shipment, read, apply carrier events, sweep due orders.

Each use case reads the aggregate, runs one pure transition from the order domain, and commits
the result in one conditional transaction; a lost race is retried on fresh state.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from chalicelib.domain import errors
from chalicelib.domain.notifications.recipient import time_zone_for
from chalicelib.domain.orders import (
    OrderLine,
    OrderState,
    PromiseWindow,
    ShipmentEvent,
    ShipmentLine,
    ShipmentState,
    open_order,
    record_event,
    reevaluate,
    timeline,
)
from chalicelib.domain.orders.estimate import EstimateRule, estimated_delivery
from chalicelib.domain.promise.estimates import find_rule, transit_estimate
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.domain.signing import customer_token
from chalicelib.models import orders as api
from chalicelib.services.promise import verify_promise_token
from chalicelib.store.orders import (
    DuplicateEvent,
    EventWrite,
    OrderExists,
    OrderRepository,
    RevisionConflict,
    StoredOrder,
)

T = TypeVar("T")
MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class Context:
    repository: OrderRepository
    token_secret: str
    public_base_url: str
    now: Callable[[], datetime]
    promise_config: Callable[[], PromiseConfig]

    def estimate_for(self, stored: StoredOrder) -> EstimateRule | None:
        """The promise method's transit rule, for parcels the carrier gives no estimate for."""
        key = stored.record.get("promise", {}).get("rule")
        rule = find_rule(self.promise_config(), "", "", "", key=key) if key else None
        return transit_estimate(rule) if rule else None


def retrying(attempt: Callable[[], T]) -> T:
    """Run `attempt` again on a lost optimistic-locking race, with jittered backoff."""
    for n in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except RevisionConflict:
            time.sleep(random.uniform(0, 0.005 * 2 ** min(n, 6)))
    raise errors.Conflict("the order is changing too fast; retry the request")


def body_hash(model: api.RegisterOrderRequest | api.RegisterShipmentRequest) -> str:
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def tracking_url(ctx: Context, order_id: str) -> str:
    token = customer_token(ctx.token_secret, order_id)
    return f"{ctx.public_base_url}/v1/orders/{order_id}?token={token}"


# -- register ------------------------------------------------------------------------------------
def _promise_record(ctx: Context, request: api.RegisterOrderRequest) -> dict[str, str]:
    if request.promise is not None:
        destination = request.destination
        rule = find_rule(
            ctx.promise_config(),
            request.promise.method,
            destination.country,
            destination.postal_code,
        )
        return {
            "method": request.promise.method,
            "earliest": request.promise.earliest.isoformat(),
            "latest": request.promise.latest.isoformat(),
            "source": "merchant",
            **(
                {"rule": rule.key, "carrier": rule.carrier, "service": rule.service} if rule else {}
            ),
        }
    assert request.promise_token is not None  # the model requires exactly one of the two
    try:
        promised = verify_promise_token(
            request.promise_token, token_secret=ctx.token_secret, now=ctx.now()
        )
    except errors.InvalidToken as exc:
        raise errors.InvalidInput(
            "the promise token is not valid", [{"loc": ["promise_token"], "msg": str(exc)}]
        ) from exc
    destination = request.destination
    if not promised.matches(
        destination.country, destination.postal_code, ((i.sku, i.quantity) for i in request.items)
    ):
        raise errors.InvalidInput(
            "the promise was quoted for another destination or cart",
            [{"loc": ["promise_token"], "msg": "Quoted for another destination or cart"}],
        )
    return {
        "method": promised.method,
        "rule": promised.rule,
        "carrier": promised.carrier,
        "service": promised.service,
        "earliest": promised.earliest.isoformat(),
        "latest": promised.latest.isoformat(),
        "source": "token",
    }


def register_order(
    ctx: Context, request: api.RegisterOrderRequest
) -> tuple[api.RegisterOrderResponse, bool]:
    """Register the order; the same body again is answered alike (created False), another → 409."""
    digest = body_hash(request)
    existing = ctx.repository.get(request.order_id)
    if existing is not None:
        return _replay(ctx, existing, digest), False
    promise = _promise_record(ctx, request)
    zone = time_zone_for(request.destination.country, request.customer.time_zone)
    state = OrderState(
        order_id=request.order_id,
        items=tuple(OrderLine(i.sku, i.quantity) for i in request.items),
        window=PromiseWindow(
            datetime.fromisoformat(promise["earliest"]).date(),
            datetime.fromisoformat(promise["latest"]).date(),
        ),
        destination_zone=zone,
    )
    outcome = open_order(state, ctx.now())  # no shipment yet: nothing to estimate
    record = {
        "placed_at": request.placed_at.isoformat(),
        # The customer's own zone only (or none): the sender derives the country's zones itself.
        "customer": request.customer.model_dump(mode="json"),
        "destination": request.destination.model_dump(mode="json"),
        "items": [i.model_dump(mode="json") for i in request.items],
        "promise": promise,
        "body_hash": digest,
    }
    stored = StoredOrder(record=record, order=outcome.order, shipments=(), revision=1)
    try:
        ctx.repository.create(stored, outcome.messages, ctx.now())
    except OrderExists:  # a concurrent registration of the same id won the race
        winner = ctx.repository.get(request.order_id)
        assert winner is not None
        return _replay(ctx, winner, digest), False
    return _registered(ctx, stored), True


def _replay(ctx: Context, existing: StoredOrder, digest: str) -> api.RegisterOrderResponse:
    if existing.record.get("body_hash") != digest:
        raise errors.Conflict(f"order {existing.order_id} is already registered with another body")
    return _registered(ctx, existing)


def _registered(ctx: Context, stored: StoredOrder) -> api.RegisterOrderResponse:
    return api.RegisterOrderResponse(
        order_id=stored.order_id,
        status=str(stored.order.status),
        token=customer_token(ctx.token_secret, stored.order_id),
        tracking_url=tracking_url(ctx, stored.order_id),
    )


# -- shipments -----------------------------------------------------------------------------------
def add_shipment(
    ctx: Context, order_id: str, request: api.RegisterShipmentRequest
) -> tuple[api.ShipmentView, bool]:
    def attempt() -> tuple[api.ShipmentView, bool]:
        stored = ctx.repository.get(order_id)
        if stored is None:
            raise errors.NotFound(f"order {order_id} not found")
        same = next((s for s in stored.shipments if s.shipment_id == request.shipment_id), None)
        if same is not None:
            if (same.carrier, same.tracking_number, same.items) != _shipment_identity(request):
                raise errors.Conflict(f"shipment {request.shipment_id} exists with another body")
            return _shipment_view(stored, same, []), False
        _check_tracking_number(stored, request)
        _check_quantities(stored, request)
        shipment = ShipmentState(
            shipment_id=request.shipment_id,
            carrier=request.carrier,
            tracking_number=request.tracking_number,
            items=tuple(ShipmentLine(i.sku, i.quantity) for i in request.items),
        )
        shipments = (*stored.shipments, shipment)
        outcome = reevaluate(
            stored.order, shipments, ctx.now(), estimate_from_rules=ctx.estimate_for(stored)
        )
        after = replace(
            stored, order=outcome.order, shipments=shipments, revision=stored.revision + 1
        )
        ctx.repository.save(stored, after, outcome.messages, ctx.now())
        return _shipment_view(after, shipment, []), True

    return retrying(attempt)


def _shipment_identity(
    request: api.RegisterShipmentRequest,
) -> tuple[str, str, tuple[ShipmentLine, ...]]:
    items = tuple(ShipmentLine(i.sku, i.quantity) for i in request.items)
    return request.carrier, request.tracking_number, items


def _check_tracking_number(stored: StoredOrder, request: api.RegisterShipmentRequest) -> None:
    # One parcel, one shipment: the store keeps one copy per tracking number, and DynamoDB
    # refuses a transaction that writes the same copy twice.
    holder = next(
        (s for s in stored.shipments if s.tracking_number == request.tracking_number), None
    )
    if holder is not None:
        raise errors.Conflict(
            f"tracking number is already on shipment {holder.shipment_id} of this order"
        )


def _check_quantities(stored: StoredOrder, request: api.RegisterShipmentRequest) -> None:
    ordered = Counter[str]()
    for line in stored.order.items:
        ordered[line.sku] += line.quantity
    shipped = Counter[str]()
    for shipment in stored.shipments:
        for shipped_line in shipment.items:
            shipped[shipped_line.sku] += shipped_line.quantity
    problems: list[dict[str, object]] = []
    # Per SKU across the request's lines: two lines of one SKU must not each take what is left.
    requested = Counter[str]()
    for index, item in enumerate(request.items):
        requested[item.sku] += item.quantity
        left = ordered[item.sku] - shipped[item.sku]
        if requested[item.sku] > left:
            problems.append(
                {
                    "loc": ["items", index, "quantity"],
                    "msg": f"Only {max(left, 0)} of {item.sku} left to ship",
                }
            )
    if problems:
        raise errors.InvalidInput(
            "the shipment holds more than the order has left to ship", problems
        )


# -- read ----------------------------------------------------------------------------------------
def order_view(ctx: Context, order_id: str) -> api.OrderView:
    stored = ctx.repository.get(order_id)
    if stored is None:
        raise errors.NotFound(f"order {order_id} not found")
    events: dict[str, list[ShipmentEvent]] = {}
    for shipment_id, event, _item in ctx.repository.events(order_id):
        events.setdefault(shipment_id, []).append(event)
    logged = ctx.repository.notifications(order_id)
    notifications = [api.NotificationView.model_validate(i) for i in logged if i.get("sent_at")]
    skipped = [
        api.SkippedNotificationView.model_validate(i) for i in logged if i.get("state") == "skipped"
    ]
    record = stored.record
    return api.OrderView(
        order_id=order_id,
        status=stored.order.status.value,
        placed_at=datetime.fromisoformat(record["placed_at"]),
        promise=api.Promise(
            method=record["promise"]["method"],
            earliest=stored.order.window.earliest,
            latest=stored.order.window.latest,
            state=stored.order.promise_state.value,
        ),
        items=[api.OrderItem.model_validate(i) for i in record["items"]],
        shipments=[
            _shipment_view(stored, s, events.get(s.shipment_id, []), ctx.estimate_for(stored))
            for s in stored.shipments
        ],
        notifications=sorted(notifications, key=lambda n: n.sent_at),
        skipped_notifications=sorted(skipped, key=lambda n: n.skipped_at),
        tracking_url=tracking_url(ctx, order_id),
    )


def _shipment_view(
    stored: StoredOrder,
    shipment: ShipmentState,
    events: Iterable[ShipmentEvent],
    estimate: EstimateRule | None = None,
) -> api.ShipmentView:
    names = {i["sku"]: i.get("name") for i in stored.record.get("items", [])}
    return api.ShipmentView(
        shipment_id=shipment.shipment_id,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        status=shipment.status.value if shipment.status else "info_received",
        estimated_delivery=estimated_delivery(shipment, stored.order.zone, estimate),
        items=[
            api.OrderItem(sku=i.sku, quantity=i.quantity, name=names.get(i.sku))
            for i in shipment.items
        ],
        events=[
            api.TrackingEventView(
                event_id=e.event_id,
                status=e.status.value,
                occurred_at=e.occurred_at,
                carrier_status=e.carrier_status,
                location=e.location,
                description=e.description,
                estimated_delivery=e.estimated_delivery,
            )
            for e in timeline(events)
        ],
    )


# -- carrier events ------------------------------------------------------------------------------
@dataclass(frozen=True)
class IncomingEvent:
    tracking_number: str
    event: ShipmentEvent
    source: str


def apply_events(ctx: Context, incoming: Iterable[IncomingEvent]) -> api.WebhookResult:
    accepted = duplicates = 0
    unknown: list[str] = []
    for item in incoming:
        result = retrying(lambda item=item: _apply_one(ctx, item))  # type: ignore[misc]
        if result == "unknown":
            if item.tracking_number not in unknown:
                unknown.append(item.tracking_number)
        elif result == "duplicate":
            duplicates += 1
        else:
            accepted += 1
    return api.WebhookResult(
        accepted=accepted, duplicates=duplicates, unknown_tracking_numbers=unknown
    )


def _apply_one(ctx: Context, item: IncomingEvent) -> str:
    stored = ctx.repository.by_tracking(item.tracking_number)
    if stored is None:
        return "unknown"
    shipment = next(s for s in stored.shipments if s.tracking_number == item.tracking_number)
    now = ctx.now()
    outcome = record_event(
        stored.order,
        stored.shipments,
        shipment.shipment_id,
        item.event,
        now,
        estimate_from_rules=ctx.estimate_for(stored),
    )
    if outcome.duplicate or outcome.shipment is None:
        return "duplicate"
    shipments = tuple(
        outcome.shipment if s.shipment_id == shipment.shipment_id else s for s in stored.shipments
    )
    after = replace(stored, order=outcome.order, shipments=shipments, revision=stored.revision + 1)
    write = EventWrite(
        shipment.shipment_id, item.event, {"source": item.source, "received_at": now.isoformat()}
    )
    try:
        ctx.repository.save(stored, after, outcome.messages, now, event=write)
    except DuplicateEvent:
        return "duplicate"
    return "accepted"


# -- sweep ---------------------------------------------------------------------------------------
def sweep_due(ctx: Context) -> int:
    """Re-evaluate orders whose promise may have changed with time alone (at_risk, late)."""
    changed = 0
    for order_id in ctx.repository.due_order_ids(ctx.now()):
        changed += retrying(lambda order_id=order_id: _reevaluate(ctx, order_id))  # type: ignore[misc]
    return changed


def _reevaluate(ctx: Context, order_id: str) -> int:
    stored = ctx.repository.get(order_id)
    if stored is None:
        return 0
    outcome = reevaluate(
        stored.order, stored.shipments, ctx.now(), estimate_from_rules=ctx.estimate_for(stored)
    )
    if outcome.order is stored.order:
        return 0
    after = replace(stored, order=outcome.order, revision=stored.revision + 1)
    ctx.repository.save(stored, after, outcome.messages, ctx.now())
    return 1
