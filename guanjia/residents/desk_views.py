"""The desk's side of the residents' door: reports waiting to be accepted, and accepting one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanjia.accounts.access import get_for_user, scope
from guanjia.cases.files import stream_stored
from guanjia.core.errors import NotPossible
from guanjia.core.web import error_messages
from guanjia.residents.models import OnlineReport, ReportKind, ReportPhoto, ReportStatus
from guanjia.residents.reports import report_accept


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    reports = (
        scope(OnlineReport.objects.filter(status=ReportStatus.SUBMITTED), request.user)
        .select_related("project", "customer", "unit__building")
        .prefetch_related("photos")
        .order_by("submitted_at", "pk")[:200]
    )
    return render(request, "residents/desk_inbox.html", {"reports": reports})


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_for_user(OnlineReport.objects.all(), request.user, pk)
    try:
        case = report_accept(report=report, actor=request.user, now=timezone.now())
    except PermissionError:
        messages.error(request, _("您的岗位无权执行此操作。"))
        return redirect("residents:desk_inbox")
    except (ValidationError, NotPossible) as exc:
        texts = error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
        for text in texts:
            messages.error(request, text)
        return redirect("residents:desk_inbox")
    messages.success(request, _("已受理，编号 %(number)s。") % {"number": case.number})
    name = "repairs:detail" if report.kind == ReportKind.REPAIR else "complaints:detail"
    return redirect(reverse(name, args=[case.pk]))


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = ReportPhoto.objects.select_related("report").filter(pk=pk).first()
    if row is None:
        raise Http404
    get_for_user(OnlineReport.objects.all(), request.user, row.report_id)
    return stream_stored(row.image, content_type=row.content_type)
