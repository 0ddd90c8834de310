"""R10 on the resident's phone, as pages: the technician asks from their order page (staff login), the resident
signs on /r/repairs/<pk>/sign/ with the same signature pad as the technician's screen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanjia.core.errors import NotPossible
from guanjia.core.web import error_messages
from guanjia.repairs.selectors import repair_for_user
from guanjia.residents.pages import resident_page
from guanjia.residents.signing import household_sign_request, resident_sign, sign_request_open


@login_required
@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    """The technician's button "ask the customer to sign on their phone"; back to the order's work page."""
    repair = repair_for_user(request.user, pk)
    try:
        sign_request_open(repair=repair, actor=request.user, now=timezone.now())
    except PermissionDenied:
        messages.error(request, _("您的岗位无权执行此操作。"))
    except ValidationError as exc:
        for text in error_messages(exc):
            messages.error(request, text)
    except NotPossible as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已请客户在业主端手机上签名，客户签名后刷新本页即可完成。"))
    return redirect("repairs:work", pk=repair.pk)


@require_http_methods(["GET", "POST"])
@resident_page()
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    household = request.household  # type: ignore[attr-defined]
    sign_request = household_sign_request(household, pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            resident_sign(
                household=household, repair_id=pk, signature=request.POST.get("signature", ""), now=timezone.now()
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        except NotPossible as exc:
            errors = [str(exc)]
        else:
            messages.success(request, _("签名已提交，谢谢！"))
            return redirect("residents:repair", pk=pk)
    return render(
        request, "residents/sign.html", {"sign_request": sign_request, "repair": sign_request.repair, "errors": errors}
    )
