"""The desk's complaint pages: register (登记投诉), the live board (投诉看板), the list, a complaint's page with
its next actions, an incident, and the signature page of the opinion form.

Thin: ``selectors`` read, ``services`` (C1) change, ``guanjia.accounts.access`` decides who may do what. Every
action posts to its own URL; a form error re-renders the page with the error next to the field, a refused
move ("not possible now") comes back as a message, never as a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanjia.accounts import access
from guanjia.accounts.models import User
from guanjia.cases.files import stream_stored
from guanjia.cases.models import DEADLINE_KIND_LABELS, Department
from guanjia.complaints import forms, selectors, services
from guanjia.complaints.grading import Grade, Injury
from guanjia.complaints.models import Channel, Complaint, ComplaintStatus, GroupMeasure, Incident, InformMethod, Nature
from guanjia.complaints.proposals import open_proposals
from guanjia.core.errors import ConflictError, TransitionError
from guanjia.estates.selectors import customer_search
from guanjia.timeline.labels import verb_label

LIST_PAGE_SIZE = 30
LOOKUP_LIMIT = 8
SUGGESTION_LIMIT = 5


def _project(request: HttpRequest) -> Any:
    return getattr(request, "project", None)


#: Service error keys that are named differently on the forms.
_FIELD_ALIASES = {"mail.sender": "mail_sender", "mail.subject": "mail_subject", "completed_at": None}


def _apply_errors(form: django_forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or at the top of the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        name = _FIELD_ALIASES.get(key, key.removeprefix("facts.").removeprefix("mail_"))
        if name in {"sender", "subject"}:
            name = f"mail_{name}"
        form.add_error(name if name in form.fields else None, errors)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- Register ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """登记投诉 (C01–C03): one screen, usable while the customer is still on the phone."""
    project = _project(request)
    if project is None or not access.can_register_complaint(request.user, project):
        raise PermissionDenied
    staff = selectors.project_staff(user=request.user, project=project)
    form = forms.RegisterForm(request.POST or None, project=project, staff=staff, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            complaint = _register(request, form)
            if complaint is not None:
                messages.success(
                    request,
                    _("已登记投诉 %(number)s（%(grade)s）")
                    % {"number": complaint.number, "grade": complaint.get_grade_display()},
                )
                return redirect("complaints:detail", pk=complaint.pk)
        status = 400
    return render(request, "complaints/register.html", _register_context(request, form), status=status)


def _register(request: HttpRequest, form: forms.RegisterForm) -> Complaint | None:
    note = form.cleaned_data.get("note", "").strip()
    try:
        with transaction.atomic():
            complaint: Complaint = services.complaint_register(
                project=_project(request), actor=request.user, **form.service_kwargs()
            )
            if note:
                services.complaint_add_note(complaint=complaint, text=note, actor=request.user)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None
    return complaint


def _register_context(request: HttpRequest, form: forms.RegisterForm) -> dict[str, Any]:
    picked_customer = picked_unit = picked_incident = None
    if form.is_bound and form.is_valid() is not None:
        data = getattr(form, "cleaned_data", {})
        picked_customer, picked_unit, picked_incident = data.get("customer"), data.get("unit"), data.get("incident")
    return {
        "form": form,
        "apology": str(forms.APOLOGY),
        "departments": [(value, str(label)) for value, label in Department.choices],
        "picked_customer": picked_customer,
        "picked_unit": picked_unit,
        "picked_incident": picked_incident,
        "fact_fields": [form[name] for name in forms.FactsMixin.FACT_FIELDS],
    }


@login_required
@require_GET
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """The register form's customer search (htmx): one row per customer and home, a click fills both."""
    query = (request.GET.get("lookup") or request.GET.get("q") or "").strip()
    results = customer_search(user=request.user, project=_project(request), query=query, limit=LOOKUP_LIMIT)
    rows: list[dict[str, Any]] = []
    for customer in results:
        units: list[Any] = list(customer.units.all()) or [None]
        phones = [p.number for p in customer.phones.all()]
        rows.extend({"customer": customer, "unit": unit, "phone": phones[0] if phones else ""} for unit in units)
    return render(request, "complaints/_customer_pick.html", {"query": query, "rows": rows})


