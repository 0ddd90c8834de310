"""The resident's return visits page: rate each waiting visit 1–5 with a comment (V05, V06)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanjia.core.errors import NotPossible
from guanjia.core.web import error_messages
from guanjia.residents.pages import resident_page
from guanjia.residents.visits import household_visits, visit_answer, visit_payload
from guanjia.visits.models import Satisfaction


@resident_page()
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = household_visits(request.household).order_by("-planned_at", "-pk")[:50]  # type: ignore[attr-defined]
    return render(
        request, "residents/visits.html", {"visits": [visit_payload(v) for v in visits], "levels": Satisfaction.choices}
    )


@require_POST
@resident_page()
def visit_answer_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        visit_answer(
            household=request.household,  # type: ignore[attr-defined]
            visit_id=pk,
            satisfaction=request.POST.get("satisfaction", ""),
            comment=request.POST.get("comment", ""),
            now=timezone.now(),
        )
    except ValidationError as exc:
        for text in error_messages(exc):
            messages.error(request, text)
    except NotPossible as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("感谢您的评价！"))
    return redirect("residents:visits")
