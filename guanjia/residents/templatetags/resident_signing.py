"""``{% phone_sign_request repair as ask %}`` on the technician's order page: the pending request for the
customer to sign on their phone (R10), or None."""

from __future__ import annotations

from typing import Any

from django import template

from guanjia.residents.signing import pending_request

register = template.Library()


@register.simple_tag
def phone_sign_request(repair: Any) -> Any:
    return pending_request(repair)
