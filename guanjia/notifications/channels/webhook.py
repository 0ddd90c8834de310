"""Signed outbound webhooks for integrations: a JSON POST with ``X-Guanjia-Signature: sha256=<hex>``, the
HMAC-SHA256 of the exact body bytes under ``OUTBOUND_WEBHOOK_SECRET``. The body carries its own timestamp
and delivery id, so a receiver can refuse replays."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import requests
from django.conf import settings

from guanjia.notifications.channels.base import ChannelError, NotConfigured

SIGNATURE_HEADER = "X-Guanjia-Signature"
EVENT_HEADER = "X-Guanjia-Event"


def configured() -> bool:
    return bool(getattr(settings, "OUTBOUND_WEBHOOK_URLS", []) and getattr(settings, "OUTBOUND_WEBHOOK_SECRET", ""))


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(payload: dict[str, Any], url: str, delivery_id: int) -> str:
    secret = getattr(settings, "OUTBOUND_WEBHOOK_SECRET", "")
    if not secret:
        raise NotConfigured("OUTBOUND_WEBHOOK_SECRET is not set")
    body = json.dumps({**payload, "delivery": delivery_id}, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        EVENT_HEADER: str(payload.get("event", "")),
        SIGNATURE_HEADER: sign(body, secret),
    }
    try:
        response = requests.post(url, data=body, headers=headers, timeout=settings.NOTIFY_HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise ChannelError(f"network: {type(exc).__name__}") from exc
    if not 200 <= response.status_code < 300:
        retryable = response.status_code >= 500 or response.status_code in (408, 429)
        raise ChannelError(f"HTTP {response.status_code}: {response.text[:200]}", retryable=retryable)
    return response.headers.get("X-Request-Id", "")