@login_required
@require_GET
def incident_suggestions(request: HttpRequest) -> HttpResponse:
    """Likely incidents for what is being typed (C12), each with why it matches and a one-click 关联."""
    from guanjia.complaints.incidents import incident_suggestions as suggest
    from guanjia.complaints.incidents import with_customer_count

    project = _project(request)
    description = request.GET.get("description", "")[:5000].strip()
    location = request.GET.get("location", "")[:200].strip()
    complaint = None
    complaint_id = request.GET.get("complaint", "")
    if complaint_id.isdigit():
        complaint = selectors.complaint_get(user=request.user, pk=int(complaint_id))
        project = complaint.project
    suggestions: list[Any] = []
    if project is not None and (description or location) and access.can_see_project(request.user, project):
        found = suggest(
            project=project,
            description=description,
            location=location,
            building=complaint.unit.building_id if complaint is not None and complaint.unit else None,
            at=complaint.received_at if complaint is not None else None,
            exclude=complaint.incident_id if complaint is not None else None,
            limit=SUGGESTION_LIMIT,
        )
        counts = dict(
            with_customer_count(Incident.objects.filter(pk__in=[i.pk for i, _m in found])).values_list(
                "pk",
                "customer_count",  # type: ignore[misc]
            )
        )
        suggestions = [
            {"incident": incident, "match": match, "customers": counts.get(incident.pk, 0)} for incident, match in found
        ]
    return render(
        request,
        "complaints/_suggestions.html",
        {"suggestions": suggestions, "complaint": complaint, "searched": bool(description or location)},
    )


# --- Board and list ------------------------------------------------------------------------------------


def _filter_context(request: HttpRequest, filters: selectors.BoardFilters) -> dict[str, Any]:
    return {
        "filters": filters,
        "grades": Grade.choices,
        "statuses": ComplaintStatus.choices,
        "departments": Department.choices,
        "querystring": _filter_querystring(filters),
    }


def _filter_querystring(filters: selectors.BoardFilters) -> str:
    """The filters alone, in a fixed order, as the page's own links and the board's poll carry them. Built from
    the parsed filters, never from the request: a transient parameter (``partial``, ``page``, anything a
    proxy or a user added) must not ride along, or the poll URL would grow with every refresh until the server
    refuses it (HTTP 414)."""
    params = {
        "q": filters.query,
        "grade": filters.grade,
        "status": filters.status,
        "department": filters.department,
        "mine": "1" if filters.mine else "",
    }
    return urlencode({key: value for key, value in params.items() if value})


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """投诉看板: open complaints, next due first, with live countdowns; the list refreshes every 10 s."""
    now = timezone.now()
    filters = selectors.BoardFilters.from_query(request.GET)
    rows = selectors.board(user=request.user, project=_project(request), filters=filters, now=now)
    context = {
        "rows": rows,
        "counts": selectors.board_counts(rows),
        "now": now,
        "can_register": _project(request) is not None
        and access.can_register_complaint(request.user, _project(request)),
        **_filter_context(request, filters),
    }
    if _is_htmx(request) and request.GET.get("partial") == "list":
        return render(request, "complaints/_board_list.html", context)
    return render(request, "complaints/board.html", context)


@login_required
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    """投诉: every complaint of the project, closed ones too, searchable and paginated."""
    filters = selectors.BoardFilters.from_query(request.GET)
    rows = selectors.complaint_list(user=request.user, project=_project(request), filters=filters)
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "complaints/list.html", {"page": page, **_filter_context(request, filters)})


# --- A complaint's page and its actions ------------------------------------------------------------------


