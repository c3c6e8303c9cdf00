"""Channels: e-mail over SES v2, SMS over SNS, the signed merchant webhook, provider errors.

SES and SNS are moto in-process (the `aws` fixture); the webhook talks to a real HTTP server on
127.0.0.1. What was sent is read back from moto's backends through devstack.mailbox.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.session import get_session
from botocore.stub import Stubber
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

from chalicelib.channels import webhook as webhook_module
from chalicelib.channels.base import (
    ChannelRejected,
    ChannelUnavailable,
    Outgoing,
    translate,
)
from chalicelib.channels.email import EmailSender
from chalicelib.channels.render import RenderedMessage, context_for, render
from chalicelib.channels.sms import SmsSender
from chalicelib.channels.webhook import WebhookSender
from chalicelib.domain.notifications import Channel, Delivery, OrderSnapshot
from devstack.environment import REGION
from devstack.mailbox import SentSms, sent_emails, sent_sms
from tests.conftest import SENDER
from tests.unit.notifications.builders import NOW, ORDER_ID, order, recipient, shipment

CUSTOMER_EMAIL = "anna@example.com"
CUSTOMER_PHONE = "+4915112345678"
SHOP = "Beispiel-Shop"
WEBHOOK_SECRET = "merchant-webhook-secret"
SENT_AT = datetime(2026, 12, 23, 10, 0, 7, 250_000, tzinfo=UTC)


def delivery(channel: Channel, message_type: str = "shipped", **changes: Any) -> Delivery:
    base = Delivery(
        channel=channel,
        message_type=message_type,
        dedup_key=f"{ORDER_ID}#S1#{message_type}#{channel}",
        send_at=NOW,
        locale="de-DE",
        order_id=ORDER_ID,
        shipment_id="S1",
    )
    return replace(base, **changes)


def rendered(view: OrderSnapshot, planned: Delivery) -> RenderedMessage:
    context = context_for(view, planned, shop_name=SHOP)
    return render(planned.message_type, planned.locale, context)


def outgoing(planned: Delivery, address: str | None, view: OrderSnapshot | None = None) -> Outgoing:
    view = view or order(shipment("S1"))
    return Outgoing(planned, rendered(view, planned), address)


def raw_emails() -> list[EmailMessage]:
    """The raw MIME messages SES kept, parsed (the mailbox summary leaves out From/structure)."""
    backend = get_backend("ses")[DEFAULT_ACCOUNT_ID][REGION]
    parsed = [
        email.message_from_string(sent.raw_data, policy=email.policy.default)
        for sent in backend.sent_messages
    ]
    return [p for p in parsed if isinstance(p, EmailMessage)]  # always, with policy.default


def capture_params(client: Any, event: str) -> list[dict[str, Any]]:
    """The parameters boto3 sends for `event` (observed on the real client, not faked)."""
    seen: list[dict[str, Any]] = []
    client.meta.events.register(event, lambda params, **_: seen.append(dict(params)))
    return seen


# -- e-mail ---------------------------------------------------------------------------------------
def test_email_goes_to_the_customer_from_the_sender_as_text_and_html(aws: dict[str, Any]) -> None:
    sender = EmailSender(boto3.client("sesv2"), SENDER)
    message = outgoing(delivery("email"), CUSTOMER_EMAIL)

    message_id = sender.send(message)

    [sent] = sent_emails(REGION)
    assert sent.message_id == message_id
    assert sent.to == [CUSTOMER_EMAIL]
    assert sent.subject == "Deine Bestellung 1001 ist unterwegs"
    assert sent.language == "de"
    assert "Anna Schmidt" in sent.text
    assert "Anna Schmidt" in sent.html
    assert sent.html.lstrip().startswith("<!DOCTYPE html>")
    [raw] = raw_emails()
    assert raw["From"] == SENDER
    assert raw["Content-Language"] == "de"
    assert raw.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in raw.iter_parts()]
    assert parts == ["text/plain", "text/html"]  # the last part is the one clients prefer
    assert raw["Message-ID"].endswith("@shop.example>")


def test_email_subject_and_content_language_follow_the_customer_locale(
    aws: dict[str, Any],
) -> None:
    sender = EmailSender(boto3.client("sesv2"), SENDER)

    for locale in ("en-US", "de-AT"):
        sender.send(outgoing(delivery("email", locale=locale), CUSTOMER_EMAIL))

    english, austrian = sent_emails(REGION)
    assert (english.subject, english.language) == ("Your order 1001 is on its way", "en")
    assert (austrian.subject, austrian.language) == ("Deine Bestellung 1001 ist unterwegs", "de")
    assert "Anna Schmidt" in english.text
    assert "Hallo Anna Schmidt" in austrian.text


def test_email_html_part_escapes_the_customer_name(aws: dict[str, Any]) -> None:
    view = order(shipment("S1"), recipient=recipient(name="Anna O'Brien"))
    sender = EmailSender(boto3.client("sesv2"), SENDER)

    sender.send(outgoing(delivery("email"), CUSTOMER_EMAIL, view))

    [sent] = sent_emails(REGION)
    assert "Hallo Anna O&#39;Brien," in sent.html
    assert "Hallo Anna O'Brien," in sent.text  # plain text shows the name as typed


def test_email_greets_a_name_that_is_markup_without_it(aws: dict[str, Any]) -> None:
    view = order(shipment("S1"), recipient=recipient(name="<b>Anna</b>"))
    sender = EmailSender(boto3.client("sesv2"), SENDER)

    sender.send(outgoing(delivery("email"), CUSTOMER_EMAIL, view))

    [sent] = sent_emails(REGION)
    assert "Anna" not in sent.html and "Anna" not in sent.text
    assert sent.text.startswith("Hallo,\n")


def test_email_keeps_non_ascii_names_and_subjects_intact(aws: dict[str, Any]) -> None:
    view = order(shipment("S1"), recipient=recipient(name="Jürgen Müller-Öztürk"))
    planned = delivery("email", "delayed", shipment_id=None, variant="late")
    sender = EmailSender(boto3.client("sesv2"), SENDER)

    sender.send(outgoing(planned, CUSTOMER_EMAIL, view))

    [sent] = sent_emails(REGION)
    assert sent.subject == "Deine Bestellung 1001 verspätet sich"
    assert "Jürgen Müller-Öztürk" in sent.text
    assert "Jürgen Müller-Öztürk" in sent.html


def test_email_from_an_unverified_sender_waits_for_the_fix(aws: dict[str, Any]) -> None:
    # A configuration fault (as the SES sandbox): retried and kept for a redrive, never final.
    sender = EmailSender(boto3.client("sesv2"), "someone@unverified.example")

    with pytest.raises(ChannelUnavailable, match="email: MessageRejected") as raised:
        sender.send(outgoing(delivery("email"), CUSTOMER_EMAIL))

    assert isinstance(raised.value.__cause__, ClientError)
    assert sent_emails(REGION) == []


def test_email_without_an_address_is_rejected_before_ses_is_asked() -> None:
    ses = boto3.client("sesv2", region_name=REGION)
    sender = EmailSender(client=ses, sender=SENDER)

    with Stubber(ses), pytest.raises(ChannelRejected, match="email: no address"):
        sender.send(outgoing(delivery("email"), None))  # no answer stubbed: a call would raise


def test_email_names_the_configuration_set_only_when_one_is_configured(
    aws: dict[str, Any],
) -> None:
    ses = boto3.client("sesv2")
    ses.create_configuration_set(ConfigurationSetName="promise-keeper")
    calls = capture_params(ses, "provide-client-params.sesv2.SendEmail")

    EmailSender(ses, SENDER, "promise-keeper").send(outgoing(delivery("email"), CUSTOMER_EMAIL))
    EmailSender(ses, SENDER).send(outgoing(delivery("email"), CUSTOMER_EMAIL))

    assert [c.get("ConfigurationSetName") for c in calls] == ["promise-keeper", None]
    assert all(c["FromEmailAddress"] == SENDER for c in calls)
    assert all(c["Destination"] == {"ToAddresses": [CUSTOMER_EMAIL]} for c in calls)
    assert len(sent_emails(REGION)) == 2


# -- SMS ------------------------------------------------------------------------------------------
def test_sms_goes_to_the_number_with_the_rendered_text(aws: dict[str, Any]) -> None:
    message = outgoing(delivery("sms", "out_for_delivery"), CUSTOMER_PHONE)
    assert message.message.sms is not None

    message_id = SmsSender(boto3.client("sns")).send(message)

    assert sent_sms(REGION) == [SentSms(message_id, CUSTOMER_PHONE, message.message.sms)]
    assert message.message.sms.startswith("Dein Paket kommt heute mit DHL")


def test_sms_is_sent_transactional_with_the_configured_sender_id(aws: dict[str, Any]) -> None:
    sns = boto3.client("sns")
    calls = capture_params(sns, "provide-client-params.sns.Publish")
    message = outgoing(delivery("sms", "failed_attempt"), CUSTOMER_PHONE)

    SmsSender(sns, "BeispielSh").send(message)
    SmsSender(sns).send(message)

    transactional = {"DataType": "String", "StringValue": "Transactional"}
    with_id, without_id = (c["MessageAttributes"] for c in calls)
    assert with_id == {
        "AWS.SNS.SMS.SMSType": transactional,
        "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "BeispielSh"},
    }
    assert without_id == {"AWS.SNS.SMS.SMSType": transactional}
    assert len(sent_sms(REGION)) == 2


def test_sms_without_an_sms_text_for_the_type_or_without_a_number_is_rejected() -> None:
    sns = boto3.client("sns", region_name=REGION)
    sender = SmsSender(client=sns)
    no_text = outgoing(delivery("sms", "shipped"), CUSTOMER_PHONE)
    assert no_text.message.sms is None

    with Stubber(sns):  # rejected before SNS is asked: no answer stubbed, a call would raise
        with pytest.raises(ChannelRejected, match="sms: no number or no SMS text"):
            sender.send(no_text)
        with pytest.raises(ChannelRejected, match="sms: no number or no SMS text"):
            sender.send(outgoing(delivery("sms", "out_for_delivery"), None))


def test_sms_to_a_number_sns_refuses_is_rejected_for_good(aws: dict[str, Any]) -> None:
    message = outgoing(delivery("sms", "out_for_delivery"), "0151-not-a-number")

    with pytest.raises(ChannelRejected, match="sms: InvalidParameter") as raised:
        SmsSender(boto3.client("sns")).send(message)

    assert isinstance(raised.value.__cause__, ClientError)
    assert sent_sms(REGION) == []


# -- merchant webhook -----------------------------------------------------------------------------
@dataclass
class Received:
    method: str
    path: str
    headers: Message  # case-insensitive, as a merchant's framework would read them
    body: bytes


@dataclass
class Merchant:
    """A merchant's endpoint: POST /status/<code> answers <code> (a 3xx leads to GET /moved),
    /request-id answers 200 with an X-Request-Id, /slow answers after a second."""

    base_url: str
    received: list[Received] = field(default_factory=list)

    def url(self, path: str = "/status/200") -> str:
        return f"{self.base_url}{path}"


def _handler(merchant: Merchant) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            merchant.received.append(Received("POST", self.path, self.headers, body))
            extra: dict[str, str] = {}
            if self.path == "/slow":
                time.sleep(1)
                status = 200
            elif self.path == "/request-id":
                status, extra = 200, {"X-Request-Id": "merchant-req-42"}
            else:
                status = int(self.path.rsplit("/", 1)[1])
                if 300 <= status < 400:
                    extra = {"Location": "/moved"}
            self._answer(status, extra)

        def do_GET(self) -> None:  # where a redirect leads
            merchant.received.append(Received("GET", self.path, self.headers, b""))
            self._answer(200, {})

        def _answer(self, status: int, headers: dict[str, str]) -> None:
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:  # the client gave up waiting (the timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
            pass

    return Handler


@pytest.fixture(scope="module")
def merchant_endpoint() -> Iterator[Merchant]:
    endpoint = Merchant(base_url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(endpoint))
    server.daemon_threads = True
    endpoint.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield endpoint
    server.shutdown()
    server.server_close()
    thread.join(timeout=2)


@pytest.fixture
def merchant(merchant_endpoint: Merchant) -> Merchant:
    merchant_endpoint.received.clear()
    return merchant_endpoint


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"  # nothing listens there any more


def webhook(url: str) -> WebhookSender:
    return WebhookSender(url, WEBHOOK_SECRET, now=lambda: SENT_AT)


def signature_fields(header: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in header.split(","))


def is_valid_signature(secret: str, header: str, body: bytes) -> bool:
    """A merchant's check of X-Signature, written from the documented scheme alone."""
    fields = signature_fields(header)
    if set(fields) != {"t", "v1"}:
        return False
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(fields["v1"], expected.hexdigest())


