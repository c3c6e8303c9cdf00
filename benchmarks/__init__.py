"""Benchmarks: figures measured as ratios within one run (the machine is shared and noisy).

Benchmarks run outside the local stack, where no secret falls back to a development value
(chalicelib/settings.py): they bring their own, unless the environment already has them.
"""

import os

for _name, _value in (
    ("PK_MERCHANT_API_KEY", "bench-merchant-key"),
    ("PK_WEBHOOK_SECRET", "bench-webhook-secret"),
    ("PK_TOKEN_SECRET", "bench-token-secret"),
):
    os.environ.setdefault(_name, _value)
