"""Order use cases: register, add a shipment, read, record carrier events, sweep due orders.

The routes, the webhook and the schedule reach them through ``deps.order_service()``; the
notification sender reads orders through the same ``Context``. Each use case reads the
aggregate, runs one pure transition from the order domain, and commits the result in one
conditional transaction; a lost race is retried on fresh state. A webhook's events for one
parcel are checked against the parcel on record (domain/tracking/plausibility.py), run one
transition each on the aggregate read once, and commit together.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import quote

from chalicelib.domain import errors
from chalicelib.domain.customer_tokens import CustomerTokens
from chalicelib.domain.feedback.rating import CHANGE_WINDOW, RatingRecord
from chalicelib.domain.orders import (
    MAX_EVENTS_PER_PARCEL,
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
    trim_timeline,
)
from chalicelib.domain.orders.bounds import check_room_for_shipment
from chalicelib.domain.parcel_status import ParcelStatus
from chalicelib.domain.promise.estimates import find_rule, transit_estimate
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.domain.promise.tokens import ORDER_BY_GRACE, PromisedWindow, read_promise_token
from chalicelib.domain.returns import figures as return_figures
from chalicelib.domain.tracking import EventOutcome, SkipReason, TrackingEvent
from chalicelib.domain.tracking.plausibility import ParcelOnRecord, implausible
from chalicelib.domain.tracking_number import tracking_number_key
from chalicelib.services.customer_access import authorized_order
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
    # The customer's links; its keys (the token secret, and the previous one while a rotation's
    # overlap lasts) check promise tokens too.
    customer_tokens: CustomerTokens
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


def customer_token(ctx: Context, stored: StoredOrder) -> str:
    """The token of the order's current generation (what every link and answer carries)."""
    return ctx.customer_tokens.issue(
        stored.order_id, stored.token_generation, stored.record.placed_at
    )


def tracking_url(ctx: Context, stored: StoredOrder) -> str:
    """The customer's tracking page (every notification links it; the JSON stays at
    /v1/orders/{order_id}?token=…)."""
    token = quote(customer_token(ctx, stored), safe="")
    return f"{ctx.public_base_url}/v1/pages/orders/{stored.order_id}?token={token}"


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

    def authorize_customer(self, order_id: str, token: str | None) -> None:
        """Whether ``token`` opens the order (``customer_access.authorized_order``)."""
        ctx = self.ctx
        authorized_order(ctx.customer_tokens, ctx.repository.get, order_id, token, ctx.now())

    def replace_customer_token(self, order_id: str) -> api.CustomerTokenView:
        """Issue the order's next customer token; every earlier one stops working."""
        return retrying(partial(_replace_customer_token, self.ctx, order_id), self.ctx.pause)

    def record_carrier_events(self, events: Iterable[TrackingEvent]) -> api.WebhookResult:
        """Store each event once and move its order, one parcel at a time (a read and one
        transaction per parcel); events that cannot move a parcel on record are skipped and
        counted by reason, unknown tracking numbers also listed."""
        from chalicelib.models import orders as api

        counts = Counter[EventResult]()
        unknown: list[str] = []
        for parcel_events in _by_parcel(events).values():
            outcomes = _record_parcel(self.ctx, parcel_events[0].tracking_number, parcel_events)
            counts.update(outcomes)
            if SkipReason.UNKNOWN_TRACKING_NUMBER in outcomes:
                unknown.append(parcel_events[0].tracking_number)
        return api.WebhookResult(
            accepted=counts[EventOutcome.ACCEPTED],
            duplicates=counts[EventOutcome.DUPLICATE],
            unknown_tracking_numbers=unknown,
            skipped={k: n for k, n in counts.items() if isinstance(k, SkipReason)},
        )

    def sweep_due(self) -> Swept:
        """Re-evaluate orders whose promise may have changed with time alone (at_risk, late),
        each on its own: one that cannot be read or written is reported and the rest go on."""
        swept = Swept()
        for order_id in self.ctx.repository.due_order_ids(self.ctx.now()):
            try:
                swept.changed += retrying(partial(_reevaluate, self.ctx, order_id), self.ctx.pause)
            # Deliberately broad: whatever wedges one order (an item the table refuses, a record
            # that no longer reads) must not keep every other customer's notice from going out.
            except Exception as exc:
                swept.failed.append((order_id, type(exc).__name__))
        return swept


@dataclass
class Swept:
    """What one run of the schedule did: how many orders changed, and which could not be
    handled (the order id and the kind of error: no personal data)."""

    changed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


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
    promised = _promised(ctx, request, request.promise_token)
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


