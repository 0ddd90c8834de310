"""What every resident page shares: who is signed in (the session cookie), the consent gate, the chosen unit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from guanjia.residents.auth import SESSION_KEY, page_session
from guanjia.residents.households import Household, household_for
from guanjia.residents.signin import consent_given

UNIT_KEY = "resident_unit"

View = Callable[..., HttpResponse]


def resident_page(*, consent: bool = True, unit: bool = True) -> Callable[[View], View]:
    """A page for a signed-in resident: the sign-in page otherwise; the privacy notice until agreed
    (``consent``); the unit choice while the resident has several and has chosen none (``unit``)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            session = page_session(request)
            if session is None:
                request.session.pop(SESSION_KEY, None)
                return redirect("residents:login")
            household = household_for(session.phone)
            request.resident_session = session  # type: ignore[attr-defined]
            request.household = household  # type: ignore[attr-defined]
            if consent and consent_given(session.phone) is None:
                return redirect("residents:privacy")
            chosen = current_residency(request, household)
            request.residency = chosen  # type: ignore[attr-defined]
            if unit and chosen is None and len(household.residencies) > 1:
                return redirect("residents:choose_unit")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def current_residency(request: HttpRequest, household: Household) -> Any:
    """The unit the resident is acting for: the one chosen, or the only one."""
    if len(household.residencies) == 1:
        return household.residencies[0]
    pk = request.session.get(UNIT_KEY)
    return next((r for r in household.residencies if r.unit_id == pk), None)
