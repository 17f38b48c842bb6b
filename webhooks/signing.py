"""Secrets and signatures, in the Standard Webhooks scheme (standardwebhooks.com).

Each delivery carries `webhook-id` (the message id, the same on every retry), a
`webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`:
`v1,` + base64(HMAC-SHA256(secret, f"{id}.{timestamp}.{body}")). Receivers verify with any
Standard Webhooks library or a few lines of `hmac` (docs/webhooks.md) and refuse
timestamps more than `SIGNATURE_TOLERANCE_SECONDS` away from their clock (replays).

Signing is the reference implementation's (`standardwebhooks`), so what we send is exactly
what receivers' libraries check.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
SIGNATURE_TOLERANCE_SECONDS = 300  # what receivers should accept; the libraries' default


def secret_generate() -> str:
    """A new endpoint secret: `whsec_` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature_headers(*, secret: str, webhook_id: str, body: bytes, at: datetime) -> dict:
    """The three headers that let a receiver check who sent `body`, and when."""
    timestamp = int(at.astimezone(UTC).timestamp())
    signature = Webhook(secret).sign(
        msg_id=webhook_id, timestamp=datetime.fromtimestamp(timestamp, UTC), data=body
    )
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }
