"""The residents' pages under /r/: sign in with a code, the privacy notice, choose a unit, home."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanjia.core.web import error_messages
from guanjia.residents import signin
from guanjia.residents.auth import SESSION_KEY, address, page_session
from guanjia.residents.pages import UNIT_KEY, resident_page
from guanjia.residents.personal_data import personal_data
from guanjia.residents.signing import household_sign_requests


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone (a code is sent); step 2: the code. The page says the same for a known and an
    unknown phone."""
    if page_session(request) is not None:
        return redirect("residents:home")
    context: dict[str, object] = {"phone": "", "code_sent": False, "errors": []}
    if request.method == "POST":
        phone = request.POST.get("phone", "").strip()
        context["phone"] = phone
        now = timezone.now()
        if "code" in request.POST:
            context["code_sent"] = True
            try:
                number = signin.code_verify(phone=phone, code=request.POST.get("code"), now=now)
            except ValidationError as exc:
                context["errors"] = error_messages(exc)
            else:
                session, _key = signin.session_start(phone=number, now=now)
                request.session.cycle_key()
                request.session[SESSION_KEY] = session.pk
                return redirect("residents:home")
        else:
            try:
                signin.code_request(phone=phone, client_ip=address(request), now=now)
                context["code_sent"] = True
            except ValidationError as exc:
                context["errors"] = error_messages(exc)
            except signin.TooManyRequests as exc:
                context["errors"] = [str(exc)]
                context["code_sent"] = True
    return render(request, "residents/login.html", context)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    session = page_session(request)
    if session is not None:
        signin.session_end(session=session, now=timezone.now())
    request.session.flush()
    return redirect("residents:login")


@require_http_methods(["GET", "POST"])
@resident_page(consent=False, unit=False)
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice (PIPL), agreed once per version before anything else opens."""
    session = request.resident_session  # type: ignore[attr-defined]
    if request.method == "POST":
        if request.POST.get("agree") != "1":
            return render(request, "residents/privacy.html", {"errors": [_("请阅读并勾选同意后继续。")]})
        signin.consent_record(phone=session.phone, client_ip=address(request), now=timezone.now())
        return redirect("residents:home")
    return render(request, "residents/privacy.html", {"consent": signin.consent_given(session.phone)})


@require_http_methods(["GET", "POST"])
@resident_page(unit=False)
def choose_unit(request: HttpRequest) -> HttpResponse:
    household = request.household  # type: ignore[attr-defined]
    if request.method == "POST":
        unit = household.unit(request.POST.get("unit"))  # 404 for a unit not the resident's
        request.session[UNIT_KEY] = unit.pk
        return redirect("residents:home")
    return render(request, "residents/choose_unit.html", {"household": household})


@resident_page()
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "residents/home.html",
        {
            "household": request.household,  # type: ignore[attr-defined]
            "residency": request.residency,  # type: ignore[attr-defined]
            "sign_requests": household_sign_requests(request.household),  # type: ignore[attr-defined]
        },
    )


@resident_page()
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the estate holds about the resident, as a JSON file (PIPL's right of access)."""
    response = JsonResponse(personal_data(request.household), json_dumps_params={"ensure_ascii": False, "indent": 2})  # type: ignore[attr-defined]
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response
