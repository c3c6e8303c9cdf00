"""Sign a body the way each sender does, written from the senders' docs independently of the
code under test, and load the realistic payloads in tests/fixtures/webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import unicodedata
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "webhooks"
SECRET = "whsec-test-4f1c2b"
NOW = datetime(2026, 12, 24, 9, 30, tzinfo=UTC)


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def body_of(payload: dict[str, Any]) -> bytes:
    # Not canonical JSON on purpose: signatures cover the bytes as sent, spacing included.
    return json.dumps(payload, ensure_ascii=False, indent=2).encode()


def _hex_hmac(secret: str | bytes, message: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def generic_headers(body: bytes, secret: str = SECRET, at: datetime = NOW) -> dict[str, str]:
    t = str(int(at.timestamp()))
    return {"X-Signature": f"t={t},v1={_hex_hmac(secret, t.encode() + b'.' + body)}"}


def shippo_headers(body: bytes, secret: str = SECRET, at: datetime = NOW) -> dict[str, str]:
    t = str(int(at.timestamp()))
    return {"Shippo-Auth-Signature": f"t={t},v1={_hex_hmac(secret, t.encode() + b'.' + body)}"}


def easypost_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    key = unicodedata.normalize("NFKD", secret).encode()
    return {"X-Hmac-Signature": f"hmac-sha256-hex={_hex_hmac(key, body)}"}


def easypost_v2_headers(
    body: bytes, secret: str = SECRET, at: datetime = NOW, path: str = "/v1/webhooks/easypost"
) -> dict[str, str]:
    key = unicodedata.normalize("NFKD", secret).encode()
    timestamp = format_datetime(at.astimezone(UTC)).replace("+0000", "-0000")
    digest = _hex_hmac(key, timestamp.encode() + b"POST" + path.encode() + body)
    return {
        "X-Timestamp": timestamp,
        "X-Path": path,
        "X-Hmac-Signature-V2": f"hmac-sha256-hex={digest}",
    }


def aftership_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"aftership-hmac-sha256": base64.b64encode(digest).decode()}


def seventeen_track_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"sign": hashlib.sha256(body + b"/" + secret.encode()).hexdigest()}
