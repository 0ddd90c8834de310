"""Pages of the roster import (O01): the template, the upload with "check only" and "import", the error report."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanjia.accounts.access import can_manage_master_data
from guanjia.estates.models import Project
from guanjia.estates.roster.forms import RosterUploadForm
from guanjia.estates.roster.services import ImportResult, roster_import
from guanjia.estates.roster.workbooks import XLSX_TYPE, error_report_workbook, template_workbook

#: The page lists this many problems; the downloadable report has all of them.
ERRORS_SHOWN = 200
REPORT_DIR = "roster-reports"
COUNT_LABELS = (
    ("rows", gettext_lazy("数据行")),
    ("buildings", gettext_lazy("新建楼栋")),
    ("units", gettext_lazy("房屋")),
    ("customers", gettext_lazy("新建客户")),
    ("customers_linked", gettext_lazy("关联已有客户")),
    ("phones", gettext_lazy("电话")),
    ("residencies", gettext_lazy("住户关系")),
)


@login_required
def template(request: HttpRequest) -> HttpResponse:
    return _xlsx(template_workbook(), _("房屋与客户导入模板.xlsx"))


@login_required
def import_roster(request: HttpRequest) -> HttpResponse:
    project = _manageable_project(request)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    result: ImportResult | None = None
    report_url = ""
    if request.method == "POST" and form.is_valid():
        result = roster_import(
            project=project,
            file=form.cleaned_data["file"],
            actor=request.user,
            create_buildings=form.cleaned_data["create_buildings"],
            dry_run=request.POST.get("action") != "import",
        )
        if result.errors and result.parsed is not None:
            report_url = _store_report(request.user, result)
    context: dict[str, Any] = {
        "project": project,
        "form": form,
        "result": result,
        "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
        "counts": [(str(label), result.counts.get(key, 0)) for key, label in COUNT_LABELS] if result else [],
        "report_url": report_url,
    }
    return render(request, "roster/import.html", context)


@login_required
def error_report(request: HttpRequest, token: str) -> HttpResponse:
    _manageable_project(request)
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        raise Http404
    # Reports live under the user's own folder: a token of someone else's report finds nothing.
    name = f"{REPORT_DIR}/{request.user.pk}/{token}.xlsx"
    if not default_storage.exists(name):
        raise Http404
    with default_storage.open(name, "rb") as fh:
        return _xlsx(fh.read(), _("导入错误报告.xlsx"))


def _manageable_project(request: HttpRequest) -> Project:
    if not can_manage_master_data(request.user):
        raise PermissionDenied(_("只有管理处经理、客服主管或总经理可以导入房屋与客户。"))
    project: Project | None = getattr(request, "project", None)
    if project is None:
        raise Http404(_("您还没有被分配到任何项目。"))
    return project


def _store_report(user: Any, result: ImportResult) -> str:
    """Keep the user's latest error report only; the page links to it."""
    assert result.parsed is not None
    folder = f"{REPORT_DIR}/{user.pk}"
    try:
        _dirs, old = default_storage.listdir(folder)
    except FileNotFoundError:
        old = []
    for name in old:
        default_storage.delete(f"{folder}/{name}")
    token = uuid.uuid4().hex
    default_storage.save(f"{folder}/{token}.xlsx", ContentFile(error_report_workbook(result.parsed, result.errors)))
    return reverse("roster:report", args=[token])


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    return response