#: Keys of event data in the desk's words.
DATA_LABELS: dict[str, Any] = {
    "department": gettext_lazy("部门"),
    "against_department": gettext_lazy("被投诉部门"),
    "against_person": gettext_lazy("被投诉人"),
    "assignee": gettext_lazy("处理人"),
    "first_responder": gettext_lazy("首问责任人"),
    "text": gettext_lazy("内容"),
    "note": gettext_lazy("说明"),
    "deadline": gettext_lazy("期限"),
    "reply_at": gettext_lazy("回复时间"),
    "method": gettext_lazy("方式"),
    "result": gettext_lazy("结果"),
    "grade": gettext_lazy("级别"),
    "grade_from": gettext_lazy("原级别"),
    "computed": gettext_lazy("按规则"),
    "cause": gettext_lazy("起因"),
    "kind": gettext_lazy("时限"),
    "due_at": gettext_lazy("期限"),
    "signer_name": gettext_lazy("签名人"),
    "measure": gettext_lazy("方式"),
    "nature": gettext_lazy("性质"),
    "channel": gettext_lazy("方式"),
    "received_at": gettext_lazy("受理时间"),
    "entered_late": gettext_lazy("事后补录"),
    "on_the_spot": gettext_lazy("当场解决"),
    "customers_in_incident": gettext_lazy("事件客户数"),
    "incident": gettext_lazy("事件"),
    "from": gettext_lazy("原"),
    "to": gettext_lazy("新"),
    "economic_loss_yuan": gettext_lazy("经济损失(元)"),
    "injury": gettext_lazy("人身伤害"),
    "deaths": gettext_lazy("死亡人数"),
    "media_days": gettext_lazy("负面报道天数"),
    "media_outlets": gettext_lazy("报道媒体家数"),
    "to_authorities": gettext_lazy("向上级主管部门投诉"),
    "repeat_count": gettext_lazy("此前反映次数"),
    "location": gettext_lazy("发生地点"),
    "occurred_at": gettext_lazy("发生时间"),
    "customer_request": gettext_lazy("客户要求"),
    "requested_deadline": gettext_lazy("客户要求期限"),
    "special_service": gettext_lazy("特约服务"),
}
#: Coded values shown by their label.
_VALUE_LABELS: dict[str, dict[str, Any]] = {
    "channel": dict(Channel.choices),
    "department": dict(Department.choices),
    "against_department": dict(Department.choices),
    "grade": dict(Grade.choices),
    "grade_from": dict(Grade.choices),
    "computed": dict(Grade.choices),
    "nature": dict(Nature.choices),
    "method": dict(InformMethod.choices),
    "measure": dict(GroupMeasure.choices),
    "injury": dict(Injury.choices),
    "kind": DEADLINE_KIND_LABELS,
    "cause": {"incident": gettext_lazy("事件客户数变化"), "facts": gettext_lazy("定级事实变化")},
}
_USER_KEYS = frozenset({"assignee", "first_responder"})
#: Event data too technical for the page.
_HIDDEN_DATA = frozenset(
    {"reasons", "sha256", "signature", "mail", "deadline_id", "raised", "kept", "computed_from", "incident"}
)


def _value_text(key: str, value: Any, people: dict[int, str]) -> str:
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if key in _USER_KEYS and isinstance(value, int):
        return people.get(value, "—")
    if key in _VALUE_LABELS and isinstance(value, str):
        return str(_VALUE_LABELS[key].get(value, value))
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
        moment = parse_datetime(value)
        if moment is not None:
            return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
    return str(value)


#: Flags worth a line on the timeline only when set.
_SHOWN_WHEN_TRUE = frozenset({"entered_late", "on_the_spot"})


def _event_details(data: Any, people: dict[int, str]) -> list[tuple[str, str]]:
    """The event's data as short "what: value" pairs in the desk's words (changes as old → new)."""
    if not isinstance(data, dict):
        return []
    pairs: list[tuple[str, str]] = []
    if isinstance(data.get("from"), str) and isinstance(data.get("to"), str):
        # A status change (cases.services.case_transition): one line, old → new, in words.
        statuses = dict(ComplaintStatus.choices)
        pairs.append(
            (str(_("状态")), f"{statuses.get(data['from'], data['from'])} → {statuses.get(data['to'], data['to'])}")
        )
        data = {k: v for k, v in data.items() if k not in {"from", "to"}}
    for key, value in list(data.items())[:16]:
        if key in _HIDDEN_DATA or value in (None, "", [], {}) or (key in _SHOWN_WHEN_TRUE and value is False):
            continue
        if isinstance(value, dict) and ({"from", "to"} <= value.keys() or {"before", "after"} <= value.keys()):
            old, new = (value["from"], value["to"]) if "from" in value else (value["before"], value["after"])
            text = f"{_value_text(key, old, people)} → {_value_text(key, new, people)}"
        elif isinstance(value, dict):
            text = "; ".join(
                f"{DATA_LABELS.get(k, k)}: {_value_text(k, v, people)}" for k, v in list(value.items())[:8]
            )
        else:
            text = _value_text(key, value, people)
        pairs.append((str(DATA_LABELS.get(key, key)), text[:300]))
    return pairs


