"""The senders ``POST /v1/webhooks/{source}`` accepts, by the name used in the path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.tracking.events import ParsedBatch
from chalicelib.domain.tracking.sources import (
    aftership,
    easypost,
    generic,
    seventeen_track,
    shippo,
)


class Verify(Protocol):
    def __call__(
        self, headers: Mapping[str, str], raw_body: bytes, secret: str, now: datetime
    ) -> None: ...


class Parse(Protocol):
    def __call__(self, raw_body: bytes) -> ParsedBatch: ...


@dataclass(frozen=True)
class WebhookSource:
    """``verify`` raises InvalidSignature; ``parse`` raises InvalidInput. Verify first: parse
    trusts nothing about the body, but there is no point reading an unsigned one."""

    name: str
    verify: Verify
    parse: Parse


SOURCES: dict[str, WebhookSource] = {
    module.NAME: WebhookSource(module.NAME, module.verify, module.parse)
    for module in (generic, easypost, aftership, shippo, seventeen_track)
}


def get_source(name: str) -> WebhookSource:
    """The sender named in the webhook's path; InvalidInput (422) for a name not listed here."""
    try:
        return SOURCES[name]
    except KeyError:
        raise InvalidInput(
            f"unknown webhook source {name!r}",
            [{"loc": ["source"], "msg": f"Input should be one of {', '.join(SOURCES)}"}],
        ) from None
