"""The fact a delivered parcel leaves for the counters (``domain/accuracy``), built in the
carrier-event use case and written in its transaction.

The lane is the promise's carrier service from the location the quote shipped from (else the
rule's first location) to the destination's postal region; transit counts the delivery days of
the destination's subdivision, handling the origin's handling days.
"""

from __future__ import annotations

from chalicelib.domain.accuracy.delivered import KIND, Delivery, delivered_payload
from chalicelib.domain.accuracy.lanes import Lane, postal_region
from chalicelib.domain.facts import Fact
from chalicelib.domain.orders import ParcelStatus, ShipmentEvent, ShipmentState
from chalicelib.domain.promise.estimates import find_rule
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.store.records import StoredOrder


def delivered_facts(
    config: PromiseConfig,
    stored: StoredOrder,
    before: ShipmentState,
    after: ShipmentState,
    event: ShipmentEvent,
) -> list[Fact]:
    """One fact when this event delivers the parcel for the first time; none otherwise, or when
    the order names no rule or destination (a merchant promise for an unknown method).

    A delivery stamped before the parcel's handover (a carrier clock off) does not move the
    shipment, which keeps its newer status; it is still a delivery, counted and not learned from.
    """
    if event.status is not ParcelStatus.DELIVERED or before.status is ParcelStatus.DELIVERED:
        return []
    delivers = after.status is ParcelStatus.DELIVERED and after.last_event_id == event.event_id
    skewed = after.handed_over_at is not None and event.occurred_at < after.handed_over_at
    if not (delivers or skewed):
        return []
    promise, destination = stored.record.promise, stored.record.destination
    rule = find_rule(config, "", "", "", key=promise.rule) if promise.rule else None
    if rule is None or destination is None:
        return []
    origin_id = promise.origin or rule.sources[0].location.id
    origin = config.rules.locations.get(origin_id)
    if origin is None:
        return []
    subdivision = config.regions.subdivision(destination.country, destination.postal_code)
    lane = Lane(
        rule.carrier,
        rule.service,
        origin.id,
        postal_region(destination.country, destination.postal_code),
    )
    delivery = Delivery(
        lane=lane,
        method=promise.method,
        placed_at=stored.record.placed_at,
        handed_over_at=after.handed_over_at,
        delivered_at=event.occurred_at,
        promised_earliest=promise.earliest,
        promised_latest=promise.latest,
    )
    payload = delivered_payload(
        delivery,
        zone=origin.zone,
        delivers=rule.delivery.calendar(subdivision).is_open,
        handles=origin.days.is_open,
    )
    fact_id = f"delivered#{stored.order_id}#{after.shipment_id}#{event.event_id}"
    return [Fact(fact_id=fact_id, kind=KIND, payload=payload.model_dump(mode="json"))]