def test_webhook_posts_the_message_as_json_signed_with_the_merchant_secret(
    merchant: Merchant,
) -> None:
    planned = delivery("webhook", "out_for_delivery")
    message = outgoing(planned, None)

    provider_id = webhook(merchant.url()).send(message)

    [request] = merchant.received
    assert request.method == "POST"
    assert request.path == "/status/200"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "promise-keeper"
    assert request.headers["Idempotency-Key"] == planned.dedup_key
    assert is_valid_signature(WEBHOOK_SECRET, request.headers["X-Signature"], request.body)
    assert signature_fields(request.headers["X-Signature"])["t"] == str(int(SENT_AT.timestamp()))
    assert json.loads(request.body) == {
        "id": planned.dedup_key,
        "type": "out_for_delivery",
        "variant": None,
        "order_id": ORDER_ID,
        "shipment_id": "S1",
        "return_id": None,
        "locale": "de",
        "subject": message.message.subject,
        "text": message.message.text,
        "sms": message.message.sms,
        "sent_at": "2026-12-23T10:00:07.250000+00:00",
    }
    assert message.message.sms and "Anna Schmidt" not in message.message.sms
    assert provider_id == planned.dedup_key  # the merchant sent no X-Request-Id


def test_webhook_signature_covers_the_secret_the_timestamp_and_the_body(
    merchant: Merchant,
) -> None:
    webhook(merchant.url()).send(outgoing(delivery("webhook"), None))

    [request] = merchant.received
    header, body = request.headers["X-Signature"], request.body
    t = signature_fields(header)["t"]
    assert is_valid_signature(WEBHOOK_SECRET, header, body)
    assert not is_valid_signature("another-secret", header, body)
    assert not is_valid_signature(WEBHOOK_SECRET, header, body.replace(b'"1001"', b'"1002"'))
    assert not is_valid_signature(WEBHOOK_SECRET, header.replace(f"t={t}", f"t={int(t) + 1}"), body)


