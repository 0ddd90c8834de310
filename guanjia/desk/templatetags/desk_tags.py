"""Template helpers of the desk shell: links to pages that may not exist yet, masked phones, event labels."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from guanjia.accounts import access
from guanjia.timeline import labels

register = template.Library()


@register.simple_tag
def url_if_exists(name: str, *args: Any, **kwargs: Any) -> str:
    """``{% url_if_exists "roster:import" as href %}``: the URL, or "" while that page is not built yet.

    The navigation links to pages other parts of the product add; a missing URL name must hide the link,
    not break every page.
    """
    try:
        return reverse(name, args=args, kwargs=kwargs)
    except NoReverseMatch:
        return ""


@register.filter
def masked(number: str) -> str:
    return access.mask_phone(str(number or ""))


@register.filter
def verb_label(verb: str) -> str:
    return labels.verb_label(verb)


@register.simple_tag(takes_context=True)
def nav_class(context: template.Context, *namespaces: str) -> str:
    """``active`` when the current page lives in one of ``namespaces`` (or is one of the named views)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    names = {match.namespace, match.view_name}
    return "active" if names & set(namespaces) else ""
