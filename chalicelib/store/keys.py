"""The single table's keys: the only module that knows them. Access patterns: docs/data-model.md."""

from __future__ import annotations

import zlib

from chalicelib.domain.tracking_number import tracking_number_key

DUE_SHARDS = 4  # the due-date index is spread over a few partitions to avoid one hot key


def order_key(order_id: str) -> dict[str, str]:
    return {"PK": f"ORDER#{order_id}", "SK": "ORDER"}


def tracking_key(tracking_number: str) -> dict[str, str]:
    # Matched without case or spaces: "xsstrk0001" and "XSSTRK 0001" are one parcel.
    return {"PK": f"TRACKING#{tracking_number_key(tracking_number)}", "SK": "TRACKING"}


def tracking_key_as_written(tracking_number: str) -> dict[str, str]:
    # Copies written before numbers were matched that way are keyed by the number as registered.
    return {"PK": f"TRACKING#{tracking_number}", "SK": "TRACKING"}


def event_key(order_id: str, shipment_id: str, event_id: str) -> dict[str, str]:
    return {"PK": f"ORDER#{order_id}", "SK": f"EVENT#{shipment_id}#{event_id}"}


def event_prefix(shipment_id: str | None = None) -> str:
    # Shipment ids hold no "#": one shipment's prefix never matches another's events.
    return "EVENT#" if shipment_id is None else f"EVENT#{shipment_id}#"


def seen_event_key(order_id: str, shipment_id: str, event_id: str) -> dict[str, str]:
    # One small item per carrier event a parcel has seen (with a TTL): the de-duplication that
    # no longer grows the order item.
    return {"PK": f"ORDER#{order_id}", "SK": f"SEEN#{shipment_id}#{event_id}"}


def notification_key(order_id: str, dedup_key: str) -> dict[str, str]:
    return {"PK": f"ORDER#{order_id}", "SK": f"NOTIFICATION#{dedup_key}"}


def notification_prefix() -> str:
    return "NOTIFICATION#"


def outbox_key(order_id: str, message_id: str, revision: int) -> dict[str, str]:
    # The revision makes a repeated change (in_transit → exception → in_transit) a new record.
    return {"PK": f"OUTBOX#{order_id}", "SK": f"{message_id}#{revision}"}


def is_outbox(pk: str) -> bool:
    return pk.startswith("OUTBOX#")


def due_shard(order_id: str) -> str:
    return f"DUE#{zlib.crc32(order_id.encode()) % DUE_SHARDS}"


def due_shards() -> list[str]:
    return [f"DUE#{n}" for n in range(DUE_SHARDS)]


def due_sort_key(due_at_iso: str, order_id: str) -> str:
    return f"{due_at_iso}#{order_id}"


def order_id_of(pk: str) -> str:
    return pk.split("#", 1)[1]


def fact_key(fact_id: str) -> dict[str, str]:
    return {"PK": f"FACT#{fact_id}", "SK": "FACT"}


def is_fact(pk: str) -> bool:
    return pk.startswith("FACT#")


def counter_key(family: str, dimension: str, shard: int, bucket: str) -> dict[str, str]:
    # One partition per counter and shard; the buckets (days, weeks) sort within it.
    return {"PK": f"COUNTER#{family}#{dimension}#{shard}", "SK": bucket}


def counter_shard(fact_id: str, shards: int) -> int:
    return zlib.crc32(fact_id.encode()) % shards


def return_key(return_id: str) -> dict[str, str]:
    return {"PK": f"RETURN#{return_id}", "SK": "RETURN"}


def returns_of_order_index(order_id: str, requested_at_iso: str, return_id: str) -> dict[str, str]:
    # GSI1: an order's returns, oldest first (GET /v1/orders/{id} lists them).
    return {"GSI1PK": f"RETURNS#{order_id}", "GSI1SK": f"{requested_at_iso}#{return_id}"}


def returns_of_order(order_id: str) -> str:
    return f"RETURNS#{order_id}"


def returns_ledger_key(order_id: str) -> dict[str, str]:
    # Quantities per SKU taken back by the order's returns: the one item their requests race on.
    return {"PK": f"ORDER#{order_id}", "SK": "RETURNS"}


