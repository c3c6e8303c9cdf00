"""The return policy (returns.toml): loaded and validated once per container."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chalicelib.config.loader import CONFIG_DIR
from chalicelib.domain.promise.schema import RuleConfigError
from chalicelib.domain.returns import ReturnPolicy

RETURNS_FILE = "returns.toml"


class ReturnPolicyDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    window_days: Annotated[int, Field(ge=0, le=365)]
    non_returnable: list[Annotated[str, Field(min_length=1)]] = []
    return_methods: Annotated[
        list[Literal["by_mail", "in_store", "at_kiosk"]], Field(min_length=1)
    ] = ["by_mail"]
    return_fees: Literal["free", "customer", "shipping_fee"] = "free"
    return_shipping_fee: Annotated[str, Field(pattern=r"^[0-9]{1,7}\.[0-9]{2}$")] | None = None
    countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = []

    @model_validator(mode="after")
    def _fee_when_charged(self) -> ReturnPolicyDoc:
        if (self.return_fees == "shipping_fee") != (self.return_shipping_fee is not None):
            raise ValueError(
                'return_shipping_fee is set exactly when return_fees is "shipping_fee"'
            )
        return self


def parse_return_policy(document: dict[str, object], source: str = RETURNS_FILE) -> ReturnPolicy:
    try:
        doc = ReturnPolicyDoc.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        path = ".".join(str(part) for part in first["loc"]) or "(document)"
        raise RuleConfigError(source, path, first["msg"]) from exc
    fee = doc.return_shipping_fee
    return ReturnPolicy(
        window_days=doc.window_days,
        non_returnable=frozenset(doc.non_returnable),
        methods=tuple(dict.fromkeys(doc.return_methods)),
        fees=doc.return_fees,
        shipping_fee=Decimal(fee) if fee is not None else None,
        countries=tuple(dict.fromkeys(doc.countries)),
    )


@cache
def load_return_policy() -> ReturnPolicy:
    try:
        with (CONFIG_DIR / RETURNS_FILE).open("rb") as file:
            document = tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise RuleConfigError(RETURNS_FILE, "(syntax)", str(exc)) from exc
    return parse_return_policy(document)
