"""人员管理 pages (O02–O04) and the forced password change. Thin: ``access`` decides who may, ``services``
write, refused input comes back on the same page naming the field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from guanjia.accounts import access, services
from guanjia.accounts.forms import OwnPasswordChangeForm, StaffChangeForm, StaffCreateForm
from guanjia.accounts.models import Role, User
from guanjia.accounts.workload import open_work_for
from guanjia.core.errors import ConflictError
from guanjia.core.web import apply_errors, safe_next
from guanjia.estates.models import Unit
from guanjia.timeline.selectors import events_for

PAGE_SIZE = 50
TIMELINE_LIMIT = 50


def _admin_only(request: HttpRequest) -> None:
    if not access.can_manage_staff(request.user):
        raise PermissionDenied


def _filtered(request: HttpRequest) -> tuple[QuerySet[User], dict[str, Any]]:
    people = access.manageable_staff(request.user)
    role = request.GET.get("role", "")
    if role in Role.values:
        people = people.filter(role=role)
    else:
        role = ""
    projects = access.staff_admin_projects(request.user)
    project = request.GET.get("project", "")
    if project.isdigit() and projects.filter(pk=int(project)).exists():
        people = people.filter(projects=int(project))
    else:
        project = ""
    active = request.GET.get("active", "yes")
    if active == "yes":
        people = people.filter(is_active=True)
    elif active == "no":
        people = people.filter(is_active=False)
    else:
        active = "all"
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(Q(name__icontains=query) | Q(username__icontains=query) | Q(phone__contains=query))
    filters = {"role": role, "project": project, "active": active, "q": query, "projects": projects}
    return people.prefetch_related("projects").order_by("-is_active", "role", "name", "id").distinct(), filters


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    people, filters = _filtered(request)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_list.html", {"page": page, "roles": Role.choices, **filters})


@login_required
@never_cache
def staff_create(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    form = StaffCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person, initial = services.staff_create(actor=request.user, now=timezone.now(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionError:
            raise PermissionDenied from None
        else:
            # Shown once, on this answer only (never_cache): it is stored nowhere in clear.
            return render(
                request, "accounts/one_time_password.html", {"person": person, "password": initial, "created": True}
            )
    return render(request, "accounts/staff_form.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(request: HttpRequest, person: User, form: StaffChangeForm | None = None) -> dict[str, Any]:
    if form is None:
        form = StaffChangeForm(
            initial={
                "name": person.name,
                "phone": person.phone,
                "role": person.role,
                "projects": list(person.projects.all()),
                "version": person.version,
            },
            actor=request.user,
        )
    households = list(Unit.objects.filter(butler=person).select_related("building", "project").order_by("project_id"))
    return {
        "person": person,
        "form": form,
        "is_self": person.pk == request.user.pk,
        "households": households,
        "household_projects": person.projects.filter(pk__in=access.staff_admin_projects(request.user)),
        "timeline": events_for(person).reverse()[:TIMELINE_LIMIT],
    }


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    person = access.get_person_for_admin(request.user, pk)
    if request.method != "POST":
        return render(request, "accounts/staff_detail.html", _detail_context(request, person))
    form = StaffChangeForm(request.POST, actor=request.user)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.staff_update(person=person, actor=request.user, now=timezone.now(), changes=data, version=version)
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(request, _("已保存 %(name)s 的资料。") % {"name": person.display_name})
            return redirect("accounts:staff_detail", pk=person.pk)
    return render(request, "accounts/staff_detail.html", _detail_context(request, person, form), status=status)


@login_required
@require_POST
@never_cache
def staff_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    person = access.get_person_for_admin(request.user, pk)
    try:
        password = services.staff_reset_password(person=person, actor=request.user, now=timezone.now())
    except PermissionError:
        raise PermissionDenied from None
    return render(request, "accounts/one_time_password.html", {"person": person, "password": password})


@login_required
def staff_switch_off(request: HttpRequest, pk: int) -> HttpResponse:
    """停用: first the person's open work, each with a link to hand it on; then the switch itself."""
    _admin_only(request)
    person = access.get_person_for_admin(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            services.staff_update(
                person=person,
                actor=request.user,
                now=timezone.now(),
                changes={"is_active": False},
                version=_version(request),
                reason=request.POST.get("reason", "").strip(),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except ConflictError as exc:
            error = str(exc)
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(
                request, _("已停用 %(name)s：不能再登录，也不会再被指派或收到提醒。") % {"name": person.display_name}
            )
            return redirect("accounts:staff_detail", pk=person.pk)
    context = {
        "person": person,
        "work": open_work_for(person),
        "households": Unit.objects.filter(butler=person).count(),
        "error": error,
    }
    return render(request, "accounts/switch_off.html", context, status=400 if error else 200)


@login_required
@require_POST
def staff_switch_on(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    person = access.get_person_for_admin(request.user, pk)
    try:
        services.staff_update(
            person=person,
            actor=request.user,
            now=timezone.now(),
            changes={"is_active": True},
            version=_version(request),
        )
    except (ValidationError, ConflictError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    except PermissionError:
        raise PermissionDenied from None
    else:
        messages.success(request, _("已重新启用 %(name)s。") % {"name": person.display_name})
    return redirect("accounts:staff_detail", pk=person.pk)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
def staff_households(request: HttpRequest, pk: int, project: int) -> HttpResponse:
    """O03: tick the units of a project this butler looks after."""
    _admin_only(request)
    person = access.get_person_for_admin(request.user, pk)
    estate = get_object_or_404(access.staff_admin_projects(request.user), pk=project)
    units = (
        Unit.objects.filter(project=estate)
        .select_related("building", "butler")
        .order_by("building_id", "entrance", "room")
    )
    error = ""
    if request.method == "POST":
        ids = {int(v) for v in request.POST.getlist("units") if v.isdigit()}
        try:
            added, removed = services.staff_assign_households(
                person=person, actor=request.user, now=timezone.now(), project=estate, units=units.filter(pk__in=ids)
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionError:
            raise PermissionDenied from None
        else:
            messages.success(
                request,
                _("已保存负责户：新增 %(added)s 户，移出 %(removed)s 户。")
                % {"added": len(added), "removed": len(removed)},
            )
            return redirect("accounts:staff_detail", pk=person.pk)
    return render(
        request,
        "accounts/households.html",
        {"person": person, "estate": estate, "units": units, "error": error},
        status=400 if error else 200,
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码: anyone for their own; forced after a one-time password (``PasswordChangeRequiredMiddleware``)."""

    form_class = OwnPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("desk:home")

    def get_success_url(self) -> str:
        return safe_next(self.request, str(self.success_url))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next"] = self.request.GET.get("next", "")
        return context

    def form_valid(self, form: OwnPasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        services.staff_password_changed(user=form.user, now=timezone.now())
        messages.success(self.request, _("密码已修改。"))
        return response