@pytest.mark.parametrize(
    ("changes", "type_", "variant", "shipment_id", "return_id"),
    [
        ({"message_type": "delayed", "shipment_id": None, "variant": "late"},
         "delayed", "late", None, None),
        ({"message_type": "refund_issued", "shipment_id": None, "return_id": "R1"},
         "refund_issued", None, None, "R1"),
    ],
)  # fmt: skip
def test_webhook_payload_names_the_variant_and_the_return(
    merchant: Merchant,
    changes: dict[str, Any],
    type_: str,
    variant: str | None,
    shipment_id: str | None,
    return_id: str | None,
) -> None:
    planned = delivery("webhook", **changes)

    webhook(merchant.url()).send(outgoing(planned, None))

    [request] = merchant.received
    payload = json.loads(request.body)
    assert (payload["type"], payload["variant"]) == (type_, variant)
    assert (payload["shipment_id"], payload["return_id"]) == (shipment_id, return_id)
    assert payload["id"] == planned.dedup_key


def test_webhook_returns_the_merchants_request_id_when_given(merchant: Merchant) -> None:
    provider_id = webhook(merchant.url("/request-id")).send(outgoing(delivery("webhook"), None))

    assert provider_id == "merchant-req-42"


@pytest.mark.parametrize("status", [401, 403, 404, 429, 500, 502, 503])
def test_webhook_answering_429_5xx_or_a_configuration_fault_is_unavailable_for_now(
    merchant: Merchant, status: int
) -> None:
    with pytest.raises(ChannelUnavailable, match=f"webhook: HTTP {status}"):
        webhook(merchant.url(f"/status/{status}")).send(outgoing(delivery("webhook"), None))

    assert len(merchant.received) == 1  # it was asked once; the retry is the queue's job


