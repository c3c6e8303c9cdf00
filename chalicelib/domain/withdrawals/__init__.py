"""The EU withdrawal function (Art. 11a of Directive 2011/83/EU, § 356a BGB): pure rules."""

from chalicelib.domain.withdrawals.rules import (
    DEFAULT_DAILY_ACKNOWLEDGEMENTS,
    DEFAULT_PERIOD_DAYS,
    DEFAULT_RETENTION_DAYS,
    DUPLICATE_WINDOW,
    acknowledgement_day,
    address_key,
    fingerprint,
    matches,
    normal_email,
    period,
    retain_until,
    return_lines,
)
from chalicelib.domain.withdrawals.values import (
    Acknowledgement,
    Declaration,
    Period,
    PeriodState,
    WithdrawalRecord,
    WithdrawnItem,
)

__all__ = [
    "DEFAULT_DAILY_ACKNOWLEDGEMENTS",
    "DEFAULT_PERIOD_DAYS",
    "DEFAULT_RETENTION_DAYS",
    "DUPLICATE_WINDOW",
    "Acknowledgement",
    "Declaration",
    "Period",
    "PeriodState",
    "WithdrawalRecord",
    "WithdrawnItem",
    "acknowledgement_day",
    "address_key",
    "fingerprint",
    "matches",
    "normal_email",
    "period",
    "retain_until",
    "return_lines",
]
