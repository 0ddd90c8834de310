"""Template helpers of the desk shell: links to pages that may not exist yet, masked phones, event labels."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from guanjia.accounts import access

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


#: Labels of timeline verbs this part of the desk knows; an unknown verb is shown as written.
VERB_LABELS = {
    "customer.created": _("建立客户档案"),
    "customer.updated": _("修改客户资料"),
    "pii.phone_revealed": _("查看完整电话号码"),
    "unit.status_changed": _("房屋状态变更"),
}


@register.filter
def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb))


@register.simple_tag(takes_context=True)
def nav_class(context: template.Context, *namespaces: str) -> str:
    """``active`` when the current page lives in one of ``namespaces`` (or is one of the named views)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    names = {match.namespace, match.view_name}
    return "active" if names & set(namespaces) else ""
