"""The one interface every channel implements, and the two ways a send can fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

    from chalicelib.channels.render import RenderedMessage
    from chalicelib.domain.notifications import Channel, Delivery

# Provider error codes that mean "not now": retried later with backoff, never dropped.
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "Throttled",
        "TooManyRequestsException",
        "LimitExceededException",
        "SendingPausedException",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalError",
        "KMSThrottling",
        "KMSThrottlingException",
    }
)
# The account or its configuration is wrong (suspended, a key or permission missing): no message
# can go out until someone fixes it. Retried, then kept in the dead-letter queue for a redrive —
# never recorded as the customer's problem.
CONFIGURATION_CODES = frozenset(
    {
        "AccountSuspendedException",
        "MailFromDomainNotVerifiedException",
        "NotFoundException",  # SES: the configuration set does not exist
        "AuthorizationError",
        "AccessDeniedException",
        "InvalidSecurity",
        "KMSDisabled",
        "KMSInvalidState",
        "KMSNotFound",
        "KMSOptInRequired",
        "KMSAccessDenied",
        "PlatformApplicationDisabled",
    }
)


@dataclass(frozen=True, slots=True)
class Outgoing:
    delivery: Delivery
    message: RenderedMessage
    # The customer's address on this channel (e-mail address, phone); None for the merchant hook.
    address: str | None = field(repr=False)


class Sender(Protocol):
    @property
    def channel(self) -> Channel: ...

    def send(self, outgoing: Outgoing) -> str:
        """Send; return the provider's message id. Raise ChannelUnavailable or ChannelRejected."""
        ...


class ChannelUnavailable(Exception):
    """The provider cannot take the message now (throttled, down): retry later."""


class ChannelRejected(Exception):
    """The provider refuses this message for good (an invalid address, an opted-out number)."""


def translate(exc: ClientError, channel: Channel) -> Exception:
    """A provider's ClientError as the channel error the sender acts on."""
    code = str(exc.response.get("Error", {}).get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in TRANSIENT_CODES or code in CONFIGURATION_CODES or status == 429 or status >= 500:
        return ChannelUnavailable(f"{channel}: {code or status}")
    # What is left concerns this message or address (not a phone number, an opted-out
    # endpoint, a rejected message): retrying would fail the same way.
    return ChannelRejected(f"{channel}: {code or status}")