def _people_named_in(events: list[Any]) -> dict[int, str]:
    """Names of the staff that events refer to by id (one query for the whole timeline)."""
    ids = {
        v
        for e in events
        if isinstance(e.data, dict)
        for k, v in e.data.items()
        if k in _USER_KEYS and isinstance(v, int)
    }
    if not ids:
        return {}
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids).only("id", "name", "username")}


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
    people = _people_named_in(page.timeline)
    timeline = [
        {"event": e, "label": verb_label(e.verb), "details": _event_details(e.data, people)} for e in page.timeline
    ]
    grade_reasons = [r for r in complaint.grade_reasons if isinstance(r, dict)] if complaint.grade_reasons else []
    proposal = open_proposals(page.deadlines)
    primary = PRIMARY_ACTIONS | ({"mishandled", "dismiss_proposal"} if proposal else set())
    mail_entry = getattr(complaint, "mail_entry", None) if complaint.channel == Channel.LETTER else None
    context = {
        "complaint": complaint,
        "page": page,
        "deadlines": page.deadlines,
        "timeline": timeline,
        "grade_reasons": grade_reasons,
        "grade_reason_texts": [str(r) for r in complaint.grade_reasons if not isinstance(r, dict)],
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
    if form.is_valid():
        try:
            spec.perform(request, complaint, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except (ConflictError, TransitionError) as exc:
            messages.error(request, str(exc) or _("记录已被他人修改，请刷新后重试"))
            return redirect("complaints:detail", pk=pk)
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(request, str(spec.done))
            return redirect(reverse("complaints:detail", args=[pk]) + "#timeline")
    return _detail(request, pk, failed=(action, form), status=400)


@login_required
@require_POST
def update_facts(request: HttpRequest, pk: int) -> HttpResponse:
    """定级事实 edited on the page (C10): regrades; a stale page gets a conflict message, not an overwrite."""
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    if not access.can_handle_complaint(request.user, complaint):
        raise PermissionDenied
    form = _facts_form(complaint, request.POST)
    if form.is_valid():
        changes = form.changes(complaint)
        if not changes:
            messages.info(request, _("没有需要保存的修改"))
            return redirect("complaints:detail", pk=pk)
        try:
            updated = services.complaint_update_facts(
                complaint=complaint,
                version=form.cleaned_data["version"],
                changes=changes,
                reason=form.cleaned_data.get("reason", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except ConflictError:
            messages.error(request, _("这条投诉已被他人修改，请查看最新内容后重新填写"))
            return redirect("complaints:detail", pk=pk)
        except TransitionError as exc:
            messages.error(request, str(exc))
            return redirect("complaints:detail", pk=pk)
        else:
            messages.success(request, _("已保存，当前级别：%(grade)s") % {"grade": updated.get_grade_display()})
            return redirect("complaints:detail", pk=pk)
    return _detail(request, pk, failed=("facts", form), status=400)


# --- Incident --------------------------------------------------------------------------------------------


@login_required
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from guanjia.complaints.incidents import incident_customer_count

    incident = selectors.incident_get(user=request.user, pk=pk)
    return render(
        request,
        "complaints/incident_detail.html",
        {
            "incident": incident,
            "complaints": selectors.incident_complaints(user=request.user, incident=incident),
            "customers": incident_customer_count(incident),
        },
    )


# --- Signature (C20) ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """客户意见受理表 on a tablet or phone: the customer writes an opinion and signs on the canvas."""
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    can_collect = access.can_handle_complaint(request.user, complaint)
    initial = {"signer_name": complaint.display_customer}
    form = forms.SignForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not can_collect:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.complaint_sign(
                    complaint=complaint,
                    image=form.cleaned_data["image"],
                    signer_name=form.cleaned_data["signer_name"],
                    opinion=form.cleaned_data.get("opinion", ""),
                    actor=request.user,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("签名已保存"))
                return redirect("complaints:sign", pk=pk)
        status = 400
    return render(
        request,
        "complaints/sign.html",
        {
            "complaint": complaint,
            "form": form,
            "signatures": list(complaint.signatures.select_related("collected_by")),
            "can_collect": can_collect,
        },
        status=status,
    )


@login_required
@require_GET
def signature_image(request: HttpRequest, pk: int) -> FileResponse:
    """A signature's PNG, only for staff who may see its complaint (never a public media URL)."""
    signature = selectors.signature_get(user=request.user, pk=pk)
    return stream_stored(signature.image, content_type="image/png")