def _promised(ctx: Context, request: api.RegisterOrderRequest, token: str) -> PromisedWindow:
    """The promise a token records, if it is genuine and made for this order: quoted for its
    destination and cart, and for an order placed before its cut-off (or within the grace)."""
    now = ctx.now()
    try:
        # The token module alone: the quote service would load the engine's rule loader.
        promised = read_promise_token(
            token,
            secret=ctx.promise_token_secret,
            now=now,
            previous=ctx.customer_tokens.keys.secrets(now),
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
    if not promised.holds_for(request.placed_at):
        grace = int(ORDER_BY_GRACE.total_seconds() // 60)
        raise errors.InvalidInput(
            "the promise's cut-off had passed when the order was placed",
            [
                {
                    "loc": ["promise_token"],
                    "msg": f"Placed more than {grace} minutes after the promise's order_by "
                    f"({promised.order_by.isoformat()})",
                }
            ],
        )
    return promised


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
        token=customer_token(ctx, stored),
        tracking_url=tracking_url(ctx, stored),
    )


# -- the customer's token ------------------------------------------------------------------------
def _replace_customer_token(ctx: Context, order_id: str) -> api.CustomerTokenView:
    from chalicelib.models import orders as api

    stored = existing_order(ctx, order_id)
    ctx.repository.advance_token_generation(order_id, stored.token_generation)
    after = replace(stored, token_generation=stored.token_generation + 1)
    return api.CustomerTokenView(
        order_id=order_id,
        token=customer_token(ctx, after),
        tracking_url=tracking_url(ctx, after),
        expires_at=ctx.customer_tokens.expires_at(stored.record.placed_at),
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
        return _shipment_view(stored, same, [], ctx.now()), False
    _check_tracking_number(stored, request)
    check_room_for_shipment(stored.shipments, len(request.items))
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
    return _shipment_view(after, shipment, [], ctx.now()), True


def _shipment_identity(
    request: api.RegisterShipmentRequest,
) -> tuple[str, str, tuple[ShipmentLine, ...]]:
    items = tuple(ShipmentLine(i.sku, i.quantity) for i in request.items)
    return request.carrier, request.tracking_number, items


def _check_tracking_number(stored: StoredOrder, request: api.RegisterShipmentRequest) -> None:
    # One parcel, one shipment: the store keeps one copy per tracking number, and DynamoDB
    # refuses a transaction that writes the same copy twice.
    number = tracking_number_key(request.tracking_number)
    holder = next(
        (s for s in stored.shipments if tracking_number_key(s.tracking_number) == number), None
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
            _shipment_view(
                stored, s, events.get(s.shipment_id, []), ctx.now(), ctx.estimate_for(stored)
            )
            for s in stored.shipments
        ],
        notifications=sorted(sent, key=lambda n: n.sent_at),
        skipped_notifications=sorted(skipped, key=lambda n: n.skipped_at),
        returns=ctx.returns.of_order(order_id),
        feedback=_feedback_view(ctx.rating_of(order_id) if ctx.rating_of else None),
        tracking_url=tracking_url(ctx, stored),
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
    now: datetime,
    estimate: EstimateRule | None = None,
) -> api.ShipmentView:
    from chalicelib.models import orders as api

    names = stored.record.item_names()
    return api.ShipmentView(
        shipment_id=shipment.shipment_id,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        status=shipment.status or ParcelStatus.INFO_RECEIVED,
        estimated_delivery=estimated_delivery(shipment, stored.order.zone, now, estimate),
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
            # Parcels stored before the bound may keep more until their next event trims them.
            for e in timeline(events)[:MAX_EVENTS_PER_PARCEL]
        ],
    )


# -- carrier events ------------------------------------------------------------------------------
EventResult = EventOutcome | SkipReason  # what became of one event of a webhook
# Deletes one change may carry: a parcel stored with more events than it keeps now is trimmed
# over its next webhooks, not in one transaction.
MAX_DROPS_PER_CHANGE = 50


def _by_parcel(events: Iterable[TrackingEvent]) -> dict[str, list[TrackingEvent]]:
    """The request's events per parcel (tracking numbers matched without case or spaces), each
    parcel's in the request's order (and the parcels in the order they first appear)."""
    parcels: dict[str, list[TrackingEvent]] = {}
    for event in events:
        parcels.setdefault(tracking_number_key(event.tracking_number), []).append(event)
    return parcels


@dataclass
class _ParcelEvents:
    """One parcel's events of a webhook, what became of each so far, and its order as last
    read or written."""

    events: list[TrackingEvent]
    outcomes: dict[int, EventResult] = field(default_factory=dict)
    stored: StoredOrder | None = None

    def pending(self) -> list[tuple[int, TrackingEvent]]:
        return [(i, e) for i, e in enumerate(self.events) if i not in self.outcomes]

    def settle(self, indexes: Iterable[int], outcome: EventResult) -> None:
        self.outcomes.update(dict.fromkeys(indexes, outcome))

    def stored_elsewhere(self, event_ids: frozenset[str]) -> int:
        """The table refused these events: already seen, by an earlier or concurrent request.
        How many of the pending events that settles."""
        found = [i for i, e in self.pending() if e.event_id in event_ids]
        self.settle(found, EventOutcome.DUPLICATE)
        return len(found)

    def in_request_order(self) -> list[EventResult]:
        return [self.outcomes[i] for i in range(len(self.events))]


