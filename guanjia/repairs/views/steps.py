"""The writes of the repair pages: the desk logs a request (R01) and each step of an order posts to its own
URL. A form reads the post, one service call acts, ``guanjia.core.web.post_action`` answers: the step's message
and back to the order (or the safe ``next``), or the refusal as messages naming the field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanjia.accounts.access import can_register_repair
from guanjia.core.web import post_action
from guanjia.repairs import forms, services
from guanjia.repairs.models import Repair, SignerRole
from guanjia.repairs.selectors import repair_for_user

# --- Logging a request (R01) -----------------------------------------------------------------------------------


@login_required
@require_POST
def log(request: HttpRequest) -> HttpResponse:
    project = getattr(request, "project", None)
    if project is None or not can_register_repair(request.user, project):
        raise PermissionDenied
    form = forms.LogForm(request.POST, project=project)

    def register() -> HttpResponse:
        data = form.cleaned_data
        appointment = data["appointment_at"]
        req = services.RepairRequest(
            description=data["description"],
            unit=data["unit"],
            customer=data["customer"],
            customer_name=data["customer_name"],
            contact_phone=data["contact_phone"],
            location=data["location"],
            received_at=data["received_at"],
            price_item=data["price_item"],
            urgent=appointment is None,
            appointment_at=appointment,
            source=data["source"],
            department=data["department"],
            warranty=data["warranty"],
            contractor=data["contractor"],
            contractor_phone=data["contractor_phone"],
        )
        repair = services.repair_log(project=project, request=req, actor=request.user)
        messages.success(request, _("已登记报修 %(n)s，请在 5 分钟内开派工单并通知部门 (R02)") % {"n": repair.number})
        return redirect("repairs:detail", pk=repair.pk)

    desk = reverse("repairs:desk")
    return post_action(request, register, default=desk, refused=desk, form=form, labels=forms.FIELD_LABELS)


# --- The steps of an order -------------------------------------------------------------------------------------

Perform = Callable[[HttpRequest, Repair, dict[str, Any]], str]


@dataclass(frozen=True)
class Step:
    """One step of an order: the form that reads its post and the service call, answering the message."""

    form: type[forms.StepForm]
    perform: Perform


#: The POST steps of an order by name.
STEPS: dict[str, Step] = {}


def _step(name: str, form: type[forms.StepForm] = forms.StepForm) -> Callable[[Perform], Perform]:
    def register(func: Perform) -> Perform:
        STEPS[name] = Step(form, func)
        return func

    return register


@_step("write_order")
def _write_order(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_write_order(repair=repair, actor=request.user, at=d["at"])
    return _("派工单已开出")


@_step("notify")
def _notify(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_notify_department(repair=repair, actor=request.user, at=d["at"])
    return _("已通知部门领单")


@_step("accept", forms.AcceptForm)
def _accept(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    technician = d["technician"] or request.user
    services.repair_accept(repair=repair, actor=request.user, technician=technician, at=d["at"])
    return _("已接单，请在时限内到场 (R03/R04)")


@_step("arrive")
def _arrive(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_arrive(repair=repair, actor=request.user, at=d["at"])
    return _("已到场")


@_step("assess", forms.AssessForm)
def _assess(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_assess(
        repair=repair,
        actor=request.user,
        feasible=d["feasible"],
        assessment=d["assessment"],
        quoted_fee_yuan=d["quoted_fee_yuan"],
        at=d["at"],
    )
    return _("已评估并报价，请告知客户 (R05)")


@_step("consent", forms.ConsentForm)
def _consent(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_record_consent(
        repair=repair, actor=request.user, agreed=d["agreed"], reason=d["reason"], at=d["at"]
    )
    return _("已记录客户意见")


@_step("items", forms.ItemsForm)
def _items(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_set_actual_items(
        repair=repair, actor=request.user, items=d["lines"], difference_note=d["difference_note"]
    )
    return _("实际项目已保存 (R07)")


@_step("materials", forms.MaterialsForm)
def _materials(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_check_materials(
        repair=repair,
        actor=request.user,
        supplied=d["supplied"],
        quality=d["quality"],
        warned=d["warned"],
        note=d["note"],
    )
    return _("材料检验已记录 (R09)")


@_step("agree")
def _agree(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_customer_agrees(repair=repair, actor=request.user, at=d["at"])
    return _("客户同意，开始维修 (R08)")


@_step("decline", forms.SignatureForm)
def _decline(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_decline(repair=repair, actor=request.user, reason=d["reason"], technician_signature=d["signature"])
    return _("客户拒绝维修，工单退回，请部门主管签字 (R08)")


@_step("countersign", forms.SignatureForm)
def _countersign(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_countersign(repair=repair, actor=request.user, signature=d["signature"])
    return _("主管已签字")


@_step("sign", forms.SignatureForm)
def _sign(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_customer_sign(
        repair=repair, actor=request.user, signature=d["signature"], signer_name=d["signer_name"]
    )
    return _("客户已签名")


@_step("complete", forms.CompleteForm)
def _complete(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    signed = repair.signatures.filter(role=SignerRole.CUSTOMER).exists()
    if not signed and d["signature"]:
        services.repair_customer_sign(repair=repair, actor=request.user, signature=d["signature"])
        signed = True
    services.repair_complete(
        repair=repair,
        actor=request.user,
        customer_signed=signed,
        fee_yuan=d["fee_yuan"],
        payment_method=d["payment_method"],
        collected_by=d["collected_by"],
        completed_at=d["completed_at"],
    )
    return _("维修已完成，工单已回到前台 (R10, R11)")


@_step("return")
def _return(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_return_to_desk(repair=repair, actor=request.user, at=d["at"])
    return _("部门联已交回前台 (R11)")


@_step("payment", forms.PaymentForm)
def _payment(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_record_payment(
        repair=repair, actor=request.user, payment_method=d["payment_method"], collected_by=d["collected_by"]
    )
    return _("收费已登记")


@_step("finance")
def _finance(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_hand_to_finance(repair=repair, actor=request.user, at=d["at"])
    return _("已交财务")


@_step("cancel", forms.ReasonForm)
def _cancel(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_cancel(repair=repair, actor=request.user, reason=d["reason"], at=d["at"])
    return _("工单已取消")


@_step("note", forms.NoteForm)
def _note(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_add_note(repair=repair, actor=request.user, text=d["text"], photos=d["photos"])
    return _("跟进记录已保存 (R13)")


@_step("photo", forms.PhotoForm)
def _photo(request: HttpRequest, repair: Repair, d: dict[str, Any]) -> str:
    services.repair_add_photo(repair=repair, actor=request.user, kind=d["kind"], upload=d["photo"])
    return _("照片已上传")


@login_required
@require_POST
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    repair = repair_for_user(request.user, pk)
    found = STEPS.get(name)
    if found is None:
        raise PermissionDenied
    form = found.form(request.POST, request.FILES, repair=repair)
    return post_action(
        request,
        lambda: found.perform(request, repair, form.cleaned_data),
        default=reverse("repairs:detail", args=[repair.pk]),
        form=form,
        labels=forms.FIELD_LABELS,
    )


__all__ = ["STEPS", "log", "step"]
