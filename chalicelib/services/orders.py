"""Order use cases: register, add a shipment, read, record carrier events, sweep due orders.

The routes, the webhook and the schedule reach them through ``deps.order_service()``; the
notification sender reads orders through the same ``Context``. Each use case reads the
aggregate, runs one pure transition from the order domain, and commits the result in one
conditional transaction; a lost race is retried on fresh state. A webhook's events for one
parcel run one transition each on the aggregate read once, and commit together.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import quote

from chalicelib.domain import errors
from chalicelib.domain.feedback.rating import CHANGE_WINDOW, RatingRecord
from chalicelib.domain.orders import (
    EstimateRule,
    OrderLine,
    OrderState,
    PromiseWindow,
    ShipmentEvent,
    ShipmentLine,
    ShipmentState,
    estimated_delivery,
    open_order,
    record_event,
    reevaluate,
    timeline,
)
from chalicelib.domain.parcel_status import ParcelStatus
from chalicelib.domain.promise.estimates import find_rule, transit_estimate
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.domain.promise.tokens import read_promise_token
from chalicelib.domain.returns import figures as return_figures
from chalicelib.domain.signing import customer_token
from chalicelib.domain.tracking import EventOutcome, TrackingEvent
from chalicelib.services.delivered import delivered_facts
from chalicelib.services.retry import retrying
from chalicelib.services.returns import ReturnService
from chalicelib.store.orders import DuplicateEvent, OrderExists, OrderStore
from chalicelib.store.records import (
    CustomerRecord,
    DestinationRecord,
    ItemRecord,
    OrderChange,
    OrderRecord,
    PromiseRecord,
    StoredEvent,
    StoredOrder,
)

if TYPE_CHECKING:
    # The API's order models load with the use cases that answer with them (register, read,
    # webhooks), not with the sweep or the sender, which reach orders through this module too.
    from chalicelib.models import orders as api


@dataclass(frozen=True)
class Context:
    repository: OrderStore
    token_secret: str  # customer tokens
    promise_token_secret: str  # promise tokens: the secret the container's quotes sign with
    public_base_url: str
    now: Callable[[], datetime]
    promise_config: Callable[[], PromiseConfig]
    returns: ReturnService  # an order lists its returns; return parcels share the webhooks
    pause: Callable[[float], None] = time.sleep  # the backoff between attempts after a lost race
    # The order's rating for its view (the feedback store); None where no view is read.
    rating_of: Callable[[str], RatingRecord | None] | None = None

    def estimate_for(self, stored: StoredOrder) -> EstimateRule | None:
        """The promise method's transit rule, for parcels the carrier gives no estimate for."""
        key = stored.record.promise.rule
        rule = find_rule(self.promise_config(), "", "", "", key=key) if key else None
        return transit_estimate(rule) if rule else None


def body_hash(model: api.RegisterOrderRequest | api.RegisterShipmentRequest) -> str:
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def tracking_url(ctx: Context, order_id: str) -> str:
    """The customer's tracking page (every notification links it; the JSON stays at
    /v1/orders/{order_id}?token=…)."""
    token = quote(customer_token(ctx.token_secret, order_id), safe="")
    return f"{ctx.public_base_url}/v1/pages/orders/{order_id}?token={token}"


@dataclass(frozen=True)
class OrderService:
    """The order use cases, wired to one container's context (``deps.order_service()``)."""

    ctx: Context

    def register(self, request: api.RegisterOrderRequest) -> tuple[api.RegisterOrderResponse, bool]:
        """Register the order; the same body again is answered alike (created False), another
        body under the same id is a Conflict."""
        return _register(self.ctx, request)

    def add_shipment(
        self, order_id: str, request: api.RegisterShipmentRequest
    ) -> tuple[api.ShipmentView, bool]:
        """Add a shipment; the same body again is answered alike (created False)."""
        return retrying(partial(_add_shipment, self.ctx, order_id, request), self.ctx.pause)

    def read(self, order_id: str) -> api.OrderView:
        return order_view(self.ctx, existing_order(self.ctx, order_id))

    def record_carrier_events(self, events: Iterable[TrackingEvent]) -> api.WebhookResult:
        """Store each event once and move its order, one parcel at a time (a read and one
        transaction per parcel); unknown tracking numbers are reported."""
        from chalicelib.models import orders as api

        counts = Counter[EventOutcome]()
        unknown: list[str] = []
        for tracking_number, parcel_events in _by_parcel(events).items():
            outcomes = _record_parcel(self.ctx, tracking_number, parcel_events)
            counts.update(outcomes)
            if EventOutcome.UNKNOWN_TRACKING_NUMBER in outcomes:
                unknown.append(tracking_number)
        return api.WebhookResult(
            accepted=counts[EventOutcome.ACCEPTED],
            duplicates=counts[EventOutcome.DUPLICATE],
            unknown_tracking_numbers=unknown,
        )

    def sweep_due(self) -> int:
        """Re-evaluate orders whose promise may have changed with time alone (at_risk, late);
        the number of orders that changed."""
        changed = 0
        for order_id in self.ctx.repository.due_order_ids(self.ctx.now()):
            changed += retrying(partial(_reevaluate, self.ctx, order_id), self.ctx.pause)
        return changed


