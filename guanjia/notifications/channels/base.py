"""What every outgoing channel shares: the error a provider's refusal becomes, and plain HTTP calls whose
answer is checked (a 2xx status, then the provider's own success code, by the caller)."""

from __future__ import annotations

import json
from typing import Any

import requests
from django.conf import settings


class ChannelError(Exception):
    """The provider did not accept the message. ``retryable`` is False when trying again cannot help
    (a bad phone number, a wrong key): the delivery is marked failed at once."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class NotConfigured(Exception):
    """The channel (or the template a message needs) has no settings: the message stays on the console."""


def _timeout() -> float:
    return float(getattr(settings, "NOTIFY_HTTP_TIMEOUT", 10))


def http_json(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """Call ``url`` and return its JSON body; a network error, a non-2xx status or a body that is not a JSON
    object raises ``ChannelError`` (retryable for network errors, 5xx and 429)."""
    try:
        response = requests.request(method, url, timeout=_timeout(), **kwargs)
    except requests.RequestException as exc:
        raise ChannelError(f"network: {type(exc).__name__}") from exc
    if not 200 <= response.status_code < 300:
        retryable = response.status_code >= 500 or response.status_code == 429
        raise ChannelError(f"HTTP {response.status_code}: {response.text[:200]}", retryable=retryable)
    try:
        body = response.json()
    except ValueError as exc:
        raise ChannelError(f"not JSON: {response.text[:200]}") from exc
    if not isinstance(body, dict):
        raise ChannelError(f"unexpected answer: {json.dumps(body)[:200]}")
    return body