def _record_parcel(
    ctx: Context, tracking_number: str, events: list[TrackingEvent]
) -> list[EventResult]:
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
    shipment = _shipment_of(parcel.stored, tracking_number)
    on_record = ParcelOnRecord(shipment.carrier, parcel.stored.record.placed_at)
    now = ctx.now()
    for index, event in parcel.pending():
        reason = implausible(event, on_record, now)
        if reason is not None:
            parcel.settle([index], reason)
    while parcel.pending():
        try:
            _commit_parcel(ctx, tracking_number, parcel)
        except DuplicateEvent as refused:
            # Events the parcel's timeline did not show (dropped from it, or stored meanwhile):
            # drop them and commit the others (each round settles at least one, or the refusal
            # names none of ours and stands).
            if not parcel.stored_elsewhere(refused.event_ids):
                raise


def _shipment_of(stored: StoredOrder, tracking_number: str) -> ShipmentState:
    number = tracking_number_key(tracking_number)
    return next(s for s in stored.shipments if tracking_number_key(s.tracking_number) == number)


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
    (one revision, with its outbox messages) per new event; events the parcel has seen, or the
    request repeats, are settled as duplicates. The changes, and which event each one stores."""
    shipment = _shipment_of(stored, tracking_number)
    new = _unseen(parcel, shipment)
    kept = _timeline_to_check(ctx, stored, shipment, new)
    if kept is not None:
        known = {event.event_id for event in kept}
        parcel.settle([i for i, e in new if e.event_id in known], EventOutcome.DUPLICATE)
        new = [(i, e) for i, e in new if e.event_id not in known]
    trim = trim_timeline(kept or [], [incoming.shipment_event() for _, incoming in new])
    drops = _spread(trim.dropped, len(new))
    count = len(kept) if kept is not None else shipment.kept_events
    now = ctx.now()
    estimate = ctx.estimate_for(stored)
    changes: list[OrderChange] = []
    current = stored
    for (_, incoming), dropped in zip(new, drops, strict=True):
        change = _event_change(ctx, current, shipment.shipment_id, incoming, now, estimate)
        in_timeline = incoming.event_id in trim.kept
        count += in_timeline - len(dropped)
        after = _with_kept_events(change.after, shipment.shipment_id, count)
        changes.append(replace(change, after=after, in_timeline=in_timeline, dropped=dropped))
        current = after
    return changes, [index for index, _ in new]


def _unseen(parcel: _ParcelEvents, shipment: ShipmentState) -> list[tuple[int, TrackingEvent]]:
    """The pending events but those the request repeats and the parcel's newest event again
    (a sender's most common repeat), which are settled as duplicates here."""
    new: list[tuple[int, TrackingEvent]] = []
    ids = {shipment.last_event_id}
    for index, incoming in parcel.pending():
        if incoming.event_id in ids:
            parcel.settle([index], EventOutcome.DUPLICATE)
            continue
        ids.add(incoming.event_id)
        new.append((index, incoming))
    return new


def _timeline_to_check(
    ctx: Context,
    stored: StoredOrder,
    shipment: ShipmentState,
    new: list[tuple[int, TrackingEvent]],
) -> list[ShipmentEvent] | None:
    """The parcel's kept events, when the webhook needs them; None when it does not (no read).

    A scan newer than all the parcel has seen cannot have been seen; an older one may have. One
    such scan is simply tried: the SEEN item's condition refuses it if seen, and no read lengthens
    the time between reading the order and writing it, which concurrent webhooks race on. Several
    (an aggregator re-sending a parcel's history) are looked up first, so that a history sent
    again costs a read rather than a refused transaction of its every event. A full timeline is
    read to choose the events it drops.
    """
    newest = shipment.last_event_at
    maybe_seen = sum(1 for _, e in new if newest is not None and e.occurred_at <= newest)
    full = shipment.kept_events + len(new) > MAX_EVENTS_PER_PARCEL
    if maybe_seen < 2 and not full:
        return None
    stored_events = ctx.repository.parcel_events(stored.order_id, shipment.shipment_id)
    return [stored_event.event for stored_event in stored_events]


def _with_kept_events(stored: StoredOrder, shipment_id: str, count: int) -> StoredOrder:
    shipments = tuple(
        replace(s, kept_events=count) if s.shipment_id == shipment_id else s
        for s in stored.shipments
    )
    return replace(stored, shipments=shipments)


def _spread(dropped: Sequence[str], changes: int) -> list[tuple[str, ...]]:
    """The events leaving the timeline, shared out over the changes (as many as fit)."""
    if not changes:
        return []
    share = min(max(-(-len(dropped) // changes), 1), MAX_DROPS_PER_CHANGE)
    return [tuple(dropped[n * share : (n + 1) * share]) for n in range(changes)]


def _event_change(
    ctx: Context,
    stored: StoredOrder,
    shipment_id: str,
    incoming: TrackingEvent,
    now: datetime,
    estimate: EstimateRule | None,
) -> OrderChange:
    """The order after one carrier event not seen before, with its outbox messages and facts."""
    event = incoming.shipment_event()
    outcome = record_event(
        stored.order, stored.shipments, shipment_id, event, now, estimate_from_rules=estimate
    )
    assert outcome.shipment is not None  # record_event always names the shipment it moved
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