@pytest.mark.parametrize("status", [400, 410, 413, 422])
def test_webhook_refusing_the_message_itself_is_rejected_for_good(
    merchant: Merchant, status: int
) -> None:
    with pytest.raises(ChannelRejected, match=f"webhook: HTTP {status}"):
        webhook(merchant.url(f"/status/{status}")).send(outgoing(delivery("webhook"), None))

    assert len(merchant.received) == 1


def test_webhook_to_a_closed_port_is_unavailable() -> None:
    with pytest.raises(ChannelUnavailable, match="webhook: URLError"):
        webhook(closed_port_url()).send(outgoing(delivery("webhook"), None))


def test_webhook_that_does_not_answer_in_time_is_unavailable(
    merchant: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_module, "TIMEOUT_SECONDS", 0.2)
    started = time.monotonic()

    with pytest.raises(ChannelUnavailable, match="webhook"):
        webhook(merchant.url("/slow")).send(outgoing(delivery("webhook"), None))

    assert time.monotonic() - started < 0.9
    assert len(merchant.received) == 1


@pytest.mark.parametrize("status", [301, 302, 303])
def test_webhook_answering_a_redirect_is_not_counted_as_delivered(
    merchant: Merchant, status: int
) -> None:
    with pytest.raises((ChannelRejected, ChannelUnavailable)):
        webhook(merchant.url(f"/status/{status}")).send(outgoing(delivery("webhook"), None))