def return_tracking_key(tracking_number: str) -> dict[str, str]:
    # Beside the outbound parcel's TRACKING item: one partition per tracking number either way.
    return {"PK": f"TRACKING#{tracking_number_key(tracking_number)}", "SK": "RETURN"}


def return_tracking_key_as_written(tracking_number: str) -> dict[str, str]:
    return {"PK": f"TRACKING#{tracking_number}", "SK": "RETURN"}


def idempotency_key(scope: str, key: str) -> dict[str, str]:
    return {"PK": f"IDEMPOTENCY#{scope}#{key}", "SK": "IDEMPOTENCY"}


def feedback_key(order_id: str) -> dict[str, str]:
    # In the order's partition: one rating per order, read with the order it belongs to.
    return {"PK": f"ORDER#{order_id}", "SK": "FEEDBACK"}


def earlier_rating_key(order_id: str, version: int) -> dict[str, str]:
    # The answer that was the rating at `version`, once a change replaced it: an item of its
    # own, so the rating's item holds one answer however often it changes.
    return {"PK": f"ORDER#{order_id}", "SK": f"FEEDBACK#{version:04d}"}


def earlier_rating_prefix() -> str:
    return "FEEDBACK#"


RATING_DUE_SHARDS = 4  # like the order checks: a busy day's reminders spread over partitions


def rating_due_key(order_id: str) -> dict[str, str]:
    return {"PK": f"ORDER#{order_id}", "SK": "RATING_DUE"}


def rating_due_shard(order_id: str) -> str:
    # Its own prefix in GSI2: the reminder schedule and the order sweep never read each other's.
    return f"RATING_DUE#{zlib.crc32(order_id.encode()) % RATING_DUE_SHARDS}"


def rating_due_shards() -> list[str]:
    return [f"RATING_DUE#{n}" for n in range(RATING_DUE_SHARDS)]


def learned_snapshot_key() -> dict[str, str]:
    # One item: what every API container reads at its start (store/learned_snapshot.py).
    return {"PK": "LEARNED#lanes", "SK": "SNAPSHOT"}


def withdrawal_key(withdrawal_id: str) -> dict[str, str]:
    return {"PK": f"WITHDRAWAL#{withdrawal_id}", "SK": "WITHDRAWAL"}


def withdrawals_by_month(month: str) -> str:
    # GSI1: the merchant's list, one partition per month of receipt (a year's list: 13 queries).
    return f"WITHDRAWALS#{month}"


def withdrawals_received_index(received_at_iso: str, withdrawal_id: str) -> dict[str, str]:
    return {
        "GSI1PK": withdrawals_by_month(received_at_iso[:7]),
        "GSI1SK": f"{received_at_iso}#{withdrawal_id}",
    }


def order_withdrawal_key(order_id: str, withdrawal_id: str) -> dict[str, str]:
    # In the order's partition: GET /v1/orders/{id} finds its declarations with the order.
    return {"PK": f"ORDER#{order_id}", "SK": f"WITHDRAWAL#{withdrawal_id}"}


def order_withdrawal_prefix() -> str:
    return "WITHDRAWAL#"


def withdrawal_duplicate_key(fingerprint: str) -> dict[str, str]:
    # The same declaration within the hour: one declaration (a TTL removes the item after).
    return {"PK": f"WITHDRAWAL_DUPLICATE#{fingerprint}", "SK": "DUPLICATE"}


def withdrawal_acknowledgements_key(address_digest: str, day: str) -> dict[str, str]:
    # Acknowledgements sent to one address on one day (the address only as a digest).
    return {"PK": f"WITHDRAWAL_ACKS#{address_digest}", "SK": day}


def withdrawal_notification_key(withdrawal_id: str, dedup_key: str) -> dict[str, str]:
    # The acknowledgement's claim: in the declaration's partition, as it may name no order.
    return {"PK": f"WITHDRAWAL#{withdrawal_id}", "SK": f"NOTIFICATION#{dedup_key}"}
