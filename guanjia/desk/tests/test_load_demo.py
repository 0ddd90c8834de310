"""`manage.py load_demo --if-empty`: the demo `make run` serves (O01–O04 data, price lists, staff of every role)
and four weeks of cases replayed through the services (C13 deadlines, R01–R13 work orders, V01 visits)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from guanjia.accounts.models import Role, User
from guanjia.cases.models import Deadline, DeadlineState
from guanjia.complaints.models import OPEN_STATUSES, Complaint, Incident
from guanjia.complaints.selectors import BoardFilters, board, board_state
from guanjia.core.clean import phone
from guanjia.desk import demo
from guanjia.dutylog.models import Handover, HandoverStatus, Shift
from guanjia.estates.models import Company, Customer, Project, Residency, Unit
from guanjia.frontdesk.models import CustodyItem, CustodyKind, CustodyStatus, Visitor, VisitorStatus
from guanjia.repairs.models import PriceItem, Repair
from guanjia.repairs.selectors import repairs_for_technician
from guanjia.timeline.models import Event
from guanjia.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db

#: The demo is built around "now": these tests load it on a Wednesday mid-morning, away from a shift change
#: (08:00, 20:00) and a month end, so they pass at any hour of any day (the calm-start test picks its own times).
DEMO_NOW = datetime(2026, 11, 18, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def demo_clock(time_machine):
    time_machine.move_to(DEMO_NOW, tick=True)


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


# --- the estates and people (quick: without the history) ----------------------------------------------------


def test_load_demo_fills_an_empty_database_and_prints_how_to_log_in():
    output = load("--if-empty", "--no-cases")
    assert Company.objects.count() == 1
    assert set(Project.objects.values_list("name", flat=True)) == {"滨江花园", "翠湖苑"}
    assert Unit.objects.count() >= 300 and Customer.objects.count() >= 300
    for project in Project.objects.all():
        assert PriceItem.objects.filter(project=project, active=True).count() >= 25
    assert "http://127.0.0.1:8000" in output and demo.DEMO_PASSWORD in output
    assert "演示密码" in output and "demo password" in output
    for username in ("qiantai", "guanjia", "jishi", "kefuzhuguan", "jingli", "zongjingli", "admin"):
        assert username in output
    assert not Complaint.objects.exists()


def test_load_demo_prints_the_address_serve_will_answer_on():
    output = load("--if-empty", "--no-cases", "--port", "8123")
    assert "http://127.0.0.1:8123" in output and "http://127.0.0.1:8123/admin/" in output
    assert ":8000" not in output
    # loaded already: `make run` on a second day still prints the real address
    assert "http://localhost:9001" in load("--if-empty", "--host", "localhost", "--port", "9001")


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
        ("localhost", 8123, "http://localhost:8123"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),  # noqa: S104
        ("::1", 8123, "http://[::1]:8123"),
        ("[::1]", 8123, "http://[::1]:8123"),
        ("::", 8123, "http://[::1]:8123"),
    ],
)
def test_served_url_is_what_a_browser_on_this_machine_opens(host, port, url):
    assert demo.served_url(host, port) == url


def test_load_demo_if_empty_is_idempotent():
    load("--if-empty", "--no-cases")
    counts = (Unit.objects.count(), Customer.objects.count(), User.objects.count(), PriceItem.objects.count())
    output = load("--if-empty")
    assert (Unit.objects.count(), Customer.objects.count(), User.objects.count(), PriceItem.objects.count()) == counts
    assert not Complaint.objects.exists()  # nothing loaded, not even the cases
    assert "跳过" in output and demo.DEMO_PASSWORD in output
    with pytest.raises(CommandError):
        load()


def test_o02_demo_has_staff_of_every_role_who_can_log_in(client):
    load("--no-cases")
    assert set(User.objects.values_list("role", flat=True)) >= set(Role.values)
    admin = User.objects.get(username=demo.ADMIN_USERNAME)
    assert admin.is_superuser and admin.is_staff
    for spec in demo.STAFF:
        user = User.objects.get(username=spec.username)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.role == spec.role
        # O04: project staff belong to their estate; the general manager sees the whole company
        assert user.company_wide == (spec.estate is None)
        assert user.projects.exists() == (spec.estate is not None)
    # Through the login page: axes (first of AUTHENTICATION_BACKENDS) needs the request client.login() lacks.
    response = client.post("/login/", {"username": "qiantai", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_o01_o03_units_customers_and_butlers_belong_to_their_project():
    load("--no-cases")
    assert not Unit.objects.exclude(project=F("building__project")).exists()
    assert not Residency.objects.exclude(customer__project=F("unit__project")).exists()
    # O03: every unit has a butler of its own estate
    assert not Unit.objects.filter(butler__isnull=True).exists()
    assert not Unit.objects.exclude(butler__projects=F("project")).exists()
    assert set(Unit.objects.values_list("butler__role", flat=True)) == {Role.BUTLER}
    statuses = set(Unit.objects.values_list("status", flat=True))
    assert statuses == {"occupied", "vacant", "decorating"}
    kinds = set(Customer.objects.values_list("kind", flat=True))
    assert kinds == {"owner", "tenant", "household_member"}


def test_every_demo_customer_has_a_valid_phone():
    load("--no-cases")
    customers = Customer.objects.prefetch_related("phones")
    several = 0
    for customer in customers:
        numbers = [p.number for p in customer.phones.all()]
        assert numbers, customer.name
        assert all(phone(n) == n for n in numbers)
        several += len(numbers) > 1
    assert several > 20  # some customers give more than one number


def test_demo_plan_is_deterministic():
    assert demo.plan() == demo.plan()
    assert demo.plan(1) != demo.plan(2)


# --- four weeks of cases ---------------------------------------------------------------------------------------


def test_load_demo_loads_four_weeks_of_cases_through_the_services(capsys):
    started = time.monotonic()
    output = load("--if-empty")
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\nload_demo with four weeks of cases: {seconds:.1f}s")
    now = timezone.now()
    assert "宗投诉 complaints" in output and "张报修单 repairs" in output and demo.DEMO_PASSWORD in output

    for project in Project.objects.all():
        # about sixty complaints and eighty repairs per estate, over four weeks, none in the future
        complaints = Complaint.objects.filter(project=project)
        assert 50 <= complaints.count() <= 90
        assert 65 <= Repair.objects.filter(project=project).count() <= 100
        assert complaints.filter(received_at__lt=now - timedelta(days=20)).exists()
    assert not Event.objects.filter(at__gt=now).exists()
    assert not Complaint.objects.filter(registered_at__gt=now).exists()
    # every case has its history on the timeline, written by the services
    assert Event.objects.filter(verb="complaint.registered").count() == Complaint.objects.count()
    assert Event.objects.filter(verb="repair.logged").count() == Repair.objects.count()

    # mostly general, some significant, a few major, one critical incident with several customers (C06, C12)
    grades = dict(Complaint.objects.values_list("grade").annotate(n=Count("id")))
    assert grades["general"] > grades["significant"] > grades["major"] >= 2
    incident = Incident.objects.get()
    assert incident.complaints.order_by().values("customer").distinct().count() >= 10
    assert set(incident.complaints.values_list("grade", flat=True)) == {"critical"}
    # mostly completed on time, some late (the sweep recorded the miss: C11), a few paper forms (entered late)
    resolve = Deadline.objects.filter(kind="resolve").exclude(state=DeadlineState.CANCELLED)
    on_time = resolve.filter(met_at__lte=F("due_at")).count()
    late = resolve.filter(state=DeadlineState.MISSED, fired=True).count()
    assert on_time > 5 * late > 0
    assert Complaint.objects.filter(mishandled_count__gt=0).exists()
    assert Complaint.objects.filter(entered_late=True).exists()

    # the live board: open complaints with running deadlines, none overdue at start (C13)
    supervisor = User.objects.get(username="kefuzhuguan")
    binjiang = Project.objects.get(code="binjiang")
    rows = board(user=supervisor, project=binjiang, filters=BoardFilters(), now=now)
    counts = board_state(user=supervisor, project=binjiang, filters=BoardFilters(), now=now).counts
    assert counts["open"] >= 5
    assert all(c.status in OPEN_STATUSES for c in rows)
    assert counts["overdue"] == 0
    assert sum(1 for c in rows if c.next_due_at is not None) >= 4

    # repairs in several statuses; the technicians' phones have work (R02–R04)
    statuses = set(Repair.objects.values_list("status", flat=True))
    assert {"notified", "accepted", "in_progress", "quoted", "returned", "cancelled"} <= statuses
    assert Repair.objects.filter(warranty=True).count() >= 2
    assert Repair.objects.filter(price_item__isnull=True, warranty=False).count() >= 5  # non-standard (R05)
    assert Repair.objects.filter(signatures__role="customer").distinct().count() > 100  # R10 signatures
    technician = User.objects.get(username="jishi")
    assert repairs_for_technician(technician).exists()

    # return visits planned by completion (V01), most of them made, mostly satisfied, a couple not (V06)
    visits = ReturnVisit.objects.all()
    assert visits.count() >= Repair.objects.filter(completed_at__isnull=False).count()
    done = visits.filter(status="done")
    assert done.count() > 0.9 * visits.count()
    assert done.filter(satisfaction__gte=4).count() > 0.85 * done.count()
    assert done.filter(unsatisfied=True).exists()

    # the counter: parcels waiting and handed over, a visitor inside, keys out; yesterday's signed handovers
    parcels = CustodyItem.objects.filter(kind=CustodyKind.PARCEL)
    assert parcels.filter(status=CustodyStatus.HELD).exists()
    assert parcels.filter(status=CustodyStatus.HANDED_OVER).exists()
    assert Visitor.objects.filter(status=VisitorStatus.ADMITTED).exists()
    assert CustodyItem.objects.filter(kind=CustodyKind.KEY, status=CustodyStatus.HANDED_OVER).exists()
    # (the last handover is signed a few minutes into the current shift: right after 08:00 or 20:00 it waits)
    assert Handover.objects.filter(status=HandoverStatus.SIGNED).count() >= Project.objects.count()
    assert Shift.objects.filter(starts_at__lte=now, ends_at__gt=now, handover__isnull=True).count() == 2

    # loading again with --if-empty changes nothing
    before = (Complaint.objects.count(), Repair.objects.count(), Event.objects.count())
    assert "跳过" in load("--if-empty")
    assert (Complaint.objects.count(), Repair.objects.count(), Event.objects.count()) == before


def _figures() -> dict[str, Any]:
    return {
        "complaints": sorted(
            Complaint.objects.values_list("grade", "status", "channel").annotate(n=Count("id")), key=repr
        ),
        "repairs": sorted(Repair.objects.values_list("status", "price_item__code").annotate(n=Count("id")), key=repr),
        "deadlines": sorted(Deadline.objects.values_list("kind", "state", "fired").annotate(n=Count("id")), key=repr),
        "visits": sorted(ReturnVisit.objects.values_list("status", "satisfaction").annotate(n=Count("id")), key=repr),
        "events": Event.objects.count(),
        "custody": sorted(CustodyItem.objects.values_list("kind", "status").annotate(n=Count("id")), key=repr),
    }


def test_demo_history_is_deterministic():
    # Given one moment, two loads into two empty databases (each rolled back after counting) ...
    now = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=1), datetime.min.time()))
    now += timedelta(hours=15, minutes=30)
    figures = []
    for _run in range(2):
        with transaction.atomic():
            started = time.monotonic()
            demo.load(now=now)
            print(f"demo.load with cases: {time.monotonic() - started:.1f}s")
            figures.append(_figures())
            transaction.set_rollback(True)
    # ... give the same cases in the same states, down to the deadlines and the timeline
    assert figures[0] == figures[1]
    assert figures[0]["events"] > 3000


# --- a calm first day: nothing the sweep acts on in the first hour after start -----------------------------------


def _grades_and_misses() -> dict[str, tuple[str, int]]:
    return {c.description: (c.grade, c.mishandled_count) for c in Complaint.objects.all()}


@pytest.mark.parametrize(
    "local_now",
    [
        datetime(2026, 11, 20, 8, 45),  # the morning after yesterday evening's calls
        datetime(2026, 11, 20, 15, 30),  # mid-afternoon on a busy day
    ],
)
def test_the_demo_starts_calm_and_stays_calm_for_its_first_hour(local_now):
    import time_machine

    from guanjia.cases.periodic import run_periodic
    from guanjia.desk.history.complaints import DELIBERATELY_OVERDUE

    now = timezone.make_aware(local_now)
    with time_machine.travel(now, tick=False):
        demo.load(now=now)
    in_an_hour = now + timedelta(hours=1)

    # Every open complaint and repair has its next limit well after "now": none overdue, none due within the hour.
    pending = Deadline.objects.filter(state=DeadlineState.PENDING, due_at__lt=in_an_hour + timedelta(minutes=1))
    assert not pending.filter(subject_type__model__in=["complaint", "repair"]).exists()
    open_complaints = Complaint.objects.filter(status__in=OPEN_STATUSES)
    assert open_complaints.count() >= 5
    for complaint in open_complaints:
        limits = complaint.deadlines.filter(state=DeadlineState.PENDING)
        assert limits.exists(), complaint.description  # its countdown runs on the board
        assert not limits.filter(due_at__lte=now).exists(), complaint.description

    # The sweep at start and an hour later (nobody touches the desk): no grade rises, nothing is "mishandled",
    # apart from the complaints the demo deliberately leaves overdue.
    before = _grades_and_misses()
    for moment in (now, now + timedelta(minutes=15), in_an_hour):
        with time_machine.travel(moment, tick=False):
            run_periodic(moment)
    after = _grades_and_misses()
    changed = {description for description in after if after[description] != before[description]}
    assert changed <= DELIBERATELY_OVERDUE
    assert Event.objects.filter(verb="complaint.mishandled", at__gte=now).count() == len(changed)

    # The history is one a well-run office has: mostly general, some significant, rarely major; the only
    # critical complaints are the deliberate lift incident's (C06: ten households), a small share of the month.
    grades = dict(Complaint.objects.values_list("grade").annotate(n=Count("id")))
    total = sum(grades.values())
    assert grades["general"] > 0.7 * total
    assert grades["significant"] < 0.2 * total
    assert grades["major"] <= 0.05 * total
    critical = Complaint.objects.filter(grade="critical")
    assert set(critical.values_list("pk", flat=True)) == set(
        Incident.objects.get().complaints.values_list("pk", flat=True)
    )
    assert critical.count() <= 0.1 * total
    # a few deliberate misses in four weeks, each recorded by the sweep when it happened (C11)
    assert 0 < Complaint.objects.filter(mishandled_count__gt=0).count() <= 0.08 * total