def test_webhook_answering_garbage_is_unavailable_for_now() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def answer_garbage() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"this is not HTTP\r\n\r\n")

        thread = threading.Thread(target=answer_garbage, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
        with pytest.raises(ChannelUnavailable, match="webhook"):
            webhook(url).send(outgoing(delivery("webhook"), None))
        thread.join(timeout=5)


# -- provider errors ------------------------------------------------------------------------------
def client_error(code: str, status: int, operation: str = "SendEmail") -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": f"{code} (test)"},
        "ResponseMetadata": {"RequestId": "req-1", "HTTPStatusCode": status, "RetryAttempts": 2},
    }
    return ClientError(response, operation)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("Throttling", 400),  # SES v1 / generic query-protocol throttling
        ("ThrottlingException", 400),
        ("TooManyRequestsException", 429),  # SES v2
        ("LimitExceededException", 400),  # SES v2: sending quota used up for now
        ("SendingPausedException", 400),
        ("InternalError", 500),  # SNS
        ("ServiceUnavailable", 503),
        ("SomethingNew", 429),  # unknown code, but the status says "later"
        ("SomethingNew", 500),
        ("", 502),
        ("MessageRejected", 400),  # SES: unverified sender or sandbox, fixed by a person
        ("AccountSuspendedException", 400),
        ("SomethingNew", 400),  # unknown: kept for a redrive rather than dropped
    ],
)
def test_translate_throttling_and_server_errors_to_unavailable(code: str, status: int) -> None:
    error = translate(client_error(code, status), "email")

    assert isinstance(error, ChannelUnavailable)
    assert str(error) == f"email: {code or status}"


@pytest.mark.parametrize(
    ("code", "status", "channel"),
    [
        ("BadRequestException", 400, "email"),  # e.g. not an e-mail address
        ("InvalidParameter", 400, "sms"),  # e.g. not a phone number
        ("EndpointDisabled", 400, "sms"),
    ],
)
def test_translate_client_faults_to_rejected(code: str, status: int, channel: Channel) -> None:
    error = translate(client_error(code, status, "Publish"), channel)

    assert isinstance(error, ChannelRejected)
    assert str(error) == f"{channel}: {code or status}"


def _documented_errors() -> list[Any]:
    """Every error SES v2 SendEmail and SNS Publish document, with its wire code and status.

    Throttling, outages and account or configuration faults are retried (and end in the
    dead-letter queue for a redrive); only faults of this message or address are final.
    """
    final = {
        "BadRequestException",
        "InvalidParameter",
        "ParameterValueInvalid",
        "EndpointDisabled",
        "ValidationException",
    }
    session = get_session()
    params = []
    for service, operation in (("sesv2", "SendEmail"), ("sns", "Publish")):
        model = session.get_service_model(service)
        for shape in model.operation_model(operation).error_shapes:
            error = shape.metadata.get("error", {})
            code, status = error.get("code", shape.name), error.get("httpStatusCode", 400)
            params.append(
                pytest.param(
                    service, operation, code, status, code not in final,
                    id=f"{service}-{code}",
                )
            )  # fmt: skip
    return params


@pytest.mark.parametrize(
    ("service", "operation", "code", "status", "transient"), _documented_errors()
)
def test_translate_classifies_every_documented_send_error(
    service: str, operation: str, code: str, status: int, transient: bool
) -> None:
    channel: Channel = "email" if service == "sesv2" else "sms"

    error = translate(client_error(code, status, operation), channel)

    assert isinstance(error, ChannelUnavailable if transient else ChannelRejected)


def test_no_answer_from_the_provider_is_unavailable_and_a_timeout_may_have_sent() -> None:
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    refused = translate(EndpointConnectionError(endpoint_url="https://email.example"), "email")
    timed_out = translate(ReadTimeoutError(endpoint_url="https://sns.example"), "sms")

    assert isinstance(refused, ChannelUnavailable) and not refused.ambiguous
    assert isinstance(timed_out, ChannelUnavailable) and timed_out.ambiguous