# -- register ------------------------------------------------------------------------------------
def _promise_record(ctx: Context, request: api.RegisterOrderRequest) -> PromiseRecord:
    if request.promise is not None:
        destination = request.destination
        rule = find_rule(
            ctx.promise_config(),
            request.promise.method,
            destination.country,
            destination.postal_code,
        )
        return PromiseRecord(
            method=request.promise.method,
            earliest=request.promise.earliest,
            latest=request.promise.latest,
            source="merchant",
            rule=rule.key if rule else None,
            carrier=rule.carrier if rule else None,
            service=rule.service if rule else None,
        )
    assert request.promise_token is not None  # the model requires exactly one of the two
    try:
        # The token module alone: the quote service would load the engine's rule loader.
        promised = read_promise_token(
            request.promise_token, secret=ctx.promise_token_secret, now=ctx.now()
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
    return PromiseRecord(
        method=promised.method,
        earliest=promised.earliest,
        latest=promised.latest,
        source="token",
        rule=promised.rule,
        carrier=promised.carrier,
        service=promised.service,
        origin=promised.ships_from[0] if len(promised.ships_from) == 1 else None,
    )


def _order_record(
    request: api.RegisterOrderRequest, promise: PromiseRecord, digest: str
) -> OrderRecord:
    customer, destination = request.customer, request.destination
    return OrderRecord(
        placed_at=request.placed_at,
        items=tuple(
            ItemRecord(i.sku, i.quantity, i.name, tuple(i.exchange_skus or ()))
            for i in request.items
        ),
        promise=promise,
        body_hash=digest,
        # The customer's own zone only (or none): the sender derives the country's zones itself.
        customer=CustomerRecord(
            name=customer.name,
            email=customer.email,
            phone=customer.phone,
            locale=customer.locale,
            channels=tuple(customer.channels),
            time_zone=customer.time_zone,
        ),
        destination=DestinationRecord(
            country=destination.country,
            postal_code=destination.postal_code,
            city=destination.city,
            address_line1=destination.address_line1,
            address_line2=destination.address_line2,
        ),
    )


def _register(
    ctx: Context, request: api.RegisterOrderRequest
) -> tuple[api.RegisterOrderResponse, bool]:
    digest = body_hash(request)
    existing = ctx.repository.get(request.order_id)
    if existing is not None:
        return _replay(ctx, existing, digest), False
    from chalicelib.domain.notifications.recipient import time_zone_for

    promise = _promise_record(ctx, request)
    zone = time_zone_for(request.destination.country, request.customer.time_zone)
    state = OrderState(
        order_id=request.order_id,
        items=tuple(OrderLine(i.sku, i.quantity) for i in request.items),
        window=PromiseWindow(promise.earliest, promise.latest),
        destination_zone=zone,
    )
    outcome = open_order(state, ctx.now())  # no shipment yet: nothing to estimate
    stored = StoredOrder(
        record=_order_record(request, promise, digest),
        order=outcome.order,
        shipments=(),
        revision=1,
    )
    try:
        facts = (return_figures.order_registered(request.order_id, ctx.now()),)
        ctx.repository.create(stored, outcome.messages, ctx.now(), facts)
    except OrderExists:  # a concurrent registration of the same id won the race
        winner = ctx.repository.get(request.order_id)
        assert winner is not None
        return _replay(ctx, winner, digest), False
    return _registered(ctx, stored), True


def _replay(ctx: Context, existing: StoredOrder, digest: str) -> api.RegisterOrderResponse:
    if existing.record.body_hash != digest:
        raise errors.Conflict(f"order {existing.order_id} is already registered with another body")
    return _registered(ctx, existing)


def _registered(ctx: Context, stored: StoredOrder) -> api.RegisterOrderResponse:
    from chalicelib.models import orders as api

    return api.RegisterOrderResponse(
        order_id=stored.order_id,
        status=str(stored.order.status),
        token=customer_token(ctx.token_secret, stored.order_id),
        tracking_url=tracking_url(ctx, stored.order_id),
    )


# -- shipments -----------------------------------------------------------------------------------
def _add_shipment(
    ctx: Context, order_id: str, request: api.RegisterShipmentRequest
) -> tuple[api.ShipmentView, bool]:
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
    after = replace(stored, order=outcome.order, shipments=shipments, revision=stored.revision + 1)
    ctx.repository.save(OrderChange(stored, after, outcome.messages, ctx.now()))
    return _shipment_view(after, shipment, []), True


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
def existing_order(ctx: Context, order_id: str) -> StoredOrder:
    """The stored order, or NotFound (the read and the customer's pages)."""
    stored = ctx.repository.get(order_id)
    if stored is None:
        raise errors.NotFound(f"order {order_id} not found")
    return stored


def order_view(ctx: Context, stored: StoredOrder) -> api.OrderView:
    """The order as GET /v1/orders/{order_id} answers it (events, notifications, returns and
    rating read alongside)."""
    from chalicelib.models import orders as api

    order_id = stored.order_id
    events: dict[str, list[ShipmentEvent]] = {}
    for logged_event in ctx.repository.events(order_id):
        events.setdefault(logged_event.shipment_id, []).append(logged_event.event)
    logged = ctx.repository.notifications(order_id)
    sent = [api.NotificationView.model_validate(n, from_attributes=True) for n in logged.sent]
    skipped = [
        api.SkippedNotificationView.model_validate(n, from_attributes=True) for n in logged.skipped
    ]
    record = stored.record
    return api.OrderView(
        order_id=order_id,
        status=stored.order.status.value,
        placed_at=record.placed_at,
        promise=api.Promise(
            method=record.promise.method,
            earliest=stored.order.window.earliest,
            latest=stored.order.window.latest,
            state=stored.order.promise_state.value,
        ),
        items=[
            api.OrderedItem(
                sku=i.sku,
                quantity=i.quantity,
                name=i.name,
                exchange_skus=list(i.exchange_skus) or None,
            )
            for i in record.items
        ],
        shipments=[
            _shipment_view(stored, s, events.get(s.shipment_id, []), ctx.estimate_for(stored))
            for s in stored.shipments
        ],
        notifications=sorted(sent, key=lambda n: n.sent_at),
        skipped_notifications=sorted(skipped, key=lambda n: n.skipped_at),
        returns=ctx.returns.of_order(order_id),
        feedback=_feedback_view(ctx.rating_of(order_id) if ctx.rating_of else None),
        tracking_url=tracking_url(ctx, order_id),
    )


def _feedback_view(rating: RatingRecord | None) -> api.OrderFeedbackView | None:
    from chalicelib.models import orders as api

    if rating is None:
        return None
    return api.OrderFeedbackView(
        rating=rating.current.rating,
        comment=rating.current.comment,
        tags=list(rating.current.tags),
        rated_at=rating.current.rated_at,
        changeable_until=rating.first_rated_at + CHANGE_WINDOW,
    )


def _shipment_view(
    stored: StoredOrder,
    shipment: ShipmentState,
    events: Iterable[ShipmentEvent],
    estimate: EstimateRule | None = None,
) -> api.ShipmentView:
    from chalicelib.models import orders as api

    names = stored.record.item_names()
    return api.ShipmentView(
        shipment_id=shipment.shipment_id,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        status=shipment.status or ParcelStatus.INFO_RECEIVED,
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
def _by_parcel(events: Iterable[TrackingEvent]) -> dict[str, list[TrackingEvent]]:
    """The request's events per tracking number, each parcel's in the request's order (and the
    parcels in the order they first appear)."""
    parcels: dict[str, list[TrackingEvent]] = {}
    for event in events:
        parcels.setdefault(event.tracking_number, []).append(event)
    return parcels


@dataclass
class _ParcelEvents:
    """One parcel's events of a webhook, what became of each so far, and its order as last
    read or written."""

    events: list[TrackingEvent]
    outcomes: dict[int, EventOutcome] = field(default_factory=dict)
    stored: StoredOrder | None = None

    def pending(self) -> list[tuple[int, TrackingEvent]]:
        return [(i, e) for i, e in enumerate(self.events) if i not in self.outcomes]

    def settle(self, indexes: Iterable[int], outcome: EventOutcome) -> None:
        self.outcomes.update(dict.fromkeys(indexes, outcome))

    def stored_elsewhere(self, event_ids: frozenset[str]) -> int:
        """The table refused these events: already stored, by an earlier or concurrent request.
        How many of the pending events that settles."""
        found = [i for i, e in self.pending() if e.event_id in event_ids]
        self.settle(found, EventOutcome.DUPLICATE)
        return len(found)

    def in_request_order(self) -> list[EventOutcome]:
        return [self.outcomes[i] for i in range(len(self.events))]


def _record_parcel(
    ctx: Context, tracking_number: str, events: list[TrackingEvent]
) -> list[EventOutcome]:
    """One parcel's events: one read, then all its new events in one transaction (a second one
    for a backlog longer than a transaction holds); a lost race reads again."""
    parcel = _ParcelEvents(events)
    retrying(partial(_record_parcel_attempt, ctx, tracking_number, parcel), ctx.pause)
    return parcel.in_request_order()


def _record_parcel_attempt(ctx: Context, tracking_number: str, parcel: _ParcelEvents) -> None:
    parcel.stored = ctx.repository.by_tracking(tracking_number)
    if parcel.stored is None:  # no outbound parcel: perhaps a return parcel (costs it nothing)
        for index, event in parcel.pending():
            parcel.settle([index], ctx.returns.record_parcel_event(event))
        return
    while parcel.pending():
        try:
            _commit_parcel(ctx, tracking_number, parcel)
        except DuplicateEvent as refused:
            # Events the tracking copy did not know of: drop them and commit the others (each
            # round settles at least one, or the refusal names none of ours and stands).
            if not parcel.stored_elsewhere(refused.event_ids):
                raise


def _commit_parcel(ctx: Context, tracking_number: str, parcel: _ParcelEvents) -> None:
    """Apply the parcel's pending events to its order and commit them, as many per transaction
    as fit; ``parcel`` follows every commit, so a refusal loses nothing that was written."""
    assert parcel.stored is not None
    changes, accepted = _planned_changes(ctx, parcel.stored, tracking_number, parcel)
    while changes:
        count = ctx.repository.fitting(changes)
        ctx.repository.save_all(changes[:count])
        parcel.settle(accepted[:count], EventOutcome.ACCEPTED)
        parcel.stored = changes[count - 1].after
        changes, accepted = changes[count:], accepted[count:]


def _planned_changes(
    ctx: Context, stored: StoredOrder, tracking_number: str, parcel: _ParcelEvents
) -> tuple[list[OrderChange], list[int]]:
    """The pending events applied one after another, as the domain orders them: one change
    (one revision, with its outbox messages) per new event; events seen before are settled as
    duplicates. The changes, and which event each one stores."""
    shipment = next(s for s in stored.shipments if s.tracking_number == tracking_number)
    now = ctx.now()
    estimate = ctx.estimate_for(stored)
    changes: list[OrderChange] = []
    accepted: list[int] = []
    current = stored
    for index, incoming in parcel.pending():
        change = _event_change(ctx, current, shipment.shipment_id, incoming, now, estimate)
        if change is None:
            parcel.settle([index], EventOutcome.DUPLICATE)
            continue
        changes.append(change)
        accepted.append(index)
        current = change.after
    return changes, accepted


def _event_change(
    ctx: Context,
    stored: StoredOrder,
    shipment_id: str,
    incoming: TrackingEvent,
    now: datetime,
    estimate: EstimateRule | None,
) -> OrderChange | None:
    """The order after one carrier event, with its outbox messages and facts; None when the
    shipment has seen the event."""
    event = incoming.shipment_event()
    outcome = record_event(
        stored.order, stored.shipments, shipment_id, event, now, estimate_from_rules=estimate
    )
    if outcome.duplicate or outcome.shipment is None:
        return None
    before = next(s for s in stored.shipments if s.shipment_id == shipment_id)
    moved = outcome.shipment
    shipments = tuple(moved if s.shipment_id == shipment_id else s for s in stored.shipments)
    after = replace(stored, order=outcome.order, shipments=shipments, revision=stored.revision + 1)
    write = StoredEvent(shipment_id, event, incoming.source, now)
    facts = delivered_facts(ctx.promise_config(), stored, before, moved, event)
    return OrderChange(stored, after, outcome.messages, now, event=write, facts=facts)


# -- sweep ---------------------------------------------------------------------------------------
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
    ctx.repository.save(OrderChange(stored, after, outcome.messages, ctx.now()))
    return 1
