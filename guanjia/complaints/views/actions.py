"""A complaint's page and its next actions (C1): each action is a form, who may and when, and the service it
calls; every action posts to its own URL and answers through ``guanjia.core.web.post_action``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guanjia.accounts import access
from guanjia.complaints import forms, selectors, services
from guanjia.complaints.grading import Grade
from guanjia.complaints.labels import grade_reason_words
from guanjia.complaints.models import Channel, Complaint, ComplaintStatus, Nature
from guanjia.complaints.proposals import open_proposals
from guanjia.complaints.views._common import form_field
from guanjia.complaints.views.timeline import event_details, people_named_in
from guanjia.core.web import post_action
from guanjia.timeline.labels import verb_label


@dataclass(frozen=True)
class Action:
    """One next action of a complaint page: its form, who may and when, and the service it calls."""

    name: str
    label: Any
    form: type[django_forms.Form]
    available: Callable[[Any, Complaint], bool]
    perform: Callable[[HttpRequest, Complaint, dict[str, Any]], Any]
    done: Any
    danger: bool = False
    #: Only a CS supervisor or above (C10, C11): others get 403, not "not possible now".
    supervisor_only: bool = False


def _handler(user: Any, complaint: Complaint) -> bool:
    return access.can_handle_complaint(user, complaint)


def _supervisor(user: Any, complaint: Complaint) -> bool:
    return access.can_supervise_complaint(user, complaint)


def _open_handler(user: Any, complaint: Complaint) -> bool:
    return complaint.is_open and _handler(user, complaint)


def _has_pending(complaint: Complaint, kind: str) -> bool:
    """A ``kind`` limit still to be kept: running, or missed and not kept yet (C11: a missed escalation is still
    acknowledged when it reaches its role, recorded late)."""
    return any(
        d.kind == kind and (d.state == "pending" or (d.state == "missed" and d.met_at is None))
        for d in getattr(complaint, "page_deadlines", [])
    )


def _settles(user: Any, complaint: Complaint) -> bool:
    """C15: the first responder (or a supervisor) may settle a registered complaint on the spot."""
    return getattr(user, "pk", None) == complaint.first_responder_id or _supervisor(user, complaint)


def _proposed(complaint: Complaint) -> bool:
    """C11: a missed limit proposes "mishandled" and the supervisor has not decided yet."""
    return bool(open_proposals(getattr(complaint, "page_deadlines", [])))


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "dispatch",
            gettext_lazy("派单"),
            forms.DispatchForm,
            lambda u, c: c.status == ComplaintStatus.REGISTERED and _handler(u, c),
            lambda r, c, d: services.complaint_dispatch(
                complaint=c, department=d["department"], assignee=d.get("assignee"), actor=r.user
            ),
            gettext_lazy("已派单"),
        ),
        Action(
            "acknowledge",
            gettext_lazy("部门签收"),
            forms.EmptyForm,
            lambda u, c: c.status == ComplaintStatus.DISPATCHED and _handler(u, c),
            lambda r, c, d: services.complaint_acknowledge(complaint=c, actor=r.user),
            gettext_lazy("已签收"),
        ),
        Action(
            "acknowledge_escalation",
            gettext_lazy("确认已收到上报"),
            forms.EmptyForm,
            lambda u, c: c.is_open and _has_pending(c, "escalate") and _supervisor(u, c),
            lambda r, c, d: services.complaint_acknowledge_escalation(complaint=c, actor=r.user),
            gettext_lazy("已确认上报"),
            supervisor_only=True,
        ),
        Action(
            "note",
            gettext_lazy("添加处理记录"),
            forms.NoteForm,
            _open_handler,
            lambda r, c, d: services.complaint_add_note(complaint=c, text=d["text"], actor=r.user),
            gettext_lazy("已添加处理记录"),
        ),
        Action(
            "agree_deadline",
            gettext_lazy("约定完成期限"),
            forms.AgreeDeadlineForm,
            _open_handler,
            lambda r, c, d: services.complaint_agree_deadline(complaint=c, deadline=d["deadline"], actor=r.user),
            gettext_lazy("已约定完成期限"),
        ),
        Action(
            "next_reply",
            gettext_lazy("约定下次回复"),
            forms.NextReplyForm,
            _open_handler,
            lambda r, c, d: services.complaint_set_next_reply(
                complaint=c, reply_at=d["reply_at"], note=d.get("note", ""), actor=r.user
            ),
            gettext_lazy("已约定下次回复时间"),
        ),
        Action(
            "complete",
            gettext_lazy("处理完成"),
            forms.CompleteForm,
            lambda u, c: (
                c.can_become(ComplaintStatus.COMPLETED)
                and (c.status != ComplaintStatus.REGISTERED or c.nature == Nature.INVALID or _settles(u, c))
                and _handler(u, c)
            ),
            lambda r, c, d: services.complaint_complete(
                complaint=c, result=d["result"], on_the_spot=bool(d.get("on_the_spot")), actor=r.user
            ),
            gettext_lazy("已记录处理完成"),
        ),
        Action(
            "inform",
            gettext_lazy("告知客户结果"),
            forms.InformForm,
            lambda u, c: c.status != ComplaintStatus.CLOSED and _handler(u, c),
            lambda r, c, d: services.complaint_inform_customer(
                complaint=c, method=d["method"], note=d["note"], actor=r.user
            ),
            gettext_lazy("已记录告知客户"),
        ),
        Action(
            "nature",
            gettext_lazy("认定投诉性质"),
            forms.NatureForm,
            lambda u, c: (
                _supervisor(u, c) or (c.nature == Nature.UNDETERMINED and not c.nature_referred and _handler(u, c))
            ),
            lambda r, c, d: services.complaint_set_nature(
                complaint=c, nature=d["nature"], reason=d.get("reason", ""), refer=bool(d.get("refer")), actor=r.user
            ),
            gettext_lazy("已记录投诉性质"),
        ),
        Action(
            "link_incident",
            gettext_lazy("关联事件"),
            forms.LinkIncidentForm,
            _handler,
            lambda r, c, d: _link_incident(r, c, d),
            gettext_lazy("事件关联已更新"),
        ),
        Action(
            "group_measure",
            gettext_lazy("集体投诉处理"),
            forms.GroupMeasureForm,
            _handler,
            lambda r, c, d: services.complaint_record_group_measure(
                complaint=c, measure=d["measure"], at=d["at"], note=d["note"], actor=r.user
            ),
            gettext_lazy("已记录座谈会/公告"),
        ),
        Action(
            "written_reply",
            gettext_lazy("书面回复"),
            forms.WrittenReplyForm,
            lambda u, c: c.channel == Channel.LETTER and _handler(u, c),
            lambda r, c, d: services.complaint_reply_in_writing(complaint=c, text=d["text"], actor=r.user),
            gettext_lazy("已记录书面回复"),
        ),
        Action(
            "mishandled",
            gettext_lazy("认定处理不当"),
            forms.MishandledForm,
            lambda u, c: (c.is_open or _proposed(c)) and _supervisor(u, c),
            lambda r, c, d: services.complaint_mark_mishandled(complaint=c, reason=d["reason"], actor=r.user),
            gettext_lazy("已认定处理不当，级别已上调"),
            danger=True,
            supervisor_only=True,
        ),
        Action(
            "dismiss_proposal",
            gettext_lazy("不认定处理不当"),
            forms.DismissProposalForm,
            lambda u, c: _proposed(c) and _supervisor(u, c),
            lambda r, c, d: services.complaint_dismiss_proposal(complaint=c, reason=d["reason"], actor=r.user),
            gettext_lazy("已记录不认定处理不当的理由"),
            supervisor_only=True,
        ),
        Action(
            "lower_grade",
            gettext_lazy("降低级别"),
            forms.LowerGradeForm,
            lambda u, c: c.grade != Grade.GENERAL and _supervisor(u, c),
            lambda r, c, d: services.complaint_lower_grade(
                complaint=c, grade=d["grade"], reason=d["reason"], actor=r.user
            ),
            gettext_lazy("级别已调整"),
            danger=True,
            supervisor_only=True,
        ),
    )
}


def _link_incident(request: HttpRequest, complaint: Complaint, data: dict[str, Any]) -> Any:
    incident = data.get("incident")
    title = (data.get("new_title") or "").strip()
    if incident is None and title:
        return services.incident_create(
            project=complaint.project,
            title=title,
            actor=request.user,
            location=complaint.location,
            occurred_at=complaint.occurred_at,
            complaints=[complaint],
        )
    return services.complaint_link_incident(complaint=complaint, incident=incident, actor=request.user)


def _make_form(name: str, complaint: Complaint, request: HttpRequest, data: Any = None) -> django_forms.Form:
    kwargs: dict[str, Any] = {"prefix": name}
    if name == "dispatch":
        kwargs["staff"] = selectors.project_staff(user=request.user, project=complaint.project)
        kwargs["initial"] = {"department": complaint.department or complaint.against_department}
    elif name == "lower_grade":
        kwargs["current"] = complaint.grade
    elif name == "link_incident":
        kwargs["incidents"] = selectors.recent_incidents(user=request.user, project=complaint.project)
        kwargs["initial"] = {"incident": complaint.incident_id}
    elif name == "nature":
        kwargs["initial"] = {"nature": complaint.nature if complaint.nature != Nature.UNDETERMINED else Nature.VALID}
    elif name == "inform":
        kwargs["initial"] = {"note": complaint.result}
    form = ACTIONS[name].form(data, **kwargs)
    registered = complaint.status == ComplaintStatus.REGISTERED
    if name == "complete" and not (registered and _settles(request.user, complaint)):
        del form.fields["on_the_spot"]  # C15: only the first responder settles a registered complaint on the spot
    return form


def _facts_form(complaint: Complaint, data: Any = None) -> forms.FactsForm:
    initial = {name: getattr(complaint, name) for name in (*forms.FactsForm.FACT_FIELDS, *forms.FactsForm.EXTRA_FIELDS)}
    initial["version"] = complaint.version
    return forms.FactsForm(data, initial=initial, prefix="facts")


def _detail(
    request: HttpRequest, pk: int, *, failed: tuple[str, django_forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    page = selectors.complaint_for_page(user=request.user, pk=pk)
    complaint = page.complaint
    complaint.page_deadlines = page.deadlines  # type: ignore[attr-defined]
    user = request.user
    available = [a for a in ACTIONS.values() if a.available(user, complaint)]
    action_forms = []
    for action in available:
        if failed and failed[0] == action.name:
            action_forms.append((action, failed[1]))
        else:
            action_forms.append((action, _make_form(action.name, complaint, request)))
    facts_form = failed[1] if failed and failed[0] == "facts" else _facts_form(complaint)
    can_handle = access.can_handle_complaint(user, complaint)
    people = people_named_in(page.timeline)
    timeline = [
        {"event": e, "label": verb_label(e.verb), "details": event_details(e.data, people)} for e in page.timeline
    ]
    grade_reasons = grade_reason_words(complaint.grade_reasons)
    proposal = open_proposals(page.deadlines)
    primary = PRIMARY_ACTIONS | ({"mishandled", "dismiss_proposal"} if proposal else set())
    mail_entry = getattr(complaint, "mail_entry", None) if complaint.channel == Channel.LETTER else None
    context = {
        "complaint": complaint,
        "page": page,
        "deadlines": page.deadlines,
        "timeline": timeline,
        "grade_reasons": grade_reasons,
        "actions": action_forms,
        "primary_actions": [af for af in action_forms if af[0].name in primary],
        "more_actions": [af for af in action_forms if af[0].name not in primary],
        "proposal": proposal,
        "can_decide_proposal": bool(proposal) and access.can_supervise_complaint(user, complaint),
        "facts_form": facts_form,
        "can_handle": can_handle,
        "can_edit_facts": can_handle and complaint.is_open,
        "mail_entry": mail_entry,
        "failed": failed[0] if failed else "",
        "now": timezone.now(),
        "contact_phone": access.mask_phone(complaint.contact_phone) if complaint.contact_phone else "",
    }
    return render(request, "complaints/detail.html", context, status=status)


#: Shown open on the page; the others sit behind "更多操作".
PRIMARY_ACTIONS = frozenset({"dispatch", "acknowledge", "acknowledge_escalation", "note", "complete", "inform"})


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every next action posts here (one URL name each): check who may, parse, call the service."""
    if action not in ACTIONS:
        raise Http404
    spec = ACTIONS[action]
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    complaint.page_deadlines = list(  # type: ignore[attr-defined]
        selectors.deadlines_for(complaint)
    )
    if not spec.available(request.user, complaint):
        may = _supervisor if spec.supervisor_only else _handler
        if not may(request.user, complaint):
            raise PermissionDenied
        messages.error(request, _("当前状态下不能执行“%(action)s”") % {"action": spec.label})
        return redirect("complaints:detail", pk=pk)
    form = _make_form(action, complaint, request, request.POST)
    here = reverse("complaints:detail", args=[pk])
    return post_action(
        request,
        lambda: spec.perform(request, complaint, form.cleaned_data),
        default=here,
        done=spec.done,
        form=form,
        invalid=lambda f: _detail(request, pk, failed=(action, f), status=400),
        success=f"{here}#timeline",
        refused=here,
        aliases=form_field,
    )


@login_required
@require_POST
def update_facts(request: HttpRequest, pk: int) -> HttpResponse:
    """定级事实 edited on the page (C10): regrades; a stale page gets a conflict message, not an overwrite."""
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    if not access.can_handle_complaint(request.user, complaint):
        raise PermissionDenied
    form = _facts_form(complaint, request.POST)
    here = reverse("complaints:detail", args=[pk])
    if form.is_valid() and not form.changes(complaint):
        messages.info(request, _("没有需要保存的修改"))
        return redirect(here)

    def save() -> str:
        updated = services.complaint_update_facts(
            complaint=complaint,
            version=form.cleaned_data["version"],
            changes=form.changes(complaint),
            reason=form.cleaned_data.get("reason", ""),
            actor=request.user,
        )
        return _("已保存，当前级别：%(grade)s") % {"grade": updated.get_grade_display()}

    return post_action(
        request,
        save,
        default=here,
        form=form,
        invalid=lambda f: _detail(request, pk, failed=("facts", f), status=400),
        success=here,
        refused=here,
        aliases=form_field,
        conflict=_("这条投诉已被他人修改，请查看最新内容后重新填写"),
    )
