"""The one interface every channel implements, and the two ways a send can fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError

if TYPE_CHECKING:
    from chalicelib.channels.render import RenderedMessage
    from chalicelib.domain.notifications import Channel, Delivery

# The only provider answers that are final for a message: this address or number cannot be
# reached this way. Every other error — throttling, an outage, and faults of the account or its
# configuration (an unverified sender, the SES sandbox, KMS, permissions), which a person fixes —
# is retried and, if it lasts, kept in the dead-letter queue for a redrive; never recorded as the
# customer's problem, so that the redrive still sends.
FINAL_CODES = frozenset(
    {
        "BadRequestException",  # SES v2: e.g. not an e-mail address
        "InvalidParameter",  # SNS: e.g. not a phone number
        "InvalidParameterValue",
        "ParameterValueInvalid",
        "ValidationException",
        "EndpointDisabled",
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
    """The provider cannot take the message now (throttled, down, misconfigured): retry later.

    ``ambiguous``: the provider may have taken the message after all (the answer timed out), so
    the claim is kept until its lease runs out rather than released for an immediate resend.
    """

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


class ChannelRejected(Exception):
    """The provider refuses this message for good (an invalid address, an opted-out number)."""


def translate(exc: ClientError | BotoCoreError, channel: Channel) -> Exception:
    """A provider's error as the channel error the sender acts on (codes only, no message text:
    providers quote the address they refused)."""
    if not isinstance(exc, ClientError):  # no answer: connection refused, timed out, ...
        timed_out = isinstance(exc, ReadTimeoutError)
        return ChannelUnavailable(f"{channel}: {type(exc).__name__}", ambiguous=timed_out)
    code = str(exc.response.get("Error", {}).get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in FINAL_CODES:
        return ChannelRejected(f"{channel}: {code}")
    return ChannelUnavailable(f"{channel}: {code or status}")
